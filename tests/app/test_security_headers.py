"""Security headers on every route, for every method, logged in or not; no caching of anything but static files."""

import re

import pytest

from begleitservice.security.headers import CONTENT_SECURITY_POLICY
from tests.codescan import ROOT
from tests.routes import every_route

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _check(response, endpoint):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (endpoint, name)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS
    if endpoint == "static":
        assert "no-store" not in response.headers.get("Cache-Control", "")
    else:
        assert response.headers["Cache-Control"] == "no-store", endpoint


def test_every_route_and_method_sends_the_security_headers_without_login(app_ctx, client, sample_ids):
    routes = list(every_route(app_ctx, sample_ids))
    assert len(routes) > 80
    for endpoint, method, url in routes:
        _check(client.open(url, method=method, data={}), endpoint)


@pytest.mark.parametrize("role", ["admin", "coordinator", "accounting"])
def test_every_page_sends_the_security_headers_when_logged_in(app_ctx, login, sample_ids, role):
    """Every GET route as each role: pages, downloads, 403 and 404 pages alike (forms are the fuzz tests' job)."""
    client = login(role)
    for endpoint, method, url in every_route(app_ctx, sample_ids):
        if method == "GET":
            _check(client.get(url), endpoint)
    _check(client.post("/logout"), "auth.logout")


def test_hsts_only_over_https(app_ctx):
    client = app_ctx.test_client()
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_behind_the_proxy_https_is_read_from_x_forwarded_proto(app_ctx):
    app_ctx.wsgi_app = wrapped = __import__("werkzeug.middleware.proxy_fix", fromlist=["ProxyFix"]).ProxyFix(
        app_ctx.wsgi_app, x_proto=1
    )
    try:
        response = app_ctx.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "max-age=" in response.headers["Strict-Transport-Security"]
    finally:
        app_ctx.wsgi_app = wrapped.app


def test_downloads_are_not_cached(app_ctx, login, sample_ids):
    client = login("admin")
    response = client.get(f"/datenschutz/senioren/{sample_ids['senior']}/auskunft")
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store"


def test_the_policy_has_no_inline_exceptions():
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in CONTENT_SECURITY_POLICY


INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def test_no_template_served_to_a_browser_has_inline_script_or_style():
    """The policy forbids them; e-mails and PDFs are not served as pages and may keep their inline styles."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        relative = path.relative_to(ROOT / "templates").as_posix()
        if relative.startswith(("email/", "billing/pdf/")):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if INLINE.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []
