# dns_rcode tells "no answer" from NOERROR: a query's record and an unanswered one have no
# code, an answer's record has its code, 0 included. Against flowsynth's truth (whose codes
# flowsynth_tshark_l7 checks against tshark) and, on the real captures, against tshark.
. "$(dirname "$0")/lib.sh"

# DNS over UDP: one record per truth row (TCP's connection metadata goes on both directions).
flowsynth -n 3000 -s 5 --only dns -q -w "$TMP/d.pcap" --truth "$TMP/d.tsv"
awk -F'\t' '$1 == "conv" {for (i = 1; i <= NF; i++) c[$i] = i; next}
    $c["proto"] == 17 {print $c["src"], $c["sport"], $c["dst"], $c["dport"], $c["dns_rcode"]}' \
    "$TMP/d.tsv" | sed 's/ $//' | sort > "$TMP/truth"
flowgen -q -r "$TMP/d.pcap" -w "$TMP/d.flows"
flowquery -q -r "$TMP/d.flows" -o csv:src,sport,dst,dport,dns_rcode 'proto udp' | tr , ' ' |
    sed 's/ $//' | sort > "$TMP/got"
cmp -s "$TMP/got" "$TMP/truth" || fail "codes differ from the truth: $(diff "$TMP/truth" "$TMP/got" | head -4)"
count() { awk -v code="$1" 'NF == 5 && $5 == code' "$TMP/truth" | wc -l; }
noerror=$(count 0) nxdomain=$(count 3) servfail=$(count 2)
none=$(awk 'NF == 4' "$TMP/truth" | wc -l)
answers=$(awk 'NF == 5' "$TMP/truth" | wc -l)
for n in "$noerror" "$nxdomain" "$servfail" "$none"; do [ "$n" -gt 10 ] || fail "too few of a kind: $n"; done

# Filters: a flow without an answer matches no dns_rcode term.
matches() { flowquery -q -r "$TMP/d.flows" -o csv:sport "proto udp and ($1)" | wc -l; }
expect_eq "$(matches 'dns_rcode 0')" "$noerror" "dns_rcode 0"
expect_eq "$(matches 'dns_rcode noerror')" "$noerror" "dns_rcode noerror"
expect_eq "$(matches 'dns_rcode NXDOMAIN')" "$nxdomain" "dns_rcode NXDOMAIN"
expect_eq "$(matches 'dns_rcode >= 0')" "$answers" "dns_rcode >= 0"
expect_eq "$(matches 'dns_rcode != noerror')" "$((answers - noerror))" "dns_rcode != noerror"
expect_eq "$(matches 'dns_rcode < 3')" "$((answers - nxdomain))" "dns_rcode < 3"
expect_eq "$(matches 'not dns_rcode >= 0')" "$none" "no answer"

# Statistics: no group for the flows without an answer; JSON keeps a NOERROR code.
flowquery -q -r "$TMP/d.flows" 'proto udp' -s dns_rcode -o csv | cut -d, -f1,2 | sort > "$TMP/stat"
printf '0,%s\n2,%s\n3,%s\n' "$noerror" "$servfail" "$nxdomain" > "$TMP/want"
cmp -s "$TMP/stat" "$TMP/want" || fail "-s dns_rcode: $(cat "$TMP/stat" | tr '\n' ' ')"
expect_eq "$(flowquery -q -r "$TMP/d.flows" -o json 'dns_rcode 0' | grep -c '"dns_rcode":0}')" \
    "$noerror" "JSON of NOERROR answers"
expect_eq "$(flowquery -q -r "$TMP/d.flows" -o json 'proto udp and not dns_rcode >= 0' |
    grep -c dns_rcode || true)" 0 "JSON of flows without an answer"
echo "ok: $answers answers ($noerror NOERROR, $nxdomain NXDOMAIN, $servfail SERVFAIL), $none without, as the truth"

# The real captures: every UDP answer's record has tshark's code, and no other record one.
need_data
need_cmd tshark
for f in "$DATA"/pcap/dns/*.pcap; do
    tshark -r "$f" -Y 'udp and dns.flags.response == 1' -T fields \
        -e ip.src -e ipv6.src -e udp.srcport -e ip.dst -e ipv6.dst -e udp.dstport \
        -e dns.flags.rcode 2>/dev/null |
        awk -F'\t' '{print ($1 != "" ? $1 : $2), $3, ($4 != "" ? $4 : $5), $6, $7}' | sort -u > "$TMP/t"
    flowgen -q -r "$f" -w - | flowquery -q -o csv:src,sport,dst,dport,dns_rcode 'proto udp' |
        tr , ' ' | awk 'NF == 5' | sort -u > "$TMP/g"
    cmp -s "$TMP/g" "$TMP/t" || fail "$(basename "$f"): $(diff "$TMP/t" "$TMP/g" | head -4)"
    echo "ok: $(basename "$f"): $(wc -l < "$TMP/g") answer records, tshark's codes"
done
