#!/usr/bin/env bash
# Packets and bytes summed past 2^64 - 1 stop there instead of wrapping round to a small number:
# flowquery -I (from the file's index and by reading the flows), -s and -A on two AWS VPC flow
# log records of 2^64 - 1 and 5 packets and bytes.
. "$(dirname "$0")/lib.sh"
max=18446744073709551615
{
    echo "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
    echo "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 $max $max 1418530010 1418530070 ACCEPT OK"
    echo "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 5 5 1418530010 1418530070 ACCEPT OK"
} > "$TMP/vpc.log"
flowimport -q "$TMP/vpc.log" -w "$TMP/v.flows"
for filter in "" "proto tcp"; do
    expect_eq "$(flowquery -r "$TMP/v.flows" -I -N ${filter:+"$filter"} | grep -E '^(Packets|Bytes)(_tcp)?:' | tr '\n' ' ')" \
        "Packets: $max Packets_tcp: $max Bytes: $max Bytes_tcp: $max " "-I $filter"
done
for t in 1 2; do
    for case in "-s dstport|2" "-s srcip|10.0.0.1" "-A srcip,dstip|10.0.0.1,10.0.0.2"; do
        what=${case%|*}
        want="${case#*|},2,$max,$max,"  # key, flows, packets, bytes, then rates and times
        # shellcheck disable=SC2086
        row=$(flowquery -T $t -r "$TMP/v.flows" $what -o csv | sed -n 2p)
        expect_eq "${row:0:${#want}}" "$want" "$what, $t thread(s)"
    done
done
echo ok
