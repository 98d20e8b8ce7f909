# SIGTERM while receiving: every record received before the signal is in the closed file.
# softflowd's exports of a known capture (v5, v9, IPFIX: 1223 flows, data/truth) are replayed
# and the collector is stopped at once; the store is then sent on with flowexport to a second
# flowcapture, which must count the same flows (so the file is complete and readable).
. "$(dirname "$0")/lib.sh"
need_data
need_cmd python3
replay=$SRC/tests/tools/flowcapture_replay.py
port=$(free_udp_ports 2)

# Both ways of writing: a writer thread (more than one CPU) and the receiving thread itself
# (one CPU, taskset).
store_once() {
    local store=$1
    shift
    "$@" flowcapture -b 127.0.0.1 -p $port -l "$store" 2> "$TMP/log" &
    pid=$!
    sleep 0.5
    n=$(python3 "$replay" 127.0.0.1 $port "$DATA"/netflow/softflowd/softflowd-{v5,v9,ipfix}-from-mixed.pcap)
    expect_eq "$n" 42 "$store: datagrams replayed"
    kill -TERM $pid
    wait $pid || fail "$store: flowcapture exited with status $?"

    flows=$(flowcapture --stats "$store" | awk '$1 == "127.0.0.1" { n += $5 } END { print n + 0 }')
    # v5 carries the 391 IPv4 flows, v9 and IPFIX 416 each (417 records less one options record).
    expect_eq "$flows" 1223 "$store: flows decoded before SIGTERM"
    files=$(find "$store" -name 'flows-*.flows' | wc -l)
    expect_eq "$files" 1 "$store: store files"
    leftovers=$(find "$store" -name '.*' -type f | wc -l)
    expect_eq "$leftovers" 0 "$store: temporary files left behind"
}
store_once "$TMP/store"
if (($(nproc) > 1)); then
    expect_eq "$(grep -c 'one CPU' "$TMP/log")" 0 "a writer thread on $(nproc) CPUs"
fi
if command -v taskset >/dev/null; then
    store_once "$TMP/one-cpu" taskset -c 0
    expect_eq "$(grep -c 'one CPU: the receiving thread also writes' "$TMP/log")" 1 \
        "no writer thread under taskset -c 0"
    expect_eq "$(flowquery -R "$TMP/one-cpu" -q -o csv | sort | md5sum)" \
        "$(flowquery -R "$TMP/store" -q -o csv | sort | md5sum)" "the same flows either way"
else
    echo "note: taskset is missing; the one-CPU case is not run"
fi

flowcapture -q -b 127.0.0.1 -p $((port + 1)) -l "$TMP/again" &
pid=$!
sleep 0.5
flowexport -q -R "$TMP/store" --ipfix 127.0.0.1:$((port + 1))
sleep 0.5
kill -TERM $pid
wait $pid
again=$(flowcapture --stats "$TMP/again" | awk '$1 == "127.0.0.1" { n += $5 } END { print n + 0 }')
expect_eq "$again" 1223 "flows in the closed file"
