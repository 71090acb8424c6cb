#!/usr/bin/env python3
"""tun.py DEV SECONDS [SRC DST]: plays kernel-libipsec's part on a TUN device.

Attaches to the existing TUN device DEV (made with `ip tuntap add`, so its
carrier comes up), optionally writes ICMP echo requests from SRC to DST into
it, five a second (what libipsec does with a decrypted packet), and prints
one line "SRC DST PROTO" per packet the kernel sends out of DEV within
SECONDS (what libipsec would encrypt).  IPv4 and IPv6.
"""
import fcntl
import ipaddress
import os
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def echo(src, dst, seq):
    payload = b"zsec-guard-test"
    if src.version == 4:
        icmp = struct.pack("!BBHHH", 8, 0, 0, 0x2ec, seq) + payload
        icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64, 1, 0,
                          src.packed, dst.packed)
        hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
        return hdr + icmp
    icmp = struct.pack("!BBHHH", 128, 0, 0, 0x2ec, seq) + payload
    pseudo = src.packed + dst.packed + struct.pack("!I3xB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", checksum(pseudo + icmp)) + icmp[4:]
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(icmp), 58, 64, src.packed, dst.packed)
    return hdr + icmp


def describe(pkt):
    if pkt and pkt[0] >> 4 == 4 and len(pkt) >= 20:
        return "%s %s %d" % (ipaddress.ip_address(pkt[12:16]), ipaddress.ip_address(pkt[16:20]),
                             pkt[9])
    if pkt and pkt[0] >> 4 == 6 and len(pkt) >= 40:
        return "%s %s %d" % (ipaddress.ip_address(pkt[8:24]), ipaddress.ip_address(pkt[24:40]),
                             pkt[6])
    return None


def main():
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    dev, seconds = sys.argv[1], float(sys.argv[2])
    src = dst = None
    if len(sys.argv) == 5:
        src, dst = ipaddress.ip_address(sys.argv[3]), ipaddress.ip_address(sys.argv[4])
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", dev.encode(), IFF_TUN | IFF_NO_PI))
    print("ready", flush=True)
    end = time.monotonic() + seconds
    next_write, seq = time.monotonic() + 0.3, 1
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if src and now >= next_write:
            os.write(fd, echo(src, dst, seq))
            seq += 1
            next_write = now + 0.2
        r, _, _ = select.select([fd], [], [], min(end, next_write) - now if src else end - now)
        if r:
            line = describe(os.read(fd, 65535))
            if line:
                print(line, flush=True)


if __name__ == "__main__":
    main()
