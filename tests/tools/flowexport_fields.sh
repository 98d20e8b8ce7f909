# flowexport --fields: the collector gets the fields listed and the ones every record carries
# (times, addresses, ports, protocol, counters), unchanged, and none of the others (MAC
# addresses, the application, the TLS name); IPFIX messages are smaller. An unknown name is a
# usage error. --millis sends IPFIX times as a router does, in milliseconds only.
. "$(dirname "$0")/lib.sh"
flowsynth -q -n 4000 --mix https=60,dns=40 -w "$TMP/t.pcap"
flowgen -q -r "$TMP/t.pcap" -w "$TMP/a.flows"
kept=start,end,src,dst,sport,dport,proto,packets,bytes,flags,tos
dropped=src_mac,dst_mac,app,sni
[ "$(flowquery -r "$TMP/a.flows" -q -o csv:$dropped | sort -u | wc -l)" -gt 1 ] ||
    fail "the test flows carry no MAC address, application or TLS name"
flowquery -r "$TMP/a.flows" -q -o csv:$kept | sort > "$TMP/want"
port=$(free_udp_ports 1)
flowcapture -q -b 127.0.0.1 -p $port -l "$TMP/store" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$TMP"' EXIT
sleep 0.5
for proto in v9 ipfix; do
    all=$(flowexport -r "$TMP/a.flows" --$proto 127.0.0.1:$((port + 1)) 2>&1 || true)
    some=$(flowexport -r "$TMP/a.flows" --$proto 127.0.0.1:$port --fields flags,tos \
        --domain $([[ $proto == v9 ]] && echo 9 || echo 10) 2>&1)
    d_all=$(sed -nE 's/.* in ([0-9]+) datagrams.*/\1/p' <<< "$all")
    d_some=$(sed -nE 's/.* in ([0-9]+) datagrams.*/\1/p' <<< "$some")
    # v9 carries no L7 field: only IPFIX messages get smaller.
    [[ $proto == v9 ]] || ((d_some < d_all)) ||
        fail "$proto: --fields sent $d_some datagrams, all fields $d_all"
done
millis=$(flowexport -r "$TMP/a.flows" --ipfix 127.0.0.1:$port --fields flags,tos --millis \
    --domain 11 2>&1)
d_millis=$(sed -nE 's/.* in ([0-9]+) datagrams.*/\1/p' <<< "$millis")
sleep 0.5
kill -TERM $pid
wait $pid || fail "flowcapture exited with status $?"
flowquery -R "$TMP/store" -q -o csv:$kept 'domain 10' | sort > "$TMP/got"
cmp -s "$TMP/want" "$TMP/got" || fail "IPFIX: the fields sent differ from the input"
# --millis: a router's milliseconds, without flowkit's microseconds within them.
flowquery -R "$TMP/store" -q -o csv:$kept 'domain 11' | sort > "$TMP/got"
sed -E 's/\.([0-9]{3})[0-9]{3}Z/.\1Z/g' "$TMP/want" | sort | cmp -s - "$TMP/got" ||
    fail "IPFIX --millis: times are not the input's milliseconds"
((d_millis < d_some)) || fail "--millis sent $d_millis datagrams, with microseconds $d_some"
# NetFlow v9 times are milliseconds.
flowquery -R "$TMP/store" -q -o csv:${kept#start,end,} 'domain 9' | sort > "$TMP/got"
cut -d, -f3- "$TMP/want" | sort | cmp -s - "$TMP/got" || fail "v9: the fields sent differ from the input"
expect_eq "$(flowquery -R "$TMP/store" -q -o csv:$dropped | sort -u)" ",,," \
    "fields left out"

set +e
flowexport -r "$TMP/a.flows" --ipfix 127.0.0.1:$port --fields flags,nosuch 2> "$TMP/err"
status=$?
set -e
expect_eq "$status" 2 "unknown field: status"
expect_eq "$(cat "$TMP/err")" "flowexport: --fields: unknown field 'nosuch'" "unknown field: message"
echo "ok: flowexport --fields"
