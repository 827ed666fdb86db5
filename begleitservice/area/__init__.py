"""'Mein Bereich': a volunteer's personal page, reached by a signed, revocable link (no password)."""
