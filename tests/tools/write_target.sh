# -w naming a directory is refused before anything is read or received (it was found only at
# the final rename: flowcapture then deleted every flow it had received and exited 0). A
# target that becomes a directory while flowcapture runs makes the rename fail at SIGTERM:
# exit 1, and the flows are kept under the temporary name the error gives.
. "$(dirname "$0")/lib.sh"
flowsynth -n 3000 -q | flowgen -q -w "$TMP/in.flows"
n=$(flowquery -r "$TMP/in.flows" -q -o csv:proto | wc -l)
mkdir "$TMP/dir"

expect_status 1 flowquery -r "$TMP/in.flows" -w "$TMP/dir"
msg=$(flowquery -r "$TMP/in.flows" -w "$TMP/dir" 2>&1 || true)
expect_eq "$msg" "flowquery: $TMP/dir: is a directory" "flowquery -w DIR"
port=$(free_udp_ports 1)
set +e
msg=$(timeout 10 flowcapture -q -b 127.0.0.1 -p "$port" -w "$TMP/dir" 2>&1); status=$?
set -e
expect_eq "$status" 1 "flowcapture -w DIR status"
expect_eq "$msg" "flowcapture: $TMP/dir: is a directory" "flowcapture -w DIR"

# The target turns into a directory after the start.
flowcapture -q -b 127.0.0.1 -p "$port" -w "$TMP/late" 2> "$TMP/err" &
pid=$!
sleep 0.5
flowexport -q -r "$TMP/in.flows" --ipfix "127.0.0.1:$port"
sleep 0.5
mkdir -p "$TMP/late/x"
kill -TERM $pid
set +e
wait $pid
status=$?
set -e
expect_eq "$status" 1 "flowcapture status when the rename fails"
kept=$(sed -n 's/.*(the data is kept in \(.*\))$/\1/p' "$TMP/err")
[ -n "$kept" ] && [ -f "$kept" ] || fail "no kept file named: $(cat "$TMP/err")"
expect_eq "$(flowquery -r "$kept" -q -o csv:proto | wc -l)" "$n" "flows kept"
echo "ok: $n flows kept in $(basename "$kept")"
