#!/usr/bin/env python3
"""How long voice and best-effort packets wait at a full bottleneck.

    python3 queue-probe.py echo HOST PORT
        Echoes probe packets back to their sender, drops the filler.
        Prints "ready" once bound; exits on SIGTERM/SIGINT.

    python3 queue-probe.py probe HOST PORT FILL_KBIT SECONDS
        Sends best-effort filler at FILL_KBIT (1200-byte packets) to keep the
        bottleneck's queue full, and every 50 ms one probe marked DSCP EF (the
        mark Chromium gives audio with networkPriority high) and one unmarked.
        Prints one JSON line: round-trip times (ms) of the probes sent after
        the first second (the queue is full by then), by mark, and how many
        of each were sent then.

Standard library only, so the lab needs no extra package.
"""
import json
import select
import signal
import socket
import sys
import time

EF = 0xB8  # DSCP 46 in the TOS byte
FILLER = b"F" * 1200


def echo(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    while True:
        data, peer = sock.recvfrom(2048)
        if data[:1] == b"P":
            sock.sendto(data, peer)


def probe(host, port, fill_kbit, seconds):
    target = (host, port)
    filler = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    marked = {}
    for name, tos in (("voice", EF), ("bestEffort", 0)):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
        s.setblocking(False)
        marked[name] = s
    rtts = {name: [] for name in marked}
    sent = {name: 0 for name in marked}
    start = time.monotonic()
    fill_gap = len(FILLER) * 8 / (fill_kbit * 1000)
    next_fill = next_probe = start
    seq = 0
    while True:
        now = time.monotonic()
        if now - start > seconds + 1:  # one more second for the last probes' echoes
            break
        if now - start <= seconds:
            while next_fill <= now:
                filler.sendto(FILLER, target)
                next_fill += fill_gap
            if next_probe <= now:
                counted = now - start >= 1
                for name, s in marked.items():
                    s.sendto(b"P" + json.dumps({"t": now, "n": seq, "c": counted}).encode(), target)
                    sent[name] += counted
                seq += 1
                next_probe += 0.05
        ready, _, _ = select.select(list(marked.values()), [], [], 0.002)
        for s in ready:
            name = next(n for n, m in marked.items() if m is s)
            data = s.recv(2048)
            body = json.loads(data[1:])
            if body["c"]:
                rtts[name].append(round((time.monotonic() - body["t"]) * 1000, 1))
    print(json.dumps({"rttMs": rtts, "sent": sent}), flush=True)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "echo" and len(sys.argv) == 4:
        echo(sys.argv[2], int(sys.argv[3]))
    elif mode == "probe" and len(sys.argv) == 6:
        probe(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
    else:
        sys.exit(__doc__)
