#!/usr/bin/env bash
# flowdetect: flows per second on one core with every method on, over flowgen's flows of the
# benchmark capture (bench.pcap of 00-data.sh, with L7 metadata: DNS names, SNI), from the
# page cache. Once with the default settings (ot watching 172.16.0.0/16), once with all the lists of ../shared/data
# (IPsum, Suricata iprep, FireHOL, the NoCoin mining domains) and allowed resolvers set.
# Goal (issue 5): at least 2 M flows/s per core with all methods on.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$BENCH_DATA"
if [[ ! -f bench.pcap ]]; then
    echo "skip: no $BENCH_DATA/bench.pcap (run 00-data.sh)"
    exit 0
fi
stamp="$(cat .stamp 2>/dev/null || true) flowgen"
if [[ ! -f detect.flows || $(cat detect.stamp 2>/dev/null || true) != "$stamp" ]]; then
    flowgen -q -r bench.pcap -w detect.flows
    echo "$stamp" > detect.stamp
fi
cat detect.flows >/dev/null
flows=$(flowquery -r detect.flows -I | awk '/^Flows:/ { print $2 }')
one_core=()
command -v taskset >/dev/null && one_core=(taskset -c 0)

# run VAR COMMAND...: best wall seconds of BENCH_REPEAT runs in VAR, that run's CPU seconds
# (user + system; the steadier measure on a shared machine) in VAR_cpu, peak RSS in VAR_rss.
run() {
    local var=$1 best="" cpu="" rss="" i t u s r tf
    shift
    tf=$(mktemp)
    for ((i = 0; i < ${BENCH_REPEAT:-3}; i++)); do
        /usr/bin/time -o "$tf" -f '%e %U %S %M' "$@" >/dev/null 2>/dev/null ||
            { echo "failed: $*"; rm -f "$tf"; exit 1; }
        read -r t u s r < "$tf"
        if [[ -z $best ]] || awk "BEGIN{exit !($t < $best)}"; then
            best=$t rss=$r cpu=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u + s}')
        fi
    done
    rm -f "$tf"
    printf -v "$var" '%s' "$best"
    printf -v "${var}_cpu" '%s' "$cpu"
    printf -v "${var}_rss" '%s' "$rss"
}

echo "flows: $flows (flowgen of bench.pcap), one core"
printf '%-44s %8s %8s %10s %10s %8s\n' "run" "wall s" "cpu s" "Mflows/s" "cpu-based" "RSS MB"
line() {
    printf '%-44s %8s %8s %10s %10s %8s\n' "$1" "$2" "$3" "$(rate "$flows" "$2")" \
        "$(rate "$flows" "$3")" "$(($4 / 1024))"
}
run base "${one_core[@]}" flowquery -T 1 -r detect.flows 'proto 200'
line "flowquery (read and filter one column)" "$base" "$base_cpu" "$base_rss"
# ot needs its segments: flowsynth's OT network.
ot=(-s ot.segments=172.16.0.0/16 -s ot.learn=300)
run all "${one_core[@]}" flowdetect -q -r detect.flows "${ot[@]}"
line "flowdetect, all methods, defaults" "$all" "$all_cpu" "$all_rss"
lists=$FLOWKIT_SRC/../shared/data/lists
if [[ -d $lists ]]; then
    run lists "${one_core[@]}" flowdetect -q -r detect.flows -b "$lists/ipsum/ipsum.txt" \
        -b "$lists/suricata-iprep/scirius-iprep.list" -b "$lists/firehol/feodo.ipset" \
        -d "$lists/mining/nocoin-hosts.txt" -s mining.pool_lists="$lists/mining/nocoin-hosts.txt" \
        -s dns.resolvers=10.0.0.53,10.0.0.54,2001:db8:10::35,2001:db8:10::36 "${ot[@]}"
    line "flowdetect, all methods, 150k list entries" "$lists" "$lists_cpu" "$lists_rss"
fi
for m in scan synflood bruteforce blacklist mining dns volume ot; do
    run one "${one_core[@]}" flowdetect -q -r detect.flows -m "$m" "${ot[@]}"
    line "flowdetect -m $m" "$one" "$one_cpu" "$one_rss"
done
echo "goal: >= 2 Mflows/s per core with all methods on"
