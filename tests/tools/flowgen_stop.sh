#!/usr/bin/env bash
# `tcpdump -w - | flowgen -w F` stopped with SIGTERM or SIGINT: the flows of every packet read
# are ended and written (the file was lost with them), with a warning, exit status 0. With
# --threads 2 the signal must reach the read-ahead thread, the one waiting on the pipe.
. "$(dirname "$0")/lib.sh"
need_cmd python3

flowsynth -q -n 0 -d 2m --rate 20 --seed 4 -w "$TMP/x.pcap"
flowgen -r "$TMP/x.pcap" -w - | flowquery -q -o csv > "$TMP/ref.csv"
[ "$(wc -l < "$TMP/ref.csv")" -gt 1000 ] || fail "too few flows in the reference"

for threads in 1 2; do
    for sig in TERM INT; do
        feed_and_hold "$TMP/x.pcap" /dev/null "$TMP/$sig.err" flowgen --threads $threads -w "$TMP/$sig.flows"
        stop_held $sig
        expect_eq "$status" 0 "$threads threads: exit status after SIG$sig on standard input"
        grep -q "warning: SIG$sig ended the input; the flows of the packets read are written" "$TMP/$sig.err" ||
            fail "SIG$sig: no warning: $(cat "$TMP/$sig.err")"
        flowquery -r "$TMP/$sig.flows" -q -o csv > "$TMP/$sig.csv"
        cmp -s "$TMP/$sig.csv" "$TMP/ref.csv" || fail "SIG$sig: the flows differ from the whole capture's"
    done
done
echo ok
