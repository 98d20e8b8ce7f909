#!/usr/bin/env bash
# flowgen --threads 2 (a capture file read ahead on a thread of its own, records written on
# another) writes the same file byte for byte as one thread: on a crafted capture of several
# megabytes (read ahead in 1 MB chunks), from a pipe (read on the packet thread), and on a
# capture cut in its last record (the same warning, the same status, the same flows).
. "$(dirname "$0")/lib.sh"
flowsynth -q -n 30000 -s 3 -w "$TMP/s.pcap"
size=$(stat -c %s "$TMP/s.pcap")
[ "$size" -gt 4000000 ] || fail "crafted capture of $size bytes, not several chunks"
flowgen -q -r "$TMP/s.pcap" -w "$TMP/one.flows"
flowgen -q --threads 2 -r "$TMP/s.pcap" -w "$TMP/two.flows"
cmp -s "$TMP/one.flows" "$TMP/two.flows" || fail "--threads 2 output differs from one thread's"
flowgen -q --threads 2 < "$TMP/s.pcap" > "$TMP/pipe.flows"
cmp -s "$TMP/one.flows" "$TMP/pipe.flows" || fail "--threads 2 from a pipe differs"

head -c $((size - 10)) "$TMP/s.pcap" > "$TMP/cut.pcap"
for t in 1 2; do
    status=0
    flowgen -q --threads $t -r "$TMP/cut.pcap" -w "$TMP/cut$t.flows" 2>"$TMP/err$t" || status=$?
    expect_eq "$status" 1 "--threads $t on a cut capture: status"
done
expect_eq "$(cat "$TMP/err2")" "$(cat "$TMP/err1")" "--threads 2 warning on a cut capture"
grep -q "truncated at byte offset" "$TMP/err2" || fail "no offset in: $(cat "$TMP/err2")"
cmp -s "$TMP/cut1.flows" "$TMP/cut2.flows" || fail "--threads 2 flows of a cut capture differ"
echo "ok: --threads 2 writes what one thread writes"
