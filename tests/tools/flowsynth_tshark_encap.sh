#!/usr/bin/env bash
# Encapsulations and IP options of flowsynth against tshark: 802.1Q and QinQ tags, MPLS, GRE
# and VXLAN tunnels, IPv6 extension headers and IPv4/IPv6 fragments. For each, the frames
# tshark sees carrying it are the packets the truth says were crafted so; the IP bytes of the
# innermost packets add up to the truth's bytes, tunnels carry each direction under the outer
# addresses the truth gives, and DNS answers survive reassembly.
. "$(dirname "$0")/lib.sh"
need_cmd tshark

flowsynth -n 20000 -s 5 --ipv6 40 --mix dns=5,https=3,http=1 \
    --encap vlan=15,qinq=10,mpls=10,gre=10,vxlan=10,ext6=100,frag=30 \
    -w "$TMP/e.pcap" --truth "$TMP/e.tsv"

# truth_sum EXPR: the sum of packets of the truth rows for which the awk condition holds
# (columns by name through c["name"]).
truth_sum() {
    awk -F'\t' -v cond="$1" -v col="${2:-packets}" '
        /^#/ {next}
        $1 == "conv" {for (i = 1; i <= NF; i++) c[$i] = i; next}
        {
            v = 0
            if (cond == "vlan") v = $c["vlan"] != "" && $c["inner_vlan"] == ""
            else if (cond == "qinq") v = $c["inner_vlan"] != ""
            else if (cond == "mpls") v = $c["mpls"] != ""
            else if (cond == "gre" || cond == "vxlan") v = $c["tunnel"] == cond
            else if (cond == "ext6") v = $c["ext6"] == "1"
            else if (cond == "all") v = 1
            if (v) s += $c[col]
        }
        END {print s + 0}' "$TMP/e.tsv"
}
tshark -r "$TMP/e.pcap" -T fields -E occurrence=l -e frame.protocols -e ip.len -e ipv6.plen \
    -e ip.flags.mf -e ip.frag_offset -e ipv6.fraghdr.offset -e ipv6.fraghdr.more 2>/dev/null \
    > "$TMP/frames"
# shark_count KIND: frames whose protocol stack shows the encapsulation.
shark_count() {
    awk -F'\t' -v k="$1" '
        {p = ":" $1 ":"}
        k == "vlan" && p ~ /:eth:ethertype:vlan:/ {n++}
        k == "qinq" && p ~ /:ieee8021ad:/ {n++}
        k == "mpls" && p ~ /:mpls:/ {n++}
        k == "gre" && p ~ /:gre:/ {n++}
        k == "vxlan" && p ~ /:vxlan:/ {n++}
        END {print n + 0}' "$TMP/frames"
}
for k in vlan qinq mpls gre vxlan; do
    want=$(truth_sum "$k")
    [ "$want" -gt 0 ] || fail "$k: the truth has no such packets"
    expect_eq "$(shark_count "$k")" "$want" "$k frames"
    echo "$k: $want frames"
done
want=$(truth_sum ext6)
got=$(tshark -r "$TMP/e.pcap" -Y 'ipv6.hopopts && ipv6.dstopts' 2>/dev/null | wc -l)
expect_eq "$got" "$want" "frames with IPv6 hop-by-hop and destination options"
echo "ext6: $want frames"

# Fragments: MF set or a non-zero offset on the innermost IP header.
want=$(truth_sum all fragments)
got=$(awk -F'\t' '$4 == "1" || ($5 != "" && $5 > 0) || $6 != "" {n++} END {print n + 0}' "$TMP/frames")
[ "$want" -gt 0 ] || fail "no fragments crafted"
expect_eq "$got" "$want" "IP fragments"
echo "fragments: $want frames"

# Innermost IP bytes of every frame against the truth's bytes.
got=$(awk -F'\t' '{
        n = split($1, p, ":"); fam = ""
        for (i = n; i >= 1; i--) if (p[i] == "ip" || p[i] == "ipv6") {fam = p[i]; break}
        if (fam == "ip") s += $2; else if (fam == "ipv6") s += $3 + 40
    } END {print s}' "$TMP/frames")
expect_eq "$got" "$(truth_sum all bytes)" "innermost IP bytes"

# Tunnels: the outer addresses of each direction, as tshark and flowgen see them, are the
# truth's tun_src and tun_dst (an answer travels back through the tunnel, outer header
# reversed). Compared as packets per outer and inner address pair.
awk -F'\t' '/^#/ {next} $1 == "conv" {for (i = 1; i <= NF; i++) c[$i] = i; next}
    $c["tunnel"] != "" {n[$c["tun_src"] " " $c["tun_dst"] " " $c["src"] " " $c["dst"]] += $c["packets"]}
    END {for (k in n) print k, n[k]}' "$TMP/e.tsv" | sort > "$TMP/t.tun"
grep -q '^192.0.2.2 192.0.2.1 ' "$TMP/t.tun" || fail "the truth has no answer through a tunnel"
# The outer header is the first IPv4 one; the inner packet the second IPv4 or the first IPv6.
tshark -r "$TMP/e.pcap" -Y 'gre || vxlan' -T fields -E occurrence=a \
    -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst 2>/dev/null | awk -F'\t' '{
        ns = split($1, s, ","); split($2, d, ","); split($3, s6, ","); split($4, d6, ",")
        k = s[1] " " d[1] " " (ns > 1 ? s[2] " " d[2] : s6[1] " " d6[1]); n[k]++
    } END {for (k in n) print k, n[k]}' | sort > "$TMP/s.tun"
diff "$TMP/t.tun" "$TMP/s.tun" > "$TMP/d.tun" || { head "$TMP/d.tun" >&2; fail "tunnel outer addresses (truth <, tshark >)"; }
flowgen -r "$TMP/e.pcap" | flowquery -q -o csv:tun_src,tun_dst,src,dst,packets 'tunnel gre or tunnel vxlan' |
    awk -F, '{n[$1 " " $2 " " $3 " " $4] += $5} END {for (k in n) print k, n[k]}' | sort > "$TMP/g.tun"
diff "$TMP/t.tun" "$TMP/g.tun" > "$TMP/d.tun" || { head "$TMP/d.tun" >&2; fail "flowgen's tun_src/tun_dst (truth <, flowgen >)"; }
echo "tunnels: $(wc -l < "$TMP/t.tun") address pairs, both directions"

# DNS answers, fragmented or tunnelled, decode to the names the truth lists.
awk -F'\t' '/^#/ {next} $1 == "conv" {for (i = 1; i <= NF; i++) c[$i] = i; next}
    $c["dns_rcode"] != "" {print $c["dns_qname"]}' "$TMP/e.tsv" | sort > "$TMP/t.names"
tshark -r "$TMP/e.pcap" -Y 'dns.flags.response == 1' -T fields -e dns.qry.name 2>/dev/null |
    sort > "$TMP/s.names"
diff "$TMP/t.names" "$TMP/s.names" > /dev/null || fail "DNS answers differ from the truth"
echo "dns answers: $(wc -l < "$TMP/t.names")"
echo ok
