#!/usr/bin/env bash
# flowgen on damaged input: a truncated capture keeps the flows up to the cut, warns with the
# byte offset and exits 1; a garbage file and an unsupported link type are one-line errors
# naming the file (exit 1); a wrong option is a usage error (exit 2).
. "$(dirname "$0")/lib.sh"
need_data
src=$DATA/pcap/tls/443-curl.pcap
full=$(flowgen -q -v -r "$src" -w "$TMP/full.flows" 2>&1)

# Cut 100 bytes into the last third of the file, inside a packet record.
size=$(stat -c %s "$src")
head -c $((size * 2 / 3 + 100)) "$src" > "$TMP/cut.pcap"
set +e
flowgen -q -v -r "$TMP/cut.pcap" -w "$TMP/cut.flows" 2>"$TMP/err"
status=$?
set -e
expect_eq "$status" 1 "exit status on a truncated capture"
grep -q "cut.pcap: truncated at byte offset [0-9]" "$TMP/err" || fail "no offset warning: $(cat "$TMP/err")"
[ -s "$TMP/cut.flows" ] || fail "no flow file written for the truncated capture"
# Packets read = the complete records before the cut, as tshark reads them.
if command -v tshark >/dev/null; then
    want=$( { tshark -r "$TMP/cut.pcap" 2>/dev/null || true; } | wc -l)
    got=$(sed -nE 's/^flowgen: ([0-9]+) packets.*/\1/p' "$TMP/err")
    expect_eq "$got" "$want" "packets before the cut"
fi
full_packets=$(sed -nE 's/^flowgen: ([0-9]+) packets.*/\1/p' <<<"$full")
[ "$got" -lt "$full_packets" ] || fail "truncated file read as many packets as the whole one"

# Garbage: one line, naming the file.
head -c 4096 /dev/urandom > "$TMP/garbage.pcap"
printf 'JUNK' | dd of="$TMP/garbage.pcap" conv=notrunc status=none
set +e
flowgen -q -r "$TMP/garbage.pcap" -w "$TMP/g.flows" 2>"$TMP/err"
status=$?
set -e
expect_eq "$status" 1 "exit status on garbage"
expect_eq "$(wc -l < "$TMP/err")" 1 "lines of the garbage error"
grep -q "garbage.pcap: not a pcap or pcapng file" "$TMP/err" || fail "garbage error: $(cat "$TMP/err")"
[ ! -e "$TMP/g.flows" ] || fail "a flow file was left behind for garbage input"

# An 802.11 capture (link type 105): header only.
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x69\x00\x00\x00' > "$TMP/wifi.pcap"
set +e
flowgen -q -r "$TMP/wifi.pcap" -w "$TMP/w.flows" 2>"$TMP/err"
status=$?
set -e
expect_eq "$status" 1 "exit status on an unsupported link type"
expect_eq "$(wc -l < "$TMP/err")" 1 "lines of the link type error"
grep -q "wifi.pcap: unsupported link type 105 (ieee802.11)" "$TMP/err" || fail "link type error: $(cat "$TMP/err")"

# A missing file and a wrong option.
expect_status 1 flowgen -q -r "$TMP/nonexistent.pcap" -w "$TMP/n.flows"
expect_status 2 flowgen --no-such-option
expect_status 2 flowgen -r "$src" --sample-mode sometimes -w "$TMP/x.flows"
expect_status 2 flowgen -r "$src" -f 'tcp and and' -w "$TMP/x.flows"
echo "ok: damaged input is reported as it should be"
