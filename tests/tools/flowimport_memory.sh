#!/usr/bin/env bash
# flowimport reads its input a chunk at a time: a 200 MB EVE JSON Lines file takes far less
# memory than its size, plain, gzip-compressed, on standard input and cut at its start
# (tail -c: a broken first line). Each file used to be read whole: 200 MB took 210 MB.
. "$(dirname "$0")/lib.sh"
need_cmd python3
need_cmd /usr/bin/time
# 440 copies of 1000 events: 500 flow events (250 answered), 500 of other types.
python3 - "$TMP/eve.json" <<'PY'
import sys
lines = []
for i in range(1000):
    ev = 'flow' if i % 2 == 0 else 'alert'
    toclient = 1 if i % 4 == 0 else 0
    lines.append(
        '{"timestamp":"2021-05-13T10:41:49.373854+0000","flow_id":%d,"event_type":"%s",'
        '"src_ip":"10.0.%d.%d","src_port":%d,"dest_ip":"192.168.1.1","dest_port":443,'
        '"proto":"TCP","app_proto":"tls","flow":{"pkts_toserver":9,"pkts_toclient":%d,'
        '"bytes_toserver":1953,"bytes_toclient":%d,"start":"2021-05-13T10:41:47.870345+0000",'
        '"end":"2021-05-13T10:41:48.608100+0000","age":1,"state":"closed","reason":"timeout"},'
        '"tcp":{"tcp_flags":"1a","tcp_flags_ts":"1a","tcp_flags_tc":"1a"}}\n'
        % (i, ev, i // 256, i % 256, 1024 + i, toclient, toclient * 7806))
block = ''.join(lines).encode()
with open(sys.argv[1], 'wb') as f:
    for _ in range(440):
        f.write(block)
PY
size=$(($(stat -c %s "$TMP/eve.json") / 1024))
want="flowimport: 1 file(s), 440000 records, 330000 flows (0 accept, 0 reject), 0 NODATA, 0 SKIPDATA, 220000 other records without flows, 0 malformed skipped"
# check WHAT SUMMARY COMMAND...: runs flowimport through /usr/bin/time, checks its summary line
# and that its peak RSS stays under 100 MB.
check() {
    local what=$1 summary=$2; shift 2
    /usr/bin/time -f %M -o "$TMP/rss" "$@" 2> "$TMP/summary"
    expect_eq "$(cat "$TMP/summary")" "$summary" "$what: summary"
    local rss
    rss=$(cat "$TMP/rss")
    [ "$rss" -lt 100000 ] || fail "$what: peak RSS $rss KB for $size KB of input"
    echo "ok: $what in $rss KB for $size KB of input"
}
check "plain file" "$want" flowimport "$TMP/eve.json" -w "$TMP/plain.flows"
gzip -1 -c "$TMP/eve.json" > "$TMP/eve.json.gz"
check "gzip file" "$want" flowimport "$TMP/eve.json.gz" -w "$TMP/gz.flows"
check "standard input" "$want" sh -c 'cat "$1" | flowimport -w "$2"' - "$TMP/eve.json" "$TMP/stdin.flows"
expect_eq "$(cmp "$TMP/plain.flows" "$TMP/gz.flows" && cmp "$TMP/plain.flows" "$TMP/stdin.flows" && echo same)" \
    same "flows of the plain file, gzip and standard input"
# Cut in the middle of its first event (a flow answered: 2 flows): that line is malformed, the
# rest is read as before.
cut="flowimport: 1 file(s), 440000 records, 329998 flows (0 accept, 0 reject), 0 NODATA, 0 SKIPDATA, 220000 other records without flows, 1 malformed skipped"
check "broken first line" "$cut" sh -c 'tail -c +100 "$1" | flowimport --format eve --ignore-errors -w "$2" 2>&1 | grep -v "; skipped$" >&2' - "$TMP/eve.json" "$TMP/cut.flows"
