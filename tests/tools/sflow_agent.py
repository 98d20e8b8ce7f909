#!/usr/bin/env python3
"""A minimal sFlow v5 agent over a capture: samples each Ethernet frame with probability 1/N
(random, seeded) and sends one flow sample per sampled frame (a raw packet header record with
the first 128 bytes) to HOST:PORT, eight samples per datagram.

    sflow_agent.py FILE.pcap N SEED HOST PORT

Prints the number of frames sampled.
"""
import random
import socket
import struct
import sys
import time


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        yield data[off + 16:off + 16 + incl], orig
        off += 16 + incl


def flow_sample(seq, rate, pool, frame, orig):
    header = frame[:128]
    padded = header + b"\0" * (-len(header) % 4)
    # raw packet header: protocol 1 (Ethernet), frame length, stripped, header length, header
    record = struct.pack(">IIII", 1, orig, 0, len(header)) + padded
    body = struct.pack(">IIIIIIII", seq, 1, rate, pool, 0, 1, 2, 1)
    body += struct.pack(">II", 1, len(record)) + record
    return struct.pack(">II", 1, len(body)) + body


def main():
    path, host = sys.argv[1], sys.argv[4]
    rate, seed, port = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[5])
    rng = random.Random(seed)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    pending, seq, pool, sampled, datagrams = [], 0, 0, 0, 0

    def send():
        nonlocal pending, datagrams
        if not pending:
            return
        head = struct.pack(">II4sIIII", 5, 1, socket.inet_aton("127.0.0.1"), 0, datagrams, 1000,
                           len(pending))
        sock.sendto(head + b"".join(pending), (host, port))
        datagrams += 1
        pending = []
        if datagrams % 16 == 0:
            time.sleep(0.002)  # let the collector keep up: a lost datagram is lost samples

    for frame, orig in frames(path):
        pool += 1
        if rng.random() * rate >= 1:
            continue
        seq += 1
        sampled += 1
        pending.append(flow_sample(seq, rate, pool, frame, orig))
        if len(pending) == 8:
            send()
    send()
    print(sampled)


if __name__ == "__main__":
    main()
