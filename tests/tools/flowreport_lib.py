"""Parsers shared by the flowreport end-to-end tests: the sections of flowreport's CSV, and
flowquery's -s CSV and -I output, to compare one against the other."""
import csv
import io
import subprocess
import sys


def csv_sections(text):
    """{table id: (header, rows)} of flowreport -o csv."""
    out, cur, rows = {}, None, None
    for line in text.splitlines():
        if line.startswith("# ") and ": " in line and cur is None and rows is None:
            ident = line[2:].split(":", 1)[0]
            if " " not in ident:
                cur = ident
                continue
        if cur is not None:
            if line == "" or line.startswith("#"):
                out[cur] = (rows[0], rows[1:]) if rows else ([], [])
                cur, rows = None, None
                continue
            rows = (rows or []) + list(csv.reader(io.StringIO(line)))
    if cur is not None:
        out[cur] = (rows[0], rows[1:]) if rows else ([], [])
    return out


def flowquery(*args):
    return subprocess.run(["flowquery", *args], check=True, capture_output=True, text=True).stdout


def flowquery_top(inputs, key, order, n, window):
    """flowquery's top n rows of key by order, as (key, flows, packets, bytes), without the
    group that has no value (flowreport leaves it out)."""
    text = flowquery(*inputs, *window, "-q", "-N", "-o", "csv", "-s", f"{key}/{order}", "-n", str(n + 1))
    rows = [r for r in csv.reader(io.StringIO(text)) if r and r[0] != ""]
    return [(r[0], r[1], r[2], r[3]) for r in rows[:n]]


def flowquery_totals(inputs, window):
    """flowquery -I as a dict (Flows, Packets_tcp ...). A filter that matches everything makes
    it scan instead of reading the index, so that the time window applies."""
    text = flowquery(*inputs, *window, "-I", "any")
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def expect_eq(actual, expected, what):
    if actual != expected:
        fail(f"{what}: expected {expected!r}, got {actual!r}")
