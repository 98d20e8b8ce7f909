#!/usr/bin/env bash
# flowgen -i on the loopback interface with a BPF filter: ten UDP datagrams sent to a port on
# 127.0.0.1 from ten sockets held open together (so ten source ports: a socket opened after
# another closed may get its port again, and the two datagrams are then one flow) make ten
# flows of one packet; SIGINT ends the capture and flushes the flows.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "live capture needs root"
port=$(free_udp_ports 1)
flowgen -i lo -f "udp and dst port $port" -v -w "$TMP/live.flows" 2>"$TMP/summary" &
pid=$!
sleep 1
kill -0 "$pid" 2>/dev/null || skip "cannot capture on lo here: $(cat "$TMP/summary")"
python3 - "$port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(10)]
for i, s in enumerate(socks, 1):
    s.sendto(b"datagram %02d" % i, ("127.0.0.1", port))
    time.sleep(0.05)
PY
sleep 0.5
kill -INT "$pid"
wait "$pid" || fail "flowgen -i ended with status $?: $(cat "$TMP/summary")"
got=$(sed -nE 's/^flowgen: ([0-9]+) packets, ([0-9]+) flows of ([0-9]+) packets and ([0-9]+) bytes.*/\1 \2 \3 \4/p' "$TMP/summary")
# 10 datagrams of 11 bytes: 10 * (20 + 8 + 11) IP bytes.
expect_eq "$got" "10 10 10 390" "packets seen, flows, flow packets, bytes"
[ -s "$TMP/live.flows" ] || fail "no flow file"
echo "ok: live capture on lo"
