# The same flows in nfdump and in flowkit (every capture of ../shared/data/pcap through
# nfpcapd into nfdump files; those files through nfdump's CSV into flowimport) answer a table
# of filters with the same counts, packets and bytes, and a table of statistics and
# aggregations with the same groups and values, the Top-N in the same order.
. "$(dirname "$0")/../tools/lib.sh"
need_data
need_cmd nfdump
need_cmd nfpcapd

mkdir "$TMP/nf"
# Left out: misc/6in4tunnel.pcap. For its tunnel records nfdump's CSV prints the outer header
# (proto IPIP, zero counters) while nfdump's filter sees the inner flow, so the CSV cannot
# carry those records to flowimport faithfully.
find "$DATA/pcap" \( -name '*.pcap' -o -name '*.pcapng' \) ! -name 6in4tunnel.pcap | sort |
while read -r p; do
    nfpcapd -r "$p" -w "$TMP/nf" -e 300,60 >/dev/null 2>&1 || true
done
# nfdump's CSV, with nfdump's millisecond start time in place of the whole-second `ts`.
nfdump -R "$TMP/nf" -o csv -c 1 | head -1 > "$TMP/all.csv"
paste -d, <(nfdump -R "$TMP/nf" -q -N -o 'fmt:%ts') <(nfdump -R "$TMP/nf" -q -o csv) |
    awk -F, 'BEGIN{OFS=","} {$2=""; print}' | sed 's/^\([^,]*\),,/\1,/' >> "$TMP/all.csv"
flowimport -q "$TMP/all.csv" -w "$TMP/all.flows"
total=$(nfdump -R "$TMP/nf" -q -N -o 'fmt:%pr' | wc -l)
expect_eq "$(flowquery -r "$TMP/all.flows" -q -o csv:proto | wc -l)" "$total" "flows imported"
[ "$total" -gt 10000 ] || fail "too few flows ($total) for a meaningful comparison"

# Addresses that occur in the data, for host filters.
read -r A B < <(nfdump -R "$TMP/nf" -q -N -s srcip/flows -n 2 -o csv 'ipv4' |
    awk -F, 'NR > 1 && $5 ~ /\./ {printf "%s ", $5} END {print ""}')
V6=$(nfdump -R "$TMP/nf" -q -N -s srcip/flows -n 1 -o csv 'ipv6' | awk -F, 'NR == 2 {print $5}')

# flowkit filter | nfdump filter (empty: the same text). Durations: flowkit seconds, nfdump ms.
filters=(
    "any|"
    "proto tcp|" "proto udp|" "proto icmp|" "proto 58|" "proto 47|" "not proto tcp|"
    "ipv4|" "ipv6|"
    "port 443|" "port 53|" "src port 443|" "dst port 80|" "dst port in [80 443 8080]|"
    "port > 1024|" "src port < 1024|" "dst port >= 49152|" "port in [22 3389 5900]|"
    "net 192.168.0.0/16|" "src net 10.0.0.0/8|" "dst net 172.16.0.0/12|"
    "dst net 224.0.0.0/4|" "net 2001::/16|" "src net 192.168.1.0 255.255.255.0|"
    "ip $A|" "src ip $A|" "dst ip $A|" "host $B|" "ip in [$A $B]|" "ip $V6|"
    "bytes > 1000|" "bytes < 100|" "bytes > 10k|" "bytes >= 1M|" "packets = 1|"
    "packets > 10|" "packets >= 100|" "in packets > 10|" "in bytes > 1000|"
    "flags S|" "flags SA|" "flags R|" "flags F and flags A|" "flags S and not flags A|"
    "proto tcp and dst port 443 and bytes > 1000|"
    "(proto udp and port 53) or (proto tcp and port 853)|"
    "not (port 80 or port 443)|" "src port 53 or dst port 53|" "! proto udp|"
    "duration > 1000|" "duration < 100|" "duration >= 60s|duration >= 60000"
    "pps > 10|" "bpp > 500|" "bpp < 60|"
    "icmp type 8|icmp-type 8" "icmp type 3 and icmp code 3|icmp-type 3 and icmp-code 3"
    "tos > 0|" "proto tcp and packets > 5 and bytes < 10k|"
    # nfdump: a flags test under an odd number of nots is "none of the listed flags".
    "proto tcp and not flags AF|" "flags S and not flags AFRPU|" "not not flags AF|"
    "not (flags AF and proto tcp)|" "not (flags AF or port 53)|" "not (proto udp or not flags SA)|"
    "src and dst port > 1024|" "src or dst port 53|" "dst or src ip $A|"
    "src and dst net 192.168.0.0/16|" "src and dst net 10.0.0.0 255.0.0.0|"
    "src and dst port in [53 123 5353]|" "src && dst port < 1024|"
    # nfdump keeps IPv4 as ::a.b.c.d, so its own IPv6 prefixes holding ::/96 select IPv4 too;
    # flowkit's select IPv6 only, and ::ffff:0:0/96 is every IPv4 address.
    "net ::/0|ipv6" "not net ::/0|not ipv6" "net ::/1|net ::/1 and ipv6"
    "src net ::/64|src net ::/64 and ipv6" "net ::ffff:0:0/96|ipv4"
)
fk_sum() { flowquery -r "$TMP/all.flows" -q -o csv:packets,bytes "$1" |
    awk -F, '{n++; p += $1; b += $2} END {printf "%d %d %d", n, p, b}'; }
nf_sum() { nfdump -R "$TMP/nf" -q -N -o 'fmt:%pkt %byt' "$1" |
    awk '/^ *[0-9]/ {n++; p += $1; b += $2} END {printf "%d %d %d", n, p, b}'; }
checked=0
for row in "${filters[@]}"; do
    fk=${row%%|*}
    nf=${row#*|}
    [ -z "$nf" ] && nf=$fk
    expect_eq "$(fk_sum "$fk")" "$(nf_sum "$nf")" "filter '$fk' (flows packets bytes)"
    checked=$((checked + 1))
done
# Filters that hold '|', given to both as written.
same=("proto tcp && port 443 || proto udp" "port 53 || port 853 && ! proto udp"
    "src || dst port 53 && ! proto udp")
for f in "${same[@]}"; do
    expect_eq "$(fk_sum "$f")" "$(nf_sum "$f")" "filter '$f' (flows packets bytes)"
    checked=$((checked + 1))
done

# Statistics: every group's flows, packets and bytes (all groups), and the Top-10 values in
# order (ties may list different keys, so the order check is on values).
stats=(
    "srcip/flows" "srcip/bytes" "dstip/packets" "ip/flows" "srcport/flows" "dstport/bytes"
    "port/flows" "proto/packets" "dstport/packets" "srcip/packets"
)
# nfdump's statistics print an IPv6 address whose upper 96 bits are zero as IPv4 (:: merges
# into 0.0.0.0, ::1 becomes 0.0.0.1); flowkit keeps them apart. Both sides leave those out.
SF='not (ip 0.0.0.0 or ip :: or ip 0.0.0.1 or ip ::1)'
col_of() { case $1 in flows) echo 2 ;; packets) echo 3 ;; bytes) echo 4 ;; esac; }
for s in "${stats[@]}"; do
    order=${s#*/}
    nfdump -R "$TMP/nf" -q -N -s "$s" -n 0 -o csv "$SF" | awk -F, 'NR > 1 && NF > 10 {print tolower($5) "," $6 "," $8 "," $10}' |
        sort > "$TMP/nf.stat"
    # nfdump -N prints protocols as numbers
    flowquery -r "$TMP/all.flows" -q -o csv -s "$s" -n 0 "$SF" | cut -d, -f1-4 |
        sed 's/^icmp,/1,/; s/^igmp,/2,/; s/^tcp,/6,/; s/^udp,/17,/; s/^frag6,/44,/; s/^gre,/47,/; s/^icmp6,/58,/' |
        sort > "$TMP/fk.stat"
    cmp -s "$TMP/nf.stat" "$TMP/fk.stat" ||
        fail "-s $s: groups differ: $(diff "$TMP/nf.stat" "$TMP/fk.stat" | head -5)"
    c=$(col_of "$order")
    nf_top=$(nfdump -R "$TMP/nf" -q -N -s "$s" -n 10 -o csv "$SF" | awk -F, -v c="$c" 'NR > 1 && NF > 10 {print (c == 2 ? $6 : c == 3 ? $8 : $10)}')
    fk_top=$(flowquery -r "$TMP/all.flows" -q -o csv -s "$s" -n 10 "$SF" | cut -d, -f"$c")
    expect_eq "$fk_top" "$nf_top" "-s $s: Top-10 values in order"
    checked=$((checked + 1))
done

# Aggregation (-A): groups with their flows, packets, bytes. nfdump's fmt output shortens
# IPv6 addresses, so address keys are compared on IPv4 flows.
# nfdump -A prints the port of every ICMP group as 0.0 (the groups are distinct, their printed
# keys are not), so port aggregations leave ICMP out.
NI='not proto icmp and not proto icmp6'
aggs=("proto,dstport|$SF and $NI" "srcip,dstip|ipv4 and $SF" "srcip4/24|ipv4 and $SF"
    "proto,srcport,dstport|$SF and $NI" "dstip,dstport|ipv4 and $SF and $NI" "proto|$SF")
for row in "${aggs[@]}"; do
    keys=${row%%|*}
    filter=${row#*|}
    fmt=$(sed 's/proto/%pr/; s/srcip4\/24/%sa/; s/srcip/%sa/; s/dstip/%da/; s/srcport/%sp/; s/dstport/%dp/' <<<"$keys" | tr , ' ')
    # nfdump prints ICMP ports as type.code; flowkit as type*256+code, like NetFlow.
    nfdump -R "$TMP/nf" -q -N -A "$keys" -o "fmt:$fmt %fl %pkt %byt" "$filter" |
        awk '{for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+$/) {split($i, t, "."); $i = t[1] * 256 + t[2]}
              $1 = $1; print tolower($0)}' | sort > "$TMP/nf.agg"
    flowquery -r "$TMP/all.flows" -q -o csv -A "$keys" "$filter" | cut -d, -f1-$(($(tr -cd , <<<"$keys" | wc -c) + 4)) |
        sed 's#/24,#,#; s/^icmp,/1,/; s/^igmp,/2,/; s/^tcp,/6,/; s/^udp,/17,/; s/^frag6,/44,/; s/^gre,/47,/; s/^icmp6,/58,/' |
        tr , ' ' | sort > "$TMP/fk.agg"
    cmp -s "$TMP/nf.agg" "$TMP/fk.agg" ||
        fail "-A $keys: groups differ: $(diff "$TMP/nf.agg" "$TMP/fk.agg" | head -5)"
    checked=$((checked + 1))
done
# Conversations (-b, -B): TCP and UDP flows paired with their reverse, each side's packets and
# bytes. nfdump -b shows the sender of the flow it read first, flowkit the sender of the flow
# that started first, so -b rows are compared with their endpoints in order. -B shows the
# client where the ports' ranges tell it (those rows are compared as printed) and is -b
# otherwise.
in_order() {
    awk -v guess="$1" '
        function to_client(a, b) { return (a < 1024 && b >= 1024) || (a < 32768 && b >= 32768) || (a < 49152 && b >= 49152) }
        { told = guess && ($1 == 6 || $1 == 17) && (to_client($3, $5) || to_client($5, $3))
          if (!told && ($2 > $4 || ($2 == $4 && $3 + 0 > $5 + 0))) {
              t = $2; $2 = $4; $4 = t; t = $3; $3 = $5; $5 = t
              t = $6; $6 = $8; $8 = t; t = $7; $7 = $9; $9 = t }
          $1 = $1; print }' | sort
}
for opt in -b -B; do
    f="ipv4 and $SF and $NI"
    nfdump -R "$TMP/nf" -q -N "$opt" -o 'fmt:%pr %sa %sp %da %dp %ipkt %ibyt %opkt %obyt %fl' "$f" |
        in_order "$([ "$opt" = -B ] && echo 1)" > "$TMP/nf.conv"
    flowquery -r "$TMP/all.flows" -q -o csv "$opt" "$f" | cut -d, -f1-5,9-12,6 | tr , ' ' |
        awk '{f = $6; $6 = $7; $7 = $8; $8 = $9; $9 = $10; $10 = f; print}' |
        sed 's/^icmp /1 /; s/^igmp /2 /; s/^tcp /6 /; s/^udp /17 /; s/^gre /47 /' |
        in_order "$([ "$opt" = -B ] && echo 1)" > "$TMP/fk.conv"
    [ "$(wc -l < "$TMP/nf.conv")" -gt 1000 ] || fail "$opt: too few conversations to compare"
    cmp -s "$TMP/nf.conv" "$TMP/fk.conv" ||
        fail "$opt: conversations differ: $(diff "$TMP/nf.conv" "$TMP/fk.conv" | head -5)"
    checked=$((checked + 1))
done
echo "ok: $total flows, $((${#filters[@]} + ${#same[@]})) filters, ${#stats[@]} statistics, ${#aggs[@]} aggregations, -b and -B agree with nfdump"
