"""Fixtures for the billing tests."""

import pytest

from billing.config import DEFAULT_CONFIG


@pytest.fixture
def config():
    """The default billing configuration of DOMAIN.md."""
    return DEFAULT_CONFIG
