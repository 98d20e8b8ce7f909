#!/usr/bin/env bash
# flowsynth(1) KINDS against flowgen: with the default timeouts (idle 15 s, active 300 s) a
# probe makes one record per truth row, except that rows with the same flow key less than the
# idle timeout apart make one record. The truth rows of every kind, merged by that rule, are
# flowgen's records one for one, with their packets and bytes (GOOSE: the bytes after the
# Ethernet header, as flowgen(1) counts a layer-2 flow). Only the kinds the page names share
# records.
. "$(dirname "$0")/lib.sh"
need_cmd python3

kinds=$(flowsynth --list | awk '/^Conversation kinds/ {f = 1; next} /^Encapsulations/ {f = 0}
    f {print $1 "=1"}' | paste -sd,)
# Few clients, so that conversations between the same hosts come close in time.
flowsynth -n 40000 --rate 40 --ipv6 20 --clients 40 --mix "$kinds" -w "$TMP/a.pcap" --truth "$TMP/a.tsv"
flowgen -r "$TMP/a.pcap" |
    flowquery -q -o csv:src,dst,sport,dport,proto,src_mac,dst_mac,packets,bytes > "$TMP/g.csv"
python3 - "$TMP/a.tsv" "$TMP/g.csv" <<'PY'
import collections, csv, sys

IDLE, ACTIVE = 15e6, 300e6
PROTO = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmp6"}

rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if not l.startswith("#")]
col = {n: i for i, n in enumerate(rows[0])}
flows = collections.defaultdict(list)
for r in rows[1:]:
    g = lambda n: r[col[n]]
    key = ((g("src_mac"), g("dst_mac")) if g("proto") == "" else
           (g("src"), g("dst"), g("sport"), g("dport"), PROTO[g("proto")]))
    flows[key].append((int(g("first")), int(g("last")), int(g("packets")), int(g("bytes"))))

want, shared = collections.Counter(), collections.Counter()
for key, fl in flows.items():
    fl.sort()
    rec = None
    for first, last, packets, nbytes in fl:
        if rec and first - rec[1] <= IDLE and last - rec[0] <= ACTIVE:
            rec = [rec[0], max(rec[1], last), rec[2] + packets, rec[3] + nbytes, rec[4] + 1]
        else:
            if rec: want[(key, rec[2], rec[3])] += 1
            if rec and rec[4] > 1: shared[key] += rec[4]
            rec = [first, last, packets, nbytes, 1]
    want[(key, rec[2], rec[3])] += 1
    if rec[4] > 1: shared[key] += rec[4]

got = collections.Counter()
for src, dst, sport, dport, proto, smac, dmac, packets, nbytes in csv.reader(open(sys.argv[2])):
    key = (smac, dmac) if proto == "0" else (src, dst, sport, dport, proto)
    got[(key, int(packets), int(nbytes))] += 1

missing, extra = want - got, got - want
for k, n in list(missing.items())[:5]: print("truth only:", k, n, file=sys.stderr)
for k, n in list(extra.items())[:5]: print("flowgen only:", k, n, file=sys.stderr)
if missing or extra:
    sys.exit(f"FAIL: {sum(missing.values())} merged truth rows and {sum(extra.values())} flowgen records differ")
# Which kinds shared a record: by the key's shape (GOOSE: MACs; ICMP; NTP: 123 to 123).
kinds = set()
for key in shared:
    if len(key) == 2: kinds.add("goose")
    elif key[4] in ("icmp", "icmp6"): kinds.add("icmp")
    elif key[2:] == ("123", "123", "udp"): kinds.add("ntp")
    else: sys.exit(f"FAIL: rows of {key} share a record, a kind flowsynth(1) does not name")
if kinds != {"goose", "icmp", "ntp"}:
    sys.exit(f"FAIL: only {sorted(kinds)} shared records; the test no longer covers the rule")
print(f"{sum(got.values())} records = {len(rows) - 1} truth rows merged; shared: {sorted(kinds)}")
PY
echo ok
