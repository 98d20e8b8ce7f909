#!/usr/bin/env bash
# --eve reads a gzip-compressed eve.json as the text it holds: the corpus ships the spoofed SYN
# flood's eve.json only as .gz, and it was read as no alert at all (exit 0). The same file
# decompressed must give the same alerts and the same events. A file that is no eve.json (a
# README) is an error naming its first line, exit 1 (flowdetect(1): a malformed eve.json line).
. "$(dirname "$0")/lib.sh"
need_data
need_cmd python3
gz=$DATA/suricata/eve/attacks/synflood-spoofed.pcap.eve.json.gz

flowgen -r "$DATA/pcap/attacks/synflood-spoofed.pcap" -w "$TMP/syn.flows"
zcat "$gz" > "$TMP/syn.eve.json"
alerts=$(grep -c '"event_type":"alert"' "$TMP/syn.eve.json")
flowdetect -r "$TMP/syn.flows" --eve "$gz" > "$TMP/gz.json" 2> "$TMP/gz.err"
flowdetect -r "$TMP/syn.flows" --eve "$TMP/syn.eve.json" > "$TMP/plain.json" 2> "$TMP/plain.err"
cmp -s "$TMP/gz.json" "$TMP/plain.json" || fail "events differ between the .gz and the plain eve.json"
cmp -s "$TMP/gz.err" "$TMP/plain.err" || fail "summaries differ: $(cat "$TMP/gz.err" "$TMP/plain.err")"
grep -q "eve: $alerts alerts, $alerts joined to flows" "$TMP/gz.err" ||
    fail "expected $alerts alerts joined: $(cat "$TMP/gz.err")"
# The flood is confirmed by the alert (its severity raised).
python3 "$SRC/tests/tools/flowdetect_events.py" "$TMP/gz.json" has method=synflood \
    confirmed=suricata suricata_alerts=1

# Not an eve.json: a README, plain or compressed.
cp "$SRC/README.md" "$TMP/README.md"
gzip -c "$TMP/README.md" > "$TMP/README.md.gz"
for f in README.md README.md.gz; do
    set +e
    flowdetect -q -r "$TMP/syn.flows" --eve "$TMP/$f" > /dev/null 2> "$TMP/err"
    status=$?
    set -e
    expect_eq "$status" 1 "exit status with --eve $f"
    grep -q "^flowdetect: $TMP/$f:1: not a JSON object: '" "$TMP/err" || fail "message: $(cat "$TMP/err")"
done
echo "ok"
