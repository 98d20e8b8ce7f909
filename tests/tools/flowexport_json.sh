# flowexport --json writes exactly what flowquery -o json prints (stdout and -w FILE), one
# valid JSON object per flow.
. "$(dirname "$0")/lib.sh"
need_data
need_cmd python3
flowgen -q -r "$DATA/pcap/tls/sites.pcapng" -w "$TMP/a.flows"
flowimport -q "$DATA/vpc/aws/v2-default-format.log" -w "$TMP/b.flows"
flowexport -q -r "$TMP/a.flows" -r "$TMP/b.flows" --json > "$TMP/out.jsonl"
flowquery -q -r "$TMP/a.flows" -r "$TMP/b.flows" -o json > "$TMP/want.jsonl"
cmp "$TMP/out.jsonl" "$TMP/want.jsonl" || fail "flowexport --json differs from flowquery -o json"
flowexport -q -r "$TMP/a.flows" -r "$TMP/b.flows" --json -w "$TMP/file.jsonl"
cmp "$TMP/file.jsonl" "$TMP/want.jsonl" || fail "--json -w differs"
flows=$(flowquery -q -r "$TMP/a.flows" -r "$TMP/b.flows" -o csv:proto | wc -l)
expect_eq "$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)))' "$TMP/out.jsonl")" \
    "$flows" "JSON objects"
expect_eq "$(grep -c '"action":"reject"' "$TMP/out.jsonl")" 2 "rejected AWS flows in the JSON"
expect_status 2 flowexport -q -r "$TMP/a.flows" --json --ipfix 127.0.0.1:9
expect_status 2 flowexport -q -r "$TMP/a.flows" --clickhouse http://127.0.0.1:9 --batch 0
