# SIGTERM while receiving: every record received before the signal is in the closed file.
# softflowd's exports of a known capture (v5, v9, IPFIX: 1223 flows, data/truth) are replayed
# and the collector is stopped at once; the store is then sent on with flowexport to a second
# flowcapture, which must count the same flows (so the file is complete and readable).
. "$(dirname "$0")/lib.sh"
need_data
need_cmd python3
replay=$SRC/tests/tools/flowcapture_replay.py
port=$(free_udp_ports 2)

flowcapture -q -b 127.0.0.1 -p $port -l "$TMP/store" &
pid=$!
sleep 0.5
n=$(python3 "$replay" 127.0.0.1 $port "$DATA"/netflow/softflowd/softflowd-{v5,v9,ipfix}-from-mixed.pcap)
expect_eq "$n" 42 "datagrams replayed"
kill -TERM $pid
wait $pid || fail "flowcapture exited with status $?"

flows=$(flowcapture --stats "$TMP/store" | awk '$1 == "127.0.0.1" { n += $5 } END { print n + 0 }')
# v5 carries the 391 IPv4 flows, v9 and IPFIX 416 each (417 records less one options record).
expect_eq "$flows" 1223 "flows decoded before SIGTERM"
files=$(find "$TMP/store" -name 'flows-*.flows' | wc -l)
expect_eq "$files" 1 "store files"
leftovers=$(find "$TMP/store" -name '.*' -type f | wc -l)
expect_eq "$leftovers" 0 "temporary files left behind"

flowcapture -q -b 127.0.0.1 -p $((port + 1)) -l "$TMP/again" &
pid=$!
sleep 0.5
flowexport -q -R "$TMP/store" --ipfix 127.0.0.1:$((port + 1))
sleep 0.5
kill -TERM $pid
wait $pid
again=$(flowcapture --stats "$TMP/again" | awk '$1 == "127.0.0.1" { n += $5 } END { print n + 0 }')
expect_eq "$again" 1223 "flows in the closed file"
