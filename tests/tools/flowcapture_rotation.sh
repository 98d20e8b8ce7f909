# The store: SIGHUP starts a second file of the interval (-1), a restart never replaces a
# file, --exec gets each finished file, --max-size deletes the oldest.
. "$(dirname "$0")/lib.sh"
need_data
need_cmd python3
replay=$SRC/tests/tools/flowcapture_replay.py
port=$(free_udp_ports 1)
v9=$DATA/netflow/softflowd/softflowd-v9-from-mixed.pcap
store=$TMP/store

flowcapture -q -b 127.0.0.1 -p $port -l "$store" -t 1h --exec "echo %f >> $TMP/exec.log" &
pid=$!
sleep 0.5
python3 "$replay" 127.0.0.1 $port "$v9" >/dev/null
sleep 0.3
kill -HUP $pid
sleep 0.5
python3 "$replay" 127.0.0.1 $port "$v9" >/dev/null
sleep 0.3
kill -TERM $pid
wait $pid
sleep 0.3
mapfile -t files < <(find "$store" -name 'flows-*.flows' | sort)
expect_eq "${#files[@]}" 2 "files after SIGHUP"
[[ ${files[0]} == *-1.flows ]] || [[ ${files[1]} == *-1.flows ]] || fail "no -1 file: ${files[*]}"
expect_eq "$(wc -l < "$TMP/exec.log")" 2 "--exec runs"
while read -r f; do [ -f "$f" ] || fail "--exec got '$f'"; done < "$TMP/exec.log"

# A restart in the same interval adds a file and leaves the others as they were.
before=$(cat "${files[@]}" | md5sum)
flowcapture -q -b 127.0.0.1 -p $port -l "$store" -t 1h &
pid=$!
sleep 0.5
python3 "$replay" 127.0.0.1 $port "$v9" >/dev/null
sleep 0.3
kill -TERM $pid
wait $pid
expect_eq "$(cat "${files[@]}" | md5sum)" "$before" "files of the first run"
expect_eq "$(find "$store" -name 'flows-*.flows' | wc -l)" 3 "files after the restart"
expect_eq "$(flowcapture --stats "$store" | awk '$1 == "127.0.0.1" { print $4 }')" 42 \
    "datagrams counted over both runs"

# --max-size: one more file, and at most 30 kB kept: the oldest go.
size() { find "$store" -name 'flows-*.flows' -printf '%s\n' | awk '{ n += $1 } END { print n }'; }
flowcapture -q -b 127.0.0.1 -p $port -l "$store" -t 1h --max-size 30K &
pid=$!
sleep 0.5
python3 "$replay" 127.0.0.1 $port "$v9" >/dev/null
sleep 0.3
kill -TERM $pid
wait $pid
[ "$(size)" -le 30720 ] || fail "store holds $(size) bytes after --max-size 30K"
newest=$(find "$store" -name 'flows-*.flows' | sort -t- -k3 | tail -1)
[ -n "$newest" ] || fail "--max-size deleted everything"
echo "kept $(find "$store" -name 'flows-*.flows' | wc -l) files, $(size) bytes"
