#!/usr/bin/env bash
# Runs every libFuzzer harness in DIR for SECONDS each, starting from the seeds in
# tests/fuzz/corpus/<harness>/ (crashes are written to the current directory and fail the run).
#   tests/fuzz/run.sh build-san/fuzz 5
set -euo pipefail
dir=$1
secs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$dir" ] || { echo "no fuzz harnesses in $dir (build with make test-sanitize)" >&2; exit 1; }
status=0
for bin in "$dir"/*_fuzz; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin" _fuzz)
    seeds="$here/corpus/$name"
    work=$(mktemp -d)
    [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
    printf '%-24s ' "$name"
    if "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 "$work" >"$work.log" 2>&1; then
        grep -o 'Done [0-9]* runs' "$work.log" | tail -1 || echo "done"
    else
        echo "FAILED (log: $work.log)"
        tail -30 "$work.log"
        status=1
    fi
    rm -rf "$work"
done
exit $status
