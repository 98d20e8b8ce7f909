#!/usr/bin/env bash
# flowsample --evaluate measures what flowsample really does: with one run and the same seed,
# its errors of total bytes and packets are those of the sampled stream written by
# `flowsample --mode M --rate N --seed S`, totalled by flowquery. More flows than the smart
# fit window (65536), so the fitted threshold is exercised; an event's survival at 1:1.
. "$(dirname "$0")/lib.sh"

flowsynth -q -n 300000 -s 3 --scenario scan:count=300 -w "$TMP/t.pcap"
flowgen -q -r "$TMP/t.pcap" -w "$TMP/t.flows"
totals() { flowquery "$@" -I | awk -F': ' '/^Packets:/ {p = $2} /^Bytes:/ {b = $2} END {print p, b}'; }
read -r P B < <(totals -r "$TMP/t.flows")
F=$(flowquery -r "$TMP/t.flows" -I | awk -F': ' '/^Flows:/ {print $2}')
[ "$F" -gt 65536 ] || fail "want more than 65536 flows, got $F"

table=$(flowsample -r "$TMP/t.flows" -e --rates 1,10,1000 --seed 42 -o csv \
    --event 'flags S and not flags A and packets < 3')
for mode in flow packet smart hash; do
    for rate in 10 1000; do
        read -r p b < <(flowsample -r "$TMP/t.flows" --mode $mode --rate $rate --seed 42 | totals)
        for what in bytes packets; do
            if [ $what = bytes ]; then est=$b truth=$B; else est=$p truth=$P; fi
            want=$(awk -v e="$est" -v t="$truth" 'BEGIN { d = (e - t) / t; printf "%.5f", d < 0 ? -d : d }')
            got=$(awk -F, -v m=$mode -v r=$rate -v k=${what}_err '$1 == m && $2 == r && $3 == k {printf "%.5f", $4}' <<<"$table")
            expect_eq "$got" "$want" "$mode 1:$rate ${what}_err"
        done
    done
done
# At 1:1 the whole event survives; at 1:1000 flow sampling keeps only a small share of it.
expect_eq "$(awk -F, '$2 == 1 && $3 ~ /^event/ && $4 != 1' <<<"$table" | wc -l)" 0 "event at 1:1"
expect_eq "$(awk -F, '$2 == 1 && $3 ~ /^event/' <<<"$table" | wc -l)" 12 "event rows at 1:1"
awk -F, '$1 == "flow" && $2 == 1000 && $3 == "event_flows" {exit !($4 < 0.05)}' <<<"$table" ||
    fail "flow mode 1:1000 kept more than 5% of the event"
echo ok
