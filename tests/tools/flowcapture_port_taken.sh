# A second collector on a port already taken fails to start (exit 1, the bind error), and the
# first keeps receiving: with SO_REUSEADDR the second started and took every datagram.
. "$(dirname "$0")/lib.sh"
port=$(free_udp_ports 1)
flowcapture -b 127.0.0.1 -p $port -w "$TMP/first.flows" 2> "$TMP/first.log" &
first=$!
wait_bound $port
set +e
timeout 5 flowcapture -b 127.0.0.1 -p $port -w "$TMP/second.flows" 2> "$TMP/second.log"
status=$?
set -e
expect_eq "$status" 1 "second flowcapture's exit status"
grep -q "bind 127.0.0.1:$port: Address already in use" "$TMP/second.log" ||
    fail "second flowcapture's error: $(cat "$TMP/second.log")"
[ ! -e "$TMP/second.flows" ] || fail "the second flowcapture wrote a file"

# The first still gets the flows (flowgen exports a crafted capture to it).
flowsynth -n 50 -s 3 -q -w "$TMP/t.pcap"
flowgen -q -r "$TMP/t.pcap" -w "$TMP/t.flows"
flowgen -q -r "$TMP/t.pcap" --export 127.0.0.1:$port
sleep 0.5
kill -TERM $first
wait $first || fail "first flowcapture exited with status $?"
expect_eq "$(flowquery -q -r "$TMP/first.flows" -o csv:packets | wc -l)" \
    "$(flowquery -q -r "$TMP/t.flows" -o csv:packets | wc -l)" "flows received by the first"
echo "ok: the second collector refused with '$(head -1 "$TMP/second.log")'"
