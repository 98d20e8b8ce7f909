#!/usr/bin/env bash
# Issue 8: records/s that flowimport reads from each log format (the ../shared/data samples
# repeated to BENCH_IMPORT_LINES records, default 300,000), and flows/s that flowexport inserts
# into a private clickhouse-server over HTTP (RowBinary, batches of 500,000).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
data=$FLOWKIT_SRC/../shared/data
[[ -d $data/vpc ]] || { echo "skip: no $data/vpc"; exit 0; }
n=${BENCH_IMPORT_LINES:-300000}
dir=$BENCH_DATA/import
mkdir -p "$dir"
cd "$dir"

# repeat FILE-OF-RECORDS COUNT: the lines, cycled to COUNT lines.
repeat() { awk -v n="$2" '{l[NR] = $0} END {for (i = 0; i < n; i++) print l[i % NR + 1]}' "$1"; }
if [[ ! -f aws.log || $(($(wc -l < aws.log) - 1)) != "$n" ]]; then
    { head -1 "$data/vpc/aws/v2-default-format.log"
      repeat <(grep -v -e NODATA -e SKIPDATA "$data/vpc/aws/v2-default-format.log" | tail -n +2) "$n"
    } > aws.log
    gzip -kf aws.log
    repeat "$data/vpc/gcp/vpc-flows-google-service.ndjson" "$n" > gcp.ndjson
    repeat <(grep '"event_type":"flow"' "$data/suricata/eve/mixed/1kxun.pcap.eve.json") "$n" > eve.json
    # Azure NSG v2: one blob of records, each with the sample's 7 tuples of the first record.
    python3 - "$data/vpc/azure/nsg-flow-log-v2.json" "$n" > azure.json <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rec = doc["records"][0]
per = sum(len(m["flowTuples"]) for r in rec["properties"]["flows"] for m in r["flows"])
json.dump({"records": [rec] * (int(sys.argv[2]) // per)}, sys.stdout)
PY
fi

echo "--- flowimport, records/s (millions), $n records per format"
printf '%-28s %10s %10s %9s\n' "format" "records" "flows" "Mrec/s"
for f in aws.log aws.log.gz azure.json gcp.ndjson eve.json; do
    summary=$(flowimport "$f" -w "$f.flows" 2>&1 >/dev/null)
    records=$(sed -n 's/.*, \([0-9]*\) records, \([0-9]*\) flows.*/\1/p' <<< "$summary")
    flows=$(sed -n 's/.*, \([0-9]*\) records, \([0-9]*\) flows.*/\2/p' <<< "$summary")
    timed ti flowimport -q "$f" -w "$f.flows"
    printf '%-28s %10s %10s %9s\n' "$f" "$records" "$flows" "$(rate "$records" "$ti")"
done

if [[ ! -x /usr/sbin/clickhouse-server ]]; then
    echo "skip ClickHouse: clickhouse-server is not installed"
    exit 0
fi
flowquery -q -r aws.log.flows -r eve.json.flows -r aws.log.gz.flows -w export.flows
rows=$(flowquery -q -r export.flows -o csv:proto | wc -l)
d=$(mktemp -d "${TMPDIR:-/tmp}/flowkit-bench-ch.XXXXXX")
mkdir -p "$d/data" "$d/tmp" "$d/log"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/log/server.log</log><errorlog>$d/log/server.err.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host><http_port>$port</http_port>
  <path>$d/data/</path><tmp_path>$d/tmp/</tmp_path><timezone>UTC</timezone>
  <default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
XML
( cd "$d" && exec /usr/sbin/clickhouse-server --config-file="$d/config.xml" ) >"$d/log/stdout.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$d"' EXIT
until curl -s "http://127.0.0.1:$port/ping" >/dev/null 2>&1; do sleep 0.05; done
echo "--- flowexport --clickhouse, $rows flows, flows/s (millions)"
timed ti flowexport -q -r export.flows --clickhouse "http://127.0.0.1:$port"
printf '%-28s %10s %9s\n' "RowBinary over HTTP" "$rows" "$(rate "$rows" "$ti")"
table=$(curl -s "http://127.0.0.1:$port/?query=SELECT+count()+FROM+flows")
timed ti flowquery -q --clickhouse "http://127.0.0.1:$port" -s srcip/bytes 'proto tcp'
echo "flowquery --clickhouse -s srcip/bytes 'proto tcp' over $table rows: ${ti} s"
