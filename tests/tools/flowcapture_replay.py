#!/usr/bin/env python3
"""Replays the UDP payloads of Ethernet captures of export traffic to HOST:PORT, in order.

    flowcapture_replay.py HOST PORT FILE.pcap... [--gap SECONDS]

Only the payloads are sent (from this host), so a collector sees 127.0.0.1 as the exporter.
"""
import socket
import struct
import sys
import time


def payloads(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        p = 12
        etype = struct.unpack(">H", frame[p:p + 2])[0]
        p += 2
        while etype in (0x8100, 0x88A8):
            etype = struct.unpack(">H", frame[p + 2:p + 4])[0]
            p += 4
        if etype == 0x0800 and frame[p + 9] == 17:
            udp = p + (frame[p] & 0x0F) * 4
        elif etype == 0x86DD and frame[p + 6] == 17:
            udp = p + 40
        else:
            continue
        ulen = struct.unpack(">H", frame[udp + 4:udp + 6])[0]
        yield frame[udp + 8:udp + max(ulen, 8)]


def main():
    args = sys.argv[1:]
    gap = 0.0
    if "--gap" in args:
        i = args.index("--gap")
        gap = float(args[i + 1])
        del args[i:i + 2]
    host, port, files = args[0], int(args[1]), args[2:]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    n = 0
    for path in files:
        for payload in payloads(path):
            s.sendto(payload, (host, port))
            n += 1
            if gap:
                time.sleep(gap)
    print(n)


if __name__ == "__main__":
    main()
