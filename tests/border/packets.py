#!/usr/bin/python3
"""packets.py: the packets of tests/border/kernel.sh and what they find.

  packets.py flood DST PORT COUNT RATE [SRC[:SPORT]]   COUNT UDP datagrams at
                                    RATE per second (plain sockets); prints "sent N
                                    in S s"
  packets.py syn-flood SRC DST PORT COUNT RATE   COUNT TCP SYNs from SRC (raw, each
                                    from a port of its own: a connection each) at
                                    RATE per second; prints "sent N in S s"
  packets.py sctp-flood SRC DST PORT COUNT RATE  the same with SCTP INITs
  packets.py sink PORT SECONDS [HOST:PORT]   counts the UDP datagrams that arrive
                                    on PORT for SECONDS, answers the first (a SIP
                                    server's 100 Trying: conntrack then knows the
                                    flow as a connection); prints "ready" once it
                                    listens, then the count.  With HOST:PORT, it
                                    first sends one there from PORT: the flow is
                                    then a connection it opened
  packets.py options SRC DST        an IPv4 packet with a record-route option
  packets.py udp SRC DST PORT [N] [PAYLOAD]   N plain UDP datagrams from any source
                                    address (raw, so spoofed ones too), IPv4 or IPv6
  packets.py esp-in-udp SRC DST N   N UDP 4500 datagrams that are ESP (non-zero SPI)
  packets.py esp GW SEG SPI SRC DST PORT [N]   N UDP datagrams SRC -> DST:PORT in
                                    ESP, tunnel mode, from GW to SEG, SA SPI (keys:
                                    esp-keys); sequence numbers from 1, so one run
                                    per SA
  packets.py esp-keys               the SAs' algorithms and keys, as `ip xfrm state`
                                    takes them
  packets.py time-exceeded SRC DST  an ICMP time exceeded, as an internal router
                                    would send it about a packet from DST
  packets.py ttl-echo SRC DST TTL   an ICMP echo with that TTL; waits for the reply
                                    and prints its TTL (0: none)
  packets.py leaks PCAP PREFIX...   prints every packet of PCAP that carries an
                                    address of PREFIX in an IP header (quoted
                                    ones, options and routing headers too) or a
                                    payload, and "packets N leaks L"

Uses scapy (python3-scapy, Debian's python) for what sockets cannot send.
Bounded in count and time: every wait has a timeout.
"""
import ipaddress
import socket
import sys
import time


def scapy():
    import logging
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    import scapy.all as s
    s.conf.verb = 0
    return s


def flood(dst, port, count, rate, src=None):
    sk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if src:
        addr, _, sport = src.partition(":")
        sk.bind((addr, int(sport or 0)))
    payload = b"INVITE sip:bench SIP/2.0\r\n\r\n"
    start = time.monotonic()
    for n in range(count):
        due = start + n / rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        sk.sendto(payload, (dst, port))
    elapsed = time.monotonic() - start
    print(f"sent {count} in {elapsed:.3f} s")


def first_flood(proto, src, dst, port, count, rate):
    """COUNT first packets of a connection each, TCP SYNs or SCTP INITs"""
    s = scapy()

    def first(n):
        if proto == "sctp":
            return s.SCTP(sport=20000 + n, dport=port, tag=0) / s.SCTPChunkInit(init_tag=n + 1)
        return s.TCP(sport=20000 + n, dport=port, flags="S", seq=n)

    # made before the clock starts: scapy is slower than the rate
    pkts = [bytes(s.IP(src=src, dst=dst) / first(n)) for n in range(count)]
    sk = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    start = time.monotonic()
    for n, pkt in enumerate(pkts):
        due = start + n / rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        sk.sendto(pkt, (dst, 0))
    elapsed = time.monotonic() - start
    print(f"sent {count} in {elapsed:.3f} s")


def sink(port, seconds, peer=None):
    sk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sk.bind(("0.0.0.0", port))
    if peer:
        host, _, pport = peer.partition(":")
        sk.sendto(b"OPTIONS sip:peer SIP/2.0\r\n\r\n", (host, int(pport)))
    print("ready", flush=True)
    end = time.monotonic() + seconds
    n = 0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        sk.settimeout(left)
        try:
            _, peer = sk.recvfrom(2048)
            if not n:
                sk.sendto(b"SIP/2.0 100 Trying\r\n\r\n", peer)
            n += 1
        except socket.timeout:
            break
    print(n)


# The test SAs' keys: made by hand on both ends, never used elsewhere.
ESP_ENC = "00112233445566778899aabbccddeeff"
ESP_AUTH = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"


def esp(gw, seg, spi, src, dst, port, n):
    s = scapy()
    from scapy.layers.ipsec import ESP, SecurityAssociation
    outer = s.IPv6 if ":" in gw else s.IP
    inner = s.IPv6 if ":" in src else s.IP
    sa = SecurityAssociation(ESP, spi=spi, crypt_algo="AES-CBC",
                             crypt_key=bytes.fromhex(ESP_ENC),
                             auth_algo="SHA2-256-128", auth_key=bytes.fromhex(ESP_AUTH),
                             tunnel_header=outer(src=gw, dst=seg))
    for _ in range(n):
        s.send(sa.encrypt(inner(src=src, dst=dst) / s.UDP(sport=port, dport=port) / b"zsec-esp"))


def in_bytes(raw, nets):
    """every address of nets in raw: 4-byte windows for an IPv4 network,
    16-byte ones for an IPv6 one"""
    for net in nets:
        width = 4 if net.version == 4 else 16
        for i in range(len(raw) - width + 1):
            addr = ipaddress.ip_address(raw[i:i + width])
            if addr in net:
                yield addr


def addresses(s, pkt, nets):
    """every address of nets a packet carries: in each IP header, the ones
    ICMP errors quote included, their IPv4 options and IPv6 routing headers
    (record route, source route), and anywhere in its payloads.  Not in the
    other header fields, where sequence numbers and checksums would match
    a prefix by chance."""
    layer = pkt
    while layer and not isinstance(layer, s.NoPayload):
        if isinstance(layer, (s.IP, s.IPerror, s.IPv6, s.IPerror6)):
            for x in (layer.src, layer.dst):
                addr = ipaddress.ip_address(x)
                if any(addr in net for net in nets):
                    yield addr
            if isinstance(layer, (s.IP, s.IPerror)) and layer.ihl and layer.ihl > 5:
                yield from in_bytes(bytes(layer)[20:layer.ihl * 4], nets)
        elif isinstance(layer, (s.UDP, s.TCP)):
            # what it carries, however scapy would dissect it (DNS, ISAKMP...)
            yield from in_bytes(bytes(layer.payload), nets)
            return
        elif isinstance(layer, (s.IPv6ExtHdrRouting, s.Raw, s.Padding)):
            yield from in_bytes(bytes(layer), nets)
        layer = layer.payload


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, a = argv[1], argv[2:]
    if cmd == "flood":
        flood(a[0], int(a[1]), int(a[2]), float(a[3]), a[4] if len(a) > 4 else None)
    elif cmd in ("syn-flood", "sctp-flood"):
        first_flood("sctp" if cmd == "sctp-flood" else "tcp", a[0], a[1], int(a[2]), int(a[3]),
                    float(a[4]))
    elif cmd == "sink":
        sink(int(a[0]), float(a[1]), a[2] if len(a) > 2 else None)
    elif cmd == "options":
        s = scapy()
        s.send(s.IP(src=a[0], dst=a[1], options=[s.IPOption_RR()]) / s.UDP(dport=9) / b"options")
    elif cmd == "udp":
        s = scapy()
        n = int(a[3]) if len(a) > 3 else 1
        payload = a[4].encode() if len(a) > 4 else b"zsec-test"
        ip = s.IPv6 if ":" in a[0] else s.IP
        s.send(ip(src=a[0], dst=a[1]) / s.UDP(sport=int(a[2]), dport=int(a[2])) / payload,
               count=n, inter=0.001)
    elif cmd == "esp-in-udp":
        s = scapy()
        pkt = s.IP(src=a[0], dst=a[1]) / s.UDP(sport=4500, dport=4500) / (b"\x00\x00\x12\x34" + b"\x00" * 40)
        s.send(pkt, count=int(a[2]), inter=0.001)
    elif cmd == "esp":
        esp(a[0], a[1], int(a[2], 0), a[3], a[4], int(a[5]), int(a[6]) if len(a) > 6 else 1)
    elif cmd == "esp-keys":
        print(f"enc cbc(aes) 0x{ESP_ENC} auth-trunc hmac(sha256) 0x{ESP_AUTH} 128")
    elif cmd == "time-exceeded":
        s = scapy()
        quoted = s.IP(src=a[1], dst="172.16.1.10", ttl=1) / s.UDP(sport=33434, dport=33435)
        s.send(s.IP(src=a[0], dst=a[1]) / s.ICMP(type=11, code=0) / bytes(quoted)[:28])
    elif cmd == "ttl-echo":
        s = scapy()
        r = s.sr1(s.IP(src=a[0], dst=a[1], ttl=int(a[2])) / s.ICMP(id=4242, seq=1) / b"ttl",
                  timeout=2)
        print(r[s.IP].ttl if r is not None and r.haslayer(s.ICMP) and r[s.ICMP].type == 0 else 0)
    elif cmd == "leaks":
        s = scapy()
        nets = [ipaddress.ip_network(p) for p in a[1:]]
        n = leaks = 0
        for pkt in s.rdpcap(a[0]):
            n += 1
            found = [str(x) for x in addresses(s, pkt, nets)]
            if found:
                leaks += 1
                print(f"leak: {pkt.summary()}: {', '.join(sorted(set(found)))}")
        print(f"packets {n} leaks {leaks}")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
