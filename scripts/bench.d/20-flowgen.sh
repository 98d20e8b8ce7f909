#!/usr/bin/env bash
# flowgen against nfpcapd and softflowd -r: packets per second on the same big capture, read
# from the page cache, each pinned to one core, in the same run; peak memory of each.
# The capture is $BENCH_DATA/bench.pcap, built once by ../shared/data/make-bench-pcap.sh.
# Goal (issue 3): flowgen with metadata on at least 5x the packets/s of both peers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
pcap=$BENCH_DATA/bench.pcap
maker=$FLOWKIT_SRC/../shared/data/make-bench-pcap.sh
if [[ ! -f $pcap ]]; then
    if [[ -x $maker ]]; then
        echo "building $pcap (once, a minute or two)"
        "$maker" "$pcap" >/dev/null
    else
        echo "skip: no $pcap and no $maker"
        exit 0
    fi
fi
one_core=()
command -v taskset >/dev/null && one_core=(taskset -c 0)
work=$(mktemp -d "${TMPDIR:-/tmp}/fgbench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# run VAR COMMAND...: best wall seconds of BENCH_REPEAT runs (default 3) in VAR, that run's
# CPU seconds (user + system) in VAR_cpu and peak RSS (KiB) in VAR_rss. GNU time writes to a
# file, so the command's own stderr can go elsewhere. On a shared machine the CPU seconds
# are the steadier measure; both are printed.
run() {
    local var=$1 best="" cpu="" rss="" i t u s r
    shift
    for ((i = 0; i < ${BENCH_REPEAT:-3}; i++)); do
        /usr/bin/time -o "$work/time" -f '%e %U %S %M' "$@" >/dev/null 2>"$work/stderr" ||
            { echo "failed: $* ($(tail -1 "$work/stderr"))"; exit 1; }
        read -r t u s r < "$work/time"
        if [[ -z $best ]] || awk "BEGIN{exit !($t < $best)}"; then
            best=$t rss=$r cpu=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u + s}')
        fi
    done
    printf -v "$var" '%s' "$best"
    printf -v "${var}_cpu" '%s' "$cpu"
    printf -v "${var}_rss" '%s' "$rss"
}

# Warm the page cache and count the packets.
cat "$pcap" >/dev/null
packets=$(flowgen -q -v -r "$pcap" 2>&1 >/dev/null | sed -nE 's/^flowgen: ([0-9]+) packets.*/\1/p')
echo "capture: $pcap, $packets packets, $(( $(stat -L -c %s "$pcap") / 1000000 )) MB"

run fg "${one_core[@]}" flowgen -q -r "$pcap" -w "$work/fg.flows"
run fg_nol7 "${one_core[@]}" flowgen -q --no-l7 -r "$pcap" -w "$work/fg2.flows"
# Two threads (packets on one, encoding and writing on the other), on two cores.
run fg_t2 flowgen -q --threads 2 -r "$pcap" -w "$work/fg3.flows"
have_nf=0 have_sf=0
if command -v nfpcapd >/dev/null; then
    have_nf=1
    run nf bash -c 'rm -rf "$1" && mkdir -p "$1" && exec "${@:2}"' nf "$work/nf" \
        "${one_core[@]}" nfpcapd -r "$pcap" -w "$work/nf" -e 300,15
    # nfpcapd has threads of its own (packets, flows, writing): the peer of --threads 2.
    run nf2 bash -c 'rm -rf "$1" && mkdir -p "$1" && exec "${@:2}"' nf "$work/nf" \
        nfpcapd -r "$pcap" -w "$work/nf" -e 300,15
fi
if command -v softflowd >/dev/null; then
    have_sf=1
    # softflowd hangs when the control socket path has 13 characters or more.
    run sf "${one_core[@]}" softflowd -d -r "$pcap" -n 127.0.0.1:9 -m 1000000 -c /tmp/f.ctl -p "$work/sf.pid"
fi

printf '%-30s %8s %8s %10s %8s %12s\n' tool Mpps seconds "Mpps/CPU" "CPU s" "peak RSS MB"
row() {
    local v=$2
    local t=${!v} c=${v}_cpu m=${v}_rss
    printf '%-30s %8s %8s %10s %8s %12s\n' "$1" "$(rate "$packets" "$t")" "$t" \
        "$(rate "$packets" "${!c}")" "${!c}" "$(( ${!m} / 1024 ))"
}
row "flowgen (metadata on)" fg
row "flowgen --no-l7" fg_nol7
row "flowgen --threads 2 (2 cores)" fg_t2
((have_nf)) && row "nfpcapd -r" nf
((have_nf)) && row "nfpcapd -r (2 cores)" nf2
((have_sf)) && row "softflowd -r" sf
((have_nf)) && echo "flowgen / nfpcapd:   wall $(ratio "$nf" "$fg")x, CPU $(ratio "$nf_cpu" "$fg_cpu")x one core (goal >= 5); two cores: wall $(ratio "$nf2" "$fg_t2")x (--threads 2 against nfpcapd on two cores)"
((have_sf)) && echo "flowgen / softflowd: wall $(ratio "$sf" "$fg")x, CPU $(ratio "$sf_cpu" "$fg_cpu")x one core (goal >= 5); two cores: wall $(ratio "$sf" "$fg_t2")x (softflowd has one thread)"
echo "(rows without '2 cores' pinned to one core with taskset)"
