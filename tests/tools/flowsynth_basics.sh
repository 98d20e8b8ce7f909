#!/usr/bin/env bash
# flowsynth: determinism, packet count and time limits, the truth sidecar's totals against
# capinfos, option errors, and the refusal to write a pcap to a terminal.
. "$(dirname "$0")/lib.sh"
need_cmd capinfos

flowsynth -n 5000 -s 7 -w "$TMP/a.pcap" --truth "$TMP/a.tsv"
flowsynth -n 5000 -s 7 --truth "$TMP/b.tsv" > "$TMP/b.pcap"
cmp -s "$TMP/a.pcap" "$TMP/b.pcap" || fail "same options gave different pcaps"
cmp -s "$TMP/a.tsv" "$TMP/b.tsv" || fail "same options gave different truth files"
flowsynth -n 5000 -s 8 -w "$TMP/c.pcap"
cmp -s "$TMP/a.pcap" "$TMP/c.pcap" && fail "different seeds gave the same pcap"

# Exactly the packets asked for, classic pcap, Ethernet, microseconds, in time order.
expect_eq "$(capinfos -T -r -t -E "$TMP/a.pcap" | cut -f2-)" "$(printf 'pcap\tether')" "file type"
expect_eq "$(capinfos -T -r -c "$TMP/a.pcap" | cut -f2)" 5000 "packet count"
expect_eq "$(capinfos -T -r -o "$TMP/a.pcap" | cut -f2)" True "strict time order"

# The truth accounts for every packet, and its IP bytes are the frames less 14 bytes of
# Ethernet header (no tags in the default mix; GOOSE rows, without proto, are layer 2).
truth_packets=$(awk -F'\t' '/^#/ || $1 == "conv" {next} {s += $17} END {print s}' "$TMP/a.tsv")
expect_eq "$truth_packets" 5000 "packets in the truth"
need_cmd tshark
ip_bytes=$(tshark -r "$TMP/a.pcap" -Y 'ip or ipv6' -T fields -e frame.len 2>/dev/null |
    awk '{s += $1 - 14} END {print s}')
truth_bytes=$(awk -F'\t' '/^#/ || $1 == "conv" || $7 == "" {next} {s += $18} END {print s}' "$TMP/a.tsv")
expect_eq "$truth_bytes" "$ip_bytes" "IP bytes in the truth"

# --duration stops at a time; --snaplen cuts frames but keeps their length.
flowsynth -n 0 -d 3 -w "$TMP/d.pcap"
dur=$(capinfos -T -r -u "$TMP/d.pcap" | cut -f2)
awk -v d="$dur" 'BEGIN {exit !(d > 2 && d <= 3)}' || fail "--duration 3 gave a $dur s capture"
flowsynth -n 2000 --snaplen 96 -w "$TMP/e.pcap"
expect_eq "$(capinfos -T -r -l "$TMP/e.pcap" | cut -f2)" 96 "snaplen in the file header"
longest=$(tshark -r "$TMP/e.pcap" -T fields -e frame.cap_len 2>/dev/null | sort -n | tail -1)
expect_eq "$longest" 96 "longest captured frame with --snaplen 96"

# A FIFO (or device) given to -w is written into, never replaced by a renamed file.
mkfifo "$TMP/fifo"
cat "$TMP/fifo" > "$TMP/from-fifo.pcap" &
flowsynth -n 100 -w "$TMP/fifo"
wait
[ -p "$TMP/fifo" ] || fail "-w replaced the FIFO"
expect_eq "$(capinfos -T -r -c "$TMP/from-fifo.pcap" | cut -f2)" 100 "packets through the FIFO"

# Usage errors exit 2 with one line; --help and --list fit a screen.
expect_status 2 flowsynth --mix nosuch=1 -w "$TMP/x.pcap"
expect_status 2 flowsynth --scenario nosuch -w "$TMP/x.pcap"
expect_status 2 flowsynth --scenario scan:bogus=1 -w "$TMP/x.pcap"
expect_status 2 flowsynth --encap vlan=150 -w "$TMP/x.pcap"
expect_status 2 flowsynth -n 0 -w "$TMP/x.pcap"
# Numbers: refused on one line naming the option, never wrapped around (-n -5 used to write
# until the disk was full) nor clamped; text that is no number is called so.
usage_error() {  # usage_error OPTION VALUE MESSAGE
    set +e
    msg=$(timeout 5 flowsynth "$1" "$2" -w /dev/null 2>&1); status=$?
    set -e
    expect_eq "$status" 2 "$1 $2: status"
    [[ $msg == "flowsynth: "*"$1"*"'$2' $3"* && $msg != *$'\n'* ]] || fail "$1 $2: $msg"
}
usage_error --packets -5 "is not a whole number"
usage_error --packets 99999999999999999999 "is out of range"
usage_error --packets abc "is not a whole number"
usage_error --seed -1 "is not a whole number"
usage_error --snaplen abc "is not a whole number"
usage_error --snaplen 13 "is out of range"
usage_error --clients -1 "is not a whole number"
usage_error --servers 0 "is out of range"
usage_error --rate abc "is not a number"
usage_error --rate -1 "is out of range"
usage_error --ipv6 abc "is not a number"
usage_error --ipv6 101 "is out of range"
# A leading 0 is decimal, not octal.
flowsynth -n 010 -w "$TMP/ten.pcap"
expect_eq "$(capinfos -T -r -c "$TMP/ten.pcap" | cut -f2)" 10 "packets of -n 010"
[ ! -e "$TMP/x.pcap" ] || fail "a failed run left its output file"
[ "$(flowsynth --help | wc -l)" -le 30 ] || fail "--help is longer than a screen"
[ "$(flowsynth --help | awk '{ if (length($0) > w) w = length($0) } END {print w}')" -le 100 ] ||
    fail "--help has lines wider than 100 columns"
flowsynth --list | grep > /dev/null '^  goose' || fail "--list does not name the kinds"

# A terminal on stdout is refused (script(1) gives the program one).
if command -v script >/dev/null; then
    set +e
    script -qec "$BIN/flowsynth -n 10" /dev/null > "$TMP/tty.txt" 2>&1
    st=$?
    set -e
    expect_eq "$st" 2 "exit status when stdout is a terminal"
    grep -q 'terminal' "$TMP/tty.txt" || fail "no hint about the terminal"
fi
echo "ok"
