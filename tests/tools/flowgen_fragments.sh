# Fragmented DNS answers (flowsynth --encap frag, IPv4 and IPv6) against flowsynth's truth:
# one record per answer, with every fragment's packets and bytes and the question's name. A
# DNS answer ends its flow; ended at the first fragment, the rest of each answer became a
# record of its own without the name (1,769 records for 1,180 truth rows).
. "$(dirname "$0")/lib.sh"
flowsynth -n 4000 -s 11 --only dns --ipv6 30 --encap frag=100 -q -w "$TMP/f.pcap" --truth "$TMP/f.tsv"
awk -F'\t' '$1 == "conv" {for (i = 1; i <= NF; i++) c[$i] = i; next}
    {print $c["src"], $c["sport"], $c["dst"], $c["dport"], $c["packets"], $c["bytes"], $c["dns_qname"]}' \
    "$TMP/f.tsv" | sed 's/ $//' | sort > "$TMP/truth"
flowgen -q -r "$TMP/f.pcap" -w - | flowquery -q -o csv:src,sport,dst,dport,packets,bytes,dns_qname |
    tr , ' ' | sed 's/ $//' | sort > "$TMP/got"
fragmented=$(awk -F'\t' '$1 == "conv" {for (i = 1; i <= NF; i++) c[$i] = i; next}
    $c["fragments"] > 0' "$TMP/f.tsv" | wc -l)
[ "$fragmented" -gt 100 ] || fail "too few fragmented answers ($fragmented)"
expect_eq "$(wc -l < "$TMP/got")" "$(wc -l < "$TMP/truth")" "records against truth rows"
cmp -s "$TMP/got" "$TMP/truth" || fail "records differ: $(diff "$TMP/truth" "$TMP/got" | head -4)"
echo "ok: $(wc -l < "$TMP/got") records, $fragmented fragmented answers, as the truth"
