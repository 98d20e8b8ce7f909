#!/usr/bin/env bash
# flowsample --mode packet against real packet sampling: flowgen --sample N --sample-mode
# random on the same capture. Both estimate the capture's totals; their packet and byte
# totals must agree within the binomial error of 1:N sampling (4 standard errors of the
# difference), and each must be within 4 standard errors of the unsampled truth.
. "$(dirname "$0")/lib.sh"
need_cmd tshark

N=10
flowsynth -n 40000 -s 11 -w "$TMP/t.pcap"
flowgen -q -r "$TMP/t.pcap" -w "$TMP/full.flows"
flowgen -q -r "$TMP/t.pcap" --sample $N --sample-mode random --seed 7 -w "$TMP/real.flows"
flowsample -r "$TMP/full.flows" --mode packet --rate $N --seed 7 -w "$TMP/sim.flows"

totals() { flowquery -r "$1" -I | awk -F': ' '/^Packets:/ {p = $2} /^Bytes:/ {b = $2} END {print p, b}'; }
read -r P B < <(totals "$TMP/full.flows")
read -r Pr Br < <(totals "$TMP/real.flows")
read -r Ps Bs < <(totals "$TMP/sim.flows")
# Variances: real sampling draws each packet, Var(bytes) = (N-1)·Σ size²; the simulation
# draws packets of the flow's mean size, Var(bytes) = (N-1)·Σ bytes²/packets; packets (N-1)·P.
S2=$(tshark -r "$TMP/t.pcap" -Y 'ip or ipv6' -T fields -e frame.len 2>/dev/null |
    awk '{s += ($1 - 14) ^ 2} END {printf "%.0f", s}')
F2=$(flowquery -r "$TMP/full.flows" -q -o csv:packets,bytes | awk -F, '$1 > 0 {s += $2 * $2 / $1} END {printf "%.0f", s}')
echo "truth $P packets $B bytes; flowgen --sample $N: $Pr $Br; flowsample --mode packet: $Ps $Bs"
awk -v n=$N -v P="$P" -v B="$B" -v Pr="$Pr" -v Br="$Br" -v Ps="$Ps" -v Bs="$Bs" -v S2="$S2" -v F2="$F2" '
    function check(what, x, y, var) {
        z = (x - y) / sqrt(var)
        printf "%s: difference %.0f = %.2f standard errors\n", what, x - y, z
        if (z > 4 || z < -4) bad = 1
    }
    BEGIN {
        check("packets flowgen-flowsample", Pr, Ps, 2 * (n - 1) * P)
        check("bytes flowgen-flowsample", Br, Bs, (n - 1) * (S2 + F2))
        check("packets flowgen-truth", Pr, P, (n - 1) * P)
        check("bytes flowgen-truth", Br, B, (n - 1) * S2)
        check("packets flowsample-truth", Ps, P, (n - 1) * P)
        check("bytes flowsample-truth", Bs, B, (n - 1) * F2)
        exit bad
    }' || fail "flowgen --sample and flowsample --mode packet disagree beyond the binomial error"
# Both mark their records 1:N.
expect_eq "$(flowquery -r "$TMP/real.flows" -q -o csv:sampling | sort -u)" "$N" "flowgen sampling field"
expect_eq "$(flowquery -r "$TMP/sim.flows" -q -o csv:sampling | sort -u)" "$N" "flowsample sampling field"
# Sampling sampled flows compounds the rates: flowgen's 1:10 flows sampled 1:10 again are 1:100
# flows, whose packet total is within the error of 1:100 packet sampling of the capture.
flowsample -r "$TMP/real.flows" --mode packet --rate $N --seed 2 -w "$TMP/twice.flows"
expect_eq "$(flowquery -r "$TMP/twice.flows" -q -o csv:sampling | sort -u)" "$((N * N))" "compound sampling field"
read -r Pt Bt < <(totals "$TMP/twice.flows")
awk -v P="$P" -v Pt="$Pt" -v n=$((N * N)) 'BEGIN { z = (Pt - P) / sqrt((n - 1) * P)
    printf "packets 1:%d twice: %d = %.2f standard errors\n", n, Pt, z; exit !(z < 4 && z > -4) }' ||
    fail "1:10 of 1:10 is not 1:100"
echo ok
