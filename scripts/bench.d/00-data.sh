# Builds the benchmark data set once (reused by every piece, rebuilt when BENCH_PACKETS
# changes): a flowsynth capture, nfpcapd's flows of it as nfdump files (uncompressed, LZ4,
# LZO, BZ2), the same flows as nfdump CSV, and that CSV imported into flowkit files.
# BENCH_PCAP=FILE uses an existing capture instead of flowsynth's (your own traffic, or
# ../shared/data/make-bench-pcap.sh's). The flowkit files are written anew on every run, so
# that they always come from the flowimport being measured.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$BENCH_DATA"
packets=${BENCH_PACKETS:-10000000}
stamp="packets=$packets seed=1 pcap=${BENCH_PCAP:-flowsynth}"
import_flows() {
    flowimport -q bench.csv -w bench-s.flows
    flowimport -q bench-ms.csv -w bench.flows
}
if [[ -f .stamp && $(cat .stamp) == "$stamp" ]]; then
    echo "data set in $BENCH_DATA is current ($stamp)"
    import_flows
    exit 0
fi
rm -rf nfcapd ./*.nfd ./*.csv ./*.flows .stamp
echo "building the data set in $BENCH_DATA ($stamp)"
if [[ -n ${BENCH_PCAP:-} ]]; then
    ln -sfn "$BENCH_PCAP" bench.pcap
else
    BENCH_REPEAT=1 timed t flowsynth --packets "$packets" --seed 1 -w bench.pcap
    echo "flowsynth: $packets packets in ${t}s ($(rate "$packets" "$t") Mpps), $(du -h bench.pcap | cut -f1)"
fi
mkdir nfcapd
nfpcapd -r bench.pcap -w nfcapd -e 300,60 >/dev/null 2>&1
nfdump -R nfcapd -y -w nfdump-lz4.nfd
nfdump -R nfcapd -z -w nfdump-lzo.nfd
nfdump -R nfcapd -j -w nfdump-bz2.nfd
# nfdump -o csv prints whole seconds in `ts`; nfdump's files keep milliseconds. To compare the
# same information, bench-ms.csv replaces ts with nfdump's own millisecond time (fmt:%ts).
nfdump -r nfdump-lz4.nfd -o csv -c 1 | head -1 > bench.csv
nfdump -r nfdump-lz4.nfd -q -o csv >> bench.csv
nfdump -r nfdump-lz4.nfd -q -N -o 'fmt:%ts' > ts.txt
{
    head -1 bench.csv
    paste -d, ts.txt <(tail -n +2 bench.csv) | awk -F, 'BEGIN{OFS=","} {$2=""; print}' |
        sed 's/^\([^,]*\),,/\1,/'
} > bench-ms.csv
rm ts.txt
import_flows
echo "$stamp" > .stamp
echo "flows: $(($(wc -l < bench.csv) - 1))"
