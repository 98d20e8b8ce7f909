#!/usr/bin/env bash
# nfdump prints CSV times in its local zone. flowimport read them as UTC, so the CSV of an
# nfdump run in Prague came in one or two hours late. It now reads them in the local zone
# too: CSV printed and imported in Prague (summer and winter) or in New York gives the same
# times as CSV printed and imported in UTC.
. "$(dirname "$0")/../tools/lib.sh"
need_cmd nfdump
need_cmd nfpcapd

mkdir "$TMP/nf"
flowsynth -q -n 2000 -s 5 -w "$TMP/winter.pcap"
flowsynth -q -n 2000 -s 6 --start 2025-07-01T10:00:00Z -w "$TMP/summer.pcap"
for season in winter summer; do
    nfpcapd -r "$TMP/$season.pcap" -w "$TMP/nf" >/dev/null 2>&1 || true
done
times() {
    TZ=$1 nfdump -R "$TMP/nf" -o csv > "$TMP/$2.csv"
    TZ=$1 flowimport -q --format nfcsv "$TMP/$2.csv" -w "$TMP/$2.flows"
    flowquery -r "$TMP/$2.flows" -q -o csv:start,end,sport,dport | sort
}
times UTC utc > "$TMP/utc.times"
[ "$(wc -l < "$TMP/utc.times")" -gt 100 ] || fail "too few flows: $(wc -l < "$TMP/utc.times")"
# POSIX rules, so that the test needs no tzdata: Prague and New York.
for zone in CET-1CEST,M3.5.0,M10.5.0/3 EST5EDT,M3.2.0,M11.1.0; do
    times "$zone" other > "$TMP/other.times"
    cmp -s "$TMP/utc.csv" "$TMP/other.csv" && fail "$zone: nfdump printed the same times as in UTC"
    cmp -s "$TMP/utc.times" "$TMP/other.times" ||
        fail "$zone: times differ from UTC's: $(diff "$TMP/utc.times" "$TMP/other.times" | head -3)"
done
echo "ok: nfdump CSV times read in the local zone ($(wc -l < "$TMP/utc.times") flows)"
