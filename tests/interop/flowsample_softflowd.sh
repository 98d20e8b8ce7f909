#!/usr/bin/env bash
# Sampled exports, renormalised by flowcapture, against flowsample on the same traffic:
# softflowd -s 10 samples a synthesised capture 1:10 and exports NetFlow v9 and IPFIX with its
# sampling interval; flowcapture multiplies the counters back. Their totals must agree with
# `flowsample --mode packet --rate 10` on the unsampled flows of the same capture within the
# error of 1:10 packet sampling (4 standard errors of the difference), and the records must
# carry sampling 10.
. "$(dirname "$0")/../tools/lib.sh"
need_cmd softflowd
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

pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$TMP"' EXIT
base=$(free_udp_ports 11)
for v in 9 10; do
    port=$((base + v))
    flowcapture -q -b 127.0.0.1 -p $port -l "$TMP/store$v" &
    pid=$!
    sleep 0.5
    # softflowd hangs when its control socket path is 13 characters or longer.
    ctl=/tmp/fks$v$((RANDOM % 100))
    timeout 60 softflowd -d -r "$TMP/t.pcap" -n 127.0.0.1:$port -v $v -s $N -c "$ctl" \
        >/dev/null 2>&1 || fail "softflowd -v $v -s $N failed"
    rm -f "$ctl"
    sleep 0.5
    kill $pid
    wait $pid || fail "flowcapture exited with an error"
    pid=
    expect_eq "$(flowquery -R "$TMP/store$v" -q -o csv:sampling | sort -u)" "$N" "v$v sampling field"
    read -r Pc Bc < <(totals -R "$TMP/store$v")
    echo "v$v: truth $P $B; flowcapture (softflowd -s $N) $Pc $Bc; flowsample --mode packet $Ps $Bs"
    # Systematic 1:N sampling has at most the variance of random sampling: the bound holds.
    awk -v n=$N -v Pc="$Pc" -v Bc="$Bc" -v Ps="$Ps" -v Bs="$Bs" -v P="$P" -v S2="$S2" -v F2="$F2" '
        function check(what, x, y, var) {
            z = (x - y) / sqrt(var)
            printf "%s: difference %.0f = %.2f standard errors\n", what, x - y, z
            if (z > 4 || z < -4) bad = 1
        }
        BEGIN {
            check("packets", Pc, Ps, 2 * (n - 1) * P)
            check("bytes", Bc, Bs, (n - 1) * (S2 + F2))
            exit bad
        }' || fail "v$v: flowcapture's renormalised totals and flowsample disagree"
done
echo ok
