"""Help: a page per area and a glossary, linked from every page, German, for every role."""

import re

from begleitservice.help.views import AREAS


def test_help_is_linked_from_every_page_and_each_area_opens(login):
    client = login("accounting")
    start = client.get("/").get_data(as_text=True)
    assert 'href="/hilfe/"' in start
    overview = client.get("/hilfe/").get_data(as_text=True)
    for key, title in AREAS.items():
        assert f'href="/hilfe/{key}"' in overview
        page = client.get(f"/hilfe/{key}")
        assert page.status_code == 200 and f"<h1>{title}</h1>" in page.get_data(as_text=True)
    assert client.get("/hilfe/gibt-es-nicht").status_code == 404


def test_glossary_explains_the_terms_with_anchors(login):
    page = login("coordinator").get("/hilfe/begriffe").get_data(as_text=True)
    for anchor, term in {
        "abtretung": "Abtretung",
        "umwandlung": "Umwandlung",
        "entlastungsbetrag": "Entlastungsbetrag",
        "sozialraum": "Sozialraum",
    }.items():
        assert re.search(rf'<dt id="{anchor}">{term}', page), anchor
    text = " ".join(page.split())  # line breaks in the template's prose are not part of what a reader sees
    assert "verfällt am 30. Juni" in text and "131 € ab 2025" in text
    assert "Pflegegrad 2 318,40 €" in page


def test_help_needs_a_login(client):
    response = client.get("/hilfe/begriffe")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
