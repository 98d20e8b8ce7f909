# flowsample --evaluate --events: the event flows are those selected by the filters of
# flowdetect's events (counted independently with flowquery); at 1:1 all of them survive.
. "$(dirname "$0")/lib.sh"
flowsynth -q -n 150000 --scenario scan --scenario bruteforce:service=ssh,attempts=30 -w "$TMP/t.pcap" 2>/dev/null
flowgen -q -r "$TMP/t.pcap" -w "$TMP/t.flows"
flowdetect -r "$TMP/t.flows" > "$TMP/events.json" 2>/dev/null
grep -q '"method":"scan"' "$TMP/events.json" || fail "flowdetect found no scan"
filter=$(python3 -c '
import json, sys
fs = []
for line in open(sys.argv[1]):
    f = json.loads(line)["filter"]
    if f not in fs: fs.append(f)
print(" or ".join("(" + f + ")" for f in fs))' "$TMP/events.json")
want=$(flowquery -r "$TMP/t.flows" -q -o csv:start "$filter" | wc -l)
[ "$want" -gt 0 ] || fail "the events' filters select no flows"
flowsample --evaluate -q -r "$TMP/t.flows" --events "$TMP/events.json" --rates 1,100 \
    --modes flow,packet -o csv > "$TMP/eval.csv"
got=$(flowsample --evaluate -q -r "$TMP/t.flows" --events "$TMP/events.json" --rates 1 --modes flow |
    sed -nE 's/.* ([0-9]+) event flows$/\1/p')
expect_eq "$got" "$want" "event flows"
expect_eq "$(awk -F, '$1 == "flow" && $2 == 1 && $3 == "event_flows" { print $4 + 0 }' "$TMP/eval.csv")" 1 \
    "all event flows survive 1:1"
# At 1:100 flow sampling most of the event is gone: that is what the evaluation shows.
awk -F, '$1 == "flow" && $2 == 100 && $3 == "event_flows" { exit !($4 < 0.2) }' "$TMP/eval.csv" ||
    fail "1:100: event share not below 0.2: $(grep event_flows "$TMP/eval.csv")"

echo '{"time":"x"}' > "$TMP/bad.json"
set +e
flowsample --evaluate -q -r "$TMP/t.flows" --events "$TMP/bad.json" 2> "$TMP/err"; status=$?
set -e
expect_eq "$status" 1 "bad events file: status"
expect_eq "$(cat "$TMP/err")" "flowsample: $TMP/bad.json:1: not a flowdetect event with a \"filter\"" \
    "bad events file: message"
echo "ok: flowsample --events ($want event flows)"
