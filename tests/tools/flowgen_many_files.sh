#!/usr/bin/env bash
# Many capture files merged by time share a bounded amount of buffer: each file had 1 MB, and
# 300 one-packet files took 316 MB of memory. Every file's packet is still a flow.
. "$(dirname "$0")/lib.sh"
need_cmd python3
need_cmd /usr/bin/time
python3 - "$TMP" <<'PY'
import struct, sys
for i in range(250):
    udp = struct.pack('!HHHH', 1000 + i, 53, 8, 0)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 28, 0, 0, 64, 17, 0, bytes([10, 0, 0, 1]),
                     bytes([10, 0, 0, 2]))
    frame = b'\0' * 12 + b'\x08\x00' + ip + udp
    with open('%s/f%03d.pcap' % (sys.argv[1], i), 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        f.write(struct.pack('<IIII', 1700000000 + i, 0, len(frame), len(frame)) + frame)
PY
args=()
for f in "$TMP"/f*.pcap; do args+=(-r "$f"); done
/usr/bin/time -f %M -o "$TMP/rss" flowgen -q "${args[@]}" -w "$TMP/all.flows"
expect_eq "$(flowquery -r "$TMP/all.flows" -q -o csv:sport | sort -u | wc -l)" 250 "flows of 250 files"
rss=$(cat "$TMP/rss")
# 1 MB a file would be over 250 MB.
[ "$rss" -lt 80000 ] || fail "250 files: peak RSS $rss KB"
echo "ok: 250 files merged in $rss KB"
