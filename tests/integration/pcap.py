#!/usr/bin/env python3
"""pcap: what a capture holds, for the lab's tests and the demo.

    pcap.py summary FILE                 one line: packets by kind
    pcap.py esp-only FILE PATTERN        every packet is IKE or ESP (in UDP),
                                         no payload holds PATTERN, some ESP
    pcap.py esp-clear FILE PATTERN       some ESP holds PATTERN in clear,
                                         followed by a 16-byte ICV
    pcap.py count FILE PROTO [PORT]      packets of PROTO (icmp, udp, esp...)
    pcap.py clear-inner FILE PREFIX...   packets whose IP addresses lie in a
                                         PREFIX, outside of ESP (a leak)
    pcap.py clear-between FILE A B       packets of a flow in clear: from a
                                         prefix A to a prefix B or back
    pcap.py addresses FILE [src]         every source and destination (or
                                         only sources), sorted

Exit status 0 when the check holds, 1 with the reason when it does not.
A tiny pcap reader (Ethernet or Linux cooked, IPv4 and IPv6): no scapy,
so it starts in milliseconds.
"""
import ipaddress
import struct
import sys


def packets(path):
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack('<I', data[:4])[0]
    endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    linktype = struct.unpack(endian + 'I', data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + 'IIII', data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if linktype == 1:               # Ethernet
            etype = struct.unpack('>H', frame[12:14])[0]
            payload = frame[14:]
            if etype == 0x8100:
                etype = struct.unpack('>H', frame[16:18])[0]
                payload = frame[18:]
        elif linktype == 113:           # Linux cooked
            etype = struct.unpack('>H', frame[14:16])[0]
            payload = frame[16:]
        elif linktype in (101, 12):     # raw IP
            etype = 0x0800 if frame[0] >> 4 == 4 else 0x86dd
            payload = frame
        else:
            continue
        if etype in (0x0800, 0x86dd):
            yield ip(payload)


def ip(b):
    """(src, dst, proto, l4 bytes)"""
    if b[0] >> 4 == 4:
        hl = (b[0] & 15) * 4
        return (ipaddress.ip_address(b[12:16]), ipaddress.ip_address(b[16:20]), b[9], b[hl:])
    return (ipaddress.ip_address(b[8:24]), ipaddress.ip_address(b[24:40]), b[6], b[40:])


def kind(p):
    """ike, esp (in UDP or raw), icmp, udp, tcp, other; and the ESP bytes"""
    src, dst, proto, l4 = p
    if proto == 50:
        return 'esp', l4
    if proto == 17 and len(l4) >= 8:
        sport, dport = struct.unpack('>HH', l4[:4])
        body = l4[8:]
        if 500 in (sport, dport):
            return 'ike', body
        if 4500 in (sport, dport):
            if len(body) == 1 and body[0] == 0xff:
                return 'keepalive', body
            if len(body) >= 4 and body[:4] == b'\0\0\0\0':
                return 'ike', body
            return 'esp', body
        return 'udp', body
    if proto in (1, 58):
        return 'icmp', l4
    if proto == 6:
        return 'tcp', l4
    return 'other', l4


def summary(path):
    counts = {}
    for p in packets(path):
        k, _ = kind(p)
        counts[k] = counts.get(k, 0) + 1
    return counts


def main(argv):
    cmd, path = argv[1], argv[2]
    if cmd == 'summary':
        c = summary(path)
        print(', '.join('%d %s' % (n, k) for k, n in sorted(c.items())) or 'nothing')
        return 0
    if cmd == 'esp-only':
        pattern = argv[3].encode()
        esp = 0
        for p in packets(path):
            k, body = kind(p)
            if k not in ('ike', 'esp', 'keepalive'):
                print('not ESP: %s %s -> %s proto %d' % (k, p[0], p[1], p[2]))
                return 1
            if pattern in p[3]:
                print('pattern %r in clear in a %s packet %s -> %s' % (argv[3], k, p[0], p[1]))
                return 1
            esp += k == 'esp'
        if not esp:
            print('no ESP at all')
            return 1
        print('%d ESP packets, nothing else but IKE, %r nowhere' % (esp, argv[3]))
        return 0
    if cmd == 'esp-clear':
        pattern = argv[3].encode()
        for p in packets(path):
            k, body = kind(p)
            if k != 'esp' or pattern not in body:
                continue
            # ESP: SPI(4) SEQ(4) payload padding padlen(1) next(1) ICV(16)
            if len(body) < 8 + 2 + 16:
                continue
            padlen = body[-18]
            nxt = body[-17]
            inner = body[8:len(body) - 18 - padlen]
            if pattern in inner and nxt in (4, 41):
                print('ESP carries the inner packet in clear (next header %d) and a 16-byte ICV' % nxt)
                return 0
        print('no ESP packet carries %r in clear with an ICV' % argv[3])
        return 1
    if cmd == 'count':
        want, port = argv[3], int(argv[4]) if len(argv) > 4 else None
        n = 0
        for p in packets(path):
            k, _ = kind(p)
            if k == want and (port is None or (len(p[3]) >= 4 and port in struct.unpack('>HH', p[3][:4]))):
                n += 1
        print(n)
        return 0
    if cmd == 'clear-inner':
        nets = [ipaddress.ip_network(a) for a in argv[3:]]
        leaks = 0
        for p in packets(path):
            k, _ = kind(p)
            if k in ('esp', 'ike', 'keepalive'):
                continue
            if any(p[0] in n or p[1] in n for n in nets):
                leaks += 1
                if leaks <= 3:
                    print('clear text: %s %s -> %s' % (k, p[0], p[1]))
        print('%d clear-text packets' % leaks)
        return 1 if leaks else 0
    if cmd == 'clear-between':
        a, b = ipaddress.ip_network(argv[3]), ipaddress.ip_network(argv[4])
        leaks = 0
        for p in packets(path):
            k, _ = kind(p)
            if k in ('esp', 'ike', 'keepalive'):
                continue
            if (p[0] in a and p[1] in b) or (p[0] in b and p[1] in a):
                leaks += 1
                if leaks <= 3:
                    print('clear text: %s %s -> %s' % (k, p[0], p[1]))
        print('%d clear-text packets between %s and %s' % (leaks, a, b))
        return 1 if leaks else 0
    if cmd == 'addresses':
        seen = set()
        for p in packets(path):
            seen.update(p[:1] if argv[3:] == ['src'] else p[:2])
        for a in sorted(seen, key=lambda a: (a.version, a)):
            print(a)
        return 0
    print('unknown command %s' % cmd, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
