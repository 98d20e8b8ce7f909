# Bad input: an empty period, an unknown profile, a directory with a corrupt file, nothing
# readable, usage errors. A report that says what it covers wherever something could be
# reported; non-zero exit only where nothing could.
. "$(dirname "$0")/lib.sh"
flowimport -q "$SRC/tests/data/nfdump-sample.csv" -w "$TMP/s.flows"

# An empty period: exit 0, a warning, a report naming the period with zeros.
set +e
flowreport summary -r "$TMP/s.flows" --from 2025-03-04T00:00:00Z --to 2025-03-05T00:00:00Z \
    -o csv > "$TMP/out" 2> "$TMP/err"; status=$?
set -e
expect_eq "$status" 0 "empty period: status"
grep -q "no flows in the period" "$TMP/err" || fail "empty period: no warning: $(cat "$TMP/err")"
grep -q '^# period: 2025-03-04T00:00:00Z to 2025-03-05T00:00:00Z$' "$TMP/out" || fail "empty period: coverage"
grep -q '^all,0,0,0,' "$TMP/out" || fail "empty period: zero totals"
grep -q '^# no flows in this period$' "$TMP/out" || fail "empty period: note"

# The whole file: totals equal to the fixture's hand-summed ones (6 flows, 47 packets, 65308
# bytes), and no previous period without a bounded one.
flowreport summary -r "$TMP/s.flows" -o csv > "$TMP/out"
grep -q '^all,6,47,65308$' "$TMP/out" || fail "fixture totals: $(grep '^all' "$TMP/out")"
grep -q '^1,10.0.0.9,2,33.3,26,55.3,48060,73.6$' "$TMP/out" || fail "fixture top host"

# An unknown profile: usage error naming it, nothing written.
printf 'web = port 443\n' > "$TMP/profiles"
set +e
msg=$(flowreport top -r "$TMP/s.flows" --profiles "$TMP/profiles" --profile nosuch 2>&1); status=$?
set -e
expect_eq "$status" 2 "unknown profile: status"
[[ $msg == *"unknown profile 'nosuch'"* ]] || fail "unknown profile: $msg"
# a known one filters: port 443 has 2 flows, 18 packets, 17000 bytes
flowreport summary -r "$TMP/s.flows" --profiles "$TMP/profiles" --profile web -o csv > "$TMP/out"
grep -q '^all,2,18,17000$' "$TMP/out" || fail "profile totals: $(grep '^all' "$TMP/out")"
grep -q '^# profile: web$' "$TMP/out" || fail "profile named"
# A comment after a profile's filter, and a filter of one's own (from a file without a final
# newline, with its comment): port 443 and tcp, 2 flows, in flowreport and flowquery.
printf 'web = port 443   # https\n' > "$TMP/profiles"
printf 'proto tcp # only tcp' > "$TMP/filter"
flowreport summary -r "$TMP/s.flows" --profiles "$TMP/profiles" --profile web 'proto tcp' -o csv > "$TMP/out"
grep -q '^all,2,18,17000$' "$TMP/out" || fail "profile with a comment: $(grep '^all' "$TMP/out")"
expect_eq "$(flowquery -r "$TMP/s.flows" --profiles "$TMP/profiles" --profile web -f "$TMP/filter" -q -o csv:bytes | wc -l)" 2 \
    "profile and -f with comments"
# An error names the filter at fault, at its own column.
set +e
msg=$(flowquery -r "$TMP/s.flows" --profiles "$TMP/profiles" --profile web 'dst port foo' 2>&1); status=$?
set -e
expect_eq "$status" 2 "bad filter with a profile: status"
expect_eq "$msg" "flowquery: filter: column 10: 'foo' is not a valid port value" "bad filter with a profile"
printf 'bad = proto tcp and\n' > "$TMP/profiles"
set +e
msg=$(flowreport top -r "$TMP/s.flows" --profiles "$TMP/profiles" --profile bad 2>&1); status=$?
set -e
expect_eq "$status" 2 "bad profile: status"
expect_eq "$msg" "flowreport: profile bad: filter: column 15: expression expected at the end" "bad profile"

# A directory with a corrupt file: the good file is reported, the bad one named in a warning
# and counted in the report; exit 0.
mkdir "$TMP/dir"
cp "$TMP/s.flows" "$TMP/dir/a.flows"
head -c 300 "$TMP/s.flows" > "$TMP/dir/b.flows"
set +e
flowreport summary -R "$TMP/dir" -o csv > "$TMP/out" 2> "$TMP/err"; status=$?
set -e
expect_eq "$status" 0 "corrupt file: status"
grep -q "b.flows" "$TMP/err" || fail "corrupt file not named: $(cat "$TMP/err")"
grep -q '^all,6,47,65308$' "$TMP/out" || fail "corrupt file: totals of the good file"
grep -q "^# input files: 1 (1 more could not be read)$" "$TMP/out" || fail "corrupt file: not counted"
# --strict: exit 1
expect_status 1 flowreport summary -R "$TMP/dir" --strict -o csv > /dev/null 2>&1
# Nothing readable: exit 1 with a message.
rm "$TMP/dir/a.flows"
set +e
msg=$(flowreport summary -R "$TMP/dir" 2>&1 >/dev/null); status=$?
set -e
expect_eq "$status" 1 "nothing readable: status"
[[ $msg == *"nothing to report"* ]] || fail "nothing readable: $msg"

# Usage errors.
expect_status 2 flowreport weekly -r "$TMP/s.flows"
expect_status 2 flowreport top -r "$TMP/s.flows" -s nosuchkey
expect_status 2 flowreport top -r "$TMP/s.flows" --last 1d --period yesterday
expect_status 2 flowreport top -r "$TMP/s.flows" --period tomorrow
expect_status 2 flowreport top -r "$TMP/s.flows" -o docx
expect_status 2 flowreport compare -r "$TMP/s.flows"
expect_status 2 flowreport top -r "$TMP/s.flows" 'proto tcp and prot udp'
# A row count that is negative, too large for a number or 0 is refused on one line naming -n
# (a negative one used to wrap around to "every row").
for n in -5 99999999999999999999 0 abc; do
    set +e
    msg=$(flowreport top -r "$TMP/s.flows" -n "$n" 2>&1 > /dev/null); status=$?
    set -e
    expect_eq "$status" 2 "-n $n: status"
    [[ $msg == "flowreport: --top: '$n' is "* && $msg != *$'\n'* ]] || fail "-n $n: $msg"
done
[ "$(flowreport --help | wc -l)" -le 40 ] || fail "--help longer than a screen"
# compare: the error says which inputs could not be read
set +e
msg=$(flowreport compare -r "$TMP/s.flows" --with "$TMP/missing.flows" 2>&1 > /dev/null); status=$?
set -e
expect_eq "$status" 1 "compare --with missing: status"
[[ $msg == *"no block of the --with inputs could be read (1 skipped): nothing to report" ]] ||
    fail "compare --with missing: $msg"
echo ok
