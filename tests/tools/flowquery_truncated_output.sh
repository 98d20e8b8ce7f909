#!/usr/bin/env bash
# A flow file cut inside its second block: flowquery -w still puts the flows of the first
# block in place, -I and -s still print their totals and ranks, as one and as two threads,
# and each exits 1 naming the file and the offset. Truth: the same first flows of the intact
# file (-c with the first block's records).
. "$(dirname "$0")/lib.sh"
flowsynth -q -n 300000 -s 3 -w "$TMP/s.pcap"
flowgen -q -r "$TMP/s.pcap" -w "$TMP/good.flows"
read -r first off1 size1 < <(flowquery -v -r "$TMP/good.flows" |
    awk '/^block 0 /{n = $8} /^block 1 /{print n, $4, $6}')
[ -n "$off1" ] || fail "flowgen wrote one block; the test needs two"
head -c $((off1 + size1 / 2)) "$TMP/good.flows" > "$TMP/cut.flows"
flowquery -r "$TMP/good.flows" -c "$first" -w "$TMP/first.flows"
msg="flowquery: $TMP/cut.flows: offset $off1: truncated block"

for t in 1 2; do
    rm -f "$TMP/out.flows"
    status=0
    flowquery -T $t -r "$TMP/cut.flows" -w "$TMP/out.flows" 2> "$TMP/err" || status=$?
    expect_eq "$status" 1 "-w, $t thread(s): status"
    expect_eq "$(cut -d: -f1-4 "$TMP/err")" "$msg" "-w, $t thread(s): message"
    [ -f "$TMP/out.flows" ] || fail "-w, $t thread(s): no output file"
    cmp -s <(flowquery -r "$TMP/out.flows" -q -o csv) <(flowquery -r "$TMP/first.flows" -q -o csv) ||
        fail "-w, $t thread(s): not the flows of the first block"
    for what in "-I -N" "-s srcip/bytes -s dstport -N"; do
        status=0
        # shellcheck disable=SC2086
        flowquery -T $t -r "$TMP/cut.flows" $what > "$TMP/out" 2> "$TMP/err" || status=$?
        expect_eq "$status" 1 "$what, $t thread(s): status"
        expect_eq "$(cut -d: -f1-4 "$TMP/err")" "$msg" "$what, $t thread(s): message"
        # shellcheck disable=SC2086
        expect_eq "$(cat "$TMP/out")" "$(flowquery -T $t -r "$TMP/first.flows" $what)" \
            "$what, $t thread(s): output"
    done
done
expect_eq "$(flowquery -r "$TMP/cut.flows" -I -N 2> /dev/null | grep '^Flows:')" "Flows: $first" "-I flows"
echo ok
