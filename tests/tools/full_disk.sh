# A full disk: the writer reports the file and ENOSPC on one line and exits 1; nothing is left
# behind under the final name or a temporary one, and a file already there is not touched.
. "$(dirname "$0")/lib.sh"
{
    echo "ts,te,td,sa,da,sp,dp,pr,flg,stos,ipkt,ibyt"
    # Random hosts, ports and counters: about 2 MB of flows, far more than the tmpfs below.
    awk 'BEGIN { srand(7); for (i = 0; i < 200000; i++)
        printf "2025-03-03 10:%02d:%02d,,%.3f,10.%d.%d.%d,192.168.%d.%d,%d,%d,TCP,...AP.SF,0,%d,%d\n",
            int(i / 3600) % 60, int(i / 60) % 60, rand() * 100, rand() * 256, rand() * 256,
            rand() * 256, rand() * 256, rand() * 256, rand() * 65536, rand() * 65536,
            1 + rand() * 1000, 40 + rand() * 1000000 }'

} > "$TMP/big.csv"
flowimport -q "$TMP/big.csv" -w "$TMP/big.flows"
flowsynth -q -n 50000 -w "$TMP/t.pcap"
[ -e /dev/full ] || skip "/dev/full is missing"

for cmd in "flowquery -r $TMP/big.flows -w /dev/full" "flowimport -q $TMP/big.csv -w /dev/full" \
    "flowgen -q -r $TMP/t.pcap -w /dev/full"; do

    set +e
    $cmd 2> "$TMP/err"; status=$?
    set -e
    expect_eq "$status" 1 "$cmd: status"
    expect_eq "$(cat "$TMP/err")" "${cmd%% *}: write /dev/full: No space left on device" "$cmd: message"
done
set +e
flowquery -r "$TMP/big.flows" -o csv > /dev/full 2> "$TMP/err"; status=$?
set -e
expect_eq "$status" 1 "text to a full stdout: status"
expect_eq "$(cat "$TMP/err")" "flowquery: write <stdout>: No space left on device" "text to a full stdout"

# A real file system that fills up: a 256 KiB tmpfs (needs the right to mount; else skipped).
mnt=$TMP/small
mkdir "$mnt"
mount -t tmpfs -o size=256k flowkit-test "$mnt" 2>/dev/null || skip "cannot mount a tmpfs here (the /dev/full cases passed)"
trap 'umount "$mnt" 2>/dev/null; rm -rf "$TMP"' EXIT
flowquery -r "$TMP/big.flows" -c 10 -w "$mnt/out.flows"
before=$(md5sum < "$mnt/out.flows")
set +e
flowquery -r "$TMP/big.flows" -w "$mnt/out.flows" 2> "$TMP/err"; status=$?
set -e
expect_eq "$status" 1 "full tmpfs: status"
expect_eq "$(cat "$TMP/err")" "flowquery: write $mnt/out.flows: No space left on device" "full tmpfs: message"
expect_eq "$(ls -A "$mnt")" "out.flows" "full tmpfs: no temporary file left"
expect_eq "$(md5sum < "$mnt/out.flows")" "$before" "full tmpfs: the earlier file is untouched"
expect_eq "$(flowquery -r "$mnt/out.flows" -q -o csv:src | wc -l)" 10 "full tmpfs: the earlier file reads"

# flowcapture whose store fills up stops with status 1 and the file's error on one line,
# whether a writer thread writes or (one CPU) the receiving thread; the file is cut back to
# its last whole block and finished, so that the flows written before the failure are kept.
port=$(free_udp_ports 1)
for pre in "" "taskset -c 0"; do
    [[ -z $pre ]] || command -v taskset >/dev/null || continue
    rm -rf "${mnt:?}"/*
    $pre flowcapture -q -b 127.0.0.1 -p $port -l "$mnt/store" -t 1h 2> "$TMP/err" &
    pid=$!
    sleep 0.5
    flowexport -q -r "$TMP/big.flows" --ipfix 127.0.0.1:$port --rate 400000 || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 $pid 2>/dev/null || break; sleep 0.5; done
    kill -0 $pid 2>/dev/null && kill -TERM $pid
    set +e
    wait $pid; status=$?
    set -e
    expect_eq "$status" 1 "flowcapture ${pre:-with a writer thread}: status"
    [[ $(wc -l < "$TMP/err") == 1 ]] &&
        grep -qx "flowcapture: write $mnt/store/.*\.flows: No space left on device" "$TMP/err" ||
        fail "flowcapture ${pre:-with a writer thread}: message: $(cat "$TMP/err")"
    kept=$(flowquery -R "$mnt/store" -q -o csv:src | wc -l) ||
        fail "flowcapture ${pre:-with a writer thread}: the file kept does not read"
    ((kept > 0)) || fail "flowcapture ${pre:-with a writer thread}: no flow kept"
    expect_eq "$(find "$mnt/store" -name '.*.tmp')" "" "flowcapture: temporary files left"

done

echo "ok: full disk"
