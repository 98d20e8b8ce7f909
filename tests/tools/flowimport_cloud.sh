# flowimport end to end on the cloud samples of ../shared/data/vpc: guessing, gzip, the summary
# line, actions through flowquery, file:line errors and --ignore-errors (exit statuses).
. "$(dirname "$0")/lib.sh"
need_data
V=$DATA/vpc

# AWS v2 default format, gzip-compressed: 7 records, 5 flows (3 accept, 2 reject), 1 NODATA,
# 1 SKIPDATA (truth/vpc-summary.tsv: 102 packets, 18025 bytes).
gzip -c "$V/aws/v2-default-format.log" > "$TMP/aws.log.gz"
flowimport "$TMP/aws.log.gz" -w "$TMP/aws.flows" 2> "$TMP/summary"
expect_eq "$(cat "$TMP/summary")" \
    "flowimport: 1 file(s), 7 records, 5 flows (3 accept, 2 reject), 1 NODATA, 1 SKIPDATA, 0 other records without flows, 0 malformed skipped" \
    "AWS summary"
expect_eq "$(flowquery -q -r "$TMP/aws.flows" -o 'fmt:%pkt %byt' 'action reject' | awk '{p += $1; b += $2} END {print p, b}')" \
    "24 4585" "rejected packets and bytes"
expect_eq "$(flowquery -q -r "$TMP/aws.flows" -o csv:bytes | awk '{b += $1} END {print b}')" "18025" "AWS bytes"

# A UTF-8 byte order mark in front (Windows exports) is skipped: the same flows, guessed too.
{ printf '\xef\xbb\xbf'; cat "$V/aws/v2-default-format.log"; } > "$TMP/bom.log"
flowimport -q "$TMP/bom.log" -w "$TMP/bom.flows"
expect_eq "$(flowquery -q -r "$TMP/bom.flows" -o csv)" "$(flowquery -q -r "$TMP/aws.flows" -o csv)" \
    "flows of a file with a byte order mark"

# Every sample at once, each guessed on its own: records and flows per the hand count.
flowimport "$V"/aws/*.log "$V"/azure/*.json "$V"/gcp/* -w "$TMP/all.flows" 2> "$TMP/summary"
# AWS 7+6+8+4+1+2+1 records, Azure 12+11 tuples, GCP 5 entries; flows: AWS 27, Azure 12+14,
# GCP 5; accept AWS 18, Azure 8+7; reject AWS 2, Azure 4+7.
expect_eq "$(cat "$TMP/summary")" \
    "flowimport: 12 file(s), 57 records, 58 flows (33 accept, 13 reject), 1 NODATA, 1 SKIPDATA, 0 other records without flows, 0 malformed skipped" \
    "all samples"
expect_eq "$(flowquery -q -r "$TMP/all.flows" -o csv:proto 'proto icmp' | wc -l)" "3" "ICMP flows"

# A malformed line stops the import naming file and line; --ignore-errors skips and counts it.
{ cat "$V/aws/v2-default-format.log"; echo "2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 2 6 x 40 1 2 ACCEPT OK"; } > "$TMP/bad.log"
set +e
flowimport -q "$TMP/bad.log" -w "$TMP/bad.flows" 2> "$TMP/err"; st=$?
set -e
expect_eq "$st" 1 "exit status on a malformed line"
expect_eq "$(cat "$TMP/err")" "flowimport: $TMP/bad.log:9: packets: 'x' is not a number" "error message"
flowimport "$TMP/bad.log" --ignore-errors -w "$TMP/bad.flows" 2> "$TMP/err"
grep -q "5 flows .* 1 malformed skipped" "$TMP/err" || fail "no skip count: $(cat "$TMP/err")"

# A file of unknown format is a usage error; --format overrides the guess.
echo "hello" > "$TMP/x.txt"
expect_status 2 flowimport -q "$TMP/x.txt" -w "$TMP/x.flows"
expect_status 2 flowimport -q --format bogus "$TMP/x.txt" -w "$TMP/x.flows"
flowimport -q --format aws --fields "version srcaddr dstaddr" - -w "$TMP/s.flows" <<< "2 10.0.0.1 10.0.0.2"
expect_eq "$(flowquery -q -r "$TMP/s.flows" -o csv:src,dst)" "10.0.0.1,10.0.0.2" "--fields from stdin"

# Suricata EVE (gzip-compressed, as shipped): every flow event gives one or two flows.
eve=$DATA/suricata/eve/attacks/synflood-spoofed.pcap.eve.json.gz
events=$(zcat "$eve" | grep -c '"event_type":"flow"')
flowimport "$eve" -w "$TMP/eve.flows" 2> "$TMP/summary"
flows=$(flowquery -q -r "$TMP/eve.flows" -o csv:proto | wc -l)
[ "$flows" -ge "$events" ] && [ "$flows" -le $((2 * events)) ] || fail "EVE: $flows flows for $events flow events"
answered=$(zcat "$eve" | grep '"event_type":"flow"' | grep -vc '"pkts_toclient":0,' || true)
expect_eq "$flows" "$((events + answered))" "EVE flows = events + answered events"

# A pretty-printed blob cut short after a whole one: exit 1 naming where the cut document
# starts (3311 bytes of the whole blob and a newline); --ignore-errors keeps the first's flows.
{ cat "$V/azure/nsg-flow-log-v2.json"; echo; head -c 2000 "$V/azure/nsg-flow-log-v2.json"; } > "$TMP/cut.json"
set +e
flowimport -q "$TMP/cut.json" -w "$TMP/cut.flows" 2> "$TMP/err"; st=$?
set -e
expect_eq "$st" 1 "exit status on a cut JSON blob"
expect_eq "$(cat "$TMP/err")" "flowimport: $TMP/cut.json:71: incomplete JSON document from byte offset 3312 to the end of the input" "cut blob message"
flowimport -q --ignore-errors "$TMP/cut.json" -w "$TMP/cut.flows" 2> /dev/null
expect_eq "$(flowquery -q -r "$TMP/cut.flows" -o csv:proto | wc -l)" 14 "flows of the whole blob"
