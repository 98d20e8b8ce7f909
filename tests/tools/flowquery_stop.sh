#!/usr/bin/env bash
# flowquery on a live stream (flowcapture -w - | flowquery ...) stopped with SIGTERM or SIGINT:
# the input ends there and the answer is for the flows read, with a warning and status 0:
# -w keeps every flow, -s counts them all, on one thread and on two (where the reading thread
# must be the one the signal stops).
. "$(dirname "$0")/lib.sh"
need_cmd python3

flowsynth -q -n 0 -d 2m --rate 20 --seed 6 -w "$TMP/x.pcap"
flowgen -r "$TMP/x.pcap" -w "$TMP/x.flows"
flowquery -r "$TMP/x.flows" -q -o csv > "$TMP/ref.csv"
flowquery -r "$TMP/x.flows" -q -s dstport/bytes -n 5 -o csv > "$TMP/ref-top.csv"

for threads in 1 2; do
    for sig in TERM INT; do
        feed_and_hold "$TMP/x.flows" /dev/null "$TMP/err" flowquery -T $threads -w "$TMP/out.flows"
        stop_held $sig
        expect_eq "$status" 0 "-w, $threads threads: status after SIG$sig"
        grep -q "warning: SIG$sig ended the input; the answer is for the flows read" "$TMP/err" ||
            fail "-w, $threads threads, SIG$sig: no warning: $(cat "$TMP/err")"
        cmp -s <(flowquery -r "$TMP/out.flows" -q -o csv) "$TMP/ref.csv" ||
            fail "-w, $threads threads, SIG$sig: the flows written differ from the input's"
        feed_and_hold "$TMP/x.flows" "$TMP/top.csv" "$TMP/err" \
            flowquery -T $threads -q -s dstport/bytes -n 5 -o csv
        stop_held $sig
        expect_eq "$status" 0 "-s, $threads threads: status after SIG$sig"
        cmp -s "$TMP/top.csv" "$TMP/ref-top.csv" || fail "-s, $threads threads, SIG$sig: another table"
    done
done
echo ok
