"""Public pages reached from mails and calendars: signed volunteer links and the private iCal feed (no login)."""
