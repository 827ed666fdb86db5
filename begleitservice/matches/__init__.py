"""Vorschläge: the matching engine on all open requests, and the coordinator's decisions on its proposals."""
