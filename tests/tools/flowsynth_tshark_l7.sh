#!/usr/bin/env bash
# flowsynth's truth sidecar against tshark: every TLS SNI, ALPN list, offered TLS version and
# ECH extension (over TCP, and inside QUIC v1 and v2 Initials that tshark decrypts itself), every HTTP host, method and status, every DNS name, type and rcode (UDP and
# TCP) that the truth claims is what tshark decodes from the pcap, flow by flow, and the
# other way round.
. "$(dirname "$0")/lib.sh"
need_cmd tshark

flowsynth -n 40000 -s 3 --ipv6 30 --mix https=5,tls-ech=1,tls-split=2,quic=3,quic-split=1,http=3,dns=5,dns-tcp=1 \
    -w "$TMP/l7.pcap" --truth "$TMP/l7.tsv"

# truth COLUMN... : the named columns of the truth's flow rows, tab-separated.
truth() {
    awk -F'\t' -v want="$*" '
        /^#/ {next}
        $1 == "conv" {n = split(want, w, " "); for (i = 1; i <= NF; i++) idx[$i] = i; next}
        {line = ""; for (i = 1; i <= n; i++) line = line (i > 1 ? "\t" : "") $(idx[w[i]]); print line}
    ' "$TMP/l7.tsv"
}
# shark FILTER FIELD... : tshark fields of matching frames, IPv4 or IPv6 addresses merged into
# one column, the first occurrence of each field.
shark() {
    local filter=$1; shift
    local args=()
    for f in "$@"; do args+=(-e "$f"); done
    tshark -r "$TMP/l7.pcap" -o http.desegment_body:FALSE -Y "$filter" -T fields -E occurrence=f \
        "${args[@]}" 2>/dev/null | awk -F'\t' 'BEGIN {OFS = "\t"} {
            # columns 1,2 and 3,4 are ip/ipv6 pairs: keep the one that is set
            a = $1 != "" ? $1 : $2; b = $3 != "" ? $3 : $4
            line = a OFS b; for (i = 5; i <= NF; i++) line = line OFS $i; print line}'
}
# same WHAT EXPECTED ACTUAL: the two sorted lists are equal and not empty.
same() {
    sort -u "$2" > "$2.s"; sort -u "$3" > "$3.s"
    [ -s "$2.s" ] || fail "$1: the truth lists nothing"
    if ! diff "$2.s" "$3.s" > "$TMP/diff"; then
        head -20 "$TMP/diff" >&2
        fail "$1: truth and tshark differ"
    fi
    echo "$1: $(wc -l < "$2.s") flows agree"
}

# TLS ClientHello: SNI, ALPN, highest offered version, ECH (extension 65037), per flow.
truth src dst sport dport sni alpn tls_version ech | awk -F'\t' '$5 != "" || $8 != ""' > "$TMP/t.tls"
tshark -r "$TMP/l7.pcap" -Y 'tls.handshake.type == 1' -T fields -E occurrence=a -E aggregator=, \
    -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e tcp.srcport -e udp.srcport -e tcp.dstport \
    -e udp.dstport -e tls.handshake.extensions_server_name -e tls.handshake.extensions_alpn_str \
    -e tls.handshake.extensions.supported_version -e tls.handshake.extension.type 2>/dev/null |
    awk -F'\t' 'BEGIN {OFS = "\t"} {
        a = $1 != "" ? $1 : $2; b = $3 != "" ? $3 : $4
        split($11, v, ","); ver = v[1] == "0x0304" ? "1.3" : "1.2"
        ech = ("," $12 ",") ~ /,65037,/ ? 1 : 0
        print a, b, $5 $6, $7 $8, $9, $10, ver, ech}' > "$TMP/s.tls"
same "TLS and QUIC hellos" "$TMP/t.tls" "$TMP/s.tls"

# QUIC: the version of each client Initial (tshark removes the v1 or v2 protection itself).
truth dir src sport quic_version | awk -F'\t' 'BEGIN {OFS = "\t"} $1 == "c2s" && $4 != "" {print $2, $3, $4}' \
    > "$TMP/t.quic"
tshark -r "$TMP/l7.pcap" -Y 'tls.handshake.type == 1 && quic' -T fields -E occurrence=f \
    -e ip.src -e ipv6.src -e udp.srcport -e quic.version 2>/dev/null |
    awk -F'\t' 'BEGIN {OFS = "\t"} {print ($1 != "" ? $1 : $2), $3, ($4 == "0x6b3343cf" ? 2 : 1)}' \
    > "$TMP/s.quic"
same "QUIC versions" "$TMP/t.quic" "$TMP/s.quic"
awk -F'\t' '$3 == 2' "$TMP/s.quic" | grep . > /dev/null || fail "no QUIC v2 in the mix"
awk -F'\t' '$3 == 1' "$TMP/s.quic" | grep . > /dev/null || fail "no QUIC v1 in the mix"
servers=$(tshark -r "$TMP/l7.pcap" -Y 'tls.handshake.type == 2 && quic' 2>/dev/null | wc -l)
[ "$servers" -gt "$(($(wc -l < "$TMP/s.quic") * 9 / 10))" ] || fail "tshark opens only $servers server Initials"
grep -qP '\t1$' "$TMP/t.tls" || fail "no ECH hello in the mix"

# HTTP: the first request of each flow (host, method) and the first response (status).
truth src dst sport dport http_host http_method | awk -F'\t' '$5 != ""' > "$TMP/t.req"
shark 'http.request' ip.src ipv6.src ip.dst ipv6.dst tcp.srcport tcp.dstport http.host \
    http.request.method | awk -F'\t' '!seen[$1 FS $3]++' > "$TMP/s.req"
same "HTTP requests" "$TMP/t.req" "$TMP/s.req"
truth src dst sport dport http_status | awk -F'\t' '$5 != ""' > "$TMP/t.resp"
shark 'http.response' ip.src ipv6.src ip.dst ipv6.dst tcp.srcport tcp.dstport \
    http.response.code | awk -F'\t' '!seen[$2 FS $4]++' > "$TMP/s.resp"
same "HTTP responses" "$TMP/t.resp" "$TMP/s.resp"

# DNS over UDP and TCP: questions, and answers with their rcode.
truth src dst sport dport proto dns_qname dns_qtype dns_rcode | awk -F'\t' '$6 != "" && $8 == ""' |
    cut -f1-7 > "$TMP/t.q"
shark 'dns.flags.response == 0' ip.src ipv6.src ip.dst ipv6.dst tcp.srcport udp.srcport \
    tcp.dstport udp.dstport ip.proto ipv6.nxt dns.qry.name dns.qry.type |
    awk -F'\t' 'BEGIN {OFS = "\t"} {print $1, $2, $3 $4, $5 $6, $7 $8, $9, $10}' > "$TMP/s.q"
same "DNS questions" "$TMP/t.q" "$TMP/s.q"
truth src dst sport dport proto dns_qname dns_qtype dns_rcode | awk -F'\t' '$8 != ""' > "$TMP/t.a"
shark 'dns.flags.response == 1' ip.src ipv6.src ip.dst ipv6.dst tcp.srcport udp.srcport \
    tcp.dstport udp.dstport ip.proto ipv6.nxt dns.qry.name dns.qry.type dns.flags.rcode |
    awk -F'\t' 'BEGIN {OFS = "\t"} {print $1, $2, $3 $4, $5 $6, $7 $8, $9, $10, $11}' > "$TMP/s.a"
same "DNS answers" "$TMP/t.a" "$TMP/s.a"
grep -qP '\t3$' "$TMP/t.a" || fail "no NXDOMAIN in the mix"
awk -F'\t' '$5 == 6' "$TMP/t.a" | grep . > /dev/null || fail "no DNS over TCP in the mix"
echo ok
