"""Every URL of the app with its arguments filled in: for tests that walk all routes."""

import re


def every_route(app, ids):
    """(method, url) for every rule and method of the app, ids filled in where known, else a made-up value."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        values = {}
        for argument in rule.arguments:
            key = re.sub(r"_id$", "", argument)
            if argument == "filename":
                values[argument] = "app.css"
            elif key in ids:
                values[argument] = ids[key]
            elif argument == "token":
                values[argument] = "kein-gueltiger-link"
            elif argument in ("year", "month"):
                values[argument] = {"year": 2026, "month": 11}[argument]
            else:
                values[argument] = 1
        try:
            url = rule.build(values, append_unknown=False)[1]
        except Exception:  # a converter that wants another shape (a date, a month): its own default
            url = rule.rule
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url
