# Command lines checked the same way in every program: -V, counts and levels that cannot be
# (CLI11 read "-1" as 2^64 - 1, "010" as octal 8, and printed a 300-digit bound for 0), and
# errors found before anything is said or read.
. "$(dirname "$0")/lib.sh"
for p in flowsynth flowgen flowcapture flowquery flowdetect flowreport flowsample flowimport flowexport; do
    expect_eq "$($p -V)" "$p $($p --version | cut -d' ' -f2)" "$p -V"
    [[ $($p -V) =~ ^$p\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "$p -V: $($p -V)"
done
flowsynth -n 3000 -q -w "$TMP/t.pcap"
flowgen -q -r "$TMP/t.pcap" -w "$TMP/t.flows"
# one line naming the option and the rule, exit 2
bad() {
    local want=$1
    shift
    set +e
    msg=$("$@" 2>&1)
    status=$?
    set -e
    expect_eq "$status" 2 "$*: status"
    expect_eq "$(wc -l <<<"$msg")" 1 "$*: one line"
    [[ $msg == *"$want"* ]] || fail "$*: $msg"
}
bad "--count: '0' is out of range (at least 1)" flowquery -r "$TMP/t.flows" -c 0
bad "--threads: '0' is out of range (at least 1)" flowquery -r "$TMP/t.flows" -T 0
bad "--threads: '-2' is not a whole number" flowsample -r "$TMP/t.flows" -T -2
bad "--threads: '0' is out of range (at least 1)" flowreport top -r "$TMP/t.flows" -T 0
bad "--level: '99' is out of range (1 to 22)" flowquery -r "$TMP/t.flows" -z 99 -w "$TMP/o"
bad "--level: '0' is out of range (1 to 22)" flowgen -r "$TMP/t.pcap" -z 0
bad "--level: '23' is out of range (1 to 22)" flowimport -z 23 "$TMP/t.flows"
bad "--max-flows: '0' is out of range (at least 1)" flowgen -r "$TMP/t.pcap" --max-flows 0
bad "--sample: '-5' is not a whole number" flowgen -r "$TMP/t.pcap" --sample -5
bad "--port: '0' is out of range (1 to 65535)" flowcapture -p 0 -w "$TMP/o"
bad "--zstd: '30' is out of range (1 to 22)" flowcapture -z 30 -w "$TMP/o"
bad "--modes: 'foo' is not flow, packet, smart or hash" flowsample -e -r "$TMP/t.flows" --modes foo
bad "-i: no interface 'nosuchif0'" flowcapture -i nosuchif0 -w "$TMP/o"
bad "column 12: '99999' is out of range for port" flowquery -r "$TMP/t.flows" 'dst port > 99999'
# leading zeros are decimal, not octal
expect_eq "$(flowquery -r "$TMP/t.flows" -q -o csv:proto -c 010 | wc -l)" 10 "-c 010"
# flowcapture says "listening" only once the store can be written and the options are good
port=$(free_udp_ports 1)
set +e
msg=$(flowcapture -b 127.0.0.1 -p "$port" -l /proc/no/store 2>&1); status=$?
set -e
expect_eq "$status" 1 "flowcapture -l /proc/...: status"
expect_eq "$msg" "flowcapture: mkdir /proc/no: No such file or directory" "flowcapture -l /proc/..."
# -R DIR with no flow file: a warning, and never standard input
mkdir "$TMP/empty"
out=$(flowexport -R "$TMP/empty" --json < "$TMP/t.flows" 2> "$TMP/err")
expect_eq "$out" "" "flowexport -R empty: flows from stdin"
grep -q "warning: no flow file under $TMP/empty" "$TMP/err" || fail "flowexport -R empty: $(cat "$TMP/err")"
expect_eq "$(flowquery -R "$TMP/empty" -I 2>&1 | head -1)" "flowquery: warning: no flow file under $TMP/empty" "flowquery -R empty"
# a terminal is no input for flowimport either (it waited for typed logs)
if command -v script >/dev/null; then
    msg=$(script -qec "$BIN/flowimport -w $TMP/o.flows" /dev/null 2>&1 || true)
    [[ $msg == *"no input: give FILE... or pipe logs in"* ]] || fail "flowimport at a terminal: $msg"
fi
echo ok
