# flowexport --ipfix read back by flowcapture and by nfcapd + nfdump: flows with L7 fields (two
# captures through flowgen) are sent once to nfcapd, which repeats every datagram to
# flowcapture (nfcapd -R). flowcapture must get back every field, the L7 ones (enterprise
# elements) included, and nfdump the same flows, packets and bytes per protocol. Templates are
# re-sent every second while the sending is paced over more than a second.
. "$(dirname "$0")/../tools/lib.sh"
need_data
need_cmd nfcapd
need_cmd nfdump

for p in tls/sites.pcapng mixed/1kxun.pcap; do
    flowgen -q -r "$DATA/pcap/$p" -w "$TMP/$(basename "$p").flows"
done
flowquery -q -r "$TMP/sites.pcapng.flows" -r "$TMP/1kxun.pcap.flows" -w "$TMP/sent.flows"
sent=$(flowquery -q -r "$TMP/sent.flows" -o csv:proto | wc -l)
[ "$sent" -gt 500 ] || fail "too few flows ($sent)"

base=$(free_udp_ports 2)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT
flowcapture -q -b 127.0.0.1 -p $base -w "$TMP/back.flows" & pids+=($!)
mkdir "$TMP/nf"
nfcapd -b 127.0.0.1 -p $((base + 1)) -w "$TMP/nf" -t 3600 -R 127.0.0.1/$base >/dev/null 2>&1 & pids+=($!)
sleep 0.5
flowexport -r "$TMP/sent.flows" --ipfix 127.0.0.1:$((base + 1)) --rate $((sent * 2 / 3)) \
    --template-refresh 1 2> "$TMP/export.txt"
sets=$(sed -n 's/.*(\([0-9]*\) template sets).*/\1/p' "$TMP/export.txt")
[ "${sets:-0}" -ge 3 ] || fail "templates were not re-sent: $(cat "$TMP/export.txt")"
sleep 0.5
kill "${pids[1]}"; wait "${pids[1]}" || true
sleep 0.2
kill "${pids[0]}"; wait "${pids[0]}" || fail "flowcapture exited with an error"
pids=()

# flowcapture: every field but the exporter's address and domain (the sender's).
fields=$(flowquery -r "$TMP/sent.flows" -o csv -c 1 | head -1 | tr , '\n' |
    grep -v -x -e exporter -e domain -e duration | paste -sd,)
flowquery -q -r "$TMP/sent.flows" -o "csv:$fields" | sort > "$TMP/sent.csv"
flowquery -q -r "$TMP/back.flows" -o "csv:$fields" | sort > "$TMP/back.csv"
diff "$TMP/sent.csv" "$TMP/back.csv" > "$TMP/diff" ||
    fail "flowcapture got other flows ($(wc -l < "$TMP/diff") diff lines): $(head -4 "$TMP/diff")"
[ -n "$(flowquery -q -r "$TMP/back.flows" -o csv:sni 'sni *')" ] || fail "no SNI came back"

# nfdump: flows, packets and bytes per protocol.
per_proto() { awk -F, '{f[$1]++; p[$1] += $2; b[$1] += $3} END {for (k in f) print k, f[k], p[k], b[k]}' | sort; }
# (nfdump -N prints protocol numbers.)
ours=$(flowquery -q -r "$TMP/sent.flows" -o csv:proto,packets,bytes |
    awk -F, 'BEGIN {n["tcp"] = 6; n["udp"] = 17; n["icmp"] = 1; n["icmpv6"] = 58}
             {print ($1 in n ? n[$1] : $1) "," $2 "," $3}' | per_proto)
theirs=$(nfdump -R "$TMP/nf" -q -N -o 'fmt:%pr,%pkt,%byt' | tr -d ' ' | per_proto)
expect_eq "$theirs" "$ours" "nfdump's flows, packets and bytes per protocol"
echo "ok: $sent flows back from flowcapture (all fields) and nfdump"
