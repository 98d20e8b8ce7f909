#!/usr/bin/env bash
# flowsample --evaluate's table charted through flowreport: the report's numbers are
# flowsample's (as percentages, 3 significant digits), the HTML has one chart per metric with
# one line per mode, the PDF holds the charts' titles, the PNG is an image; bad input names
# the line.
. "$(dirname "$0")/lib.sh"
need_cmd python3
flowsynth -q -n 60000 -s 4 --scenario scan:count=200 -w "$TMP/t.pcap"
flowgen -q -r "$TMP/t.pcap" -w "$TMP/t.flows"
flowsample -q -r "$TMP/t.flows" -e --rates 1,10,100,1000 --event 'flags S and not flags A' \
    -o csv > "$TMP/e.csv"
flowreport sampling -r "$TMP/e.csv" -o csv > "$TMP/r.csv"

# Every row of flowsample, found in the report's table (mode, 1:rate, the metric's column).
python3 - "$TMP/e.csv" "$TMP/r.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
lines = [l for l in open(sys.argv[2]) if not l.startswith('#') and l.strip()]
table = list(csv.reader(lines))
header, body = table[0], table[1:]
metrics = list(dict.fromkeys(r['metric'] for r in rows))
assert len(header) == 2 + len(metrics) == 12, header
assert len(body) == 4 * 4, len(body)
percent = {m: m != 'top_rank_err' for m in metrics}
for r in rows:
    row = [b for b in body if b[0] == r['mode'] and b[1] == '1:' + r['rate']]
    assert len(row) == 1, r
    want = float(r['value']) * (100 if percent[r['metric']] else 1)
    got = float(row[0][2 + metrics.index(r['metric'])])
    assert abs(got - want) <= 0.005 * abs(want) + 1e-9, (r, got, want)
print('ok', len(rows))
PY

# JSON Lines from a pipe; one report written in four formats.
flowsample -q -r "$TMP/t.flows" -e --rates 1,10,100,1000 -o json |
    flowreport sampling -w "$TMP/r.html" -w "$TMP/r.pdf" -w "$TMP/r.png" -w "$TMP/r.json"
python3 - "$TMP/r.html" "$TMP/r.json" <<'PY'
import json, re, sys
import xml.etree.ElementTree as ET
html = open(sys.argv[1]).read()
svgs = re.findall(r'<svg.*?</svg>', html, re.S)
assert len(svgs) == 7, len(svgs)  # no event: 7 metrics
ns = '{http://www.w3.org/2000/svg}'
for s in svgs:
    root = ET.fromstring(s)
    lines = [p for p in root.iter(ns + 'path') if p.get('fill') == 'none']
    assert len(lines) == 4, len(lines)  # one per mode
    for p in lines:
        assert p.get('d').count('L') == 3, p.get('d')  # 4 rates, no gap
    assert len(list(root.iter(ns + 'circle'))) == 16
r = json.load(open(sys.argv[2]))
ids = [c['id'] for c in r['line_charts']]
assert ids[0] == 'sampling-bytes_err' and len(ids) == 7, ids
assert r['line_charts'][0]['x'] == [1, 10, 100, 1000]
assert all(s['values'][0] == 0 for s in r['line_charts'][0]['series'])  # 1:1 loses nothing
print('ok')
PY
if command -v pdftotext >/dev/null; then
    pdftotext "$TMP/r.pdf" - | grep -q "Relative error of total bytes" || fail "PDF: no bytes chart"
    pdftotext "$TMP/r.pdf" - | grep -q "sampling rate 1:N" || fail "PDF: no x axis label"
fi
expect_eq "$(head -c 8 "$TMP/r.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "PNG signature"

# Bad input: flowsample's text table, a missing file, two inputs.
flowsample -q -r "$TMP/t.flows" -e --rates 1,10 > "$TMP/e.txt"
set +e
msg=$(flowreport sampling -r "$TMP/e.txt" 2>&1); status=$?
set -e
expect_eq "$status" 1 "text table: status"
[[ $msg == *"e.txt:1: "* ]] || fail "text table: $msg"
expect_eq "$(wc -l <<<"$msg")" 1 "text table: one line"
expect_status 1 flowreport sampling -r "$TMP/none.csv"
expect_status 2 flowreport sampling -r "$TMP/e.csv" -r "$TMP/e.csv"
echo ok
