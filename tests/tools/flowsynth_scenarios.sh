#!/usr/bin/env bash
# flowsynth's attack scenarios, mixed into background traffic, checked with tshark: each
# scenario's attacker, target and time window in the truth sidecar hold for the packets, and
# each looks like what the man page says (scans probe many hosts or ports, floods never finish
# a handshake, brute force is many similar short sessions, the chain runs in order, ...).
. "$(dirname "$0")/lib.sh"
need_cmd tshark

flowsynth -n 0 -d 330 --rate 5 -s 9 \
    --scenario scan:count=300 \
    --scenario scan:type=vertical,count=400,target=10.0.10.40,attacker=203.0.113.67,at=10 \
    --scenario synflood:rate=400,duration=3,at=20 \
    --scenario synflood:sources=200,rate=400,duration=3,at=25,target=10.0.10.81 \
    --scenario bruteforce:attempts=25,interval=1,at=30 \
    --scenario bruteforce:service=rdp,attempts=20,interval=1,success=1,at=40,attacker=203.0.113.78 \
    --scenario mining:duration=60,at=12 \
    --scenario dns-tunnel:queries=300,rate=30,at=8 \
    --scenario exfil:bytes=4e6,at=50 \
    --scenario ot-new-peer:at=60,after=20 \
    --scenario cryptojacking:at=70,attempts=10,duration=60 \
    -w "$TMP/s.pcap" --truth "$TMP/s.tsv" 2> "$TMP/err"
[ ! -s "$TMP/err" ] || { cat "$TMP/err" >&2; fail "warnings"; }

tshark -r "$TMP/s.pcap" -d tcp.port==3333,json -T fields -E occurrence=f \
    -e frame.time_epoch -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport -e tcp.flags.syn \
    -e tcp.flags.ack -e tcp.flags.reset -e frame.len -e dns.qry.name -e dns.flags.response \
    -e ssh.protocol -e rdp.rt_cookie -e json.value.string -e mbtcp.trans_id 2>/dev/null > "$TMP/f"
# col NAME: field positions of $TMP/f
declare -A F=([t]=1 [src]=2 [dst]=3 [sport]=4 [dport]=5 [syn]=6 [ack]=7 [rst]=8 [len]=9 [qname]=10
              [resp]=11 [ssh]=12 [cookie]=13 [json]=14 [modbus]=15)
# q AWK-PROGRAM: runs over the frames with the field names as variables.
q() {
    awk -F'\t' -v T=1 "
        { t=\$${F[t]}; src=\$${F[src]}; dst=\$${F[dst]}; sport=\$${F[sport]}; dport=\$${F[dport]}
          syn=\$${F[syn]}; ack=\$${F[ack]}; rst=\$${F[rst]}; len=\$${F[len]}; qname=\$${F[qname]}
          resp=\$${F[resp]}; ssh=\$${F[ssh]}; cookie=\$${F[cookie]}; json=\$${F[json]}
          modbus=\$${F[modbus]} }
        $1" "$TMP/f"
}
# info LABEL FIELD: a field of a #scenario line (2 label, 4 attacker, 5 target, 6 port, 7 start, 8 end).
info() { awk -F'\t' -v l="$1" -v f="$2" '$1 == "#scenario" && $2 == l {print $f}' "$TMP/s.tsv"; }
# in_window LABEL: the awk condition "t within the scenario's planned window".
in_window() { echo "(t * 1e6 >= $(info "$1" 7) - 1 && t * 1e6 <= $(info "$1" 8) + 60e6)"; }

# Horizontal scan: one source, one port, 300 distinct hosts, most SYNs unanswered.
a=$(info scan 4)
expect_eq "$(q "src == \"$a\" && dport == 22 && syn == 1 && ack == 0 && $(in_window scan) {print dst}" | sort -u | wc -l)" 300 "hosts probed by the horizontal scan"
answered=$(q "dst == \"$a\" && sport == 22 && $(in_window scan)" | wc -l)
[ "$answered" -gt 0 ] && [ "$answered" -lt 150 ] || fail "horizontal scan: $answered answers of 300"
# Vertical scan: 400 ports of one host, mostly RST.
a=$(info scan#2 4)
expect_eq "$(q "src == \"$a\" && dst == \"10.0.10.40\" && syn == 1 && ack == 0 && $(in_window scan#2) {print dport}" | sort -u | wc -l)" 400 "ports probed by the vertical scan"
rsts=$(q "src == \"10.0.10.40\" && dst == \"$a\" && rst == 1" | wc -l)
[ "$rsts" -gt 300 ] || fail "vertical scan: only $rsts RSTs"
echo "scans: ok"

# SYN floods: 1200 SYNs each, no handshake completed; one source, then about 200 spoofed ones.
for l in synflood synflood#2; do
    tgt=$(info "$l" 5)
    syns=$(q "dst == \"$tgt\" && dport == 80 && syn == 1 && ack == 0" | wc -l)
    [ "$syns" -gt 1000 ] && [ "$syns" -lt 1400 ] || fail "$l: $syns SYNs"
    acks=$(q "dst == \"$tgt\" && dport == 80 && syn == 0 && ack == 1" | wc -l)
    expect_eq "$acks" 0 "$l: completed handshakes"
    srcs=$(q "dst == \"$tgt\" && dport == 80 && syn == 1 {print src}" | sort -u | wc -l)
    if [ "$l" = synflood ]; then expect_eq "$srcs" 1 "$l: sources"; else
        [ "$srcs" -gt 150 ] && [ "$srcs" -le 200 ] || fail "$l: $srcs sources"; fi
done
echo "synfloods: ok"

# SSH brute force: 25 sessions from the attacker, each with a client banner, similar sizes.
a=$(info bruteforce 4)
expect_eq "$(q "src == \"$a\" && dport == 22 && ssh ~ /^SSH-2.0/" | wc -l)" 25 "SSH banners of the brute force"
q "src == \"$a\" && dport == 22 {b[sport] += len} END {for (p in b) print b[p]}" | sort -n > "$TMP/sizes"
awk 'NR == 1 {lo = $1} {hi = $1} END {exit !(hi < lo * 1.2)}' "$TMP/sizes" || fail "brute force sessions differ in size"
# RDP brute force that succeeds: 21 connection requests with the cookie, the last one long.
a=$(info bruteforce#2 4)
expect_eq "$(q "src == \"$a\" && cookie ~ /mstshash=administrator/" | wc -l)" 21 "RDP connection requests"
q "src == \"$a\" && dport == 3389 {b[sport] += len} END {for (p in b) print b[p]}" | sort -n > "$TMP/rdp"
awk 'NR == 1 {lo = $1} NR == 20 {mid = $1} {hi = $1} END {exit !(NR == 21 && hi > 5 * mid)}' "$TMP/rdp" ||
    fail "no long session after the failed RDP logins"
echo "brute force: ok"

# Mining: the pool lookup, then Stratum from the miner.
m=$(info mining 4)
q "src == \"$m\" && qname == \"pool.supportxmr.com\" && resp == 0" | grep . > /dev/null || fail "mining: no pool lookup"
q "src == \"$m\" && json ~ /mining.subscribe/" | grep . > /dev/null || fail "mining: no mining.subscribe"
q "src == \"$m\" && json ~ /mining.submit/" | grep . > /dev/null || fail "mining: no mining.submit"
echo "mining: ok"

# DNS tunnel: 300 queries with long names under the domain.
c=$(info dns-tunnel 4)
d=$(info dns-tunnel 5)
expect_eq "$(q "src == \"$c\" && resp == 0 && length(qname) > 90 && substr(qname, length(qname) - length(\"$d\") + 1) == \"$d\"" | wc -l)" 300 "long tunnel queries"
echo "dns-tunnel: ok"

# Exfiltration: the host sends the bytes to the target.
h=$(info exfil 4)
tgt=$(info exfil 5 | cut -d' ' -f1)
sent=$(q "src == \"$h\" && dst == \"$tgt\" {s += len} END {print s + 0}")
[ "$sent" -gt 4000000 ] || fail "exfil: only $sent bytes sent"
echo "exfil: ok"

# OT: the stable pairs poll before the new peer appears; the new peer shows up at its time.
at=$(info ot-new-peer 7)
peer=$(info ot-new-peer 4)
first=$(q "src == \"$peer\" && modbus != \"\" {print t; exit}")
awk -v f="$first" -v a="$at" 'BEGIN {exit !(f * 1e6 >= a)}' || fail "the new OT peer talks before its time"
before=$(q "modbus != \"\" && dport == 502 && t * 1e6 < $at {print src}" | sort -u)
expect_eq "$before" "172.16.1.20" "Modbus masters before the new peer"
echo "ot-new-peer: ok"

# The chain: cover scan, then brute force, then login, then the victim mines.
a=$(info cryptojacking 4)
v=$(info cryptojacking 5)
cover=$(q "src == \"$a\" && syn == 1 && ack == 0 && dst != \"$v\" {print t; exit}")
brute=$(q "src == \"$a\" && dst == \"$v\" && ssh ~ /^SSH/ {print t; exit}")
mine=$(q "src == \"$v\" && json ~ /mining.subscribe/ {print t; exit}")
[ -n "$cover" ] && [ -n "$brute" ] && [ -n "$mine" ] || fail "cryptojacking: a stage is missing"
awk -v c="$cover" -v b="$brute" -v m="$mine" 'BEGIN {exit !(c < b && b < m)}' || fail "cryptojacking out of order"
logins=$(awk -F'\t' '$37 == "cryptojacking" && $38 == "login" && $2 == "c2s"' "$TMP/s.tsv" | wc -l)
expect_eq "$logins" 1 "cryptojacking logins in the truth"
echo "cryptojacking: ok"
echo ok
