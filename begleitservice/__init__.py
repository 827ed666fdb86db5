"""Begleitservice: the web application of the Ehrenamtlicher Seniorenbegleitservice."""

from .app import create_app

__all__ = ["create_app"]
