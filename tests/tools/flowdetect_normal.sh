#!/usr/bin/env bash
# No events on normal traffic: on every normal capture of ../shared/data (all but attacks/,
# mining/, suricata-verify/ and the two DNS tunnel captures) flowdetect reports nothing, and
# on flowsynth's normal mix nothing high or critical. Prints the false positives per hour.
. "$(dirname "$0")/lib.sh"
need_cmd python3
EV="python3 $SRC/tests/tools/flowdetect_events.py"

# flowsynth's background mix (about 90 s of a busy network).
flowsynth -q -n 300000 --seed 3 | flowgen | flowdetect -q > "$TMP/synth.json"
expect_eq "$($EV "$TMP/synth.json" count severity='high|critical')" 0 "high events on flowsynth's mix"

need_data
P=$DATA/pcap
events=0
n=0
mkdir "$TMP/csv"
for f in $(cd "$P" && ls -d */* | grep -v -E '^(attacks|mining|suricata-verify)/|bad-dns-traffic|dns-tunnel-iodine'); do
    flowgen -r "$P/$f" -w "$TMP/n.flows" 2>/dev/null
    flowdetect -q -r "$TMP/n.flows" > "$TMP/n.json"
    e=$(wc -l < "$TMP/n.json")
    if [ "$e" -gt 0 ]; then
        echo "events on normal capture $f:" >&2
        cat "$TMP/n.json" >&2
    fi
    events=$((events + e))
    n=$((n + 1))
    flowquery -r "$TMP/n.flows" -q -o csv:start,end > "$TMP/csv/$n.csv"
done
# Time with traffic: per capture, the union of the flows' [start, end] (some captures span
# years with long silences, so first-to-last packet would overstate it).
python3 - "$TMP/csv" "$events" "$n" <<'PY'
import os, sys
from datetime import datetime
def ts(s):
    return datetime.fromisoformat(s.strip().replace("Z", "+00:00")).timestamp()
total = 0.0
for name in os.listdir(sys.argv[1]):
    iv = sorted((ts(a), ts(b)) for a, b in (l.split(",") for l in open(os.path.join(sys.argv[1], name)) if l.strip()))
    cur = None
    for a, b in iv:
        if cur and a <= cur[1]:
            cur[1] = max(cur[1], b)
        else:
            if cur:
                total += cur[1] - cur[0]
            cur = [a, b]
    if cur:
        total += cur[1] - cur[0]
e, n = int(sys.argv[2]), int(sys.argv[3])
print(f"normal captures: {n}, {total / 3600:.2f} h with traffic (union of flow lifetimes), "
      f"{e} events, {e / (total / 3600):.2f} per hour")
PY
expect_eq "$events" 0 "events on normal captures"
echo "ok"
