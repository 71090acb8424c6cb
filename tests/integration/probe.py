#!/usr/bin/env python3
"""probe: packets the Border Element tests send and count (stdlib only).

    probe.py sweep PREFIX... [--wait S]   ICMP echo to every address, print
                                          those that answered
    probe.py spoof SRC DST COUNT          raw IPv4 ICMP echoes with a forged
                                          source (an attacker on the wire)
    probe.py ike-flood PPS SECONDS DST    IKE_SA_INIT-sized UDP 500 packets
                                          from random spoofed sources (SIGTERM
                                          stops it early: the count so far)
    probe.py udp-count PORT IDLE          count UDP datagrams until IDLE
                                          seconds pass without one
    probe.py udp-send DST PORT COUNT PPS  COUNT datagrams at PPS a second;
                                          prints the seconds it took
Floods are bounded in count and time and stop by themselves.
"""
import ipaddress
import os
import random
import select
import signal
import socket
import struct
import sys
import time


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return (~s) & 0xffff


def ipv4(src, dst, proto, payload, ident=0):
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident, 0, 64, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
    return hdr + payload


def icmp_echo(ident, seq):
    body = struct.pack('!BBHHH', 8, 0, 0, ident, seq) + b'ZSEC-PROBE'
    return body[:2] + struct.pack('!H', csum(body)) + body[4:]


def sweep(prefixes, wait):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = os.getpid() & 0xffff
    targets = [str(a) for p in prefixes for a in ipaddress.ip_network(p).hosts()]
    for seq, a in enumerate(targets):
        try:
            s.sendto(icmp_echo(ident, seq & 0xffff), (a, 0))
        except OSError:
            pass                # no route, refused by policy: not answered
    answered = set()
    end = time.time() + wait
    while time.time() < end:
        r, _, _ = select.select([s], [], [], end - time.time())
        if not r:
            break
        data, addr = s.recvfrom(2048)
        hl = (data[0] & 15) * 4
        if data[hl] == 0 and struct.unpack('!H', data[hl + 4:hl + 6])[0] == ident:
            answered.add(addr[0])
    for a in sorted(answered, key=ipaddress.ip_address):
        print(a)


def raw_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    return s


def spoof(src, dst, count):
    s = raw_socket()
    for i in range(count):
        s.sendto(ipv4(src, dst, 1, icmp_echo(0x5a5a, i), i), (dst, 0))


class Stopped(Exception):
    pass


def stopped(signum, frame):
    raise Stopped()


def ike_flood(pps, seconds, dst):
    """IKE_SA_INIT-sized datagrams (an IKE header, no valid proposal needed:
    zsec's table drops them before charon parses anything)"""
    s = raw_socket()
    rnd = random.Random(1)
    pool = []
    for _ in range(4096):
        src = '%d.%d.%d.%d' % (rnd.randrange(1, 224), rnd.randrange(256),
                               rnd.randrange(256), rnd.randrange(1, 255))
        ike = struct.pack('!8s8sBBBBII', rnd.getrandbits(64).to_bytes(8, 'big'), b'\0' * 8,
                          33, 0x20, 34, 0x08, 0, 28 + 240) + b'\0' * 240
        udp = struct.pack('!HHHH', 500, 500, 8 + len(ike), 0) + ike
        pool.append(ipv4(src, dst, 17, udp, rnd.getrandbits(16)))
    total = int(pps * seconds)
    sent = 0
    signal.signal(signal.SIGTERM, stopped)
    start = time.time()
    try:
        for i in range(total):
            s.sendto(pool[i % len(pool)], (dst, 0))
            sent += 1
            if i % 256 == 0:
                ahead = start + i / pps - time.time()
                if ahead > 0:
                    time.sleep(ahead)
    except Stopped:
        pass                    # what it sent until then
    took = time.time() - start
    print('%d packets in %.2f s: %.0f a second' % (sent, took, sent / took))


def udp_count(port, idle):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('0.0.0.0', port))
    sys.stdout.write('ready\n')
    sys.stdout.flush()
    n = 0
    s.settimeout(30)            # the first datagram
    try:
        while True:
            s.recv(65536)
            n += 1
            s.settimeout(idle)
    except socket.timeout:
        pass
    print(n)


def udp_send(dst, port, count, pps):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    msg = b'OPTIONS sip:probe@operator-a.example SIP/2.0\r\n\r\n'
    start = time.time()
    for i in range(count):
        s.sendto(msg, (dst, port))
        ahead = start + (i + 1) / pps - time.time()
        if ahead > 0:
            time.sleep(ahead)
    print('%.3f' % (time.time() - start))


def main(a):
    if a[1] == 'sweep':
        wait = 2.0
        if '--wait' in a:
            wait = float(a[a.index('--wait') + 1])
            a = a[:a.index('--wait')]
        sweep(a[2:], wait)
    elif a[1] == 'spoof':
        spoof(a[2], a[3], int(a[4]))
    elif a[1] == 'ike-flood':
        ike_flood(float(a[2]), float(a[3]), a[4])
    elif a[1] == 'udp-count':
        udp_count(int(a[2]), float(a[3]))
    elif a[1] == 'udp-send':
        udp_send(a[2], int(a[3]), int(a[4]), float(a[5]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
