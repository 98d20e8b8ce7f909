# Issue 7: flowsample's speed per mode (flows/s, reading and writing flowkit files), flowquery
# copying every flow for reference, and the time and table of a full --evaluate (4 modes x 6
# rates).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$BENCH_DATA"
flows=$(flowquery -r bench.flows -I | awk -F': ' '/^Flows:/ {print $2}')
echo "--- flowsample, $flows flows (flows/s in millions, 2 cores)"
printf '%-36s %9s %9s\n' "command" "Mflows/s" "out MB"
timed el flowquery -T 2 -r bench.flows -w fs-copy.flows any
printf '%-36s %9s %9s\n' "flowquery -w (copies every flow)" "$(rate "$flows" "$el")" \
    "$(awk -v b="$(stat -c %s fs-copy.flows)" 'BEGIN{printf "%.1f", b / 1e6}')"
for mode in flow packet smart hash; do
    for n in 10 1000; do
        timed el flowsample -T 2 -r bench.flows --mode $mode --rate $n -w fs-$mode.flows
        printf '%-36s %9s %9s\n' "flowsample --mode $mode --rate $n" "$(rate "$flows" "$el")" \
            "$(awk -v b="$(stat -c %s fs-$mode.flows)" 'BEGIN{printf "%.1f", b / 1e6}')"
    done
done
BENCH_REPEAT=1 timed el flowsample -r bench.flows --evaluate
echo "flowsample --evaluate (24 configurations): ${el}s, peak RSS $((el_rss / 1024)) MB"
flowsample -r bench.flows --evaluate
rm -f fs-*.flows
