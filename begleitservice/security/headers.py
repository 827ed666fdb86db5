"""Security headers on every response: a small after-request hook instead of Flask-Talisman.

Talisman would add a dependency for five fixed headers, and it knows nothing of the one rule that needs the app:
every page and download here may carry personal (health) data, so everything but the static files is
``no-store``. The hook is the whole policy in one place.
"""

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",  # no inline script, no eval: templates load static files only
        "style-src 'self'",  # no style attributes or <style> blocks either
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
FIXED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
    "Referrer-Policy": "no-referrer",  # volunteer links carry their token in the URL
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def add_security_headers(response: Response) -> Response:
    """The fixed headers, HSTS over HTTPS, and no caching of anything but the static files."""
    for name, value in FIXED.items():
        response.headers.setdefault(name, value)
    if request.is_secure and current_app.config["HSTS_SECONDS"]:
        response.headers["Strict-Transport-Security"] = f"max-age={current_app.config['HSTS_SECONDS']}"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        response.headers.pop("Expires", None)
    return response


def register_headers(app: Flask) -> None:
    """Add the headers to every response of ``app``, error pages included."""
    app.after_request(add_security_headers)
