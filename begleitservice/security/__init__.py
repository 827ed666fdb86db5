"""Protection of the app as a whole: keys, rate limits and lockout, revocable sessions, response headers."""
