#!/usr/bin/env bash
# make bench: every benchmark in scripts/bench.d/, in name order, side by side with the peer
# tools in the same run (ratios matter, not absolute times: the machine is shared).
#   scripts/bench.sh [PATTERN]     only the pieces whose name contains PATTERN
# Environment: BENCH_DATA (default bench-data/) holds the data set that 00-data.sh builds once
# and reuses; BENCH_PACKETS sets its size (default 10 million packets).
set -euo pipefail
cd "$(dirname "$0")/.."
export FLOWKIT_SRC=$PWD BIN=$PWD/bin BENCH_DATA=${BENCH_DATA:-$PWD/bench-data}
export PATH="$BIN:$PATH" TZ=UTC LC_ALL=C
mkdir -p "$BENCH_DATA"
pattern=${1:-}
for piece in scripts/bench.d/*.sh; do
    case $(basename "$piece") in 00-*) ;; *) [[ -n $pattern && $piece != *$pattern* ]] && continue ;; esac
    echo "=== $(basename "$piece" .sh)"
    bash "$piece"
done
