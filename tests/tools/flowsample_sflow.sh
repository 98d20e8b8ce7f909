#!/usr/bin/env bash
# sFlow, renormalised by flowcapture, against flowsample on the same traffic: a minimal sFlow
# v5 agent (tests/tools/sflow_agent.py) samples a synthesised capture 1:10 at random and sends
# raw packet headers with sampling rate 10; flowcapture turns each sample into a record with
# counters x10. The totals must agree with `flowsample --mode packet --rate 10` on the
# unsampled flows of the capture within the error of 1:10 packet sampling (4 standard errors
# of the difference), and the collector must have received every sample the agent sent.
. "$(dirname "$0")/lib.sh"
need_cmd python3
need_cmd tshark

N=10
flowsynth -q -n 40000 -s 11 -w "$TMP/t.pcap"
flowgen -q -r "$TMP/t.pcap" -w "$TMP/full.flows"
flowsample -r "$TMP/full.flows" --mode packet --rate $N --seed 3 -w "$TMP/sim.flows"
totals() { flowquery "$@" -I | awk -F': ' '/^Packets:/ {p = $2} /^Bytes:/ {b = $2} END {print p, b}'; }
read -r P B < <(totals -r "$TMP/full.flows")
read -r Ps Bs < <(totals -r "$TMP/sim.flows")
S2=$(tshark -r "$TMP/t.pcap" -Y 'ip or ipv6' -T fields -e frame.len 2>/dev/null |
    awk '{s += ($1 - 14) ^ 2} END {printf "%.0f", s}')
F2=$(flowquery -r "$TMP/full.flows" -q -o csv:packets,bytes | awk -F, '$1 > 0 {s += $2 * $2 / $1} END {printf "%.0f", s}')

port=$(free_udp_ports 1)
flowcapture -q -b 127.0.0.1 -p $port -l "$TMP/store" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$TMP"' EXIT
sleep 0.5
sampled=$(python3 "$SRC/tests/tools/sflow_agent.py" "$TMP/t.pcap" $N 5 127.0.0.1 $port)
sleep 0.5
kill $pid
wait $pid || fail "flowcapture exited with an error"
expect_eq "$(flowquery -R "$TMP/store" -q -o csv:sampling | sort -u)" "$N" "sampling field"
expect_eq "$(flowquery -R "$TMP/store" -q -o csv:src | wc -l)" "$sampled" "one record per sample"
read -r Pc Bc < <(totals -R "$TMP/store")
echo "truth $P $B; flowcapture (sFlow 1:$N) $Pc $Bc; flowsample --mode packet $Ps $Bs"
awk -v n=$N -v Pc="$Pc" -v Bc="$Bc" -v Ps="$Ps" -v Bs="$Bs" -v P="$P" -v B="$B" -v S2="$S2" -v F2="$F2" '
    function check(what, x, y, var) {
        z = (x - y) / sqrt(var)
        printf "%s: difference %.0f = %.2f standard errors\n", what, x - y, z
        if (z > 4 || z < -4) bad = 1
    }
    BEGIN {
        check("packets sflow-flowsample", Pc, Ps, 2 * (n - 1) * P)
        check("bytes sflow-flowsample", Bc, Bs, (n - 1) * (S2 + F2))
        check("packets sflow-truth", Pc, P, (n - 1) * P)
        check("bytes sflow-truth", Bc, B, (n - 1) * S2)
        exit bad
    }' || fail "flowcapture's renormalised sFlow and flowsample disagree"
echo ok
