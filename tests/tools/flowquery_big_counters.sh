#!/usr/bin/env bash
# Counters near 2^64 and fractional rates: the summary's average bps does not wrap round
# (bytes * 8 in 64 bits did), a -s rate past 2^64 prints as UINT64_MAX in text as in CSV (text
# printed 0), and rates are truncated, as nfdump prints them, in every format (text truncated,
# CSV and JSON rounded). Fixture values are hand-computed.
. "$(dirname "$0")/lib.sh"
rest="0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0.000,0.000,0.000,0.0.0.0,0/0,0,1970-01-01 00:00:00.000"
{
    echo ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr
    echo "2025-03-03 10:00:01,2025-03-03 10:00:02,1.000,10.0.0.1,10.0.0.9,1000,80,TCP,...A....,0,0,9223372036854775807,18446744073709551615,$rest"
    echo "2025-03-03 10:00:02,2025-03-03 10:00:03,1.000,10.0.0.1,10.0.0.9,1001,80,TCP,...A....,0,0,9223372036854775807,18446744073709551615,$rest"
    echo "2025-03-03 10:00:00,2025-03-03 10:00:47.106,47.106,10.0.0.5,10.0.0.8,1002,80,TCP,...A....,0,0,127,681839,$rest"
} > "$TMP/big.csv"
flowimport -q --format nfcsv "$TMP/big.csv" -w "$TMP/big.flows"

max=18446744073709551615
# Summary: bytes saturate at 2^64-1 over 47.106 s: 8 * (2^64-1) / 47.106 = 3.13280585466e18
# (bytes * 8 wrapped round in 64 bits gave 3.9e17).
grep -q "avg bps: 31328058546[0-9]\{8\}," <(flowquery -r "$TMP/big.flows" -N -o long) ||
    fail "summary bps: $(flowquery -r "$TMP/big.flows" -N -o long | grep -o 'avg bps: [0-9]*')"
# 10.0.0.1: 2^64-1 bytes (saturated sum) in 2 s, 2^64-2 packets: bps past 2^64.
expect_eq "$(flowquery -r "$TMP/big.flows" -N -q -s srcip/bytes -o csv | grep '^10.0.0.1,' | cut -d, -f5)" \
    $max "csv bps past 2^64"
expect_eq "$(flowquery -r "$TMP/big.flows" -N -q -s srcip/bytes | awk '$3 == "10.0.0.1" { print $(NF-1) }')" \
    $max "text bps past 2^64"
# 10.0.0.5: 127 packets, 681839 bytes in 47.106 s: pps 2.69, bps 115796.5, bpp 5368.8.
expect_eq "$(flowquery -r "$TMP/big.flows" -N -q -s srcip/bytes | awk '$3 == "10.0.0.5" { print $(NF-2), $(NF-1), $NF }')" \
    "2 115796 5368" "text rates"
expect_eq "$(flowquery -r "$TMP/big.flows" -q -s srcip/bytes -o csv | grep '^10.0.0.5,' | cut -d, -f5-7)" \
    "115796,2,5368" "csv rates"
expect_eq "$(flowquery -r "$TMP/big.flows" -q -s srcip/bytes -o json | grep '"10.0.0.5"' | grep -o '"bps":[0-9]*,"pps":[0-9]*,"bpp":[0-9]*')" \
    '"bps":115796,"pps":2,"bpp":5368' "json rates"
echo ok
