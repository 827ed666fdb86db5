"""Appointments: recurring visits, skipped dates, week view, outbox page, calendar links."""
