#!/usr/bin/env bash
# Every conversation kind of flowsynth, alone, is decoded by tshark as the protocol it claims
# to be, with valid IP/TCP/UDP/ICMP checksums and no malformed packet; the frames tshark
# attributes to the protocol come from flows the truth labels with that app.
. "$(dirname "$0")/lib.sh"
need_cmd tshark

# kind  tshark protocol  (extra tshark options)
while read -r kind proto extra; do
    flowsynth -n 3000 -s 11 --rate 40 --ipv6 20 --only "$kind" -w "$TMP/$kind.pcap" --truth "$TMP/$kind.tsv"
    read -r -a opts <<< "${extra:-}"
    # One pass: a line of fields per frame, then the expert summary (warnings and errors).
    tshark -r "$TMP/$kind.pcap" "${opts[@]}" -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
        -o ip.check_checksum:TRUE -T fields -e frame.protocols -e _ws.malformed \
        -e ip.checksum.status -e tcp.checksum.status -e udp.checksum.status -e icmp.checksum.status \
        -e icmpv6.checksum.status -z expert,warn 2>/dev/null > "$TMP/$kind.out"
    awk '/^$/ {exit} {print}' "$TMP/$kind.out" > "$TMP/$kind.fields"
    frames=$(awk -F'\t' -v p="$proto" '(":" $1 ":") ~ (":" p ":")' "$TMP/$kind.fields" | wc -l)
    [ "$frames" -gt 0 ] || fail "$kind: tshark finds no $proto"
    awk -F'\t' '$2 != ""' "$TMP/$kind.fields" | grep . > /dev/null && fail "$kind: malformed packets"
    # checksum status 0 is "bad" (1 good, 2 unverified)
    awk -F'\t' '{for (i = 3; i <= 7; i++) if ($i != "" && $i ~ /(^|,)0(,|$)/) bad++} END {exit bad > 0}' \
        "$TMP/$kind.fields" || fail "$kind: bad checksums"
    # No expert warning or error but the RSTs the kinds send on purpose and QUIC packets past
    # the Initials, which only the endpoints can decrypt (DNP3 CRCs, lengths of every layer,
    # TLS and SSH framing are all checked here).
    awk '/^Warns|^Errors/ {stats = 1} stats && $1 ~ /^[0-9]+$/ && !/Connection reset/ &&
        !/Secrets are not available/' "$TMP/$kind.out" > "$TMP/$kind.expert"
    [ ! -s "$TMP/$kind.expert" ] || { cat "$TMP/$kind.expert" >&2; fail "$kind: tshark warnings"; }
    apps=$(awk -F'\t' '!/^#/ && $1 != "conv" && $22 != "" {print $22}' "$TMP/$kind.tsv" | sort -u | tr '\n' ' ')
    echo "$kind: $frames frames of $proto; truth apps: $apps"
done <<'LIST'
dns dns
dns-tcp dns
http http
https tls
tls-ech tls
tls-split tls
quic quic
quic-split quic
ssh ssh
rdp rdp
smb smb2
ntp ntp
icmp-echo icmp|icmpv6
icmp-unreach icmp|icmpv6
syn-noanswer tcp
syn-rst tcp
iec104 iec60870_104
modbus modbus
dnp3 dnp3
s7 s7comm
mms mms
coap coap
goose goose
stratum json -d tcp.port==3333,json
LIST

# DLMS/COSEM has no tshark dissector: check the wrapper header (version 1, client wPort 16,
# server wPort 1) on port 4059 and the AARQ tag after it.
flowsynth -n 800 --only dlms -w "$TMP/dlms.pcap"
aarq=$(tshark -r "$TMP/dlms.pcap" -Y 'tcp.dstport == 4059 && tcp.payload' -T fields -e tcp.payload \
    2>/dev/null | grep -c '^00010010000100..60')
[ "$aarq" -gt 0 ] || fail "dlms: no wrapped AARQ"
echo "dlms: $aarq AARQs in the COSEM wrapper"
echo ok
