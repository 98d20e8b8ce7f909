#!/usr/bin/env bash
# flowsample end to end: the four modes on real flows (renormalised counters, sampling field,
# reproducibility, hash consistency across two differently ordered inputs), the smart
# threshold and --evaluate on the hand-checked nfdump CSV fixture, and usage errors.
. "$(dirname "$0")/lib.sh"

# --- the fixture (tests/data/nfdump-sample.csv, 6 flows, 47 packets, 65308 bytes) ---
flowimport -q "$SRC/tests/data/nfdump-sample.csv" -w "$TMP/s.flows"
flowsample -r "$TMP/s.flows" --rate 1 -w "$TMP/s1.flows"
expect_eq "$(flowquery -r "$TMP/s1.flows" -I | grep -E '^(Flows|Packets|Bytes):' | tr '\n' ' ')" \
    "Flows: 6 Packets: 47 Bytes: 65308 " "rate 1 keeps everything"
# Smart, 1:2 of 6 flows: Σ min(1, x/z) = 3 gives z = 5308 by hand (48000 and 12000 are kept
# for sure, 5000 + 168 + 80 + 60 = 5308 share the one remaining expected flow).
err=$(flowsample -r "$TMP/s.flows" --mode smart --rate 2 -v -w "$TMP/s2.flows" 2>&1)
expect_eq "$err" "flowsample: smart 1:2: 6 flows in, $(flowquery -r "$TMP/s2.flows" -q -o csv:src | wc -l) out, z 5308 bytes" "smart z"
big=$(flowquery -r "$TMP/s2.flows" -q -o csv:bytes,packets,sampling 'bytes > 5308' | sort -n | tr '\n' ' ')
expect_eq "$big" "12000,8,1 48000,25,1 " "large flows are kept as they are"
small=$(flowquery -r "$TMP/s2.flows" -q -o csv:bytes 'bytes < 5308' | wc -l)
expect_eq "$small" 0 "kept small flows are raised to z"
# A filter selects what is sampled, like flowquery's.
expect_eq "$(flowsample -r "$TMP/s.flows" --rate 1 'proto tcp' | flowquery -q -o csv:src | wc -l)" 4 "filter"
# The evaluation's truth line counts the input.
expect_eq "$(flowsample -r "$TMP/s.flows" --evaluate --rates 1 | head -1)" \
    "truth: 6 flows, 47 packets, 65308 bytes, 1 time bins, 0 event flows" "evaluation truth"
# Rate 1 costs nothing: every error 0, every overlap 1 (tidy CSV, one row per metric).
rows=$(flowsample -r "$TMP/s.flows" -e --rates 1 --event 'dst port 22 or dst port 3389' -o csv)
expect_eq "$(head -1 <<<"$rows")" "mode,rate,metric,value" "csv header"
expect_eq "$(tail -n +2 <<<"$rows" | wc -l)" 40 "4 modes x 1 rate x 10 metrics"
expect_eq "$(tail -n +2 <<<"$rows" | awk -F, '$3 ~ /err|max/ && $4 != 0' | wc -l)" 0 "no error at 1:1"
expect_eq "$(tail -n +2 <<<"$rows" | awk -F, '$3 !~ /err|max/ && $4 != 1' | wc -l)" 0 "all kept at 1:1"
expect_eq "$(flowsample -r "$TMP/s.flows" -e --rates 1,10 --modes hash -o json | head -1)" \
    '{"mode":"hash","rate":1,"metric":"bytes_err","value":0}' "json row"

# --- real flows from a synthesised capture ---
flowsynth -n 40000 -s 5 -w "$TMP/t.pcap"
flowgen -q -r "$TMP/t.pcap" -w "$TMP/full.flows"
F=$(flowquery -r "$TMP/full.flows" -I | awk -F': ' '/^Flows:/ {print $2}')
[ "$F" -gt 2000 ] || fail "too few flows in the synthesised capture: $F"

# Flow mode 1:10: counters ×10, sampling 10, about F/10 flows kept, reproducible by seed.
flowsample -r "$TMP/full.flows" --mode flow --rate 10 --seed 3 -w "$TMP/f10.flows"
flowsample -r "$TMP/full.flows" --mode flow --rate 10 --seed 3 -T 1 > "$TMP/f10b.flows"
flowsample -r "$TMP/full.flows" --mode flow --rate 10 --seed 4 -w "$TMP/f10c.flows"
dump() { flowquery -r "$1" -q -o csv:start,src,dst,sport,dport,proto,packets,bytes,sampling; }
[ "$(dump "$TMP/f10.flows")" = "$(dump "$TMP/f10b.flows")" ] || fail "same seed, different sample"
[ "$(dump "$TMP/f10.flows")" != "$(dump "$TMP/f10c.flows")" ] || fail "other seed, same sample"
kept=$(dump "$TMP/f10.flows" | wc -l)
awk -v k="$kept" -v f="$F" 'BEGIN { e = f / 10; sd = sqrt(f * 0.1 * 0.9);
    exit !(k > e - 4 * sd && k < e + 4 * sd) }' || fail "flow mode kept $kept of $F"
expect_eq "$(dump "$TMP/f10.flows" | awk -F, '$9 != 10 || $7 % 10 || $8 % 10' | wc -l)" 0 \
    "flow mode: sampling 10, counters multiples of 10"

# Packet mode 1:5: packets are multiples of 5, no flow grows, every flow shrinks or vanishes.
flowsample -r "$TMP/full.flows" --mode packet --rate 5 -w "$TMP/p5.flows"
expect_eq "$(dump "$TMP/p5.flows" | awk -F, '$9 != 5 || $7 % 5 || $7 == 0' | wc -l)" 0 "packet mode counters"
# A flow that survives 1:5 packet sampling keeps its mean packet size (within rounding).
meansize() { flowquery -r "$1" -q -o csv:start,src,sport,dst,dport,proto,packets,bytes; }
awk -F, 'NR == FNR { k = $1 FS $2 FS $3 FS $4 FS $5 FS $6; n[k]++; m[k] = $8 / $7; next }
         { k = $1 FS $2 FS $3 FS $4 FS $5 FS $6; if (n[k] != 1) next; seen++
           d = $8 / $7 - m[k]; if (d > 0.5 || d < -0.5) bad++ }
         END { exit !(seen > 0 && bad == 0) }' <(meansize "$TMP/full.flows") <(meansize "$TMP/p5.flows") ||
    fail "packet mode changed a flow's mean packet size"

# Hash mode: a second vantage point sees the same flows in another order with other
# counters (here: sorted by bytes; and a 1:2 flow sample of it, counters doubled) and keeps the
# same keys.
keys() { flowquery -r "$1" -q -o csv:src,dst,sport,dport,proto | sort -u; }
flowquery -r "$TMP/full.flows" -O bytes -w "$TMP/sorted.flows"
flowsample -r "$TMP/full.flows" --mode hash --rate 8 --seed 9 -w "$TMP/h1.flows"
flowsample -r "$TMP/sorted.flows" --mode hash --rate 8 --seed 9 > "$TMP/h2.flows"
flowsample -r "$TMP/sorted.flows" --mode flow --rate 2 --seed 1 | flowsample --mode hash --rate 8 --seed 9 > "$TMP/h3.flows"
[ -n "$(keys "$TMP/h1.flows")" ] || fail "hash mode kept nothing"
[ "$(keys "$TMP/h1.flows")" = "$(keys "$TMP/h2.flows")" ] || fail "hash mode: order changed the kept keys"
# Every key kept from the half re-weighted copy is one the full input kept.
expect_eq "$(comm -13 <(keys "$TMP/h1.flows") <(keys "$TMP/h3.flows") | wc -l)" 0 "hash mode on other counters"
expect_eq "$(dump "$TMP/h3.flows" | awk -F, '$9 != 16' | wc -l)" 0 "rates multiply (2 x 8)"

# Usage errors exit 2.
expect_status 2 flowsample -r "$TMP/full.flows" -w "$TMP/x.flows"
expect_status 2 flowsample -r "$TMP/full.flows" --rate 10 --mode bernoulli -w "$TMP/x.flows"
expect_status 2 flowsample -r "$TMP/full.flows" --rate 0 -w "$TMP/x.flows"
expect_status 2 flowsample -r "$TMP/full.flows" --evaluate --event 'port ~~' 
expect_status 2 flowsample -r "$TMP/full.flows" --rate 10 -o csv -w "$TMP/x.flows"
expect_status 2 flowsample -r "$TMP/full.flows" --evaluate --rate 10
# A closed pipe downstream ends quietly with 0; binary flows are never written to a terminal.
set +o pipefail
flowsample -r "$TMP/full.flows" --rate 2 | head -c 10 > /dev/null
expect_eq "${PIPESTATUS[0]}" 0 "closed pipe"
set -o pipefail
if command -v script > /dev/null; then
    expect_status 2 script -qec "flowsample -r $TMP/full.flows --rate 10" /dev/null
fi
echo ok
