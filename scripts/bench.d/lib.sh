# Helpers for benchmark pieces (sourced).
# timed VAR COMMAND...: runs COMMAND, sets VAR to its wall seconds (best of BENCH_REPEAT runs,
# default 3) and VAR_rss to the peak resident memory in KiB of the best run.
timed() {
    local __var=$1; shift
    local best="" rss="" i t r out __timefile
    __timefile=$(mktemp)
    for ((i = 0; i < ${BENCH_REPEAT:-3}; i++)); do
        /usr/bin/time -o "$__timefile" -f '%e %M' "$@" >/dev/null 2>/dev/null || true
        out=$(tail -1 "$__timefile")
        t=${out% *}; r=${out#* }
        if [[ -z $best ]] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$r; fi
    done
    rm -f "$__timefile"
    printf -v "$__var" '%s' "$best"
    printf -v "${__var}_rss" '%s' "$rss"
}
# rate COUNT SECONDS: COUNT/SECONDS in millions, 2 decimals.
rate() { awk -v n="$1" -v s="$2" 'BEGIN{ if (s <= 0) s = 0.001; printf "%.2f", n / s / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b <= 0) b = 0.001; printf "%.2f", a / b }'; }
