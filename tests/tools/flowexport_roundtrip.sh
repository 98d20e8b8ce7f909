#!/usr/bin/env bash
# flowexport --ipfix and --v9 to flowcapture: the flows come back as they were sent. IPFIX
# keeps every field but the exporter and domain (the sender's); NetFlow v9 the NetFlow ones,
# times to the millisecond. Layer-2 flows (GOOSE: MAC addresses and EtherType, no IP) come
# back without addresses (::), not as 0.0.0.0; unsampled flows come back with sampling 1,
# also from v9, which carries no sampling element.
. "$(dirname "$0")/lib.sh"
flowsynth -q -n 3000 --mix https=40,dns=30,goose=20,icmp-echo=10 --ipv6 30 -w "$TMP/t.pcap"
flowgen -q -r "$TMP/t.pcap" -w "$TMP/a.flows"
l2=$(flowquery -q -r "$TMP/a.flows" -o csv:src,dst,ether_type,sampling 'ether_type 0x88b8' | sort -u)
[ "$l2" = "::,::,0x88b8,1" ] || fail "the test flows hold no unsampled GOOSE flow without addresses: $l2"

port=$(free_udp_ports 1)
flowcapture -q -b 127.0.0.1 -p $port -w "$TMP/back.flows" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$TMP"' EXIT
sleep 0.5
flowexport -q -r "$TMP/a.flows" --ipfix 127.0.0.1:$port --domain 10
flowexport -q -r "$TMP/a.flows" --v9 127.0.0.1:$port --domain 9
sleep 0.5
kill -TERM $pid
wait $pid || fail "flowcapture exited with status $?"

all=$(flowquery -r "$TMP/a.flows" -o csv -c 1 | head -1 | tr , '\n' |
    grep -v -x -e exporter -e domain -e duration | paste -sd,)
flowquery -q -r "$TMP/a.flows" -o "csv:$all" | sort > "$TMP/want"
flowquery -q -r "$TMP/back.flows" -o "csv:$all" 'domain 10' | sort > "$TMP/got"
diff "$TMP/want" "$TMP/got" > "$TMP/diff" ||
    fail "IPFIX: flows differ ($(wc -l < "$TMP/diff") diff lines): $(head -4 "$TMP/diff")"

netflow=start,end,src,dst,sport,dport,proto,flags,packets,bytes,tos,vlan,sampling,src_mac,dst_mac,ether_type
flowquery -q -r "$TMP/a.flows" -o "csv:$netflow" | sed -E 's/\.([0-9]{3})[0-9]{3}Z/.\1Z/g' |
    sort > "$TMP/want"
flowquery -q -r "$TMP/back.flows" -o "csv:$netflow" 'domain 9' | sort > "$TMP/got"
diff "$TMP/want" "$TMP/got" > "$TMP/diff" ||
    fail "v9: flows differ ($(wc -l < "$TMP/diff") diff lines): $(head -4 "$TMP/diff")"
echo "ok: $(wc -l < "$TMP/want") flows back from flowcapture over IPFIX and NetFlow v9"
