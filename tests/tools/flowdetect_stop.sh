#!/usr/bin/env bash
# A live detector stopped early loses nothing it has read: SIGTERM on a pipe that stays open,
# and a corrupt file after a good one, still close the open windows (the critical bruteforce
# and cryptojacking events live in 600 s windows) and save --state, as the end of input does.
# A list caught half-written on SIGHUP is a warning; the lists in use are kept.
. "$(dirname "$0")/lib.sh"
need_cmd python3

flowsynth -q -n 0 -d 5m --rate 20 --seed 3 --scenario cryptojacking:at=60 -w "$TMP/x.pcap" 2>/dev/null
flowgen -r "$TMP/x.pcap" -w "$TMP/x.flows"
size=$(stat -c %s "$TMP/x.flows")
flowdetect -q -r "$TMP/x.flows" --state "$TMP/ref.state" -s ot.segments=10.0.0.0/8 > "$TMP/ref.json"
grep -q '"severity":"critical".*"method":"cryptojacking"\|"method":"cryptojacking".*"severity":"critical"' \
    "$TMP/ref.json" || fail "the reference run has no critical cryptojacking event"
[ -s "$TMP/ref.state" ] || fail "the reference run saved no state"

for sig in TERM INT; do
    feed_and_hold "$TMP/x.flows" "$TMP/$sig.json" "$TMP/$sig.err" \
        flowdetect --state "$TMP/$sig.state" -s ot.segments=10.0.0.0/8
    stop_held $sig
    expect_eq "$status" 0 "exit status after SIG$sig"
    cmp -s "$TMP/$sig.json" "$TMP/ref.json" || fail "SIG$sig: the events differ from the end of input's"
    cmp -s "$TMP/$sig.state" "$TMP/ref.state" || fail "SIG$sig: the state differs from the end of input's"
    grep -q "^flowdetect: $(flowquery -r "$TMP/x.flows" -q -o csv:packets | wc -l) flows" "$TMP/$sig.err" ||
        fail "SIG$sig: no summary"
done

# A corrupt second file: the first file's events and state, then the error and exit 1.
head -c $((size / 2)) "$TMP/x.flows" > "$TMP/cut.flows"
set +e
flowdetect -q -r "$TMP/x.flows" -r "$TMP/cut.flows" --state "$TMP/cut.state" -s ot.segments=10.0.0.0/8 \
    > "$TMP/cut.json" 2> "$TMP/cut.err"
rc=$?
set -e
expect_eq "$rc" 1 "exit status with a corrupt second file"
grep -q "^flowdetect: $TMP/cut.flows: offset [0-9]*: " "$TMP/cut.err" || fail "no error naming the file: $(cat "$TMP/cut.err")"
cmp -s "$TMP/cut.json" "$TMP/ref.json" || fail "a corrupt second file lost the first file's events"
cmp -s "$TMP/cut.state" "$TMP/ref.state" || fail "a corrupt second file lost the state"

# SIGHUP while the list is half-written: a warning, and the old list still matches.
attacker=203.0.113.99
printf '%s\n' $attacker > "$TMP/list.txt"
cat "$TMP/x.flows" "$TMP/x.flows" |
    flowdetect -q -m blacklist -b "$TMP/list.txt" -o text > "$TMP/bl-ref.txt"
[ -s "$TMP/bl-ref.txt" ] || fail "the list matches nothing"
feed_and_hold "$TMP/x.flows" "$TMP/hup.txt" "$TMP/hup.err" \
    flowdetect -m blacklist -b "$TMP/list.txt" -o text
printf 'partial-write 203.0.\n' > "$TMP/list.txt"
kill -HUP $pid
sleep 0.2
cat "$TMP/x.flows" >&3
exec 3>&-
set +e; wait $pid; rc=$?; set -e
expect_eq "$rc" 0 "exit status after a failed reload"
grep -q "warning: $TMP/list.txt:1: 'partial-write 203.0.' is not an address or prefix; the lists in use are kept" \
    "$TMP/hup.err" || fail "no warning for the failed reload: $(cat "$TMP/hup.err")"
cmp -s "$TMP/hup.txt" "$TMP/bl-ref.txt" || fail "the events after a failed reload differ"
echo ok
