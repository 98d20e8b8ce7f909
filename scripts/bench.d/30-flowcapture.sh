#!/usr/bin/env bash
# flowcapture against nfcapd: the same sender (flowexport, about 30 records a datagram) on
# loopback, NetFlow v9 and IPFIX, rates stepped up until loss, each collector alone on the
# machine in turn. Per step: flows lost and the collector's CPU seconds per million flows.
# flowcapture rotates its file every 2 s during the run, so a loss-free step also shows that
# rotation loses nothing. Goal (issue 9): at least 2x nfcapd's flows per CPU-second for both
# protocols, and a loss-free v9 rate at least 2x nfcapd's.
# The sender builds its export messages once and re-sends them (flowexport --repeat): on one
# core it reaches every step here (about 13M flows/s v9 into a socket nobody reads). It sends
# a router's fields (flowexport --fields, BENCH_FIELDS) with a router's millisecond times
# (--millis), about 29 records a datagram for v9 and 29 for IPFIX, as the issue's "about 30";
# flowgen's full records (21 and 14 a datagram, with L7 enterprise elements and microseconds
# that nfcapd skips but flowcapture stores) are measured after, at two steps.
# nfcapd runs with its defaults (files not compressed); flowcapture compresses its files (zstd)
# and fsyncs each: the CPU comparison prints the bytes a flow each store took.
# BENCH_RATES (flows/s, default "250000 500000 1000000 1500000 2000000 2500000 3000000 4000000
# 5000000 6000000 7000000") and BENCH_SECONDS (per step, default 4) change the steps.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v nfcapd >/dev/null || { echo "skip: nfcapd is not installed"; exit 0; }
data=$FLOWKIT_SRC/../shared/data/pcap
[[ -d $data ]] || { echo "skip: no $data"; exit 0; }
rates=${BENCH_RATES:-250000 500000 1000000 1500000 2000000 2500000 3000000 4000000 5000000 6000000 7000000}
seconds=${BENCH_SECONDS:-4}
fields=${BENCH_FIELDS-flags,tos,vlan,in_if,out_if,next_hop,src_as,dst_as,src_mask,dst_mask}
work=$(mktemp -d "${TMPDIR:-/tmp}/fcbench.XXXXXX")
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT

# The flows sent: every shared capture through flowgen (no L7 strings, so that records keep
# a fixed size), repeated as often as a step needs.
find "$data" -name '*.pcap' | sort > "$work/pcaps"
flowgen -q --no-l7 $(sed 's/^/-r /' "$work/pcaps") -w "$work/base.flows" 2>/dev/null ||
    flowgen -q --no-l7 $(sed 's/^/-r /' "$work/pcaps" | head -40) -w "$work/base.flows"
# sender_options PROTO FIELDS: a router's record when FIELDS is not empty, flowgen's otherwise.
sender_options() { [[ -z $2 ]] || echo "--fields $2 $([[ $1 == ipfix ]] && echo --millis)"; }
# export_counts PROTO [FIELDS] -> "flows datagrams" of the base flows sent once (to a port
# nobody listens on).
export_counts() {
    (flowexport -r "$work/base.flows" --$1 127.0.0.1:9 $(sender_options "$1" "${2-}") 2>&1 || true) |
        sed -nE 's/^flowexport: ([0-9]+) flows in ([0-9]+) datagrams.*/\1 \2/p'
}
per_datagram() { export_counts "$@" | awk '{ printf "%.1f", $1 / $2 }'; }
base_flows=$(export_counts ipfix | cut -d' ' -f1)
echo "sender: flowexport --repeat, $base_flows distinct flows from flowgen --no-l7 on ../shared/data/pcap, repeated;" \
    "fields: ${fields:-all} ($(per_datagram v9 "$fields") v9 records a datagram, $(per_datagram ipfix "$fields") IPFIX)"

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# The sender on one core, the collector on the other, so that they do not take turns.
send_core=() coll_core=()
if command -v taskset >/dev/null && (($(nproc) >= 2)); then
    send_core=(taskset -c 0) coll_core=(taskset -c 1)
fi
hz=$(getconf CLK_TCK)
port=$((30000 + $$ % 20000))

# run_step PROTO RATE COLLECTOR [FIELDS] -> "sent received cpu_seconds sender_seconds store_bytes"
run_step() {
    local proto=$1 rate=$2 who=$3 only=${4-$fields} dir=$work/store
    rm -rf "$dir"
    mkdir -p "$dir"
    port=$((port + 1))
    if [[ $who == flowcapture ]]; then
        "${coll_core[@]}" flowcapture -q -b 127.0.0.1 -p $port -l "$dir" -t 2 &
    else
        "${coll_core[@]}" nfcapd -b 127.0.0.1 -p $port -w "$dir" -t 300 -B 67108864 >/dev/null 2>&1 &
    fi
    pid=$!
    sleep 0.5
    local want=$((rate * seconds)) reps
    reps=$(( (want + base_flows - 1) / base_flows ))
    local t0 t1 sent
    t0=$(date +%s.%N)
    sent=$("${send_core[@]}" flowexport -r "$work/base.flows" --repeat $reps --$proto 127.0.0.1:$port --rate "$rate" \
        $(sender_options $proto "$only") 2>&1 |
        sed -nE 's/^flowexport: ([0-9]+) flows.*/\1/p')
    t1=$(date +%s.%N)
    sleep 1
    local cpu
    cpu=$(ticks $pid)
    kill -TERM $pid
    wait $pid 2>/dev/null || true
    pid=
    local got
    if [[ $who == flowcapture ]]; then
        got=$(flowcapture --stats "$dir" | awk '$1 == "127.0.0.1" { n += $5 } END { print n + 0 }')
    else
        got=$(nfdump -R "$dir" -I 2>/dev/null | awk '/^Flows:/ { print $2 }')
    fi
    echo "$sent ${got:-0} $(awk -v t=$cpu -v h=$hz 'BEGIN { printf "%.3f", t / h }') $(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.2f", b - a }')" \
        "$(du -sb "$dir" | cut -f1)"
}

# per_million CPU_SECONDS FLOWS -> CPU seconds per million flows.
per_million() { awk -v c=$1 -v n=$2 'BEGIN { printf "%.3f", (n > 0 ? c / (n / 1e6) : 0) }'; }
printf '%-6s %9s | %-34s | %-34s\n' proto "rate/s" "flowcapture sent/s  lost  CPU-s/M" "nfcapd sent/s  lost  CPU-s/M"
# best: highest loss-free rate each reached (the rate the sender achieved) below its first
# step with a loss; cpu_rate: the highest step where both were loss-free (the same work for
# both), where their CPU is compared.
declare -A best lost_before cpu_rate
for proto in v9 ipfix; do
    for who in flowcapture nfcapd; do
        best[$proto.$who]=0
        lost_before[$proto.$who]=0
    done
    for rate in $rates; do
        line=() lost_both=0
        for who in flowcapture nfcapd; do
            read -r sent got cpu wall _ < <(run_step $proto $rate $who)
            lost=$((sent - got))
            achieved=$(rate "$sent" "$wall")
            line+=("$(printf '%8sM %8d %8s' $achieved $lost "$(per_million $cpu $got)")")
            lost_both=$((lost_both + (lost != 0)))
            if ((lost != 0)); then
                lost_before[$proto.$who]=1
            elif ((lost_before[$proto.$who] == 0)) &&
                awk -v a=$achieved -v b=${best[$proto.$who]} 'BEGIN { exit !(a > b) }'; then
                best[$proto.$who]=$achieved
            fi
        done
        ((lost_both != 0)) || cpu_rate[$proto]=$rate
        printf '%-6s %9s | %-34s | %-34s\n' $proto $rate "${line[0]}" "${line[1]}"
    done
done
# One step's CPU figure moves by half from run to run on a shared machine (nfcapd v9 at 1M/s:
# 0.26 to 0.64 CPU-s per million flows), so the CPU comparison is BENCH_ROUNDS (default 5)
# more runs of each collector, taking turns, at the highest rate both took without loss;
# the medians are compared.
rounds=${BENCH_ROUNDS:-5}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
declare -A cpu_median
for proto in v9 ipfix; do
    rate=${cpu_rate[$proto]:-}
    [[ -n $rate ]] || continue
    declare -A runs=([flowcapture]="" [nfcapd]="") stored=()
    for ((i = 0; i < rounds; i++)); do
        for who in flowcapture nfcapd; do
            read -r sent got cpu wall bytes < <(run_step $proto $rate $who)
            runs[$who]+="$(per_million $cpu $got) "
            stored[$who]=$(awk -v b=$bytes -v n=$got 'BEGIN { printf "%.1f", (n > 0 ? b / n : 0) }')
        done
    done
    for who in flowcapture nfcapd; do
        cpu_median[$proto.$who]=$(tr ' ' '\n' <<< "${runs[$who]}" | grep . | median)
        echo "$proto at $rate/s, $who CPU-s per million flows in $rounds runs: ${runs[$who]}" \
            "(store: ${stored[$who]} bytes a flow)"
    done
    unset runs stored
done
echo
for proto in v9 ipfix; do
    f=${best[$proto.flowcapture]} n=${best[$proto.nfcapd]}
    fc=${cpu_median[$proto.flowcapture]:-0} nc=${cpu_median[$proto.nfcapd]:-0}
    echo "$proto: highest loss-free rate flowcapture ${f}M/s, nfcapd ${n}M/s ($(ratio "$f" "$n")x);" \
        "median CPU-s per million flows at ${cpu_rate[$proto]:-?}/s flowcapture $fc, nfcapd $nc" \
        "(flows per CPU-second $(ratio "$nc" "$fc")x nfcapd's; goal >= 2)"
done
echo "(flowcapture rotated its file every 2 s during every step; sender and collector pinned to" \
    "cores 0 and 1 when taskset is there; on its one core flowcapture writes on its receiving thread)"

if [[ -n $fields ]]; then
    echo
    echo "flowgen's full records (every field; $(per_datagram v9) v9 records a datagram, $(per_datagram ipfix) IPFIX):"
    for proto in v9 ipfix; do
        for rate in ${BENCH_FULL_RATES:-1000000 2000000}; do
            line=()
            for who in flowcapture nfcapd; do
                read -r sent got cpu wall _ < <(run_step $proto $rate $who "")
                line+=("$(printf '%8sM %8d %8s' "$(rate "$sent" "$wall")" $((sent - got)) \
                    "$(per_million $cpu $got)")")
            done
            printf '%-6s %9s | %-34s | %-34s\n' $proto $rate "${line[0]}" "${line[1]}"
        done
    done
fi
