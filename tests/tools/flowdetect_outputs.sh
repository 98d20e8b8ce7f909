#!/usr/bin/env bash
# Outputs: RFC 5424 syslog over real sockets (UDP and TCP on 127.0.0.1, a unix datagram
# socket), --exec with the event on stdin and its rate limit, -o text, SIGHUP reloading lists,
# and usage/data errors.
. "$(dirname "$0")/lib.sh"
need_cmd python3
EV="python3 $SRC/tests/tools/flowdetect_events.py"

# A small capture: one SSH brute force (1 event) and one horizontal scan (1 event).
flowsynth -q -n 0 -d 3m --rate 5 --seed 4 --scenario bruteforce:service=ssh,attempts=12,at=10 \
    --scenario scan:at=20,count=100 -w "$TMP/a.pcap"
flowgen -r "$TMP/a.pcap" -w "$TMP/a.flows"
flowdetect -q -r "$TMP/a.flows" > "$TMP/a.json"
expect_eq "$(wc -l < "$TMP/a.json")" 2 "events"

# A listener that prints every message it gets (one per datagram; TCP: octet-counted frames).
cat > "$TMP/listen.py" <<'PY'
import os, socket, sys
kind, out = sys.argv[1], sys.argv[2]
if kind == "unix":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(sys.argv[3])
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    if kind == "tcp":
        s.listen(1)
with open(out + ".port", "w") as f:
    f.write(str(s.getsockname()[1]) if kind != "unix" else "0")
os.rename(out + ".port", out + ".ready")
s.settimeout(10)
msgs = []
if kind == "tcp":
    c, _ = s.accept()
    data = b""
    while True:
        d = c.recv(65536)
        if not d:
            break
        data += d
    while data:
        n, rest = data.split(b" ", 1)
        msgs.append(rest[: int(n)])
        data = rest[int(n):]
else:
    while len(msgs) < 2:
        msgs.append(s.recv(65536))
with open(out, "wb") as f:
    f.write(b"".join(m + b"\n" for m in msgs))
PY
check_syslog() {  # check_syslog FILE: two RFC 5424 messages carrying the two events
    python3 - "$1" "$TMP/a.json" <<'PY'
import json, re, sys
msgs = open(sys.argv[1]).read().splitlines()
events = [json.loads(l) for l in open(sys.argv[2])]
assert len(msgs) == 2, msgs
for m, e in zip(msgs, events):
    r = re.match(r"<(\d+)>1 (\S+) (\S+) flowdetect (\d+) (\S+) - (.*)$", m)
    assert r, m
    pri, ts, host, pid, msgid, body = r.groups()
    sev = {"critical": 2, "high": 3, "medium": 4, "low": 5}[e["severity"]]
    assert int(pri) == 4 * 8 + sev, (pri, e)
    assert msgid == e["method"], m
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", ts), ts
    assert json.loads(body) == e, body
PY
}
for kind in udp tcp unix; do
    rm -f "$TMP/msgs"*
    python3 "$TMP/listen.py" $kind "$TMP/msgs" "$TMP/log.sock" &
    pid=$!
    for _ in $(seq 100); do [ -f "$TMP/msgs.ready" ] && break; sleep 0.05; done
    if [ $kind = unix ]; then
        target=unix:$TMP/log.sock
    else
        target=$kind://127.0.0.1:$(cat "$TMP/msgs.ready")
    fi
    flowdetect -q -r "$TMP/a.flows" --syslog "$target" > /dev/null
    wait $pid
    check_syslog "$TMP/msgs" || fail "syslog over $kind"
    rm -f "$TMP/log.sock"
done
expect_status 1 flowdetect -q -r "$TMP/a.flows" --syslog "unix:$TMP/nobody.sock"
# Nothing listens at a UDP target: the messages are lost (ICMP port unreachable), which the
# exit status says (flowdetect(1)), while the events still reach standard output. With one
# event the refusal comes only after its send.
port=$(free_udp_ports 1)
for m in bruteforce,scan bruteforce; do
    set +e
    flowdetect -q -r "$TMP/a.flows" -m $m --syslog udp://127.0.0.1:$port > "$TMP/udp.json" 2> "$TMP/udp.err"
    status=$?
    set -e
    expect_eq "$status" 1 "exit status of -m $m with a UDP syslog target that refuses"
    flowdetect -q -r "$TMP/a.flows" -m $m > "$TMP/want.json"
    cmp -s "$TMP/udp.json" "$TMP/want.json" || fail "-m $m: events on stdout differ with a refused syslog"
    grep -q "warning: --syslog udp://127.0.0.1:$port: Connection refused (messages lost)" "$TMP/udp.err" ||
        fail "-m $m: no warning: $(cat "$TMP/udp.err")"
    grep -q "^flowdetect: --syslog udp://127.0.0.1:$port: not every event was delivered" "$TMP/udp.err" ||
        fail "-m $m: no error: $(cat "$TMP/udp.err")"
done
expect_status 2 flowdetect -q -r "$TMP/a.flows" --syslog "http://x"

# --exec: each command gets one event on stdin.
flowdetect -q -r "$TMP/a.flows" --exec "cat >> $TMP/exec.out" > /dev/null
cmp "$TMP/exec.out" "$TMP/a.json" || fail "--exec input differs from the events"
# Rate limit: 60 scan events at once (60 scanners), at most 5 commands per second.
python3 - "$TMP/many.tsv" <<'PY'
import sys
# 60 scanners x 70 hosts, SYN only, within a few seconds: written as nfdump CSV for flowimport.
with open(sys.argv[1], "w") as f:
    f.write("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt\n")
    for s in range(60):
        for h in range(70):
            t = f"2025-03-03 10:00:{(s + h) % 50:02d}.000"
            f.write(f"{t},{t},0.000,198.18.{s}.1,10.1.{h}.9,40000,22,TCP,....S.,0,0,1,44\n")
PY
flowimport -q "$TMP/many.tsv" -w "$TMP/many.flows"
start=$(date +%s.%N)
flowdetect -r "$TMP/many.flows" -m scan --exec "cat >> $TMP/rate.out" --exec-rate 5 \
    > "$TMP/many.json" 2> "$TMP/rate.err"
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
expect_eq "$(wc -l < "$TMP/many.json")" 60 "scan events"
ran=$(wc -l < "$TMP/rate.out")
# A burst of 5, then 5 per second of the run.
max=$(awk -v t="$took" 'BEGIN { printf "%d", 5 + 5 * t + 1 }')
[ "$ran" -ge 5 ] && [ "$ran" -le "$max" ] || fail "--exec-rate 5: $ran commands in ${took}s"
grep -q "exec: $ran run, $((60 - ran)) rate-limited" "$TMP/rate.err" || fail "summary: $(cat "$TMP/rate.err")"

# -o text: one line per event.
flowdetect -q -r "$TMP/a.flows" -o text > "$TMP/a.txt"
grep -q ' high bruteforce 203.0.113.77 -> 10.0.10.40:22 attempts=12 ' "$TMP/a.txt" ||
    fail "text output: $(cat "$TMP/a.txt")"

# SIGHUP re-reads the lists: the stream is held after its first part, the list gains the
# brute forcer, then the rest arrives.
echo "192.0.2.1" > "$TMP/list.txt"
cp "$TMP/a.flows" "$TMP/stream.flows"
python3 - "$TMP/stream.flows" "$TMP/fifo" <<'PY' &
import os, sys, time
data = open(sys.argv[1], "rb").read()
os.mkfifo(sys.argv[2])
with open(sys.argv[2], "wb") as f:
    f.write(data[: len(data) // 2])
    f.flush()
    while not os.path.exists(sys.argv[2] + ".go"):
        time.sleep(0.02)
    f.write(data[len(data) // 2 :])
PY
writer=$!
for _ in $(seq 100); do [ -p "$TMP/fifo" ] && break; sleep 0.05; done
flowdetect -r "$TMP/fifo" -b "$TMP/list.txt" -m blacklist > "$TMP/hup.json" 2> "$TMP/hup.err" &
det=$!
sleep 0.5
echo "203.0.113.77" >> "$TMP/list.txt"
kill -HUP $det
sleep 0.3
touch "$TMP/fifo.go"
wait $writer
wait $det
grep -q "lists reloaded" "$TMP/hup.err" || fail "no reload: $(cat "$TMP/hup.err")"
$EV "$TMP/hup.json" has method=blacklist src=203.0.113.77 dst=10.0.10.40 listed=203.0.113.77 flows=24

# Errors: usage 2 (with the config line), data 1.
printf '[scan]\nhosts = many\n' > "$TMP/bad.ini"
expect_status 2 flowdetect -r "$TMP/a.flows" -c "$TMP/bad.ini"
msg=$(flowdetect -r "$TMP/a.flows" -c "$TMP/bad.ini" 2>&1 || true)
[[ $msg == *"bad.ini:2:"* ]] || fail "config error without its line: $msg"
expect_status 2 flowdetect -r "$TMP/a.flows" -m nosuch
expect_status 2 flowdetect -r "$TMP/a.flows" -s scan.nosuch=1
printf 'not an address\n' > "$TMP/bad.list"
expect_status 1 flowdetect -r "$TMP/a.flows" -b "$TMP/bad.list"
printf '{"event_type":"alert",\n' > "$TMP/bad.eve"
expect_status 1 flowdetect -r "$TMP/a.flows" --eve "$TMP/bad.eve"
[ "$(flowdetect --help | wc -l)" -le 40 ] || fail "--help longer than a screen"
echo "ok"
