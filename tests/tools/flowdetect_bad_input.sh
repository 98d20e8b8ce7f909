#!/usr/bin/env bash
# Errors about flowdetect's inputs are one clear line with the status flowdetect(1) gives.
# Input that could not be read at all (a missing file, an empty one, a pcap or a text file
# given for flows) is only the error: no summary of zeros before it, no state file written.
. "$(dirname "$0")/lib.sh"

printf 'ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt\n%s\n' \
    "2025-03-03 10:00:01.000,2025-03-03 10:00:06.000,5.000,10.20.0.7,198.51.100.200,40000,443,TCP,.A..S.,0,0,100,5000000" \
    > "$TMP/up.csv"
flowimport -q "$TMP/up.csv" -w "$TMP/up.flows"
: > "$TMP/empty.flows"
# A pcap's global header and one 60-byte packet of zeros.
{ printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00'
  printf '\x00\x00\x00\x00\x00\x00\x00\x00\x3c\x00\x00\x00\x3c\x00\x00\x00'
  head -c 60 /dev/zero; } > "$TMP/x.pcap"
cp "$SRC/README.md" "$TMP/README.md"

# run_err STATUS ARGS...: runs flowdetect, expects STATUS and one line on standard error
# (in $TMP/err), with no byte that is not printable text.
run_err() {
    local want=$1 status
    shift
    set +e
    flowdetect "$@" > "$TMP/out" 2> "$TMP/err"
    status=$?
    set -e
    expect_eq "$status" "$want" "exit status of flowdetect $*"
    expect_eq "$(wc -l < "$TMP/err")" 1 "lines on standard error of flowdetect $* ($(cat "$TMP/err"))"
    ! LC_ALL=C grep -q '[^[:print:]]' "$TMP/err" || fail "unprintable bytes in: $(cat -v "$TMP/err")"
}

for f in nonexist.flows empty.flows x.pcap README.md; do
    run_err 1 -r "$TMP/$f" --state "$TMP/state"
    grep -q "^flowdetect: .*$TMP/$f" "$TMP/err" || fail "-r $f: message does not name it: $(cat "$TMP/err")"
    [ ! -e "$TMP/state" ] || fail "-r $f: a state file was written although nothing was read"
done
# A damaged file after a good one: the summary of what was read, then the error.
set +e
flowdetect -r "$TMP/up.flows" -r "$TMP/README.md" > /dev/null 2> "$TMP/err"
status=$?
set -e
expect_eq "$status" 1 "exit status with a text file after a flow file"
expect_eq "$(wc -l < "$TMP/err")" 2 "lines on standard error with a text file after a flow file"
head -1 "$TMP/err" | grep -q "^flowdetect: 1 flows, 0 events" || fail "no summary: $(cat "$TMP/err")"

# A pcap given for a list: said so, without its bytes. A line that is no address: a short
# excerpt of it.
for opt in -b -d; do
    run_err 1 -r "$TMP/up.flows" $opt "$TMP/x.pcap"
    expect_eq "$(cat "$TMP/err")" "flowdetect: $TMP/x.pcap:1: binary data, not a text list" "$opt pcap"
done
printf '192.0.2.1\nthe addresses of the botnet are listed below\n' > "$TMP/list.txt"
run_err 1 -r "$TMP/up.flows" -b "$TMP/list.txt"
expect_eq "$(cat "$TMP/err")" \
    "flowdetect: $TMP/list.txt:2: 'the addresses of the botnet are listed b...' is not an address or prefix" "a line that is no address"
printf '192.0.2.1\n%s\n' "$(printf 'x%.0s' $(seq 100))" > "$TMP/list.txt"
run_err 1 -r "$TMP/up.flows" -b "$TMP/list.txt"
expect_eq "$(cat "$TMP/err")" \
    "flowdetect: $TMP/list.txt:2: '$(printf 'x%.0s' $(seq 40))...' is not an address or prefix" \
    "a long line that is no address"

# Settings that make no sense are usage errors naming the setting: max_hosts 0 turned all
# detection off, scan.hosts 0 made every SYN a scan.
run_err 2 -r "$TMP/up.flows" -s general.max_hosts=0
expect_eq "$(cat "$TMP/err")" \
    "flowdetect: --set general.max_hosts=0: general.max_hosts must be at least 1" "max_hosts=0"
printf '[scan]\nhosts = 0\n' > "$TMP/c.ini"
run_err 2 -r "$TMP/up.flows" -c "$TMP/c.ini"
expect_eq "$(cat "$TMP/err")" "flowdetect: $TMP/c.ini:2: scan.hosts must be at least 1" "hosts = 0"
run_err 2 -r "$TMP/up.flows" -s dns.entropy=-1
run_err 2 -r "$TMP/up.flows" -s scan.hosts=5000
grep -q "scan.hosts 5000 is more than general.max_distinct 1024" "$TMP/err" ||
    fail "scan.hosts above max_distinct: $(cat "$TMP/err")"
flowdetect -q -r "$TMP/up.flows" -s scan.hosts=5000 -s general.max_distinct=5000 > /dev/null
echo "ok"
