#!/usr/bin/env bash
# flowgen's inputs and outputs: a pcap and a pcapng stream on stdin give the same totals as
# the file; several files are merged; the BPF filter keeps what tshark's equivalent keeps;
# sampling renormalises; output goes to a file, to a pipe, or (with --export) nowhere local.
. "$(dirname "$0")/lib.sh"
need_data
summary() { sed -nE 's/^flowgen: ([0-9]+) packets, ([0-9]+) flows of ([0-9]+) packets and ([0-9]+) bytes.*/\1 \2 \3 \4/p' "$1"; }

for cap in mixed/netflix.pcap tls/sites.pcapng; do
    flowgen -q -v -r "$DATA/pcap/$cap" -w "$TMP/a.flows" 2>"$TMP/a"
    flowgen -q -v < "$DATA/pcap/$cap" > "$TMP/b.flows" 2>"$TMP/b"
    cat "$DATA/pcap/$cap" | flowgen -q -v -r - 2>"$TMP/c" | cat > "$TMP/c.flows"
    expect_eq "$(summary "$TMP/b")" "$(summary "$TMP/a")" "$cap: stdin redirect vs file"
    expect_eq "$(summary "$TMP/c")" "$(summary "$TMP/a")" "$cap: pipe vs file"
    [ -s "$TMP/c.flows" ] || fail "$cap: nothing written to the pipe"
done

# Two files merged: packets add up.
flowgen -q -v -r "$DATA/pcap/mixed/netflix.pcap" -w "$TMP/a.flows" 2>"$TMP/a"
flowgen -q -v -r "$DATA/pcap/mixed/netflix.pcap" -r "$DATA/pcap/mixed/teams.pcap" -w "$TMP/m.flows" 2>"$TMP/m"
read -r p1 _ < <(summary "$TMP/a")
flowgen -q -v -r "$DATA/pcap/mixed/teams.pcap" -w "$TMP/t.flows" 2>"$TMP/t"
read -r p2 _ < <(summary "$TMP/t")
read -r pm _ < <(summary "$TMP/m")
expect_eq "$pm" "$((p1 + p2))" "packets of two merged files"

# BPF: 'tcp' keeps the TCP frames (netflix.pcap: plain Ethernet, no tunnels).
if command -v tshark >/dev/null; then
    want=$(tshark -r "$DATA/pcap/mixed/netflix.pcap" -Y tcp 2>/dev/null | wc -l)
    flowgen -q -v -f tcp -r "$DATA/pcap/mixed/netflix.pcap" -w "$TMP/f.flows" 2>"$TMP/f"
    read -r _ _ fp _ < <(summary "$TMP/f")
    expect_eq "$fp" "$want" "packets kept by -f tcp"
fi

# 1:10 systematic sampling: a tenth of the packets (rounded up) seen, counted ten times.
flowgen -q -v --sample 10 -r "$DATA/pcap/mixed/netflix.pcap" -w "$TMP/s.flows" 2>"$TMP/s"
read -r _ _ sp _ < <(summary "$TMP/s")
total=$(summary "$TMP/a" | cut -d' ' -f1)
expect_eq "$sp" "$(( (total + 9) / 10 * 10 ))" "renormalised packets at 1:10"

# --threads 2 (encoding on a second thread) writes the same file byte for byte.
flowgen -q --threads 2 -r "$DATA/pcap/mixed/netflix.pcap" -w "$TMP/t2.flows"
cmp -s "$TMP/a.flows" "$TMP/t2.flows" || fail "--threads 2 output differs from one thread's"

# -z: another zstd level, other bytes, the same records.
flowgen -q -z 12 -r "$DATA/pcap/mixed/netflix.pcap" -w "$TMP/z.flows"
cmp -s "$TMP/a.flows" "$TMP/z.flows" && fail "-z 12 wrote the same bytes as the default level"
expect_eq "$(flowquery -r "$TMP/z.flows" -o csv | md5sum)" \
    "$(flowquery -r "$TMP/a.flows" -o csv | md5sum)" "records at -z 12"

# --export alone writes nothing to stdout. (Nothing listens on 127.0.0.1:9, which the exit
# status reports: flowexport_refused.sh checks that.)
set +e
flowgen -q -r "$DATA/pcap/mixed/netflix.pcap" --export 127.0.0.1:9 > "$TMP/stdout" 2> /dev/null
set -e
expect_eq "$(wc -c < "$TMP/stdout")" 0 "bytes on stdout with --export only"
echo "ok: inputs and outputs"
