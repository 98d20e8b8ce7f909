# Issue 2: bytes per flow on disk, and the speed of a scan that evaluates every record, flowkit
# against nfdump on the same flows, same cores, same run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$BENCH_DATA"
flows=$(($(wc -l < bench.csv) - 1))
copies=${BENCH_COPIES:-8}

echo "--- bytes per flow ($flows flows)"
bpf() { awk -v b="$1" -v n="$flows" 'BEGIN{printf "%.2f", b / n}'; }
size() { stat -c %s "$1"; }
none=$(du -cb nfcapd/* | tail -1 | cut -f1)
printf '%-40s %8s\n' "nfdump, uncompressed (nfpcapd default)" "$(bpf "$none")"
printf '%-40s %8s\n' "nfdump -y (LZ4)" "$(bpf "$(size nfdump-lz4.nfd)")"
printf '%-40s %8s\n' "nfdump -z (LZO)" "$(bpf "$(size nfdump-lzo.nfd)")"
printf '%-40s %8s\n' "nfdump -j (BZ2)" "$(bpf "$(size nfdump-bz2.nfd)")"
printf '%-40s %8s\n' "flowkit, ms times (same info as nfdump)" "$(bpf "$(size bench.flows)")"
printf '%-40s %8s\n' "flowkit, from plain nfdump -o csv" "$(bpf "$(size bench-s.flows)")"
best=$(size nfdump-lz4.nfd)
echo "ratio nfdump LZ4 / flowkit: $(ratio "$best" "$(size bench.flows)") (target >= 2)"

# Scans over `copies` copies of the data, so that runs last long enough to time.
rm -rf scan-nf scan-fk && mkdir scan-nf scan-fk
for ((i = 0; i < copies; i++)); do
    cp nfdump-lz4.nfd "scan-nf/nfcapd.2023010100$(printf %02d "$i")"
    cp bench.flows "scan-fk/part$i.flows"
done
cat scan-nf/* scan-fk/* > /dev/null
total=$((flows * copies))
echo "--- scan, $total flows from page cache (flows/s in millions; cores as given)"
printf '%-34s %5s %9s %9s %7s\n' "filter" "cores" "nfdump" "flowkit" "ratio"
for filter in 'proto 99' 'dst port 443 and bytes > 1000' 'src net 10.99.0.0/16' 'bytes > 1G'; do
    for cores in 2 1; do
        pin=(taskset -c 0)
        [[ $cores == 2 ]] && pin=(taskset -c 0,1)
        timed tn "${pin[@]}" nfdump -R scan-nf "$filter"
        timed tf "${pin[@]}" flowquery -T "$cores" -R scan-fk "$filter"
        printf '%-34s %5s %9s %9s %7s\n' "$filter" "$cores" "$(rate "$total" "$tn")" \
            "$(rate "$total" "$tf")" "$(ratio "$tn" "$tf")"
    done
done
echo "--- statistics and aggregation, $total flows (flows/s in millions, 2 cores)"
for args in "-s srcip/bytes -n 10" "-s dstport/flows -n 10" "-A srcip,dstip -O bytes -n 20"; do
    # shellcheck disable=SC2086
    timed tn nfdump -R scan-nf $args
    # shellcheck disable=SC2086
    timed tf flowquery -R scan-fk $args
    printf '%-34s %5s %9s %9s %7s\n' "$args" 2 "$(rate "$total" "$tn")" "$(rate "$total" "$tf")" \
        "$(ratio "$tn" "$tf")"
done
echo "--- full decode: every flow as CSV to /dev/null (one copy, $flows flows)"
BENCH_REPEAT=1 timed tn nfdump -r nfdump-lz4.nfd -o csv
BENCH_REPEAT=1 timed tf flowquery -r bench.flows -o csv
printf '%-34s %5s %9s %9s %7s\n' "-o csv" 2 "$(rate "$flows" "$tn")" "$(rate "$flows" "$tf")" \
    "$(ratio "$tn" "$tf")"
rm -rf scan-nf scan-fk
