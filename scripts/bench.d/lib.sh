# Helpers for benchmark pieces (sourced).
# timed VAR COMMAND...: runs COMMAND, sets VAR to its wall seconds (best of BENCH_REPEAT runs,
# default 3) and VAR_rss to the peak resident memory in KiB of the best run.
timed() {
    # Locals are prefixed: a caller's VAR of the same name would be set here, not there.
    local __var=$1; shift
    local __best="" __rss="" __i __t __r __out __timefile
    __timefile=$(mktemp)
    for ((__i = 0; __i < ${BENCH_REPEAT:-3}; __i++)); do
        /usr/bin/time -o "$__timefile" -f '%e %M' "$@" >/dev/null 2>/dev/null || true
        __out=$(tail -1 "$__timefile")
        __t=${__out% *}; __r=${__out#* }
        if [[ -z $__best ]] || awk "BEGIN{exit !($__t < $__best)}"; then __best=$__t; __rss=$__r; fi
    done
    rm -f "$__timefile"
    printf -v "$__var" '%s' "$__best"
    printf -v "${__var}_rss" '%s' "$__rss"
}
# rate COUNT SECONDS: COUNT/SECONDS in millions, 2 decimals.
rate() { awk -v n="$1" -v s="$2" 'BEGIN{ if (s <= 0) s = 0.001; printf "%.2f", n / s / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b <= 0) b = 0.001; printf "%.2f", a / b }'; }
