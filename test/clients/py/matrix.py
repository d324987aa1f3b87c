"""Shared by the client-matrix scripts: run named cells, print one JSON list of results.

A script is run as `python3 <script>.py <gateway url>`; each cell is a function taking the route,
run once per route. A cell passes when it returns; an assertion or an SDK error fails it, and its
message is recorded. Public model names are `<route>-<chat|tool|json|embed>` (see harness.ts).
"""
import json
import sys
import traceback

ROUTES = ["openai", "anthropic", "gemini", "bedrock"]
HELLO = {r: f"Hello from {r}" for r in ROUTES}
BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4000"
_cells = []


def cell(feature):
    def register(fn):
        _cells.append((feature, fn))
        return fn

    return register


def model(route, behaviour):
    return f"{route}-{behaviour}"


def weather(location):
    return f"Sunny in {location}"


def expect(actual, wanted, what):
    if actual != wanted:
        raise AssertionError(f"{what}: expected {wanted!r}, got {actual!r}")


def run():
    results = []
    for route in ROUTES:
        for feature, fn in _cells:
            try:
                fn(route)
                results.append({"route": route, "feature": feature, "error": None})
            except Exception as e:  # every failure becomes the cell's message
                msg = f"{type(e).__name__}: {e}".strip()
                tb = traceback.extract_tb(e.__traceback__)
                mine = [f for f in tb if f.filename.endswith(sys.argv[0].split("/")[-1])]
                where = f" (line {mine[-1].lineno})" if mine else ""
                results.append({"route": route, "feature": feature, "error": (msg + where)[:600]})
    print(json.dumps(results))
