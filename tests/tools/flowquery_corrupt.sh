# A flipped byte inside a block and a file cut inside a block: flowquery names the file and the
# offset, prints every record before the damage, and exits 1; --ignore-errors skips the block.
. "$(dirname "$0")/lib.sh"
four_block_flows "$TMP/good.flows"
expect_eq "$(flowquery -r "$TMP/good.flows" -q -o csv:src | wc -l)" 100000 "intact"
blocks=$(flowquery -v -r "$TMP/good.flows" | grep -c '^block ')
expect_eq "$blocks" 4 "blocks"
# offset and size of the second block
read -r off2 size2 < <(flowquery -v -r "$TMP/good.flows" | awk '/^block 1 /{print $4, $6}')

# One flipped byte in the middle of block 2.
cp "$TMP/good.flows" "$TMP/flip.flows"
pos=$((off2 + size2 / 2))
flip_byte "$TMP/flip.flows" "$pos"
set +e
flowquery -r "$TMP/flip.flows" -q -o csv:src > "$TMP/out" 2> "$TMP/err"; status=$?
set -e
expect_eq "$status" 1 "flipped byte: status"
expect_eq "$(wc -l < "$TMP/out")" 32768 "flipped byte: records of block 1 printed"
expect_eq "$(cat "$TMP/err")" "flowquery: $TMP/flip.flows: offset $off2: block checksum mismatch" "flipped byte: message"
# --ignore-errors: blocks 1, 3 and 4, a warning, success
set +e
flowquery -r "$TMP/flip.flows" -q -o csv:src --ignore-errors > "$TMP/out" 2> "$TMP/err"; status=$?
set -e
expect_eq "$status" 0 "ignore-errors: status"
expect_eq "$(wc -l < "$TMP/out")" $((100000 - 32768)) "ignore-errors: the other blocks"
grep -q "warning: .*offset $off2: block checksum mismatch; skipping" "$TMP/err" || fail "no warning: $(cat "$TMP/err")"

# -I: the index counts the damaged block; the answer is that of the same bytes on a pipe.
for how in file pipe; do
    set +e
    if [ $how = file ]; then
        flowquery -r "$TMP/flip.flows" -I > "$TMP/out" 2> "$TMP/err"; status=$?
    else
        flowquery -I < <(cat "$TMP/flip.flows") > "$TMP/out" 2> "$TMP/err"; status=$?
    fi
    set -e
    expect_eq "$status" 1 "-I ($how): status"
    expect_eq "$(grep '^Flows:' "$TMP/out")" "Flows: 32768" "-I ($how): the flows before the damage"
    grep -q "offset $off2: block checksum mismatch" "$TMP/err" || fail "-I ($how): $(cat "$TMP/err")"
done
expect_eq "$(flowquery -r "$TMP/flip.flows" -I --ignore-errors | grep '^Flows:')" \
    "Flows: $((100000 - 32768))" "-I --ignore-errors"

# Cut in the middle of block 2 (a file and a pipe).
head -c "$pos" "$TMP/good.flows" > "$TMP/cut.flows"
for how in file pipe; do
    set +e
    if [ $how = file ]; then
        flowquery -r "$TMP/cut.flows" -q -o csv:src > "$TMP/out" 2> "$TMP/err"; status=$?
        name=$TMP/cut.flows
    else
        flowquery -q -o csv:src < <(cat "$TMP/cut.flows") > "$TMP/out" 2> "$TMP/err"; status=$?
        name="<stdin>"
    fi
    set -e
    expect_eq "$status" 1 "cut ($how): status"
    expect_eq "$(wc -l < "$TMP/out")" 32768 "cut ($how): records before the cut"
    grep -q "flowquery: $name: offset $off2: truncated block" "$TMP/err" || fail "cut ($how): $(cat "$TMP/err")"
done

# Garbage is not a flow file.
head -c 5000 /dev/urandom > "$TMP/garbage"
set +e
msg=$(flowquery -r "$TMP/garbage" 2>&1); status=$?
set -e
expect_eq "$status" 1 "garbage: status"
expect_eq "$msg" "flowquery: $TMP/garbage: offset 0: not a flowkit file (bad magic)" "garbage: message"
echo ok
