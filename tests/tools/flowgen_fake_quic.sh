#!/usr/bin/env bash
# A flood of one-datagram UDP flows that each start like a QUIC Initial (9 bytes: a long
# header, version 1, no connection ids, length 0) costs what the same flood of zero bytes
# costs: no decryption keys are derived for a packet too short to open, and no flow holds a
# QUIC reader (about 4.5 KB) once its datagram opened nothing. It held one until it ended:
# 200,000 such flows took 1.02 GB against 141 MB.
. "$(dirname "$0")/lib.sh"
need_cmd python3
need_cmd /usr/bin/time
python3 - "$TMP" <<'PY'
import struct, sys
def pcap(path, payload, n=50000):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            udp = struct.pack('!HHHH', 40000 + i % 20000, 443, 8 + len(payload), 0) + payload
            ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                             struct.pack('!I', 0x0a000000 + i), bytes([192, 0, 2, 1]))
            frame = b'\0' * 12 + b'\x08\x00' + ip + udp
            f.write(struct.pack('<IIII', 1700000000, i * 10, len(frame), len(frame)) + frame)
pcap(sys.argv[1] + '/fake.pcap', b'\xc3\x00\x00\x00\x01\x00\x00\x00\x00')
pcap(sys.argv[1] + '/zero.pcap', b'\0' * 9)
PY
for k in fake zero; do
    /usr/bin/time -f %M -o "$TMP/$k.rss" flowgen -q -r "$TMP/$k.pcap" -w "$TMP/$k.flows"
    flows=$(flowquery -r "$TMP/$k.flows" -q -o csv:packets | wc -l)
    expect_eq "$flows" 50000 "flows of $k.pcap"
done
fake=$(cat "$TMP/fake.rss") zero=$(cat "$TMP/zero.rss")
# Holding a reader per flow would add about 225 MB here.
[ "$fake" -lt $((zero + 40000)) ] || fail "fake Initials: peak RSS $fake KB against $zero KB"
echo "ok: fake QUIC Initials: $fake KB peak RSS, zero payloads: $zero KB"
