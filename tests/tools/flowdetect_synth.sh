#!/usr/bin/env bash
# flowsynth's attack scenarios mixed into normal traffic, through flowgen, into flowdetect:
# each scenario is found by the right method with the right source and target (the scenario
# lines of flowsynth's truth file), nothing else is high or critical, and every event's filter
# makes flowquery select exactly the flows its evidence counts.
. "$(dirname "$0")/lib.sh"
need_cmd python3
EV="python3 $SRC/tests/tools/flowdetect_events.py"

flowsynth -q -n 0 -d 10m --rate 20 --seed 7 \
    --scenario scan:at=30 \
    --scenario scan:type=vertical,at=120,attacker=203.0.113.67 \
    --scenario synflood:at=200 \
    --scenario bruteforce:service=ssh,at=250 \
    --scenario bruteforce:service=rdp,success=1,at=300,attacker=203.0.113.78 \
    --scenario mining:at=60 \
    --scenario dns-tunnel:at=100,queries=400 \
    -w "$TMP/a.pcap" --truth "$TMP/a.tsv"
flowgen -r "$TMP/a.pcap" -w "$TMP/a.flows"
flowdetect -q -r "$TMP/a.flows" > "$TMP/a.json"
J=$TMP/a.json

# The scenarios' attackers and targets, from the truth file.
truth() { awk -F'\t' -v l="$1" -v c="$2" '$1 == "#scenario" && $2 == l { print $c }' "$TMP/a.tsv"; }
$EV "$J" has method=scan type=horizontal src="$(truth scan 4)" port=22 hosts='>=512'
$EV "$J" has method=scan type=vertical src="$(truth 'scan#2' 4)" dst="$(truth 'scan#2' 5)" ports='>=1000'
$EV "$J" has method=synflood src="$(truth synflood 4)" dst="$(truth synflood 5)" port=80 severity=high
$EV "$J" has method=bruteforce src="$(truth bruteforce 4)" dst="$(truth bruteforce 5)" port=22 \
    success=0 attempts=40 severity=high attack=T1110.001
$EV "$J" has method=bruteforce src="$(truth 'bruteforce#2' 4)" dst="$(truth 'bruteforce#2' 5)" \
    port=3389 success=1 severity=critical
$EV "$J" has method=mining src="$(truth mining 4)" dst=198.51.100.23 port=3333 severity=high \
    pools=supportxmr.com
$EV "$J" has method=dns type=tunnel src="$(truth dns-tunnel 4)" domain=cdnsync-update.net \
    severity=high queries=400
# Nothing else is high or critical: 7 scenarios, 7 events at high or above.
expect_eq "$($EV "$J" count severity='high|critical')" 7 "high/critical events"

# Every event's filter selects its evidence flows.
python3 - "$J" "$TMP/a.flows" <<'PY'
import json, subprocess, sys
count_key = {"scan": "probes", "synflood": "flows", "dos": "flows", "bruteforce": "attempts",
             "blacklist": "flows", "mining": "flows"}
for line in open(sys.argv[1]):
    e = json.loads(line)
    key = count_key.get(e["method"])
    if e["method"] == "dns":
        key = "flows" if e["evidence"]["type"] in ("tunnel", "resolver") else "nxdomain"
    out = subprocess.run(["flowquery", "-r", sys.argv[2], "-I", e["filter"]], check=True,
                         capture_output=True, text=True).stdout
    n = int([l.split()[1] for l in out.splitlines() if l.startswith("Flows:")][0])
    if n != e["evidence"][key]:
        sys.exit(f"FAIL: {e['method']}: filter selects {n} flows, evidence {key}={e['evidence'][key]}: {e['filter']}")
PY

# The cryptojacking chain, once with a scan as cover (SSH), once with a flood (RDP).
flowsynth -q -n 0 -d 12m --rate 20 --seed 8 --scenario cryptojacking:at=60 \
    --scenario cryptojacking:at=200,service=rdp,cover=synflood,attacker=203.0.113.98 \
    -w "$TMP/c.pcap" --truth "$TMP/c.tsv"
flowgen -r "$TMP/c.pcap" | flowdetect -q > "$TMP/c.json"
truth() { awk -F'\t' -v l="$1" -v c="$2" '$1 == "#scenario" && $2 == l { print $c }' "$TMP/c.tsv"; }
$EV "$TMP/c.json" has method=cryptojacking src="$(truth cryptojacking 4)" \
    dst="$(truth cryptojacking 5)" port=22 stages=scan,bruteforce-success,mining severity=critical \
    attack=T1496
$EV "$TMP/c.json" has method=cryptojacking src="$(truth 'cryptojacking#2' 4)" \
    dst="$(truth 'cryptojacking#2' 5)" port=3389 stages=synflood,bruteforce-success,mining
$EV "$TMP/c.json" has method=synflood dst="$(truth 'cryptojacking#2' 5)" type=distributed
expect_eq "$($EV "$TMP/c.json" count method=cryptojacking)" 2 "cryptojacking incidents"
echo "ok"
