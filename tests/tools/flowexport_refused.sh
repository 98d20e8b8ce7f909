#!/usr/bin/env bash
# Exporting to a port nothing listens on fails: the host answers ICMP port unreachable, which a
# UDP socket reports only on a later send, so a small export (all its datagrams in one go)
# must still wait for it. flowexport --ipfix / --v9 and flowgen --export exit 1 with one line
# naming the destination (with -q too); to a listening collector they exit 0 and the
# collector has every flow.
. "$(dirname "$0")/lib.sh"
flowsynth -q -n 200 --mix https=50,dns=50 -w "$TMP/t.pcap"
flowgen -q -r "$TMP/t.pcap" -w "$TMP/a.flows"
n=$(flowquery -q -r "$TMP/a.flows" -o csv:proto | wc -l)
((n > 5 && n < 200)) || fail "the test flows should fit in a few datagrams ($n flows)"
port=$(free_udp_ports 1)

# The kernel limits the ICMP errors it sends per second over all destinations (tests running
# beside this one may use them up): a refusal must come in one of three tries.
refused() {
    local out=$1
    shift
    for _ in 1 2 3; do
        set +e
        "$@" 2> "$out"
        status=$?
        set -e
        ((status == 0)) || return 0
        sleep 0.2
    done
}
want="127.0.0.1:$port refused datagrams \(ICMP port unreachable, [0-9]+ times?\): is a collector listening there\?"
for proto in ipfix v9; do
    refused "$TMP/err" flowexport -r "$TMP/a.flows" --$proto 127.0.0.1:$port
    expect_eq "$status" 1 "--$proto to a closed port: status"
    grep -Eqx "flowexport: $n flows in [0-9]+ datagrams \([0-9]+ template sets\); $want" "$TMP/err" ||
        fail "--$proto to a closed port: message '$(cat "$TMP/err")'"
done
refused "$TMP/err" flowexport -q -r "$TMP/a.flows" --ipfix 127.0.0.1:$port
expect_eq "$status" 1 "-q to a closed port: status"
expect_eq "$(wc -l < "$TMP/err")" 1 "-q to a closed port: lines on stderr"
refused "$TMP/err" flowgen -q -r "$TMP/t.pcap" --export 127.0.0.1:$port
expect_eq "$status" 1 "flowgen --export to a closed port: status"
grep -Eqx "flowgen: warning: --export: $want" "$TMP/err" ||
    fail "flowgen --export to a closed port: message '$(cat "$TMP/err")'"

flowcapture -q -b 127.0.0.1 -p $port -l "$TMP/store" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$TMP"' EXIT
sleep 0.5
for proto in ipfix v9; do
    flowexport -r "$TMP/a.flows" --$proto 127.0.0.1:$port 2> "$TMP/out" ||
        fail "--$proto to flowcapture: status $?: $(cat "$TMP/out")"
    grep -Eqx "flowexport: $n flows in [0-9]+ datagrams \([0-9]+ template sets\)" "$TMP/out" ||
        fail "--$proto to flowcapture: summary '$(cat "$TMP/out")'"
done
flowgen -q -r "$TMP/t.pcap" --export 127.0.0.1:$port || fail "flowgen --export to flowcapture: status $?"
sleep 0.5
kill -TERM $pid
wait $pid || fail "flowcapture exited with status $?"
expect_eq "$(flowquery -q -R "$TMP/store" -o csv:proto | wc -l)" $((3 * n)) "flows received"
echo "ok: refused exports fail, delivered ones succeed"
