# flowexport --clickhouse and flowquery --clickhouse against a real clickhouse-server (Debian's
# 18.16 package, a private config bound to 127.0.0.1 in a temporary folder): flows exported
# from files answer a table of filters, statistics and aggregations exactly as the files do.
. "$(dirname "$0")/../tools/lib.sh"
need_data
. "$(dirname "$0")/clickhouse-server.inc"

start_server one
URL="http://127.0.0.1:$PORT_one"
flowexport -r "$TMP/all.flows" --clickhouse "$URL" --batch 1000 2> "$TMP/insert.txt"
expect_eq "$(curl -s "$URL/?query=SELECT+count()+FROM+flows")" "$total" "rows in ClickHouse"
# INSERTs of at most --batch rows, however the file's blocks are cut.
expect_eq "$(sed -nE 's/.* in ([0-9]+) insert\(s\)$/\1/p' "$TMP/insert.txt")" \
    $(((total + 999) / 1000)) "INSERTs of 1000 rows"
# Day partitions and the time column.
days=$(curl -s "$URL/?query=SELECT+uniqExact(toDate(time))+FROM+flows")
expect_eq "$(curl -s "$URL/?query=SELECT+uniqExact(partition)+FROM+system.parts+WHERE+table='flows'+AND+active")" "$days" "one partition per day"

A=$(flowquery -q -r "$TMP/all.flows" -s srcip/flows -n 1 -o csv 'ipv4' | awk -F, 'NR == 1 {print $1}')
filters=(
    "" "proto tcp" "proto udp and dst port 53" "not proto tcp" "ipv4" "ipv6"
    "net 192.168.0.0/16" "src net 10.0.0.0/8 or dst net 172.16.0.0/12" "net 2001::/16"
    "ip $A" "host $A and port 443" "port in [80 443 8080]" "src port < 1024"
    "bytes > 1000" "packets = 1" "bytes >= 1M" "flags S and not flags A" "flags SA"
    "duration > 1000" "duration < 0.5s" "pps > 10" "bps > 100k" "bpp < 60" "icmp type 8"
    "app tls" "app dns or app http" "sni *google*" "sni ~ '^www\.'" "http_host in [www.1kxun.com]"
    "dns_qname *.com" "action reject" "action accept and proto tcp"
    "not flags AF" "proto tcp and not (flags AF or port 53)" "not not flags SA"
    "proto tcp && port 443 || proto udp" "src and dst port > 1024" "src or dst port 53"
    "net ::/0" "not net ::/1" "src net ::/64" "net ::ffff:0:0/96" "dst net ::ffff:10.0.0.0/104"
)
checked=0
for f in "${filters[@]}"; do
    local_out=$(flowquery -q -r "$TMP/all.flows" -o csv "$f" | sort)
    ch_out=$(flowquery -q --clickhouse "$URL" -o csv "$f" | sort)
    [ "$local_out" = "$ch_out" ] || fail "filter '$f': files and ClickHouse differ: $(diff <(echo "$local_out") <(echo "$ch_out") | head -5)"
    checked=$((checked + 1))
done
# Statistics and aggregation, with the summary lines: identical text.
stats=(
    "-s srcip/bytes" "-s dstport" "-s proto/packets/flows" "-s ip -n 5" "-s app/bytes"
    "-A srcip,dstport -O bytes -n 20" "-A proto" "-s sni" "-I" "-s srcip4/24/bytes"
    "-s port/packets" "-A srcip4/16,proto,dstport -n 30" "-s dstip6/48" "-b -O bytes -n 50"
    "-B -o csv"
)
for s in "${stats[@]}"; do
    for f in "" "not ipv4"; do
        # shellcheck disable=SC2086
        local_out=$(flowquery -r "$TMP/all.flows" $s "$f")
        # shellcheck disable=SC2086
        ch_out=$(flowquery --clickhouse "$URL" $s "$f")
        [ "$local_out" = "$ch_out" ] || fail "'$s' '$f': files and ClickHouse differ: $(diff <(echo "$local_out") <(echo "$ch_out") | head -6)"
        checked=$((checked + 1))
    done
done
# Records in time order, with the table footer.
expect_eq "$(flowquery --clickhouse "$URL" -o long 'proto udp' -O tstart | tail -3)" \
    "$(flowquery -r "$TMP/all.flows" -o long 'proto udp' -O tstart | tail -3)" "footer"
# The JSON Lines of flowexport are flowquery's.
expect_eq "$(flowexport -q -r "$TMP/all.flows" --json | md5sum)" \
    "$(flowquery -q -r "$TMP/all.flows" -o json | md5sum)" "flowexport --json"

# A table made before some fields existed gets their columns.
curl -sf "$URL/" --data-binary "CREATE TABLE old (\`start\` UInt64, \`end\` UInt64, \`src\` FixedString(16), \`time\` DateTime) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY (time, start)" ||
    fail "CREATE old"
flowexport -q -r "$TMP/all.flows" --clickhouse "$URL" --table old
expect_eq "$(flowquery --clickhouse "$URL" --clickhouse-table old -s app/bytes 'proto tcp')" \
    "$(flowquery -r "$TMP/all.flows" -s app/bytes 'proto tcp')" "a table of an older schema"

# Errors name the server and what it said.
expect_status 1 flowquery -q --clickhouse "$URL" --clickhouse-table nosuch -o csv
expect_status 2 flowexport -q -r "$TMP/all.flows" --clickhouse "ftp://x"

echo "ok: $total flows, $checked comparisons"
