# Charts over flows that span a century: the bins widen (by powers of two) so that a chart
# has at most 4096 of them; dense 5-minute bins over flows from 1971 and 2099 took 11 GB and
# 37 s. The chart still adds up to every flow, and is the same for one and two threads,
# whose series widen their bins apart and are merged.
. "$(dirname "$0")/lib.sh"
need_cmd /usr/bin/time
need_cmd python3
python3 - "$TMP/span.csv" <<'PY'
import datetime, sys
with open(sys.argv[1], "w") as f:
    f.write("ts,te,td,sa,da,sp,dp,pr,flg,stos,ipkt,ibyt\n")
    t0 = datetime.datetime(1971, 1, 1)
    for i in range(60000):  # 1971 .. 2098
        t = t0 + datetime.timedelta(seconds=i * 67180 + (i % 7) * 3600)
        f.write(f"{t:%Y-%m-%d %H:%M:%S},,0.000,10.0.{i // 256 % 256}.{i % 256},192.0.2.1,"
                f"{1024 + i % 6000},443,{'TCP' if i % 3 else 'UDP'},......S.,0,{1 + i % 5},"
                f"{40 + i % 900}\n")
    f.write("2099-06-01 00:00:00,,0.000,10.9.9.9,192.0.2.1,1,2,TCP,......S.,0,1,1000\n")
PY
flowimport -q "$TMP/span.csv" -w "$TMP/span.flows"
total=$(flowquery -r "$TMP/span.flows" -I | sed -n 's/^Bytes: //p')
for t in 1 2; do
    /usr/bin/time -f "%M" -o "$TMP/rss.$t" flowreport chart -r "$TMP/span.flows" -T $t -o csv \
        > "$TMP/chart.$t"
    rss=$(cat "$TMP/rss.$t")
    [ "$rss" -lt 200000 ] || fail "-T $t: $rss KB for a chart of 60,001 flows"
    bins=$(awk -F, '/^# chart-bytes/ {on = 1; next} /^# chart-/ {on = 0} on && /^[0-9]/' "$TMP/chart.$t" | wc -l)
    [ "$bins" -gt 1000 ] && [ "$bins" -le 4096 ] || fail "-T $t: $bins bins"
    sum=$(awk -F, '/^# chart-bytes/ {on = 1; next} /^# chart-/ {on = 0}
        on && /^[0-9]/ {for (i = 2; i < NF; i++) s += $i} END {print s}' "$TMP/chart.$t")
    expect_eq "$sum" "$total" "-T $t: chart bytes"
done
grep -v "^# command" "$TMP/chart.1" > "$TMP/c1"
grep -v "^# command" "$TMP/chart.2" > "$TMP/c2"
cmp -s "$TMP/c1" "$TMP/c2" || fail "one and two threads differ: $(diff "$TMP/c1" "$TMP/c2" | head -4)"
/usr/bin/time -f "%M" -o "$TMP/rss.s" flowreport summary -r "$TMP/span.flows" -o csv > /dev/null
[ "$(cat "$TMP/rss.s")" -lt 200000 ] || fail "summary: $(cat "$TMP/rss.s") KB"
# A --bin that would make more bins than that is refused, before reading.
set +e
msg=$(flowreport chart -r "$TMP/span.flows" --from 1971-01-01T00:00Z --to 2100-01-01T00:00Z --bin 1h 2>&1)
status=$?
set -e
expect_eq "$status" 2 "--bin too narrow: status"
[[ $msg == *"would make more than 4096 bins; give a wider one"* ]] || fail "--bin: $msg"
echo "ok: $total bytes in $bins bins, one and two threads alike"
