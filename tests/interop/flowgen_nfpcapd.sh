#!/usr/bin/env bash
# flowgen and nfpcapd (Debian nfdump) on the same captures: the same total packets and IP
# bytes (per 5-tuple checks against nfdump are in unit_packet). Flow counts differ by design
# (nfpcapd makes one flow per ICMP packet and ends a DNS flow after each packet), so they are
# not compared.
. "$(dirname "$0")/../tools/lib.sh"
need_data
need_cmd nfpcapd
need_cmd nfdump
for cap in mixed/netflix.pcap mixed/teams.pcap tls/443-firefox.pcap dns/googledns_android10.pcap \
           ics/modbus.pcap remote-access/telnet.pcap; do
    dir=$TMP/nf-$(basename "$cap")
    mkdir -p "$dir"
    nfpcapd -r "$DATA/pcap/$cap" -w "$dir" -e 300,15 >/dev/null 2>&1 || fail "nfpcapd failed on $cap"
    want=$(nfdump -q -N -R "$dir" -o 'fmt:%pkt %byt' | awk '{p += $1; b += $2} END {print p+0, b+0}')
    flowgen -q -v -r "$DATA/pcap/$cap" -w "$TMP/out.flows" 2>"$TMP/summary"
    got=$(sed -E 's/.* flows of ([0-9]+) packets and ([0-9]+) bytes.*/\1 \2/' "$TMP/summary")
    expect_eq "$got" "$want" "$cap: packets and IP bytes (flowgen vs nfpcapd)"
done
echo "ok: flowgen and nfpcapd agree on packets and bytes"
