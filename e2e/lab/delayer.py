#!/usr/bin/env python3
"""Constant-delay packet holder for the lab (this kernel has no netem).

Binds one NFQUEUE in the current network namespace and accepts every queued
packet DELAY_MS after it arrived. Only the packet metadata is copied to
userspace (verdicts carry no payload).

    python3 delayer.py QUEUE_NUM DELAY_MS [STALL_MS MIN_GAP_MS MAX_GAP_MS [SEED]]

With STALL_MS, the link also stalls like a Wi-Fi station retrying: every
MIN_GAP_MS to MAX_GAP_MS (random, counted from the start; the same times for the
same SEED, default 1), nothing passes for STALL_MS; what arrived meanwhile leaves
at the end of the stall, DELAY_MS later. Leave times never decrease, so packets
keep their order.

Raw netlink with the standard library only, so the lab needs no extra package.
Prints "ready" on stdout once bound; exits on SIGTERM/SIGINT.
"""
import collections
import os
import random
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NF_ACCEPT = 1
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
AF_INET = 2


def attr(kind, payload):
    length = 4 + len(payload)
    pad = (4 - length % 4) % 4
    return struct.pack('=HH', length, kind) + payload + b'\0' * pad


def message(msg_type, queue, attrs, flags=NLM_F_REQUEST, seq=0):
    body = struct.pack('=BBH', AF_INET, 0, socket.htons(queue)) + b''.join(attrs)
    header = struct.pack('=IHHII', 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg_type, flags, seq, 0)
    return header + body


def parse_attrs(data):
    out = {}
    pos = 0
    while pos + 4 <= len(data):
        length, kind = struct.unpack_from('=HH', data, pos)
        if length < 4:
            break
        out[kind & 0x7FFF] = data[pos + 4:pos + length]
        pos += (length + 3) & ~3
    return out


def configure(sock, queue):
    seq = 1
    for msg in (
        message(NFQNL_MSG_CONFIG, queue, [attr(NFQA_CFG_CMD, struct.pack('!BBH', NFQNL_CFG_CMD_BIND, 0, AF_INET))], NLM_F_REQUEST | NLM_F_ACK, seq),
        message(NFQNL_MSG_CONFIG, queue, [attr(NFQA_CFG_PARAMS, struct.pack('!IB', 0, NFQNL_COPY_META))], NLM_F_REQUEST | NLM_F_ACK, seq + 1),
        message(NFQNL_MSG_CONFIG, queue, [attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack('!I', 8192))], NLM_F_REQUEST | NLM_F_ACK, seq + 2),
    ):
        sock.send(msg)
        reply = sock.recv(65536)
        length, msg_type = struct.unpack_from('=IH', reply, 0)
        if msg_type == NLMSG_ERROR:
            (error,) = struct.unpack_from('=i', reply, 16)
            if error != 0:
                raise OSError(-error, 'nfqueue config failed: ' + os.strerror(-error))


def main():
    if len(sys.argv) not in (3, 6, 7):
        sys.exit(__doc__)
    queue = int(sys.argv[1])
    delay = float(sys.argv[2]) / 1000.0
    stall = float(sys.argv[3]) / 1000.0 if len(sys.argv) > 3 else 0.0
    gaps = (float(sys.argv[4]) / 1000.0, float(sys.argv[5]) / 1000.0) if stall > 0 else None
    # Seeded: the plain and the controlled call of a bench pair meet the same stalls.
    rng = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 1)
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    sock.bind((0, 0))
    configure(sock, queue)
    # ENOBUFS on overflow would otherwise raise; the dropped packets count as loss.
    NETLINK_NO_ENOBUFS = 5
    sock.setsockopt(270, NETLINK_NO_ENOBUFS, 1)
    sock.setblocking(False)

    running = [True]

    def stop(*_):
        running[0] = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print('ready', flush=True)

    held = collections.deque()  # (due, packet_id); dues never decrease, so it is FIFO
    stall_from = time.monotonic() + rng.uniform(*gaps) if gaps else float('inf')
    while running[0]:
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, packet_id = held.popleft()
            verdict = attr(NFQA_VERDICT_HDR, struct.pack('!II', NF_ACCEPT, packet_id))
            try:
                sock.send(message(NFQNL_MSG_VERDICT, queue, [verdict]))
            except BlockingIOError:
                held.appendleft((now, packet_id))
                break
        timeout = max(0.0, held[0][0] - time.monotonic()) if held else 0.5
        try:
            readable, _, _ = select.select([sock], [], [], timeout)
        except InterruptedError:
            continue
        if not readable:
            continue
        while True:
            try:
                data = sock.recv(262144)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            arrived = time.monotonic()
            while arrived >= stall_from + stall:
                stall_from += stall + rng.uniform(*gaps)
            # Arrived during a stall: it leaves when the stall ends.
            leaves = stall_from + stall if arrived >= stall_from else arrived
            pos = 0
            while pos + 16 <= len(data):
                length, msg_type = struct.unpack_from('=IH', data, pos)
                if length < 16:
                    break
                if msg_type == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                    attrs = parse_attrs(data[pos + 20:pos + length])
                    hdr = attrs.get(NFQA_PACKET_HDR)
                    if hdr is not None:
                        (packet_id,) = struct.unpack_from('!I', hdr, 0)
                        held.append((leaves + delay, packet_id))
                pos += (length + 3) & ~3


if __name__ == '__main__':
    main()
