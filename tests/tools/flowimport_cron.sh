# The cron recipe of man flowimport (EXAMPLES): each run imports the log files that landed
# since the last one, once; a failed import leaves the stamp alone so the files are retried.
. "$(dirname "$0")/lib.sh"
need_data
cd "$TMP"
mkdir -p incoming flows
touch -d @0 .done
run() {  # the crontab line, with this test's folders
    touch .next && find incoming -type f -newer .done ! -newer .next -print0 |
        xargs -0r flowimport -q -w "flows/$1.flows" && mv .next .done
}
cp "$DATA/vpc/aws/v2-default-format.log" incoming/a.log
touch -d '-2 min' incoming/a.log
run 1
expect_eq "$(flowquery -q -R flows -o csv:proto | wc -l)" 5 "flows after the first run"
run 2  # nothing new: no file written
expect_eq "$(ls flows | wc -l)" 1 "files after an idle run"
printf 'version srcaddr\n2 10.0.0.999\n' > incoming/bad.log
cp "$DATA/vpc/aws/v3-custom-tcp-flags.log" incoming/b.log
touch -d '+1 sec' incoming/bad.log incoming/b.log
sleep 1.1
set +e; run 3 2>/dev/null; st=$?; set -e
[ "$st" -ne 0 ] || fail "a malformed file did not fail the run"
rm incoming/bad.log
run 4  # the retry picks up b.log
expect_eq "$(flowquery -q -R flows -o csv:proto | wc -l)" 13 "flows after the retry"
