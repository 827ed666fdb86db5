"""Fixtures for the billing tests."""

import pytest

from tests.billing.billing_factories import CONFIG


@pytest.fixture
def config():
    """The default billing configuration of DOMAIN.md, with a complete test provider."""
    return CONFIG
