# flowexport --repeat N sends the input N times, built once: a collector counts N times the
# flows with no sequence gap (each re-sent message gets the next sequence number), and its
# store holds each flow N times, with the same counters.
. "$(dirname "$0")/lib.sh"
need_data
need_cmd python3
flowgen -q -r "$DATA/pcap/tls/sites.pcapng" -w "$TMP/a.flows"
flowquery -r "$TMP/a.flows" -o 'fmt:%ts %te %sa %da %sp %dp %pr %pkt %byt' -q | sort > "$TMP/want"
n=$(wc -l < "$TMP/want")
[ "$n" -gt 10 ] || fail "too few flows in the test capture ($n)"
port=$(free_udp_ports 1)
flowcapture -q -b 127.0.0.1 -p $port -l "$TMP/store" &
pid=$!
sleep 0.5
flowexport -q -r "$TMP/a.flows" --repeat 3 --v9 127.0.0.1:$port --mtu 600
flowexport -r "$TMP/a.flows" --repeat 3 --ipfix 127.0.0.1:$port --mtu 600 2> "$TMP/summary"
sleep 0.5
kill -TERM $pid
wait $pid || fail "flowcapture exited with status $?"
flowcapture --stats "$TMP/store" > "$TMP/stats"
for proto in v9 ipfix; do
    read -r flows lost_d lost_r seq < <(awk -v p=$proto '$1 == "127.0.0.1" && $3 == p { print $5, $6, $7, $8 }' "$TMP/stats")
    expect_eq "$flows" $((3 * n)) "$proto flows received"
    expect_eq "$lost_d $lost_r $seq" "0 0 0" "$proto lost datagrams, lost records, sequence errors"
done
# The summary counts the template sets of every repetition, as the collector does.
sets=$(sed -n 's/.*(\([0-9]*\) template sets).*/\1/p' "$TMP/summary")
expect_eq "$sets" "$(awk '$1 == "127.0.0.1" && $3 == "ipfix" { print $10 }' "$TMP/stats")" \
    "template sets sent and received"
# Each flow of the input three times per protocol: every line of the input six times.
awk '{ for (i = 0; i < 6; i++) print }' "$TMP/want" | sort > "$TMP/want6"
flowquery -R "$TMP/store" -o 'fmt:%ts %te %sa %da %sp %dp %pr %pkt %byt' -q | sort > "$TMP/got"
cmp -s "$TMP/want6" "$TMP/got" || fail "flows differ from the input sent six times"
