#!/usr/bin/env bash
# flowdetect over the real captures of ../shared/data: what is really in the attack captures
# (MANIFEST.md) is found, and the blacklist hits equal truth/list-hits.tsv. (Normal captures:
# flowdetect_normal.sh.)
. "$(dirname "$0")/lib.sh"
need_data
need_cmd python3
EV="python3 $SRC/tests/tools/flowdetect_events.py"
P=$DATA/pcap
L=$DATA/lists

detect() {  # detect PCAP [flowdetect options]: events of the capture in $TMP/out.json
    local pcap=$1
    shift
    flowgen -r "$P/$pcap" -w "$TMP/x.flows"
    flowdetect -q -r "$TMP/x.flows" "$@" > "$TMP/out.json"
}

# Zeek's sshguess: one client, many SSH connections to one server.
detect attacks/ssh-bruteforce-sshguess.pcap
$EV "$TMP/out.json" has method=bruteforce src=192.168.56.1 dst=192.168.56.103 port=22 service=ssh
expect_eq "$($EV "$TMP/out.json" count)" 1 "events of sshguess"

# Zeek's FTP brute force.
detect attacks/ftp-bruteforce.pcap
$EV "$TMP/out.json" has method=bruteforce src=192.168.56.1 dst=192.168.56.101 port=21 service=ftp \
    attempts='>=20'
expect_eq "$($EV "$TMP/out.json" count)" 1 "events of ftp-bruteforce"

# nmap SYN scan of 1000 ports of one host.
detect attacks/synscan.pcap
$EV "$TMP/out.json" has method=scan type=vertical src=172.16.0.8 dst=64.13.134.52 ports=1000
expect_eq "$($EV "$TMP/out.json" count)" 1 "events of synscan"

# StopDDoS: a SYN flood from spoofed sources at one address; with the IP lists, exactly the
# sources truth/list-hits.tsv names are reported, as unanswered (medium).
detect attacks/synflood-spoofed.pcap -b "$L/ipsum/ipsum.txt" -b "$L/suricata-iprep/scirius-iprep.list" \
    -b "$L/firehol/feodo.ipset"
$EV "$TMP/out.json" has method=synflood dst=10.10.10.10 type=distributed severity='high|critical'
$EV "$TMP/out.json" get listed method=blacklist | sort -u > "$TMP/listed.txt"
awk -F'\t' '$1 == "pcap/attacks/synflood-spoofed.pcap" { print $2 }' "$DATA/truth/list-hits.tsv" |
    sort -u > "$TMP/truth.txt"
diff "$TMP/truth.txt" "$TMP/listed.txt" || fail "blacklist hits differ from truth/list-hits.tsv"
expect_eq "$($EV "$TMP/out.json" count method=blacklist severity=high)" 0 "established blacklist hits"

# Stratum mining: three miners (one on port 9999, not a default mining port: app stratum).
detect mining/mining.pcapng
$EV "$TMP/out.json" has method=mining src=192.168.2.148 dst='94.23.199.191|116.211.167.195' port=3333 \
    severity=high
$EV "$TMP/out.json" has method=mining src=192.168.2.92 severity=high
$EV "$TMP/out.json" has method=mining src=147.229.13.222 dst=185.71.66.39 port=9999 severity=high
expect_eq "$($EV "$TMP/out.json" count method=mining src='192.168.2.148|192.168.2.92|147.229.13.222')" \
    "$($EV "$TMP/out.json" count)" "only mining events, only from the three miners"

# DNS tunnels: iodine (raw-byte names, a new name per poll) and dnscat-like long names.
detect dns/dns-tunnel-iodine.pcap
$EV "$TMP/out.json" has method=dns type=tunnel src=10.0.2.30 dst=10.0.2.20 domain=pirate.sea
detect dns/bad-dns-traffic.pcap
$EV "$TMP/out.json" has method=dns type=tunnel src=192.168.43.91 domain=skullseclabs.org

echo "ok"
