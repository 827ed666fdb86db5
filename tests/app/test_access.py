"""Every page, for every role: allowed (200) or forbidden (403); without login, the login page."""

import re

import pytest

ROLES = ("coordinator", "accounting", "admin")
STAFF, CARE, ADMIN = set(ROLES), {"coordinator", "admin"}, {"admin"}

# Who may open the pages of each blueprint; single endpoints can differ from their blueprint.
BY_BLUEPRINT = {
    "dashboard": STAFF,
    "volunteers": CARE,
    "seniors": STAFF,
    "requests": CARE,
    "pairings": CARE,
    "matches": CARE,
    "pflegekassen": STAFF,
    "budget": STAFF,
    "admin": ADMIN,
    "provider": ADMIN,
    "appointments": CARE,
    "accounting": STAFF,
    "privacy": CARE,
    "inbox": CARE,
    "calendars": CARE,
    "contacts": CARE,
    "audit": ADMIN,
    "printing": CARE,
    "help": STAFF,
    "transfer": CARE,
    "groups": CARE,
    "reports": STAFF,
}
BY_ENDPOINT = {
    "seniors.create": CARE,
    "seniors.edit": CARE,
    "auth.account": STAFF,
    "auth.change_password": STAFF,
    "auth.setup_second_factor": STAFF,
    "reports.population_import": CARE,
}
# the login, its second step (without a pending login it sends back to the login) and the forgotten password
PUBLIC = {"auth.login", "auth.second_factor", "auth.forgot_password", "static"}


def _get_pages(app, ids):
    """(endpoint, url) for every GET page whose arguments we can fill."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in PUBLIC:
            continue
        values = {}
        for argument in rule.arguments:
            key = re.sub(r"_id$", "", argument)
            if key not in ids:
                break
            values[argument] = ids[key]
        else:
            pages.append((rule.endpoint, rule.build(values, append_unknown=False)[1]))
    return pages


def _allowed(endpoint: str) -> set[str]:
    return BY_ENDPOINT.get(endpoint, BY_BLUEPRINT.get(endpoint.split(".")[0], set()))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_allowed_or_forbidden_per_role(app_ctx, login, sample_ids, role):
    client = login(role)
    pages = _get_pages(app_ctx, sample_ids)
    assert len(pages) > 10
    for endpoint, url in pages:
        status = client.get(url).status_code
        expected = 200 if role in _allowed(endpoint) else 403
        assert status == expected, f"{role} {url} ({endpoint}): {status}, expected {expected}"


def test_without_login_every_page_leads_to_the_login(app_ctx, client, sample_ids):
    for _endpoint, url in _get_pages(app_ctx, sample_ids):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_forbidden_page_is_german(app_ctx, login, sample_ids):
    response = login("accounting").get("/volunteers/")
    assert response.status_code == 403
    assert "Für diese Seite fehlt Ihnen die Berechtigung." in response.get_data(as_text=True)
