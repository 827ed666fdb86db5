"""Demenzbetreuungsgruppen: groups, participants and waiting list, sessions, attendance, staffing."""
