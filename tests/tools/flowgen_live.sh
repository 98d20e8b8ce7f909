#!/usr/bin/env bash
# flowgen -i on the loopback interface with a BPF filter: ten UDP datagrams sent to a port on
# 127.0.0.1, each from a new socket (so a new source port), make ten flows of one packet;
# SIGINT ends the capture and flushes the flows.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "live capture needs root"
port=$(free_udp_ports 1)
flowgen -i lo -f "udp and dst port $port" -v -w "$TMP/live.flows" 2>"$TMP/summary" &
pid=$!
sleep 1
kill -0 "$pid" 2>/dev/null || skip "cannot capture on lo here: $(cat "$TMP/summary")"
for i in $(seq 1 10); do
    printf 'datagram %02d' "$i" > "/dev/udp/127.0.0.1/$port" 2>/dev/null || true
    sleep 0.05
done
sleep 0.5
kill -INT "$pid"
wait "$pid" || fail "flowgen -i ended with status $?: $(cat "$TMP/summary")"
got=$(sed -nE 's/^flowgen: ([0-9]+) packets, ([0-9]+) flows of ([0-9]+) packets and ([0-9]+) bytes.*/\1 \2 \3 \4/p' "$TMP/summary")
# 10 datagrams of 11 bytes: 10 * (20 + 8 + 11) IP bytes.
expect_eq "$got" "10 10 10 390" "packets seen, flows, flow packets, bytes"
[ -s "$TMP/live.flows" ] || fail "no flow file"
echo "ok: live capture on lo"
