#!/usr/bin/env bash
# --state FILE is replaced at the end of a run: a file that is not a state file (a settings
# file or a README given by mistake) or one damaged in the middle is refused at start, exit 1
# naming it, and left as it was; a state file of flowdetect's own is read and rewritten.
. "$(dirname "$0")/lib.sh"

# One host uploading 5 MB outside (a volume baseline to save).
printf 'ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt\n%s\n' \
    "2025-03-03 10:00:01.000,2025-03-03 10:00:06.000,5.000,10.20.0.7,198.51.100.200,40000,443,TCP,.A..S.,0,0,100,5000000" \
    > "$TMP/up.csv"
flowimport -q "$TMP/up.csv" -w "$TMP/up.flows"

printf '[scan]\nhosts = 20\n[bruteforce]\nattempts = 5\n' > "$TMP/detect.conf"
cp "$SRC/README.md" "$TMP/README.md"
printf '# flowdetect baselines\nvolume 10.20.0.7 10 1 452 0\nthis is not a baseline\n' > "$TMP/damaged"
for f in detect.conf README.md damaged; do
    cp "$TMP/$f" "$TMP/$f.orig"
    set +e
    flowdetect -q -r "$TMP/up.flows" --state "$TMP/$f" > "$TMP/out" 2> "$TMP/err"
    status=$?
    set -e
    expect_eq "$status" 1 "exit status with --state $f"
    expect_eq "$(wc -l < "$TMP/err")" 1 "lines of the message for $f"
    grep -q "^flowdetect: $TMP/$f[:]" "$TMP/err" || fail "message does not name $f: $(cat "$TMP/err")"
    cmp -s "$TMP/$f" "$TMP/$f.orig" || fail "--state $f was changed"
    [ ! -s "$TMP/out" ] || fail "events written although the state file was refused"
done
grep -q "damaged:3: 'this is not a baseline'" "$TMP/err" || fail "damaged line not named: $(cat "$TMP/err")"

# A state file of its own is read and rewritten: the baseline of 10.20.0.7 at 10:00 learns the
# new window (n 1 -> 2).
printf '# flowdetect baselines\nvolume 10.20.0.7 10 1 452 0\n' > "$TMP/state"
flowdetect -q -r "$TMP/up.flows" --state "$TMP/state" > /dev/null
expect_eq "$(awk '$1 == "volume" && $2 == "10.20.0.7" && $3 == 10 { print $4 }' "$TMP/state")" 2 \
    "windows in the saved baseline"
echo "ok"
