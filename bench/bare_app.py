"""The yardstick for bench/throughput.py: a bare Flask route under the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    """The cheapest HTML page Flask can serve."""
    return "<!doctype html><title>ok</title><p>ok"
