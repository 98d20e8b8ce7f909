# flowexport and flowquery --clickhouse through a Distributed table over two local
# clickhouse-server processes (one shard each): the rows spread over both shards, and
# statistics through the Distributed table equal those of the files.
. "$(dirname "$0")/../tools/lib.sh"
need_data
. "$(dirname "$0")/clickhouse-server.inc"
checked=0

# Two shards behind a Distributed table.
cluster() {
    echo "<remote_servers><flows2>"
    echo "<shard><replica><host>127.0.0.1</host><port>$1</port></replica></shard>"
    echo "<shard><replica><host>127.0.0.1</host><port>$2</port></replica></shard>"
    echo "</flows2></remote_servers>"
}
T1=$(free_port); T2=$(free_port)
start_server s1 "$T1" "$(cluster "$T1" "$T2")"
start_server s2 "$T2" "$(cluster "$T1" "$T2")"
flowquery -q -r "$TMP/all.flows" 'proto 255 and proto 254' -w "$TMP/none.flows"
for s in s1 s2; do
    eval "p=\$PORT_$s"
    # flowexport creates the local table (no flows), then the Distributed one over it.
    flowexport -q -r "$TMP/none.flows" --clickhouse "http://127.0.0.1:$p" --table flows_local
    curl -sf "http://127.0.0.1:$p/" --data-binary \
        "CREATE TABLE flows AS flows_local ENGINE = Distributed(flows2, default, flows_local, rand())" ||
        fail "CREATE Distributed on $s"
done
DURL="http://127.0.0.1:$PORT_s1/?insert_distributed_sync=1"
flowexport -q -r "$TMP/all.flows" --clickhouse "$DURL"
n1=$(curl -s "http://127.0.0.1:$PORT_s1/?query=SELECT+count()+FROM+flows_local")
n2=$(curl -s "http://127.0.0.1:$PORT_s2/?query=SELECT+count()+FROM+flows_local")
expect_eq "$((n1 + n2))" "$total" "rows over both shards"
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || fail "a shard got no rows ($n1, $n2)"
for s in "-s srcip/bytes" "-A proto" "-s dstport" "-s ip -n 5" "-s srcip4/24" "-I"; do
    # shellcheck disable=SC2086
    expect_eq "$(flowquery --clickhouse "http://127.0.0.1:$PORT_s2" $s 'ipv4')" \
        "$(flowquery -r "$TMP/all.flows" $s 'ipv4')" "Distributed '$s'"
    checked=$((checked + 1))
done
for f in "proto udp" "sni *google*" "bytes > 10k and not port 443"; do
    expect_eq "$(flowquery -q --clickhouse "http://127.0.0.1:$PORT_s1" -o csv "$f" | sort)" \
        "$(flowquery -q -r "$TMP/all.flows" -o csv "$f" | sort)" "Distributed records '$f'"
    checked=$((checked + 1))
done
echo "ok: $total flows over two shards, $checked comparisons"
