"""A bare Flask app with one trivial page: the reference the page throughput bench divides by (same gunicorn)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def trivial():
    """A few bytes of text, no template, no database."""
    return "ok"
