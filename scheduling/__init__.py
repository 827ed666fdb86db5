"""Pure scheduling domain: recurrence, due notifications, calendars, week view, cover ranking."""
