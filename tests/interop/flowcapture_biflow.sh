# RFC 5103 biflows from an independent encoder (python3-ipfix, Debian's IPFIX library, with its
# rfc5103 element set): every record carries both directions, the reverse counters and TCP
# flags under enterprise 29305. flowcapture must make two flows of each, the reverse one with
# the endpoints swapped, and a direction without packets no flow; the expected flows are the
# records the encoder was given. flowquery -b must join each pair again.
. "$(dirname "$0")/../tools/lib.sh"
PY=
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import ipfix' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || skip "python3-ipfix is not installed (scripts/setup.sh)"

port=$(free_udp_ports 1)
flowcapture -q -b 127.0.0.1 -p "$port" -w "$TMP/got.flows" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT
sleep 0.5
"$PY" - "$port" "$TMP/expected" <<'PY'
import datetime, ipaddress, random, socket, sys
import ipfix.ie, ipfix.message, ipfix.template
port, expected = int(sys.argv[1]), sys.argv[2]
ipfix.ie.use_iana_default()
ipfix.ie.use_5103_default()
common = ["flowStartMilliseconds", "flowEndMilliseconds", "sourceTransportPort",
          "destinationTransportPort", "protocolIdentifier", "tcpControlBits", "packetDeltaCount",
          "octetDeltaCount", "reversePacketDeltaCount", "reverseOctetDeltaCount",
          "reverseTcpControlBits"]
templates = {
    4: ipfix.template.from_ielist(256, ipfix.ie.spec_list(
        ["sourceIPv4Address", "destinationIPv4Address"] + common)),
    6: ipfix.template.from_ielist(257, ipfix.ie.spec_list(
        ["sourceIPv6Address", "destinationIPv6Address"] + common)),
}
rng = random.Random(5103)
t0 = datetime.datetime(2025, 3, 3, 10, 0, 0)
records, lines = [], []
for i in range(600):
    v = 4 if i % 3 else 6
    src = ipaddress.ip_address(f"10.1.{i // 250}.{i % 250 + 1}" if v == 4 else f"2001:db8::{i + 1:x}")
    dst = ipaddress.ip_address("192.0.2.80" if v == 4 else "2001:db8:ffff::80")
    proto = 6 if i % 2 else 17
    # Some records have one direction only: no reverse packets, or (rarely) no forward ones.
    fp = 0 if i % 50 == 7 else rng.randint(1, 5000)
    rp = 0 if i % 10 == 3 else rng.randint(1, 5000)
    r = {"sourceIPv4Address" if v == 4 else "sourceIPv6Address": src,
         "destinationIPv4Address" if v == 4 else "destinationIPv6Address": dst,
         "flowStartMilliseconds": t0 + datetime.timedelta(seconds=i),
         "flowEndMilliseconds": t0 + datetime.timedelta(seconds=i + 2),
         "sourceTransportPort": 20000 + i, "destinationTransportPort": 443 if proto == 6 else 53,
         "protocolIdentifier": proto, "tcpControlBits": 0x1a if proto == 6 else 0,
         "packetDeltaCount": fp, "octetDeltaCount": fp * rng.randint(40, 1500),
         "reversePacketDeltaCount": rp, "reverseOctetDeltaCount": rp * rng.randint(40, 1500),
         "reverseTcpControlBits": 0x13 if proto == 6 else 0}
    records.append((v, r))
    sport, dport = r["sourceTransportPort"], r["destinationTransportPort"]
    if fp:
        lines.append(f"{proto},{src},{sport},{dst},{dport},{fp},{r['octetDeltaCount']},{r['tcpControlBits']}")
    if rp:
        lines.append(f"{proto},{dst},{dport},{src},{sport},{rp},{r['reverseOctetDeltaCount']},{r['reverseTcpControlBits']}")
with open(expected, "w") as f:
    f.write("\n".join(sorted(lines)) + "\n")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for start in range(0, len(records), 20):
    msg = ipfix.message.MessageBuffer()
    msg.begin_export(8304)
    for t in templates.values():
        msg.add_template(t)
    for v, r in records[start:start + 20]:
        msg.export_ensure_set(templates[v].tid)
        msg.export_namedict(r)
    s.sendto(msg.to_bytes(), ("127.0.0.1", port))
PY
sleep 0.5
kill -TERM $pid
wait $pid
# Flags as numbers, protocols as numbers, for the comparison.
flowquery -r "$TMP/got.flows" -q -o csv:proto,src,sport,dst,dport,packets,bytes,flags |
    awk -F, 'BEGIN {OFS = ","; split("F S R P A U E C", n, " ")}
        { p = $1 == "tcp" ? 6 : $1 == "udp" ? 17 : $1; f = 0
          for (i = 1; i <= 8; i++) if (substr($8, 9 - i, 1) == n[i]) f += 2 ^ (i - 1)
          $1 = p; $8 = f; print }' | sort > "$TMP/got"
expect_eq "$(wc -l < "$TMP/got")" "$(wc -l < "$TMP/expected")" "flows"
cmp -s "$TMP/got" "$TMP/expected" || fail "flows differ: $(diff "$TMP/expected" "$TMP/got" | head -5)"
# flowquery -b: one conversation per record again, with both directions' counters.
expect_eq "$(flowquery -r "$TMP/got.flows" -q -b -o csv | wc -l)" 600 "conversations"

# A real ipfixprobe export (biflow templates with reverse bytes, packets and TCP flags) against
# tshark's reading of the same datagrams: tshark lists each record's forward then reverse
# octets and packets.
if [ -d "$DATA/netflow" ] && command -v tshark >/dev/null && command -v mergecap >/dev/null; then
    dir=$DATA/netflow/ipfix
    port=$(free_udp_ports 1)
    flowcapture -q -b 127.0.0.1 -p "$port" -w "$TMP/probe.flows" &
    pid=$!
    sleep 0.5
    python3 "$SRC/tests/tools/flowcapture_replay.py" 127.0.0.1 "$port" \
        "$dir/akvorado-ipfixprobe-templates.pcap" "$dir/akvorado-ipfixprobe-data.pcap" >/dev/null
    sleep 0.3
    kill -TERM $pid
    wait $pid
    # tshark needs the templates in the same file.
    mergecap -a -w "$TMP/probe.pcap" "$dir/akvorado-ipfixprobe-templates.pcap" \
        "$dir/akvorado-ipfixprobe-data.pcap"
    truth=$(tshark -r "$TMP/probe.pcap" -T fields -e cflow.octets -e cflow.packets 2>/dev/null |
        awk -F'\t' 'NF == 2 && $1 != "" { n = split($1, o, ","); split($2, k, ",")
            for (i = 1; i <= n; i += 2) {
                if (o[i] > 0 || k[i] > 0 || (o[i + 1] == 0 && k[i + 1] == 0)) { f++; b += o[i]; p += k[i] }
                if (o[i + 1] > 0 || k[i + 1] > 0) { f++; b += o[i + 1]; p += k[i + 1] } } }
            END { print f + 0, p + 0, b + 0 }')
    got=$(flowquery -r "$TMP/probe.flows" -q -o csv:packets,bytes |
        awk -F, '{ f++; p += $1; b += $2 } END { print f + 0, p + 0, b + 0 }')
    expect_eq "$got" "$truth" "ipfixprobe biflows (flows packets bytes) against tshark"
    [ "${truth%% *}" -gt 0 ] || fail "tshark read no records"
    echo "ipfixprobe capture: $got (flows packets bytes), as tshark reads it"
else
    echo "SKIP part: ../shared/data or tshark missing, the ipfixprobe capture is not checked"
fi
echo "ok: 600 biflow records, $(wc -l < "$TMP/got") flows, as encoded"
