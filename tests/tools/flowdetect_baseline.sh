#!/usr/bin/env bash
# Baselines kept in --state across runs. volume: a capture with flowsynth's exfil scenario;
# a first run over all of it but the upload's flows learns each host's bytes per minute, the
# second run over everything reports the uploader (truth) and nothing else. ot: the same with
# ot-new-peer: learned without the new peer's flows, the second run reports only the peer.
. "$(dirname "$0")/lib.sh"
need_cmd python3
EV="python3 $SRC/tests/tools/flowdetect_events.py"
truth() { awk -F'\t' -v c="$2" '$1 == "#scenario" { print $c }' "$1"; }

flowsynth -q -n 0 -d 10m --rate 20 --seed 9 --scenario exfil:at=300 -w "$TMP/ex.pcap" --truth "$TMP/ex.tsv"
flowgen -r "$TMP/ex.pcap" -w "$TMP/ex.flows"
target=$(truth "$TMP/ex.tsv" 5 | cut -d' ' -f1)
flowquery -r "$TMP/ex.flows" "not ip $target" -w "$TMP/learn.flows"
flowdetect -q -r "$TMP/learn.flows" --state "$TMP/state" -m volume -s volume.window=60 > "$TMP/l.json"
expect_eq "$(wc -l < "$TMP/l.json")" 0 "events while learning"
grep -q "^volume $(truth "$TMP/ex.tsv" 4) 10 " "$TMP/state" || fail "no baseline of the uploader"
flowdetect -q -r "$TMP/ex.flows" --state "$TMP/state" -m volume -s volume.window=60 > "$TMP/v.json"
$EV "$TMP/v.json" has method=volume type=exfil src="$(truth "$TMP/ex.tsv" 4)" dst="$target" \
    bytes='>=50000000' severity=high attack=T1048
expect_eq "$(wc -l < "$TMP/v.json")" 1 "volume events"
# The filter selects the flows the evidence counts.
filter=$($EV "$TMP/v.json" get filter method=volume)
n=$(flowquery -r "$TMP/ex.flows" -I "$filter" | awk '/^Flows:/ { print $2 }')
expect_eq "$n" "$($EV "$TMP/v.json" get flows method=volume)" "flows selected by the filter"

flowsynth -q -n 0 -d 10m --rate 20 --seed 5 --scenario ot-new-peer:at=120 -w "$TMP/ot.pcap" \
    --truth "$TMP/ot.tsv"
flowgen -r "$TMP/ot.pcap" -w "$TMP/ot.flows"
peer=$(truth "$TMP/ot.tsv" 4)
flowquery -r "$TMP/ot.flows" "not ip $peer" -w "$TMP/otl.flows"
flowdetect -q -r "$TMP/otl.flows" --state "$TMP/ot.state" -s ot.segments=172.16.0.0/16 \
    -s ot.learn=100000 -m ot > "$TMP/l.json"
expect_eq "$(wc -l < "$TMP/l.json")" 0 "events while learning"
flowdetect -q -r "$TMP/ot.flows" --state "$TMP/ot.state" -s ot.segments=172.16.0.0/16 -s ot.learn=0 \
    -m ot > "$TMP/o.json"
$EV "$TMP/o.json" has method=ot type=new-peer src="$peer" dst="$(truth "$TMP/ot.tsv" 5)" port=502 \
    app=modbus severity=high
expect_eq "$(wc -l < "$TMP/o.json")" 1 "ot events"
# Reported once: a third run knows the peer.
flowdetect -q -r "$TMP/ot.flows" --state "$TMP/ot.state" -s ot.segments=172.16.0.0/16 -s ot.learn=0 \
    -m ot > "$TMP/o2.json"
expect_eq "$(wc -l < "$TMP/o2.json")" 0 "ot events once the peer is known"
echo "ok"
