"""Begleitservice: the web application of the Ehrenamtlicher Seniorenbegleitservice."""

__all__ = ["create_app"]


def __getattr__(name: str):
    """``begleitservice.create_app`` loads the app module on first use, so ``begleitservice.cli`` (the console
    script's ``--help``) and the pure helpers import without the whole app."""
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
