# softflowd -r exports a capture (v5, v9, IPFIX) to nfcapd on 127.0.0.1, which repeats every
# datagram to flowcapture (nfcapd -R), so both get the same datagrams of one softflowd run:
# both stores must hold the same flows and counters. nfdump reads nfcapd's store;
# ours is read by flowcapture --stats (flow count) and, for every field nfdump can print,
# by re-exporting it with flowexport into a second nfcapd.
. "$(dirname "$0")/../tools/lib.sh"
need_data
need_cmd softflowd
need_cmd nfcapd
need_cmd nfdump

pcap=$DATA/pcap/mixed/1kxun.pcap
[ -f "$pcap" ] || skip "$pcap is missing"
base=$(free_udp_ports 33)
fmt='fmt:%ts %te %pr %sa %sp %da %dp %pkt %byt %flg %tos'

pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap 'stop_all; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

for v in 5 9 10; do
    ours=$TMP/ours$v nf=$TMP/nf$v back=$TMP/back$v
    mkdir -p "$nf" "$back"
    p1=$((base + v * 3)) p2=$((base + v * 3 + 1)) p3=$((base + v * 3 + 2))
    flowcapture -q -b 127.0.0.1 -p $p1 -l "$ours" & pids+=($!)
    nfcapd -b 127.0.0.1 -p $p2 -w "$nf" -t 3600 -R 127.0.0.1/$p1 >/dev/null 2>&1 & pids+=($!)
    nfcapd -b 127.0.0.1 -p $p3 -w "$back" -t 3600 >/dev/null 2>&1 & pids+=($!)
    sleep 0.5
    # softflowd hangs when its control socket path is 13 characters or longer.
    ctl=/tmp/fk$v$((RANDOM % 100))
    timeout 60 softflowd -d -r "$pcap" -n 127.0.0.1:$p2 -v $v -6 -c "$ctl" >/dev/null 2>&1 ||
        fail "softflowd -v $v failed"
    rm -f "$ctl"
    sleep 0.5
    kill "${pids[1]}"
    wait "${pids[1]}" || true
    sleep 0.2
    kill "${pids[0]}"
    wait "${pids[0]}" || fail "flowcapture exited with an error"
    pids=("${pids[2]}")

    nf_flows=$(nfdump -R "$nf" -q -o "$fmt" | wc -l)
    [ "$nf_flows" -gt 100 ] || fail "v$v: nfcapd stored only $nf_flows flows"
    our_flows=$(flowcapture --stats "$ours" | awk '$1 == "127.0.0.1" { n += $5 } END { print n + 0 }')
    expect_eq "$our_flows" "$nf_flows" "v$v: flows in flowcapture's store vs nfcapd's"

    version=--ipfix
    [ $v = 10 ] || version=--v9
    flowexport -q -R "$ours" $version 127.0.0.1:$p3
    sleep 0.5
    kill "${pids[0]}"; wait "${pids[0]}" || true
    pids=()
    # Times at second resolution: nfdump rounds v5 export nanoseconds its own way, and its
    # end milliseconds are off (notes/peer-figures.md). softflowd -r stamps flows after its
    # own sysUptime, which only the uptime-wrap rule makes sense of: nfdump applies that rule
    # to v5 but not to v9, so for v9 the durations are compared instead of the times.
    # nfdump 1.7.1 also reads IPFIX flowStartSysUpTime / flowEndSysUpTime the wrong way round
    # (its end comes before its start): times are compared as an ordered pair.
    f=$fmt
    [ $v = 9 ] && f="fmt:%td ${fmt#fmt:%ts %te }"
    norm() {
        sed -E 's/(:[0-9]{2})\.[0-9]{3}/\1/g' |
            awk -v v=$v '{ $1 = $1 } v != 9 && $1" "$2 > $3" "$4 { t1 = $1; t2 = $2; $1 = $3; $2 = $4; $3 = t1; $4 = t2 } 1' |
            sort
    }
    nfdump -R "$nf" -q -N -o "$f" | norm > "$TMP/nf$v.txt"
    nfdump -R "$back" -q -N -o "$f" | norm > "$TMP/back$v.txt"
    diff "$TMP/nf$v.txt" "$TMP/back$v.txt" > "$TMP/diff$v" ||
        fail "v$v: stores differ ($(wc -l < "$TMP/diff$v") diff lines): $(head -4 "$TMP/diff$v")"
    echo "v$v: $nf_flows flows identical in both stores"
done
