#!/usr/bin/env bash
# flowsynth: packets crafted per second, pcap written to /dev/null, then with the truth
# sidecar too; wall clock and CPU seconds of the best of BENCH_REPEAT runs, one core.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
n=${BENCH_PACKETS:-10000000}
truth="$BENCH_DATA/flowsynth-bench.tsv"
# measure VAR COMMAND...: VAR="wall user maxrss" of the fastest run.
measure() {
    local __var=$1 best="" i out
    shift
    for ((i = 0; i < ${BENCH_REPEAT:-3}; i++)); do
        /usr/bin/time -o "$BENCH_DATA/.flowsynth-time" -f '%e %U %M' "$@" > /dev/null
        out=$(tail -1 "$BENCH_DATA/.flowsynth-time")
        if [[ -z $best ]] || awk "BEGIN{exit !(${out%% *} < ${best%% *})}"; then best=$out; fi
    done
    rm -f "$BENCH_DATA/.flowsynth-time"
    printf -v "$__var" '%s' "$best"
}
measure plain flowsynth -n "$n" -w /dev/null
measure with_truth flowsynth -n "$n" -w /dev/null --truth "$truth"
flows=$(($(grep -vc '^#' "$truth") - 1))
rm -f "$truth"
read -r wall user rss <<< "$plain"
printf '%-34s %6s Mpps wall, %6s Mpps per CPU second (%s s, %s s CPU, %s KiB)\n' \
    "flowsynth -n $n" "$(rate "$n" "$wall")" "$(rate "$n" "$user")" "$wall" "$user" "$rss"
read -r wall user rss <<< "$with_truth"
printf '%-34s %6s Mpps wall, %6s Mpps per CPU second; %s flows in the truth\n' \
    "flowsynth -n $n --truth" "$(rate "$n" "$wall")" "$(rate "$n" "$user")" "$flows"
