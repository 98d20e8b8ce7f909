#!/usr/bin/env bash
# make demo: synthesise a capture with an attack in it, turn it into flows, ask questions.
# Everything it makes stays in demo/ (or $FLOWKIT_DEMO_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/bin
out=${FLOWKIT_DEMO_DIR:-$PWD/demo}
mkdir -p "$out"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

step "1. Craft 400,000 packets of traffic with an SSH brute force and a port scan (flowsynth)" \
    "flowsynth -n 400000 --scenario bruteforce:service=ssh,success=1 --scenario scan -w demo/traffic.pcap"
"$bin"/flowsynth -n 400000 --seed 7 --scenario bruteforce:service=ssh,success=1 \
    --scenario scan -w "$out/traffic.pcap"

step "2. Packets to flows with TLS SNI, HTTP host, DNS names, RTT (flowgen)" \
    "flowgen -r demo/traffic.pcap -w demo/traffic.flows -v"
"$bin"/flowgen -r "$out/traffic.pcap" -w "$out/traffic.flows" -v

step "3. What is in the file (flowquery -I)" "flowquery -r demo/traffic.flows -I"
"$bin"/flowquery -r "$out/traffic.flows" -I

step "4. Top talkers by bytes" "flowquery -r demo/traffic.flows -s srcip/bytes -n 5"
"$bin"/flowquery -r "$out/traffic.flows" -s srcip/bytes -n 5

step "5. Applications, and the TLS server names of flows that sent one" \
    "flowquery -r demo/traffic.flows -s app -n 5; flowquery -r demo/traffic.flows 'sni \"?*\"' -s sni -n 5"
"$bin"/flowquery -r "$out/traffic.flows" -s app -n 5
"$bin"/flowquery -r "$out/traffic.flows" 'sni "?*"' -s sni -n 5

step "6. Who knocks on SSH? (filter + aggregation)" \
    "flowquery -r demo/traffic.flows 'dst port 22 and proto tcp' -A srcip,dstip -O flows -n 5"
"$bin"/flowquery -r "$out/traffic.flows" 'dst port 22 and proto tcp' -A srcip,dstip -O flows -n 5

step "7. Unanswered SYNs: the scanner stands out" \
    "flowquery -r demo/traffic.flows 'flags S and not flags A' -s srcip/flows -n 3"
"$bin"/flowquery -r "$out/traffic.flows" 'flags S and not flags A' -s srcip/flows -n 3

step "8. The first HTTPS flows as JSON Lines" \
    "flowquery -r demo/traffic.flows 'app tls' -o json -c 2"
"$bin"/flowquery -r "$out/traffic.flows" 'app tls' -o json -c 2

printf '\nFiles: %s (pcap %s, flows %s). Try: man -l man/flowquery.1\n' "$out" \
    "$(du -h "$out/traffic.pcap" | cut -f1)" "$(du -h "$out/traffic.flows" | cut -f1)"
