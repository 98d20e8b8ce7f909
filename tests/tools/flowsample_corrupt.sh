# A corrupt block in the input: flowsample writes the sample of every flow before it (the file
# of -w, or standard output), names the file and offset, and exits 1. It wrote no file at all,
# and on standard output at most what had been flushed.
. "$(dirname "$0")/lib.sh"
four_block_flows "$TMP/good.flows"
read -r off2 size2 < <(flowquery -v -r "$TMP/good.flows" | awk '/^block 1 /{print $4, $6}')
first=$(flowquery -v -r "$TMP/good.flows" | awk '/^block 0 /{print $8}')
cp "$TMP/good.flows" "$TMP/flip.flows"
pos=$((off2 + size2 / 2))
flip_byte "$TMP/flip.flows" "$pos"
msg="flowsample: $TMP/flip.flows: offset $off2: block checksum mismatch"
for mode in flow packet smart hash; do
    set +e
    flowsample -r "$TMP/flip.flows" --mode "$mode" -n 1 -w "$TMP/s.flows" 2> "$TMP/err"; status=$?
    set -e
    expect_eq "$status" 1 "$mode -w: status"
    expect_eq "$(tail -1 "$TMP/err")" "$msg" "$mode -w: message"
    expect_eq "$(flowquery -r "$TMP/s.flows" -q -o csv:src | wc -l)" "$first" "$mode -w: flows of block 1"
done
set +e
flowsample -r "$TMP/flip.flows" -n 1 > "$TMP/out.flows" 2> "$TMP/err"; status=$?
set -e
expect_eq "$status" 1 "stdout: status"
expect_eq "$(flowquery -r "$TMP/out.flows" -q -o csv:src | wc -l)" "$first" "stdout: flows of block 1"
echo "ok: $first flows of the first block kept in each mode"
