#!/usr/bin/env bash
# `tcpdump -w - | flowgen -w F` stopped with SIGTERM or SIGINT: the flows of every packet read
# are ended and written (the file was lost with them), with a warning, exit status 0.
. "$(dirname "$0")/lib.sh"
need_cmd python3

flowsynth -q -n 0 -d 2m --rate 20 --seed 4 -w "$TMP/x.pcap"
size=$(stat -c %s "$TMP/x.pcap")
flowgen -r "$TMP/x.pcap" -w - | flowquery -q -o csv > "$TMP/ref.csv"
[ "$(wc -l < "$TMP/ref.csv")" -gt 1000 ] || fail "too few flows in the reference"

for sig in TERM INT; do
    mkfifo "$TMP/in.$sig"
    # A script's background job starts with SIGINT ignored (and flowgen keeps it so).
    python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
        flowgen -w "$TMP/$sig.flows" < "$TMP/in.$sig" 2> "$TMP/$sig.err" &
    pid=$!
    exec 3> "$TMP/in.$sig"
    cat "$TMP/x.pcap" >&3
    wait_read $pid "$size"
    kill -$sig $pid
    set +e; wait $pid; rc=$?; set -e
    exec 3>&-
    expect_eq "$rc" 0 "exit status after SIG$sig on standard input"
    grep -q "warning: SIG$sig ended the input; the flows of the packets read are written" "$TMP/$sig.err" ||
        fail "SIG$sig: no warning: $(cat "$TMP/$sig.err")"
    flowquery -r "$TMP/$sig.flows" -q -o csv > "$TMP/$sig.csv"
    cmp -s "$TMP/$sig.csv" "$TMP/ref.csv" || fail "SIG$sig: the flows differ from the whole capture's"
done
echo ok
