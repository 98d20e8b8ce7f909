#!/usr/bin/env bash
# Bad capture clocks: one packet dated in 2100 stopped flow expiry for the rest of the input
# (every flow stayed in the cache), and a clock set back a day did the same until the old time
# came back. Now the first changes nothing, and the second ends the flows held, with a warning.
. "$(dirname "$0")/lib.sh"
need_cmd python3
python3 - "$TMP/clock.pcap" <<'PY'
import struct, sys
def frame(sport):
    udp = struct.pack('!HHHH', sport, 53, 8, 0)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 28, 0, 0, 64, 17, 0, bytes([10, 0, 0, 1]),
                     bytes([10, 0, 0, 2]))
    return b'\0' * 12 + b'\x08\x00' + ip + udp
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    def packet(t, sport):
        fr = frame(sport)
        f.write(struct.pack('<IIII', int(t), int(t * 1e6) % 1000000, len(fr), len(fr)) + fr)
    t0 = 1700000000
    for i in range(6000):  # 100 one-packet flows a second
        if i == 100:
            packet(4102444800, 7)  # 2100-01-01
        t = t0 + i / 100 if i < 3000 else t0 - 86400 + i / 100
        packet(t, 10000 + i)
PY
flowgen -q -v -r "$TMP/clock.pcap" -w "$TMP/clock.flows" 2>"$TMP/err"
expect_eq "$(grep -c 'warning: packet time went back by more than the idle timeout 1 time;' "$TMP/err")" 1 \
    "warnings of the clock set back"
peak=$(sed -nE 's/.*peak ([0-9]+) flows in cache/\1/p' "$TMP/err")
# 15 s of flows; all 6001 when the packet of 2100 stopped expiry.
[ "$peak" -lt 1600 ] || fail "peak $peak flows in cache"
expect_eq "$(flowquery -r "$TMP/clock.flows" -q -o csv:sport | wc -l)" 6001 "flows"
expect_eq "$(flowquery -r "$TMP/clock.flows" -q -o csv:start 'src port 7')" "2100-01-01T00:00:00.000Z" \
    "the flow of 2100"
echo "ok: bad capture clocks: peak $peak flows"
