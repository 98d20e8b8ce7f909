#!/usr/bin/env python3
"""Checks flowdetect's JSON Lines events for the end-to-end tests.

  flowdetect_events.py EVENTS has KEY=VALUE...     some event matches all (exit 1 otherwise)
  flowdetect_events.py EVENTS count KEY=VALUE...   prints how many events match
  flowdetect_events.py EVENTS get FIELD KEY=VALUE... prints FIELD of each matching event

KEY is a top-level key (method, severity, src, dst, port, attack) or an evidence key;
VALUE may be a|b|c (any of them) or >=N / <=N for numbers.
"""
import json
import sys


def matches(ev, conds):
    for key, want in conds:
        got = ev.get(key, ev.get("evidence", {}).get(key))
        if got is None:
            return False
        if want.startswith(">="):
            if not float(got) >= float(want[2:]):
                return False
        elif want.startswith("<="):
            if not float(got) <= float(want[2:]):
                return False
        elif str(got) not in want.split("|"):
            return False
    return True


def main():
    path, cmd = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    field = None
    if cmd == "get":
        field, args = args[0], args[1:]
    conds = [tuple(a.split("=", 1)) for a in args]
    with open(path) as f:
        events = [json.loads(line) for line in f if line.strip()]
    hits = [e for e in events if matches(e, conds)]
    if cmd == "has":
        if not hits:
            print("no event with " + " ".join(args) + " among:", file=sys.stderr)
            for e in events:
                print("  " + json.dumps(e), file=sys.stderr)
            return 1
        return 0
    if cmd == "count":
        print(len(hits))
        return 0
    for e in hits:
        v = e.get(field, e.get("evidence", {}).get(field, ""))
        print(v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
