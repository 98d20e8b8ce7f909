# Garbage, cut datagrams and exporters outside --allow are counted and skipped; the good
# datagrams around them are decoded; IPv6 listeners work.
. "$(dirname "$0")/lib.sh"
need_data
need_cmd python3
replay=$SRC/tests/tools/flowcapture_replay.py
port=$(free_udp_ports 1)
v9=$DATA/netflow/softflowd/softflowd-v9-from-mixed.pcap

flowcapture -q -b 127.0.0.1 -b ::1 -p $port -l "$TMP/store" &
pid=$!
sleep 0.5
python3 - "$port" "$replay" "$v9" <<'PY'
import importlib.util, socket, sys
port, replay, pcap = int(sys.argv[1]), sys.argv[2], sys.argv[3]
spec = importlib.util.spec_from_file_location("r", replay)
r = importlib.util.module_from_spec(spec)
spec.loader.exec_module(r)
good = list(r.payloads(pcap))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"\x00\x63garbage of no format", ("127.0.0.1", port))        # unknown version
s.sendto(good[0][:30], ("127.0.0.1", port))                          # v9 cut inside a set
s.sendto(b"\x00\x05\x00\x1e" + b"\x00" * 40, ("127.0.0.1", port))    # v5 claiming 30 records
s.sendto(b"\x00\x0a\x00\x08" + b"\x00" * 20, ("127.0.0.1", port))    # IPFIX length too short
for p in good:
    s.sendto(p, ("127.0.0.1", port))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for p in good:
    s6.sendto(p, ("::1", port))
PY
sleep 0.5
kill -TERM $pid
wait $pid
stats=$(flowcapture --stats "$TMP/store")
echo "$stats"
v4=$(echo "$stats" | awk '$1 == "127.0.0.1" && $3 == "v9" { print $5 }')
v6=$(echo "$stats" | awk '$1 == "::1" && $3 == "v9" { print $5 }')
expect_eq "$v4" 416 "v9 flows over IPv4 after the malformed datagrams"
expect_eq "$v6" 416 "v9 flows over IPv6"
malformed=$(echo "$stats" | awk '$1 == "127.0.0.1" { n += $9 } END { print n }')
expect_eq "$malformed" 3 "malformed datagrams (v9 cut, v5, IPFIX)"
echo "$stats" | grep -q "unknown format 1," || fail "the garbage datagram was not counted"

# --allow: 127.0.0.1 is outside 10.0.0.0/8, refused and counted.
flowcapture -q -b 127.0.0.1 -p $port -l "$TMP/allow" --allow 10.0.0.0/8 &
pid=$!
sleep 0.5
python3 "$replay" 127.0.0.1 $port "$v9" >/dev/null
sleep 0.3
kill -TERM $pid
wait $pid
flowcapture --stats "$TMP/allow" | grep -q "refused by --allow 14," || fail "refused datagrams not counted"
