"""Languages: a volunteer's link pages speak their language (or the one chosen with the switch); the coordinator
UI stays German; the volunteer form records the language."""

from datetime import date

import sqlalchemy as sa

from begleitservice.appointments.links.tokens import make_token
from begleitservice.extensions import db
from begleitservice.i18n import COOKIE
from begleitservice.models import Volunteer
from tests.app.test_scheduling_support import (  # noqa: F401 (fixtures)
    berlin,
    clock_fixture,
    html_of,
    link_path,
    run,
    smtp_fixture,
    text_of,
    weekly_pairing,
)
from tests.factories import district, make_appointment, make_pairing, make_volunteer

VISIT = date(2026, 12, 7)  # a Monday


def confirm_path(clock, *, language: str) -> str:
    """The confirm link of a Monday visit 10–12 of a volunteer who reads ``language``."""
    clock(berlin(2026, 11, 30, 8))
    volunteer = make_volunteer(language=language)
    appointment = make_appointment(pairing=make_pairing(volunteer=volunteer), on=VISIT)
    db.session.commit()
    return f"/link/bestaetigen/{make_token('confirm', appointment.id, volunteer_id=volunteer.id)}"


def test_turkish_volunteer_reads_the_page_in_turkish(client, clock):
    """The page, its date and its button are Turkish; html lang says so, left to right."""
    text = client.get(confirm_path(clock, language="tr")).get_data(as_text=True)
    assert '<html lang="tr" dir="ltr">' in text
    assert "Ziyareti onaylayın" in text and "Evet, geliyorum" in text
    assert "7 Aralık 2026 Pazartesi, 10:00–12:00" in text
    assert "Termin bestätigen" not in text


def test_arabic_page_runs_right_to_left(client, clock):
    """Arabic pages are marked right-to-left; the date is Arabic with Latin digits."""
    text = client.get(confirm_path(clock, language="ar")).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in text
    assert "نعم، سأحضر" in text and "الاثنين، 7 ديسمبر 2026" in text


def test_switch_changes_the_language_and_is_remembered(client, clock):
    """?lang=de on a Turkish volunteer's page shows German and keeps it (cookie) for the next page."""
    path = confirm_path(clock, language="tr")
    switched = client.get(f"{path}?lang=de")
    assert "Termin bestätigen" in switched.get_data(as_text=True)
    assert f"{COOKIE}=de" in switched.headers["Set-Cookie"]
    again = client.get(path).get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in again and "Montag, 07.12.2026, 10:00–12:00 Uhr" in again


def test_switch_lists_every_language_by_its_own_name(client, clock):
    """The switch offers the six languages, each named in itself, the current one marked."""
    text = client.get(confirm_path(clock, language="ru")).get_data(as_text=True)
    for name in ("Deutsch", "Türkçe", "English", "Русский", "Polski", "العربية"):
        assert f">{name}</a>" in text
    assert 'aria-current="true">Русский</a>' in text


def test_unknown_language_is_refused_and_changes_nothing(client, clock):
    """?lang=xx is a bad request with a German message; no cookie is set."""
    response = client.get(f"{confirm_path(clock, language='tr')}?lang=xx")
    assert response.status_code == 400
    assert "Diese Sprache gibt es hier nicht." in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers or COOKIE not in response.headers["Set-Cookie"]


def test_coordinator_ui_stays_german(coordinator):
    """A switch parameter or cookie does not touch the coordinator's pages."""
    coordinator.set_cookie(COOKIE, "tr")
    text = coordinator.get("/volunteers/?lang=tr").get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in text
    assert "Ehrenamtliche" in text


def test_volunteer_form_records_the_language(coordinator):
    """The coordinator picks "Sprache für Mails und Seiten"; an unknown value is refused with a German message."""
    form = coordinator.get("/volunteers/neu").get_data(as_text=True)
    assert "Sprache für Mails und Seiten" in form and ">Türkisch</option>" in form
    data = {
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "email": "ayse@example.org",
        "home_district_id": str(district("Eving").id),
        "gender": "w",
        "language": "tr",
        "services": ["besuchsdienst"],
        "languages": "Deutsch, Türkisch",
        "max_minutes_per_week": "4",
        "max_seniors": "2",
        "status": "aktiv",
        "fuehrungszeugnis_on": "2025-01-15",
    }
    bad = coordinator.post("/volunteers/neu", data={**data, "language": "xx"})
    assert "Not a valid choice" not in bad.get_data(as_text=True)
    assert "Sprache für Mails und Seiten" in bad.get_data(as_text=True)
    assert db.session.scalar(sa.select(Volunteer).where(Volunteer.email == "ayse@example.org")) is None
    coordinator.post("/volunteers/neu", data=data)
    saved = db.session.scalar(sa.select(Volunteer).where(Volunteer.email == "ayse@example.org"))
    assert saved.language == "tr"


def confirmation_mails(smtp, clock, *, language: str) -> dict:
    """The introduction and the confirmation request of a new Monday pairing, as they arrive by SMTP at a
    volunteer who reads ``language``."""
    weekly_pairing(
        starts_on=VISIT,
        volunteer=make_volunteer(first_name="Ayşe", last_name="Demir", language=language, offers_entlastung=True),
    )
    clock(berlin(2026, 11, 30, 8))
    run("roll_horizon")
    run("confirmation_requests")
    run("send_outbox")
    confirm = [m for m in smtp.messages if "/link/bestaetigen/" in text_of(m)]
    others = [m for m in smtp.messages if "/link/" not in text_of(m)]
    assert len(confirm) == 1 and len(others) == 1, [m["Subject"] for m in smtp.messages]
    return {"confirm": confirm[0], "introduction": others[0]}


def test_mail_to_a_turkish_volunteer_is_turkish(smtp, clock):
    """Subject, greeting, date and the link texts are Turkish; the link opens the Turkish page."""
    mails = confirmation_mails(smtp, clock, language="tr")
    message = mails["confirm"]
    assert message["Subject"] == "Lütfen onaylayın: 7 Ara 2026 tarihindeki ziyaret"
    text = text_of(message)
    assert "Merhaba Ayşe Demir," in text and "7 Aralık 2026 Pazartesi, 10:00–12:00" in text
    assert "Gelemiyor musunuz? O zaman lütfen buradan iptal edin:" in text
    assert "Saygılarımızla" in text and "Guten Tag" not in text
    assert '<html lang="tr" dir="ltr">' in html_of(message)
    introduction = mails["introduction"]
    assert "Pazartesi 10:00–12:00" in text_of(introduction) and "her hafta" in text_of(introduction)


def test_mail_to_an_arabic_volunteer_runs_right_to_left(smtp, clock):
    """The HTML part of an Arabic mail is marked right-to-left."""
    message = confirmation_mails(smtp, clock, language="ar")["confirm"]
    assert message["Subject"] == "يُرجى التأكيد: زيارة يوم 07‏/12‏/2026"
    assert '<html lang="ar" dir="rtl">' in html_of(message)
    assert "مرحبًا Ayşe Demir،" in text_of(message)


def test_german_mail_is_unchanged_by_the_catalogues(smtp, clock):
    """German volunteers read exactly the service's German wording and formats."""
    message = confirmation_mails(smtp, clock, language="de")["confirm"]
    assert message["Subject"] == "Bitte bestätigen: Besuch am 07.12.2026"
    text = text_of(message).replace("\r\n", "\n")
    assert text.startswith("Guten Tag Ayşe Demir,\n\nbitte bestätigen Sie Ihren nächsten Besuch bei")
    assert "Montag, 07.12.2026, 10:00–12:00 Uhr" in text and "Herzliche Grüße\nIhr Seniorenbegleitservice" in text


def test_printed_plan_is_in_the_volunteers_language_around_a_german_page(app_ctx, coordinator, monkeypatch):
    """The sheet speaks the volunteer's language (Arabic: right to left); the buttons around it stay German;
    another language can be chosen, an unknown one is refused."""
    monkeypatch.setitem(app_ctx.config, "TODAY", date(2026, 11, 20))
    volunteer = make_volunteer(first_name="Samira", language="ar")
    make_appointment(pairing=make_pairing(volunteer=volunteer), on=VISIT)
    db.session.commit()
    page = coordinator.get(f"/druck/einsatzplan/{volunteer.id}?monat=2026-12").get_data(as_text=True)
    assert '<div lang="ar" dir="rtl" class="sheet">' in page
    assert "خطة الزيارات – ديسمبر 2026" in page and "الاثنين" in page
    assert "Drucken" in page and '<html lang="de" dir="ltr">' in page
    turkish = coordinator.get(f"/druck/einsatzplan/{volunteer.id}?monat=2026-12&sprache=tr").get_data(as_text=True)
    assert "Ziyaret planı – Aralık 2026" in turkish and "Pazartesi" in turkish
    assert "Noel (1. gün)" in turkish and "Erster Weihnachtstag" not in turkish  # the holiday names too
    assert coordinator.get(f"/druck/einsatzplan/{volunteer.id}?sprache=xx").status_code == 400


def test_volunteer_keeps_the_switched_language_for_mails(client, clock):
    """In Mein Bereich a volunteer who switched to Turkish can keep it for mails; a made-up language changes nothing."""
    from urllib.parse import urlsplit

    from begleitservice.appointments.links.tokens import area_url

    clock(berlin(2026, 11, 30, 8))
    volunteer = make_volunteer(first_name="Ayşe", language="de")
    db.session.commit()
    path = urlsplit(area_url(volunteer)).path
    assert "Diese Sprache auch für E-Mails verwenden" not in client.get(path).get_data(as_text=True)
    page = client.get(f"{path}?lang=tr").get_data(as_text=True)
    assert "E-postaları şu anda Deutsch dilinde alıyorsunuz." in page
    assert client.post(f"{path}/sprache", data={"sprache": "xx"}).status_code == 400
    db.session.refresh(volunteer)
    assert volunteer.language == "de"
    done = client.post(f"{path}/sprache", data={"sprache": "tr"}, follow_redirects=True).get_data(as_text=True)
    assert "Artık e-postaları Türkçe alacaksınız." in done
    db.session.refresh(volunteer)
    assert volunteer.language == "tr"


def test_error_page_on_a_volunteer_page_speaks_the_chosen_language(client):
    """An error on a volunteer page (here: an unknown calendar feed) is in the language chosen with the switch."""
    client.set_cookie(COOKIE, "tr")
    response = client.get("/kalender/kurz.ics")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert '<html lang="tr" dir="ltr">' in text and "Bu sayfa yok." in text
