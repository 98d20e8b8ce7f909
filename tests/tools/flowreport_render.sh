# The HTML rendered by headless Chromium, the PDF read back with pdftotext, the PNG's pixels:
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
# The chart PNG's pixels, counted by Chromium in a canvas (a data: image keeps it readable):
# how many are not white, and how many have the first series' colour (#1f78b5).
{
    echo '<!DOCTYPE html><html><body><pre id="out">pending</pre><img id="i" src="data:image/png;base64,'
    base64 -w0 "$TMP/c.png"
    cat <<'HTML'
"><canvas id="c"></canvas><script>
window.onload = () => {
  const i = document.getElementById('i'), c = document.getElementById('c');
  c.width = i.naturalWidth; c.height = i.naturalHeight;
  const x = c.getContext('2d'); x.drawImage(i, 0, 0);
  const d = x.getImageData(0, 0, c.width, c.height).data;
  let nonwhite = 0, blue = 0;
  for (let k = 0; k < d.length; k += 4) {
    if (d[k] != 255 || d[k + 1] != 255 || d[k + 2] != 255) nonwhite++;
    if (Math.abs(d[k] - 31) < 4 && Math.abs(d[k + 1] - 120) < 4 && Math.abs(d[k + 2] - 181) < 4) blue++;
  }
  document.getElementById('out').textContent = 'pixels ' + c.width + ' ' + c.height + ' ' + nonwhite + ' ' + blue;
};
</script></body></html>
HTML
} > "$TMP/png.html"
timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$TMP/chrome" \
    --virtual-time-budget=5000 --dump-dom "file://$TMP/png.html" 2> "$TMP/chrome.err" |
    grep -o "pixels [0-9]\+ [0-9]\+ [0-9]\+ [0-9]\+" > "$TMP/pixels" || fail "chromium could not count the PNG's pixels"
cd "$TMP"
PYTHONPATH="$SRC/tests/tools" python3 - <<'PY'
import re, struct
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
w, h, _ = png("c.png")
if h < 600: fail(f"chart PNG height {h}: too short for three charts")
_, pw, ph, nonwhite, blue = open("pixels").read().split()
expect_eq((int(pw), int(ph)), (w, h), "PNG size seen by Chromium")
# the three plot areas alone are about 3 x 1000 x 200 pixels
if int(nonwhite) < 200000: fail(f"PNG mostly blank: {nonwhite} non-white pixels")
if int(blue) < 20000: fail(f"PNG: {blue} pixels of the first series' colour")
print("PNG pixels: non-white", nonwhite, "first series", blue)
print("ok")
PY
