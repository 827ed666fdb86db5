"""Mail to the coordinators: at once for what cannot wait, the rest in a daily digest, per user as they chose."""

import sqlalchemy as sa

from begleitservice.appointments import operations
from begleitservice.appointments.cover import accept_cover, offer_cover
from begleitservice.extensions import db
from begleitservice.models import CoordinatorEvent, NotificationSetting, OutboxMessage
from tests.app.test_scheduling_links import mail_for_visit
from tests.app.test_scheduling_support import (  # noqa: F401 (fixtures)
    berlin,
    clock_fixture,
    html_of,
    link_path,
    run,
    smtp_fixture,
    text_of,
)
from tests.factories import make_user, make_volunteer


def _staff():
    coordinator = make_user(role="coordinator", name="Clara Koordinatorin", email="clara@example.org")
    admin = make_user(role="admin", name="Anton Admin", email="anton@example.org")
    accounting = make_user(role="accounting", name="Bernd Buchhaltung", email="bernd@example.org")
    return coordinator, admin, accounting


def _text(message) -> str:
    """The plain text of a mail with plain line ends."""
    return text_of(message).replace("\r\n", "\n")


def _login(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": "richtig-geheim-123"})
    return client


def test_short_notice_decline_mails_the_coordinator_at_once(app_ctx, client, smtp, clock):
    message, appointment = mail_for_visit(smtp, clock)
    _coordinator, _admin, _accounting = _staff()
    clock(berlin(2026, 12, 6, 9))  # 25 hours before the visit

    client.post(link_path(message, "absagen"), data={"reason": "Grippe"})
    run("send_outbox")

    (mail,) = smtp.to("clara@example.org")
    assert mail["Subject"] == "Kurzfristige Absage: Besuch am 07.12.2026"
    text = _text(mail)
    assert "Guten Tag Clara Koordinatorin" in text
    assert "Montag, 07.12.2026, 10:00–12:00 Uhr" in text
    assert "bei Hildegard Beispiel (Eving)" in text
    assert "Bitte eine Vertretung suchen oder der Senior:in absagen." in text
    assert f"/termine/{appointment.id}" in text and f"/termine/{appointment.id}" in html_of(mail)
    assert "Grippe" not in text and "Pflegegrad" not in text and "Demenz" not in text
    assert smtp.to("anton@example.org") == [] and smtp.to("bernd@example.org") == []


def test_decline_with_notice_waits_for_the_daily_digest(app_ctx, client, smtp, clock):
    message, _appointment = mail_for_visit(smtp, clock)
    _staff()
    clock(berlin(2026, 12, 1, 9))  # six days ahead: not urgent

    client.post(link_path(message, "absagen"), data={"reason": ""})
    run("send_outbox")
    assert smtp.to("clara@example.org") == []

    clock(berlin(2026, 12, 2, 7))
    assert run("coordinator_digest") == "1 Zusammenfassungen an die Koordination"
    assert run("coordinator_digest") == "0 Zusammenfassungen an die Koordination"  # once a day
    run("send_outbox")

    (digest,) = smtp.to("clara@example.org")
    assert digest["Subject"] == "Tägliche Zusammenfassung – 02.12.2026"
    text = _text(digest)
    assert "Absage:\n- " in text and "bei Hildegard Beispiel (Eving)" in text
    assert "Absagen: Vertretung finden: 1" in text
    assert smtp.to("anton@example.org") == []

    clock(berlin(2026, 12, 3, 7))  # nothing new, the decline still open: counts only
    run("coordinator_digest")
    run("send_outbox")
    second = smtp.to("clara@example.org")[1]
    assert "Absage:" not in _text(second) and "Absagen: Vertretung finden: 1" in _text(second)


def test_stand_in_accepted_and_escalation_mail_at_once(app_ctx, smtp, clock):
    _message, appointment = mail_for_visit(smtp, clock)
    _staff()
    now = clock(berlin(2026, 12, 5, 11))  # 47 hours before: the escalation
    run("escalations")
    run("send_outbox")
    (unconfirmed,) = smtp.to("clara@example.org")
    assert unconfirmed["Subject"] == "Noch unbestätigt: Besuch am 07.12.2026"

    operations.decline(appointment, now=now, reason=None)
    stand_in = make_volunteer(first_name="Sven", last_name="Springer", offers_entlastung=True)
    [offer] = offer_cover(appointment, [stand_in], now=now)
    assert accept_cover(offer, now=now)
    db.session.commit()
    run("send_outbox")

    subjects = [m["Subject"] for m in smtp.to("clara@example.org")]
    assert "Kurzfristige Absage: Besuch am 07.12.2026" in subjects
    assert "Vertretung zugesagt: Besuch am 07.12.2026" in subjects
    accepted = next(m for m in smtp.to("clara@example.org") if m["Subject"].startswith("Vertretung"))
    assert "Sven Springer vertritt" in _text(accepted)
    assert "mit der Adresse anrufen" in _text(accepted)


def test_settings_page_changes_what_arrives(app_ctx, client, smtp, clock):
    message, _appointment = mail_for_visit(smtp, clock)
    coordinator, admin, _ = _staff()
    clara = _login(app_ctx, coordinator)

    page = clara.get("/aufgaben/benachrichtigungen").get_data(as_text=True)
    assert "Absage mit mehr Vorlauf" in page and "in der täglichen Zusammenfassung" in page
    choices = {
        "absage_kurzfristig": "keine",
        "unbestaetigt": "sofort",
        "vertretung": "zusammenfassung",
        "absage": "sofort",
        "ausgefallen": "keine",
        "abwesenheit": "sofort",
    }
    response = clara.post("/aufgaben/benachrichtigungen", data=choices, follow_redirects=True)
    assert "Ihre Benachrichtigungen sind gespeichert." in response.get_data(as_text=True)
    anton = _login(app_ctx, admin)
    anton.post("/aufgaben/benachrichtigungen", data={**choices, "absage": "zusammenfassung"})

    bad = clara.post("/aufgaben/benachrichtigungen", data={**choices, "absage": "stuendlich"})
    assert bad.status_code == 422 and "Es wurde nichts gespeichert." in bad.get_data(as_text=True)
    assert (
        db.session.scalar(
            sa.select(NotificationSetting.delivery).where(
                NotificationSetting.user_id == coordinator.id, NotificationSetting.kind == "absage"
            )
        )
        == "sofort"
    )

    clock(berlin(2026, 12, 1, 9))
    client.post(link_path(message, "absagen"), data={"reason": ""})
    run("send_outbox")
    assert [m["Subject"] for m in smtp.to("clara@example.org")] == ["Absage: Besuch am 07.12.2026"]
    assert smtp.to("anton@example.org") == []
    clock(berlin(2026, 12, 2, 7))
    run("coordinator_digest")
    run("send_outbox")
    assert [m["Subject"] for m in smtp.to("anton@example.org")] == ["Tägliche Zusammenfassung – 02.12.2026"]


def test_a_decline_rolled_back_sends_nothing(app_ctx, smtp, clock):
    _, appointment = mail_for_visit(smtp, clock)
    _staff()
    now = clock(berlin(2026, 12, 6, 9))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))

    operations.decline(appointment, now=now, reason=None)  # the mail is queued in the decline's unit of work ...
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == before + 1
    db.session.rollback()  # ... and goes with it

    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoordinatorEvent)) == 0
    run("send_outbox")
    assert smtp.to("clara@example.org") == []


def test_visit_reported_as_not_held_mails_at_once_or_in_the_digest_as_chosen(app_ctx, smtp, clock):
    _, appointment = mail_for_visit(smtp, clock)
    _, admin, _ = _staff()
    _login(app_ctx, admin).post(
        "/aufgaben/benachrichtigungen",
        data={
            "absage_kurzfristig": "keine",
            "unbestaetigt": "keine",
            "vertretung": "keine",
            "ausgefallen": "zusammenfassung",
            "absage": "keine",
            "abwesenheit": "keine",
        },
    )
    now = clock(berlin(2026, 12, 7, 14))
    operations.report(appointment, minutes=None, now=now)
    db.session.commit()
    run("send_outbox")
    (at_once,) = smtp.to("clara@example.org")
    assert at_once["Subject"] == "Besuch ausgefallen: Besuch am 07.12.2026"
    assert "Bitte nachfragen, warum der Besuch nicht stattgefunden hat." in _text(at_once)
    assert smtp.to("anton@example.org") == []

    clock(berlin(2026, 12, 8, 7))
    run("coordinator_digest")
    run("send_outbox")
    (digest,) = smtp.to("anton@example.org")
    assert "Besuch ausgefallen:\n- Montag, 07.12.2026" in _text(digest)


def test_events_are_kept_two_weeks_and_go_with_an_erased_senior(app_ctx, smtp, clock):
    from begleitservice.privacy.operations import erase

    _, appointment = mail_for_visit(smtp, clock)
    _staff()
    now = clock(berlin(2026, 12, 6, 9))
    operations.decline(appointment, now=now, reason=None)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoordinatorEvent)) == 1

    clock(berlin(2026, 12, 21, 7))  # 15 days later
    run("coordinator_digest")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoordinatorEvent)) == 0

    clock(berlin(2026, 12, 21, 9))
    later = appointment.pairing.appointments[-1]
    operations.decline(later, now=berlin(2026, 12, 21, 9), reason=None)
    db.session.commit()
    erase(appointment.pairing.senior, user=None, now=berlin(2026, 12, 21, 10))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoordinatorEvent)) == 0
