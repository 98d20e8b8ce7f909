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

# same_err REPORTED ESTIMATE TRUTH WHAT: the table's error (6 significant digits) is
# |ESTIMATE - TRUTH| / TRUTH.
same_err() {
    awk -v g="$1" -v e="$2" -v t="$3" 'BEGIN { d = (e - t) / t; if (d < 0) d = -d
        exit !(g != "" && (g - d < 1e-5 * d + 1e-9) && (d - g < 1e-5 * d + 1e-9)) }' ||
        fail "$4: table says '$1', the sampled stream gives |$2 - $3| / $3"
}
table=$(flowsample -r "$TMP/t.flows" -e --rates 1,10,1000 --seed 42 -o csv \
    --event 'flags S and not flags A and packets < 3')
for mode in flow packet smart hash; do
    for rate in 10 1000; do
        read -r p b < <(flowsample -r "$TMP/t.flows" --mode $mode --rate $rate --seed 42 | totals)
        for what in bytes packets; do
            if [ $what = bytes ]; then est=$b truth=$B; else est=$p truth=$P; fi
            got=$(awk -F, -v m=$mode -v r=$rate -v k=${what}_err '$1 == m && $2 == r && $3 == k {print $4}' <<<"$table")
            same_err "$got" "$est" "$truth" "$mode 1:$rate ${what}_err"
        done
    done
done
# The same through a filter that leaves more than 65536 flows in blocks of ~31000: the fit
# window ends inside a block.
sel='not flags R'
read -r p b < <(flowsample -r "$TMP/t.flows" --mode smart --rate 100 --seed 5 "$sel" | totals)
read -r Pf Bf < <(flowquery -r "$TMP/t.flows" -w - "$sel" | totals)
got=$(flowsample -r "$TMP/t.flows" -e --modes smart --rates 100 --seed 5 -o csv "$sel" |
    awk -F, '$3 == "bytes_err" {print $4}')
same_err "$got" "$b" "$Bf" "smart 1:100 bytes_err through a filter"
# At 1:1 the whole event survives; at 1:1000 flow sampling keeps only a small share of it.
expect_eq "$(awk -F, '$2 == 1 && $3 ~ /^event/ && $4 != 1' <<<"$table" | wc -l)" 0 "event at 1:1"
expect_eq "$(awk -F, '$2 == 1 && $3 ~ /^event/' <<<"$table" | wc -l)" 12 "event rows at 1:1"
awk -F, '$1 == "flow" && $2 == 1000 && $3 == "event_flows" {exit !($4 < 0.05)}' <<<"$table" ||
    fail "flow mode 1:1000 kept more than 5% of the event"
echo ok
