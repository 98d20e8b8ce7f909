# flowreport's numbers against flowquery's on the same flows and period: every Top-N table
# (csv, json and text), the totals, the previous period, the chart bins and compare.
. "$(dirname "$0")/lib.sh"
need_cmd python3
# Two hours of synthetic traffic with TLS, QUIC, HTTP and DNS, 10:00 to 12:00.
flowsynth -q -n 0 -d 2h --rate 1 --seed 7 --start 2026-03-02T10:00:00Z -w "$TMP/a.pcap"
flowgen -q -r "$TMP/a.pcap" -w "$TMP/a.flows"
flowreport summary -r "$TMP/a.flows" --from 2026-03-02T11:00:00Z --to 2026-03-02T12:00:00Z \
    -w "$TMP/r.csv" -w "$TMP/r.json" -w "$TMP/r.txt"
flowreport compare -r "$TMP/a.flows" --from 2026-03-02T11:00:00Z --to 2026-03-02T12:00:00Z \
    --shift 1h -s ip/bytes -s dstport/flows -o csv > "$TMP/c.csv"
flowreport chart -r "$TMP/a.flows" --stack app --bin 30m -o json > "$TMP/apps.json"
# Two data sets: everything against its TCP part (as sampled against unsampled).
flowquery -r "$TMP/a.flows" -w "$TMP/tcp.flows" 'proto tcp'
flowreport compare -r "$TMP/a.flows" --with "$TMP/tcp.flows" -s dstport/bytes --labels all,tcp \
    -o csv > "$TMP/w.csv"
cd "$TMP"
PYTHONPATH="$SRC/tests/tools" python3 - <<'PY'
import json
from flowreport_lib import *

inputs = ["-r", "a.flows"]
cur = ["--from", "2026-03-02T11:00:00Z", "--to", "2026-03-02T12:00:00Z"]
prev = ["--from", "2026-03-02T10:00:00Z", "--to", "2026-03-02T11:00:00Z"]
sections = csv_sections(open("r.csv").read())
report = json.load(open("r.json"))
jtables = {t["id"]: t for t in report["tables"]}
text = open("r.txt").read()

# Totals and the previous hour's totals against flowquery -I.
fq, fp = flowquery_totals(inputs, cur), flowquery_totals(inputs, prev)
if int(fq["Flows"]) < 1000:
    fail(f"too few flows to test with: {fq['Flows']}")
header, rows = sections["totals"]
for row in rows:
    cls = row[0]
    suffix = "" if cls == "all" else "_" + cls
    got = dict(zip(header, row))
    for m in ("Flows", "Packets", "Bytes"):
        expect_eq(got[m.lower()], fq[m + suffix], f"totals {cls} {m}")
        expect_eq(got[m.lower() + " previous"], fp[m + suffix], f"previous totals {cls} {m}")
jall = jtables["totals"]["rows"][0]
expect_eq(str(jall["bytes"]), fq["Bytes"], "json total bytes")
import re
if not re.search(rf"^all\s+{fq['Flows']}\s+{fq['Packets']}\s+{fq['Bytes']}\s", text, re.M):
    fail("text totals row")

# Every Top-N table in CSV, JSON and text.
checked = 0
for key, order in [("ip", "bytes"), ("ip", "flows"), ("ip", "packets"), ("port", "bytes"),
                   ("proto", "bytes"), ("app", "bytes"), ("sni", "bytes"), ("http_host", "bytes")]:
    ident = f"top-{key}-{order}"
    want = flowquery_top(inputs, key, order, 10, cur)
    if not want:
        fail(f"flowquery has no rows for {key}")
    header, rows = sections[ident]
    got = [(r[1], r[2], r[4], r[6]) for r in rows]
    expect_eq(got, want, f"csv {ident}")
    jrows = jtables[ident]["rows"]
    expect_eq([(str(r[key]), str(r["flows"]), str(r["packets"]), str(r["bytes"])) for r in jrows],
              want, f"json {ident}")
    # previous period's value of the ordered metric, looked up by flowquery over all groups
    pmap = {r[0]: r for r in flowquery_top(inputs, key, order, 100000, prev)}
    col = {"flows": 1, "packets": 2, "bytes": 3}[order]
    for r in rows:
        expect_eq(r[8], pmap[r[1]][col] if r[1] in pmap else "0", f"previous {ident} {r[1]}")
    for k, f, p, b in want:
        if not any(k in line and f" {b} " in line + " " and f" {p} " in line for line in text.splitlines()):
            fail(f"text {ident}: no line with {k} {p} {b}")
    checked += len(want)
print("top rows checked:", checked)

# Charts: bins sum to the totals; one bin equals flowquery over that bin.
for metric, name in (("bytes", "Bytes"), ("packets", "Packets"), ("flows", "Flows")):
    chart = next(c for c in report["charts"] if c["metric"] == metric)
    expect_eq(len(chart["series"][0]["values"]), 12, f"{metric} bins")
    expect_eq(sum(sum(s["values"]) for s in chart["series"]), int(fq[name]), f"{metric} chart sum")
chart = next(c for c in report["charts"] if c["metric"] == "bytes")
bin3 = flowquery_totals(inputs, ["--from", "2026-03-02T11:15:00Z", "--to", "2026-03-02T11:20:00Z"])
expect_eq(sum(s["values"][3] for s in chart["series"]), int(bin3["Bytes"]), "bytes of bin 11:15")
tcp = next(s for s in chart["series"] if s["name"] == "tcp")
expect_eq(tcp["values"][3], int(bin3["Bytes_tcp"]), "tcp bytes of bin 11:15")

# chart --stack app --bin 30m over the whole file: 4 bins; each application's bytes and the
# rest ("other") equal flowquery -s app.
apps = json.load(open("apps.json"))["charts"][0]
expect_eq((apps["metric"], apps["bin_seconds"], apps["start"]), ("bytes", 1800, "2026-03-02T10:00:00Z"), "app chart")
expect_eq(len(apps["series"][0]["values"]), 4, "app chart bins")
fq_apps = {}
import csv as _csv, io as _io
for r in _csv.reader(_io.StringIO(flowquery(*inputs, "-q", "-o", "csv", "-s", "app/bytes", "-n", "0"))):
    fq_apps[r[0] or "none"] = int(r[3])
named = [s for s in apps["series"] if s["name"] != "other"]
for series in named:
    expect_eq(sum(series["values"]), fq_apps[series["name"]], f"app chart {series['name']}")
other = next(s for s in apps["series"] if s["name"] == "other")
expect_eq(sum(other["values"]), sum(fq_apps.values()) - sum(sum(s["values"]) for s in named), "app chart other")

# compare --shift 1h: this hour against the hour before, per row.
comp = csv_sections(open("c.csv").read())
for key, order in (("ip", "bytes"), ("dstport", "flows")):
    a = {r[0]: r for r in flowquery_top(inputs, key, order, 100000, cur)}
    b = {r[0]: r for r in flowquery_top(inputs, key, order, 100000, prev)}
    header, rows = comp[f"compare-{key}-{order}"]
    expect_eq([r[0] for r in rows[:10]], list(a)[:10], f"compare {key} rows")
    for r in rows:
        k = r[0]
        for i, m in enumerate(("flows", "packets", "bytes")):
            va = int(a[k][i + 1]) if k in a else 0
            vb = int(b[k][i + 1]) if k in b else 0
            expect_eq((int(r[1 + 3 * i]), int(r[2 + 3 * i])), (va, vb), f"compare {key} {k} {m}")
            want = "" if vb == 0 else "%+.1f" % ((va - vb) * 100.0 / vb)
            expect_eq(r[3 + 3 * i], want, f"compare {key} {k} {m} change")
# compare --with: the second set's column is flowquery's over the second file.
header, rows = csv_sections(open("w.csv").read())["compare-dstport-bytes"]
expect_eq(header[:4], ["dstport", "flows all", "flows tcp", "flows change %"], "--labels")
a = {r[0]: r for r in flowquery_top(inputs, "dstport", "bytes", 100000, [])}
b = {r[0]: r for r in flowquery_top(["-r", "tcp.flows"], "dstport", "bytes", 100000, [])}
expect_eq([r[0] for r in rows[:10]], list(a)[:10], "compare --with rows")
for r in rows:
    expect_eq((r[7], r[8]), (a[r[0]][3] if r[0] in a else "0", b[r[0]][3] if r[0] in b else "0"),
              f"compare --with bytes of port {r[0]}")
print("ok")
PY
