"""After login, ``next`` leads only to a path of this site: every way of smuggling another host is refused."""

from urllib.parse import quote, urljoin, urlsplit

import pytest

from begleitservice.inputs import safe_next
from tests.factories import make_user

HOSTILE = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "\t//evil.example",
    " //evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "data:text/html,x",
    "evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\x7f/evil.example",
    "/\u00a0/evil.example",
    "/\u2028/evil.example",
    "/\u3000/evil.example",
    "/\ufeff/evil.example",
    "/\r\nLocation: https://evil.example",
    "/%09/evil.example",  # encoded twice on the wire: stays a harmless path on this site
    "/.//evil.example",
    "/..//evil.example",
    "",
]
INSIDE = ["/seniors/", "/seniors/?q=M%C3%BCller&page=2", "/appointments/week/2026-11-30", "/"]


def _browser_target(location: str) -> tuple[str, str]:
    """Where a browser would go: it drops tabs and newlines and reads backslashes as slashes (WHATWG URL)."""
    cleaned = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/").strip()
    target = urlsplit(urljoin("http://localhost/login", cleaned))
    return target.scheme, target.netloc


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_leaves_the_site(app_ctx, target):
    user = make_user()
    client = app_ctx.test_client()
    response = client.post(
        f"/login?next={quote(target, safe='')}", data={"email": user.email, "password": "richtig-geheim-123"}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert _browser_target(location) == ("http", "localhost"), location
    assert not location.startswith("//") and "evil.example" not in location.split("?")[0].split("/")[1:2]


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_refuses_whatever_a_browser_could_read_as_another_host(target):
    kept = safe_next(target)
    assert kept is None or _browser_target(kept) == ("http", "localhost")


@pytest.mark.parametrize("target", INSIDE)
def test_login_goes_on_to_a_page_of_this_site(app_ctx, target):
    user = make_user()
    response = app_ctx.test_client().post(
        f"/login?next={quote(target, safe='')}", data={"email": user.email, "password": "richtig-geheim-123"}
    )
    assert response.headers["Location"] == target


def test_without_next_login_opens_the_overview(app_ctx):
    user = make_user()
    response = app_ctx.test_client().post("/login", data={"email": user.email, "password": "richtig-geheim-123"})
    assert response.headers["Location"] == "/"


def test_the_reported_request_stays_on_the_site(app_ctx):
    user = make_user()
    data = {"email": user.email, "password": "richtig-geheim-123"}
    response = app_ctx.test_client().post("/login?next=/%09/evil.example", data=data)
    assert response.headers["Location"] == "/"
