#!/usr/bin/env bash
# A program killed by SIGTERM, SIGINT or SIGHUP while it writes -w FILE leaves neither the file
# nor its hidden temporary name behind, and dies of the signal (status 128 + its number).
# (flowquery ends its input on SIGTERM and SIGINT instead: flowquery_stop.sh.)
. "$(dirname "$0")/lib.sh"
need_cmd python3

flowsynth -q -n 0 -d 1m --rate 20 --seed 2 -w "$TMP/x.pcap"
flowgen -r "$TMP/x.pcap" -w "$TMP/x.flows"
awk 'BEGIN { for (i = 0; i < 20000; i++)
    printf "2 123456789012 eni-1 10.0.%d.%d 10.1.0.1 %d 443 6 10 840 %d %d ACCEPT OK\n",
        i / 250, i % 250, 1024 + i % 60000, 1700000000 + i, 1700000060 + i }' > "$TMP/x.aws"

n=0
for run in "flowimport --format aws -w OUT -:TERM INT HUP" "flowquery -w OUT:HUP"; do
    cmd=${run%%:*}
    for sig in ${run#*:}; do
        n=$((n + 1))
        in=$TMP/x.flows
        [ "${cmd%% *}" = flowimport ] && in=$TMP/x.aws
        mkdir "$TMP/out$n"
        feed_and_hold "$in" /dev/null "$TMP/err$n" ${cmd/OUT/$TMP/out$n/o.flows}
        for _ in $(seq 100); do [ -n "$(ls -A "$TMP/out$n")" ] && break; sleep 0.05; done
        [ -n "$(ls -A "$TMP/out$n")" ] || fail "$cmd: no temporary file while writing"
        stop_held $sig
        expect_eq "$status" "$((128 + $(kill -l $sig)))" "$cmd: status after SIG$sig"
        expect_eq "$(ls -A "$TMP/out$n")" "" "$cmd: files left after SIG$sig"
    done
done
echo ok
