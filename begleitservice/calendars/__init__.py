"""Week and month calendars of a volunteer, a senior, a district and the whole service."""
