# flowquery end to end on a hand-written nfdump CSV fixture (tests/data/nfdump-sample.csv):
# every expected number below was computed by hand from that file.
. "$(dirname "$0")/lib.sh"
flowimport -q "$SRC/tests/data/nfdump-sample.csv" -w "$TMP/s.flows"

# -I totals
out=$(flowquery -r "$TMP/s.flows" -I)
expect_eq "$(grep '^Flows:' <<<"$out")" "Flows: 6" "flows"
expect_eq "$(grep '^Packets:' <<<"$out")" "Packets: 47" "packets"
expect_eq "$(grep '^Bytes:' <<<"$out")" "Bytes: 65308" "bytes"
expect_eq "$(grep '^Flows_tcp:' <<<"$out")" "Flows_tcp: 4" "tcp flows"
expect_eq "$(grep '^Last:' <<<"$out")" "Last: 2025-03-03T10:04:30.500Z" "last"
# the same totals by scanning (a filter disables the index shortcut)
expect_eq "$(flowquery -r "$TMP/s.flows" -I any | grep '^Bytes:')" "Bytes: 65308" "scanned bytes"

count() { flowquery -r "$TMP/s.flows" -q -o csv:src "$@" | wc -l; }
expect_eq "$(count 'proto tcp')" 4 "proto tcp"
expect_eq "$(count 'port 443')" 2 "port 443"
expect_eq "$(count 'dst port in [22 3389]')" 2 "port list"
expect_eq "$(count 'net 2001:db8::/32')" 1 "v6 net"
expect_eq "$(count 'bytes > 10k')" 2 "bytes > 10k"
expect_eq "$(count 'duration >= 10000')" 2 "duration (milliseconds, as in nfdump)"
expect_eq "$(count 'duration >= 10s')" 2 "duration in seconds"
expect_eq "$(count 'flags S and not flags A')" 1 "syn only"
expect_eq "$(count 'icmp type 3 and icmp code 1')" 1 "icmp"
# fmt: %dp prints ICMP's type.code as %dap does (and nfdump)
expect_eq "$(flowquery -r "$TMP/s.flows" -q 'proto icmp' -o 'fmt:%dap|%dp')" "8.8.8.8:3.1          |   3.1" "icmp %dp"
expect_eq "$(count 'src as 64500 or dst as 64500')" 2 "as"
expect_eq "$(count 'tos 16')" 1 "tos"

# csv and json values
expect_eq "$(flowquery -r "$TMP/s.flows" -q -o csv:start,end,src,dport,proto,flags,packets,bytes 'dst port 22')" \
    "2025-03-03T10:04:00.000Z,2025-03-03T10:04:30.500Z,10.0.0.9,22,tcp,...AP.SF,25,48000" "csv row"
expect_eq "$(flowquery -r "$TMP/s.flows" -o json 'proto udp')" \
    '{"start":"2025-03-03T10:01:00.000Z","end":"2025-03-03T10:01:00.000Z","duration":0.000000,"src":"2001:db8::1","dst":"2001:db8:1::53","sport":5353,"dport":53,"proto":"udp","flags":"........","packets":1,"bytes":80,"sampling":1}' \
    "json row"

# Top-N: bytes per source, hand-summed
expect_eq "$(flowquery -r "$TMP/s.flows" -q -o csv -s srcip/bytes -n 2 | cut -d, -f1-4)" \
    "10.0.0.9,2,26,48060
192.168.1.10,1,8,12000" "top sources by bytes"
expect_eq "$(flowquery -r "$TMP/s.flows" -q -o csv -s ip/flows -n 1 | cut -d, -f1,2)" "10.0.0.1,2" "either-direction stat"
expect_eq "$(flowquery -r "$TMP/s.flows" -q -o csv -A proto -O bytes | cut -d, -f1-4)" \
    "tcp,4,44,65060
icmp,1,2,168
udp,1,1,80" "aggregate by proto"

# conversations: the two directions of 10.0.0.1:40000 <-> 192.168.1.10:443 in one row (both
# start at 10:00:00: the lower address is the source), the other four flows alone
expect_eq "$(flowquery -r "$TMP/s.flows" -q -o csv -b | cut -d, -f1-12)" \
    "tcp,10.0.0.1,40000,192.168.1.10,443,2,18,17000,10,5000,8,12000
udp,2001:db8::1,5353,2001:db8:1::53,53,1,1,80,1,80,0,0
icmp,10.1.2.3,0,8.8.8.8,769,1,2,168,2,168,0,0
tcp,10.0.0.9,1234,172.16.0.1,3389,1,1,60,1,60,0,0
tcp,10.0.0.9,1235,172.16.0.2,22,1,25,48000,25,48000,0,0" "-b"
# the server's flow alone: as it came with -b, the client as source with -B
expect_eq "$(flowquery -r "$TMP/s.flows" -q -o csv -b 'src port 443' | cut -d, -f2-5,9-12)" \
    "192.168.1.10,443,10.0.0.1,40000,8,12000,0,0" "-b, one direction"
expect_eq "$(flowquery -r "$TMP/s.flows" -q -o csv -B 'src port 443' | cut -d, -f2-5,9-12)" \
    "10.0.0.1,40000,192.168.1.10,443,0,0,8,12000" "-B, the client as source"
expect_eq "$(flowquery -r "$TMP/s.flows" -b -O bytes -n 1 | tail -1 | tr -s ' ')" \
    "2025-03-03T10:04:00.000Z 30.500 tcp 10.0.0.9:1235 <-> 172.16.0.2:22 25 0 48000 0 1" "-b text"

# flows through a pipe, the same bytes again
flowquery -r "$TMP/s.flows" -w - 'proto tcp' | flowquery -q -o csv:src > "$TMP/piped"
expect_eq "$(wc -l < "$TMP/piped")" 4 "flows through a pipe"
# stdin, and -R over a directory
mkdir "$TMP/dir"
cp "$TMP/s.flows" "$TMP/dir/a.flows"
cp "$TMP/s.flows" "$TMP/dir/b.flows"
expect_eq "$(flowquery -R "$TMP/dir" -q -o csv:src | wc -l)" 12 "-R"
expect_eq "$(flowquery -q -o csv:src < "$TMP/s.flows" | wc -l)" 6 "stdin"
# time windows
expect_eq "$(flowquery -r "$TMP/s.flows" -q -o csv:src --from 2025-03-03T10:01:00Z --to 2025-03-03T10:03:00Z | wc -l)" 2 "--from/--to"
expect_eq "$(flowquery -r "$TMP/s.flows" -q -o csv:src -t 2025/03/03.10:00:30-2025/03/03.10:03:30 | wc -l)" 3 "-t"
# -c stops after N matches; a closed pipe is success
expect_eq "$(flowquery -r "$TMP/s.flows" -q -o csv:src -c 3 | wc -l)" 3 "-c"
set +e; flowquery -r "$TMP/s.flows" -q | head -1 >/dev/null; status=${PIPESTATUS[0]}; set -e
expect_eq "$status" 0 "closed pipe"

# usage errors exit 2 with the column of the problem
set +e
msg=$(flowquery -r "$TMP/s.flows" 'proto tcp and prot udp' 2>&1); status=$?
set -e
expect_eq "$status" 2 "bad filter status"
[[ $msg == *"column 15: unknown keyword 'prot'"* ]] || fail "bad filter message: $msg"
# a filter file of several lines: line and column
printf 'proto tcp  # first\nand foo 3\n' > "$TMP/f2"
set +e
msg=$(flowquery -r "$TMP/s.flows" -f "$TMP/f2" 2>&1); status=$?
set -e
expect_eq "$status" 2 "bad filter file status"
[[ $msg == *"filter: line 2, column 5: unknown keyword 'foo'"* ]] || fail "bad filter file message: $msg"
expect_status 2 flowquery --no-such-option
# one answer a run, and counts are not negative (-1 read as 2^64 - 1 meant "no limit")
expect_status 2 flowquery -r "$TMP/s.flows" -s srcip -A dstip
expect_status 2 flowquery -r "$TMP/s.flows" -I -s srcip
expect_status 2 flowquery -r "$TMP/s.flows" -a -I
expect_status 2 flowquery -r "$TMP/s.flows" -b -B
expect_status 2 flowquery -r "$TMP/s.flows" -b -A srcip
expect_status 2 flowquery -r "$TMP/s.flows" -s srcip -w "$TMP/no.flows"
expect_status 2 flowquery -r "$TMP/s.flows" -A srcip -w "$TMP/no.flows"
[ ! -e "$TMP/no.flows" ] || fail "-w with -A wrote $TMP/no.flows"
expect_status 2 flowquery -r "$TMP/s.flows" -s srcip -n -1
expect_status 2 flowquery -r "$TMP/s.flows" -c -1
# binary never goes to a terminal
if command -v script >/dev/null; then
    msg=$(script -qec "$BIN/flowquery -r $TMP/s.flows -w -" /dev/null 2>&1 || true)
    [[ $msg == *"refusing to write binary flows to a terminal"* ]] || fail "terminal: $msg"
fi
echo ok
