# Issue 6: a one-day summary (totals, three charts, eight Top-N tables, the previous day)
# over the benchmark flows costs no more than two flowquery passes over them. Both are timed
# here, same data, same cores, same run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$BENCH_DATA"
flows=$(($(wc -l < bench.csv) - 1))
# The report covers the calendar day (UTC) of the first flow: "yesterday" on the next
# morning (flowsynth's capture starts 2025-03-03T10:00Z; BENCH_PCAP captures any day).
first=$(flowquery -r bench.flows -I | sed -n 's/^First: //p')
day=(--period yesterday --now "$(date -u -d "${first%%T*} + 1 day" +%Y-%m-%d)T06:00:00Z")

cat bench.flows > /dev/null
echo "--- flowreport summary of one day ($flows flows), seconds (best of ${BENCH_REPEAT:-3})"
timed tq flowquery -r bench.flows -s ip/bytes -n 10
timed tI flowquery -r bench.flows -I --from 2000-01-01T00:00:00Z
timed ts flowreport summary -r bench.flows "${day[@]}" -w /dev/null -o text
timed tp flowreport summary -r bench.flows "${day[@]}" -w "$BENCH_DATA/report.pdf"
timed tt flowreport top -r bench.flows "${day[@]}" -o csv
printf '%-52s %8s %9s\n' "command" "seconds" "MB RSS"
mb() { awk -v k="$1" 'BEGIN{printf "%.0f", k / 1024}'; }
printf '%-52s %8s %9s\n' "flowquery -s ip/bytes (one Top-N pass)" "$tq" "$(mb "$tq_rss")"
printf '%-52s %8s %9s\n' "flowquery -I --from 2000-01-01 (one scanning pass)" "$tI" "$(mb "$tI_rss")"
printf '%-52s %8s %9s\n' "flowreport summary, text" "$ts" "$(mb "$ts_rss")"
printf '%-52s %8s %9s\n' "flowreport summary, pdf" "$tp" "$(mb "$tp_rss")"
printf '%-52s %8s %9s\n' "flowreport top, csv" "$tt" "$(mb "$tt_rss")"
echo "ratio summary / flowquery -s pass: $(ratio "$ts" "$tq") (target <= 2)"
echo "ratio summary pdf / flowquery -s pass: $(ratio "$tp" "$tq") (target <= 2)"
rm -f "$BENCH_DATA/report.pdf"
