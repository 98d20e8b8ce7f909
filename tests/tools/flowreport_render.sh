# The HTML rendered by headless Chromium, the PDF read back with pdftotext and the PNG decoded:
# each holds flowquery's numbers for the same flows and period (HTML, PDF) or a drawn chart
# of the expected size (PNG).
. "$(dirname "$0")/lib.sh"
need_cmd python3
need_cmd pdftotext
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || skip "chromium is not installed (scripts/setup.sh)"
flowsynth -q -n 0 -d 1h --rate 1 --seed 3 --start 2026-03-02T10:00:00Z -w "$TMP/a.pcap"
flowgen -q -r "$TMP/a.pcap" -w "$TMP/a.flows"
flowreport summary -r "$TMP/a.flows" --from 2026-03-02T10:00:00Z --to 2026-03-02T11:00:00Z \
    -w "$TMP/r.html" -w "$TMP/r.pdf" -w "$TMP/r.png"
grep -q '<svg' "$TMP/r.html" || fail "no inline SVG in the HTML"
if grep -Eiq '(src|href)="(https?:)?//' "$TMP/r.html"; then fail "the HTML refers to external assets"; fi
# --no-sandbox: the tests may run as root. A private profile dir keeps runs independent.
timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$TMP/chrome" \
    --dump-dom "file://$TMP/r.html" > "$TMP/dom.html" 2> "$TMP/chrome.err" ||
    fail "chromium failed: $(tail -3 "$TMP/chrome.err")"
pdftotext -layout "$TMP/r.pdf" "$TMP/r.pdf.txt"
flowreport chart -r "$TMP/a.flows" --from 2026-03-02T10:00:00Z --to 2026-03-02T11:00:00Z \
    -w "$TMP/c.png"
cd "$TMP"
PYTHONPATH="$SRC/tests/tools" python3 - <<'PY'
import re, struct, zlib
from html.parser import HTMLParser
from flowreport_lib import *

inputs = ["-r", "a.flows"]
window = ["--from", "2026-03-02T10:00:00Z", "--to", "2026-03-02T11:00:00Z"]

class Cells(HTMLParser):
    """Text of each table row of the rendered page, per section id; and the svg count."""
    def __init__(self):
        super().__init__()
        self.section, self.rows, self.row, self.cell, self.svgs = None, {}, None, None, 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section": self.section = a.get("id")
        elif tag == "svg": self.svgs += 1
        elif tag == "tr": self.row = []
        elif tag == "td" and self.row is not None: self.cell = ""
    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row.append(self.cell.strip()); self.cell = None
        elif tag == "tr" and self.row:
            self.rows.setdefault(self.section, []).append(self.row); self.row = None
    def handle_data(self, d):
        if self.cell is not None: self.cell += d

dom = Cells()
dom.feed(open("dom.html").read())
expect_eq(dom.svgs, 3, "charts in the rendered page")
fq = flowquery_totals(inputs, window)
expect_eq(dom.rows["totals"][0][:4], ["all", fq["Flows"], fq["Packets"], fq["Bytes"]], "page totals")
pdf = open("r.pdf.txt").read()
if not re.search(rf"\ball\s+{fq['Flows']}\s+{fq['Packets']}\s+{fq['Bytes']}\b", pdf):
    fail("PDF totals")
n = 0
for key, order in [("ip", "bytes"), ("port", "bytes"), ("proto", "bytes"), ("app", "bytes"),
                   ("sni", "bytes"), ("http_host", "bytes"), ("ip", "flows")]:
    want = flowquery_top(inputs, key, order, 10, window)
    got = [(r[1], r[2], r[4], r[6]) for r in dom.rows[f"top-{key}-{order}"]]
    expect_eq(got, want, f"page table {key}/{order}")
    for k, f, p, b in want:
        # pdftotext keeps a row on one line; long keys may be shortened by nothing else
        if not re.search(rf"{re.escape(k)}\s+{f}\s+\S+\s+{p}\s+\S+\s+{b}\b", pdf):
            fail(f"PDF {key}/{order}: no row '{k} {f} .. {p} .. {b}'")
        n += 1
print("rows checked in page and PDF:", n)

# PNG: the summary's size; the chart's pixels decoded (many non-white, the chart colours).
def png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n": fail(f"{path}: not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        ln, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + ln]
        if typ == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif typ == b"IDAT":
            idat += body
        pos += 12 + ln
    expect_eq((w, depth, ctype), (1200, 8, 2), f"{path}: width, depth, RGB")
    return w, h, idat

w, h, _ = png("r.png")
if h < 1500: fail(f"summary PNG height {h}: too short for totals, three charts and the tables")
w, h, idat = png("c.png")
if h < 600: fail(f"chart PNG height {h}: too short for three charts")
raw, bpp, stride = zlib.decompress(idat), 3, w * 3
prev, pixels = bytearray(stride), []
colors, nonwhite = set(), 0
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, 3 * 7):  # every 7th pixel is plenty
        px = bytes(line[x:x + 3])
        if px != b"\xff\xff\xff": nonwhite += 1
        colors.add(px)
    prev = line
if nonwhite < 5000: fail(f"PNG mostly blank: {nonwhite} sampled non-white pixels")
# the first series colour of the charts (#1f77b4-ish) must be there
if not any(abs(c[0] - 31) < 3 and abs(c[1] - 120) < 3 and abs(c[2] - 181) < 3 for c in colors):
    fail("PNG has no chart fill colour")
print("ok")
PY
