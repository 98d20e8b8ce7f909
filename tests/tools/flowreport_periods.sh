# Calendar periods over a flowcapture-style store (-R DIR/YYYY/MM/DD/flows-*.flows) with a
# fixed --now, against flowquery over the same window; and the crontab example end to end.
. "$(dirname "$0")/lib.sh"
# One file per day, 2026-02-26 .. 2026-03-03, each flow at 12:00 with day-dependent bytes.
for d in 2026-02-26 2026-02-27 2026-02-28 2026-03-01 2026-03-02 2026-03-03; do
    n=${d: -2}; n=${n#0}
    {
        echo "ts,te,td,sa,da,sp,dp,pr,flg,stos,ipkt,ibyt"
        echo "$d 12:00:00,$d 12:00:01,1.000,10.0.0.$n,192.168.0.1,40000,443,TCP,...AP.SF,0,$n,$((n * 1000))"
        echo "$d 23:59:59,$d 23:59:59,0.000,10.0.0.$n,192.168.0.2,53,53,UDP,........,0,1,100"
    } > "$TMP/$d.csv"
    dir="$TMP/store/${d:0:4}/${d:5:2}/${d:8:2}"
    mkdir -p "$dir"
    flowimport -q "$TMP/$d.csv" -w "$dir/flows-${d//-/}1200.flows"
done
now=2026-03-03T06:00:00Z
totals() { flowreport summary -R "$TMP/store" --now "$now" -o csv "$@" | grep '^all,'; }
# yesterday = 2026-03-02: 2 flows, 3 packets, 2100 bytes; the day before: 2 flows, 2, 1100.
expect_eq "$(totals --period yesterday)" "all,2,3,2100,2,2,1100,+0.0,+50.0,+90.9" "yesterday"
fq=$(flowquery -R "$TMP/store" -I any --from 2026-03-02T00:00:00Z --to 2026-03-03T00:00:00Z | grep '^Bytes:')
expect_eq "$fq" "Bytes: 2100" "flowquery yesterday"
# last-month of 2026-03-03 = February: the 26th, 27th and 28th; previous month: nothing.
expect_eq "$(totals --period last-month)" "all,6,84,81300,0,0,0,,," "last-month"
# --last 2d from 06:00: 03-01T06:00 .. 03-03T06:00
expect_eq "$(totals --last 2d --no-previous)" "all,4,5,3200" "--last 2d"
# last-week of Tuesday 2026-03-03: Monday 02-23 .. 03-02
expect_eq "$(totals --period last-week --no-previous)" "all,8,86,82400" "last-week"
flowreport summary -R "$TMP/store" --now "$now" --period yesterday -o csv |
    grep -q '^# period: 2026-03-02T00:00:00Z to 2026-03-03T00:00:00Z$' || fail "coverage line"

# The crontab example: its variables and command line, pointed at this store, run by bash.
cron="$SRC/scripts/flowreport.cron"
line=$(grep -E '^[0-9*]' "$cron")
cmd=$(cut -d' ' -f7- <<<"$line" | sed 's/\\%/%/g')
printf 'all = any\nweb = port 443\n' > "$TMP/profiles"
mkdir -p "$TMP/reports/2020-01-01"
touch -d '100 days ago' "$TMP/reports/2020-01-01"
# yesterday's flows, so that the cron's own "yesterday" has something to report
y=$(date -u -d yesterday +%Y-%m-%d)
ydir="$TMP/store/${y:0:4}/${y:5:2}/${y:8:2}"
mkdir -p "$ydir"
sed "s/2026-03-02/$y/g" "$TMP/2026-03-02.csv" > "$TMP/y.csv"
flowimport -q "$TMP/y.csv" -w "$ydir/flows-${y//-/}1200.flows"
FLOWS="$TMP/store" REPORTS="$TMP/reports" PROFILES="$TMP/profiles" PROFILE_NAMES="all web" \
    bash -c "$cmd"
for p in all web; do
    [ -s "$TMP/reports/$y/$p.pdf" ] || fail "cron: no $p.pdf"
    [ "$(head -c 5 "$TMP/reports/$y/$p.pdf")" = "%PDF-" ] || fail "cron: $p.pdf is not a PDF"
done
grep -q '^all,2,3,2100,' "$TMP/reports/$y/all.csv" || fail "cron: all.csv totals"
grep -q '^all,1,2,2000,' "$TMP/reports/$y/web.csv" || fail "cron: web.csv totals"
[ ! -e "$TMP/reports/2020-01-01" ] || fail "cron: a folder older than 90 days was kept"
echo ok
