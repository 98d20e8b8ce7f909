# Shared helpers for end-to-end tests (tests/tools, tests/interop). Source it first:
#   . "$(dirname "$0")/../tools/lib.sh"
# ctest sets FLOWKIT_BIN (the programs), FLOWKIT_DATA (../shared/data, may be absent),
# FLOWKIT_SRC (the checkout). A test that cannot run here exits 77 (ctest: skipped).
set -euo pipefail
BIN=${FLOWKIT_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bin}
SRC=${FLOWKIT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
DATA=${FLOWKIT_DATA:-$SRC/../shared/data}
export PATH="$BIN:$PATH" TZ=UTC
TMP=$(mktemp -d "${TMPDIR:-/tmp}/flowkit-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
need_data() { [ -d "$DATA/pcap" ] || skip "../shared/data is not present in this checkout"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed (scripts/setup.sh)"; }
# expect_eq ACTUAL EXPECTED WHAT
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
# free_udp_ports N: the first of N consecutive UDP ports on 127.0.0.1 that nothing is bound
# to, from a random start (tests that run at the same time must not share a port; one
# derived from the PID collides, as ctest starts tests with close PIDs).
free_udp_ports() {
    python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    start = random.randrange(20000, 60000 - n)
    held = []
    try:
        for p in range(start, start + n):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            held.append(s)
            s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        for s in held:
            s.close()
    print(start)
    sys.exit(0)
sys.exit("no free UDP ports")
PY
}
# wait_bound PORT: until something listens on UDP 127.0.0.1:PORT (a bind to it fails).
wait_bound() {
    for _ in $(seq 200); do
        python3 -c 'import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null || return 0
        sleep 0.05
    done
    fail "nothing listens on UDP port $1 after 10 s"
}
# wait_read PID BYTES: until the process has read BYTES (its input is a pipe kept open).
wait_read() {
    for _ in $(seq 200); do
        [ -r "/proc/$1/io" ] || fail "process $1 ended before it read its input"
        [ "$(awk '/^rchar/ { print $2 }' "/proc/$1/io")" -ge "$2" ] && return 0
        sleep 0.05
    done
    fail "process $1 read less than $2 bytes in 10 s"
}
# feed_and_hold INPUT OUT ERR COMMAND...: runs COMMAND on a pipe that stays open after INPUT
# (a live stream), standard output to OUT and error to ERR, and returns once it has read all of
# INPUT; $pid is the command, fd 3 the pipe. SIGINT is left at its default in it, which a
# script's background job would otherwise ignore (needs python3).
feed_and_hold() {
    local input=$1 out=$2 err=$3 fifo
    shift 3
    fifo=$(mktemp -u "$TMP/pipe.XXXXXX")
    mkfifo "$fifo"
    python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
        "$@" < "$fifo" > "$out" 2> "$err" &
    pid=$!
    exec 3> "$fifo"
    cat "$input" >&3
    wait_read $pid "$(stat -c %s "$input")"
}
# stop_held SIGNAL: sends it to $pid, waits for the command, closes the pipe; its exit status
# is then in $status.
stop_held() {
    kill -"$1" $pid
    set +e
    wait $pid
    status=$?
    set -e
    exec 3>&-
}
# expect_status STATUS COMMAND...: runs the command, checks its exit status.
expect_status() {
    local want=$1; shift
    set +e; "$@"; local got=$?; set -e
    [ "$got" = "$want" ] || fail "'$*' exited $got, expected $want"
}
# four_block_flows FILE: 100,000 flows of an nfdump CSV imported, in 4 blocks of up to 32,768.
four_block_flows() {
    {
        echo "ts,te,td,sa,da,sp,dp,pr,flg,stos,ipkt,ibyt"
        awk 'BEGIN { for (i = 0; i < 100000; i++)
            printf "2025-03-03 10:%02d:%02d,,0.%03d,10.%d.%d.%d,192.168.0.1,%d,443,TCP,...AP.SF,0,%d,%d\n",
                int(i / 60) % 60, i % 60, i % 1000, int(i / 65536) % 256, int(i / 256) % 256, i % 256,
                1024 + i % 60000, 1 + i % 7, 40 + i % 1400 }'
    } > "$TMP/four_blocks.csv"
    flowimport -q "$TMP/four_blocks.csv" -w "$1"
}
# flip_byte FILE POS: XORs the byte at POS with 0x55.
flip_byte() {
    printf "$(printf '\\%03o' $(( ($(od -An -tu1 -j "$2" -N1 "$1") ^ 0x55) )))" |
        dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
