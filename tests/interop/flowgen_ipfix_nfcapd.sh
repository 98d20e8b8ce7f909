#!/usr/bin/env bash
# flowgen --export into nfcapd (Debian nfdump) on 127.0.0.1: nfdump reads back the same number
# of flows, packets and bytes that flowgen reports having made.
. "$(dirname "$0")/../tools/lib.sh"
need_data
need_cmd nfcapd
need_cmd nfdump
for cap in mixed/netflix.pcap tls/443-firefox.pcap http/http_ipv6.pcap; do
    dir=$TMP/nf-$(basename "$cap")
    mkdir -p "$dir"
    port=$(free_udp_ports 1)
    nfcapd -b 127.0.0.1 -p "$port" -w "$dir" -t 3600 >"$TMP/nfcapd.log" 2>&1 &
    pid=$!
    sleep 0.5
    kill -0 "$pid" 2>/dev/null || fail "nfcapd did not start: $(cat "$TMP/nfcapd.log")"
    flowgen -q -v -r "$DATA/pcap/$cap" --export "127.0.0.1:$port" 2>"$TMP/summary"
    sleep 0.5
    kill -TERM "$pid"
    wait "$pid" || true
    read -r flows packets bytes < <(sed -E 's/.* ([0-9]+) flows of ([0-9]+) packets and ([0-9]+) bytes.*/\1 \2 \3/' "$TMP/summary")
    [ -n "$flows" ] && [ "$flows" -gt 0 ] || fail "$cap: no flows in summary: $(cat "$TMP/summary")"
    got=$(nfdump -q -N -R "$dir" -o 'fmt:%pkt %byt' | awk '{n++; p += $1; b += $2} END {print n+0, p+0, b+0}')
    expect_eq "$got" "$flows $packets $bytes" "$cap: nfdump flows, packets, bytes"
done
echo "ok: nfcapd received what flowgen exported"
