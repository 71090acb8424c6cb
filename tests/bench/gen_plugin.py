#!/usr/bin/env python3
"""gen_plugin.py: inputs of the plugin benchmark (tests/bench/plugin.sh).

  gen_plugin.py pki DIR N
      the certificates and keys for N partners in DIR, made once with
      strongSwan's `pki` (ECDSA P-256) and kept: a later call only adds what
      is missing.
  gen_plugin.py conf N OUT --pki DIR [--change K] [--start]
      OUT/topology.yaml: zsec topology, our border gateway seg-a1 and N
          partners, each with one gateway and one [seg-a1, theirs] link,
          authenticated by certificates from the partner's own CA;
      OUT/swanctl/: the same configuration for swanctl (swanctl.conf and
          the x509, x509ca and private folders it loads), with what zsec's
          plugin sets (plugin/zsec_peer.c) written out;
      OUT/partners/: the partners' side for the IKE benchmark, one charon
          answering for all N (one local address, identity and certificate
          each), as plain swanctl responders, and its addresses (only for
          N <= IKE_PARTNERS, the partners with certificates of their own).
      --change K: also OUT/topology-changed.yaml and
          OUT/swanctl/swanctl-changed.conf, where partner K has one more
          prefix (a one-link change; same folder, so the credential paths
          are the same);
      --start gives seg-a1's swanctl children start_action = start.

Addresses: seg-a1 192.0.2.1 (inside 10.0.0.1, exposes 10.0.1.0/24);
partner i's gateway 198.18.0.0 + i, its prefix the i-th /24 of 100.64.0.0/10.
Proposals, both sides: IKE aes256gcm16-prfsha384-x25519, ESP aes256gcm16-x25519.

The PKI.  One CA per partner, as in reality (TS 33.310: each operator has
its own SEG CA): N distinct CA certificates, each with its own subject, so
both sides parse, keep and index N trust anchors and each link is
constrained to its own (the public keys are distinct objects as well:
each certificate's key is parsed and kept on its own).  Generating N key
pairs as well would take twice as long at N = 10,000 (pki, about a minute
per 5,000 processes here) and buy nothing the apply and memory figures
measure, as a CA's private key is only used to sign: the CAs of partners
above IKE_PARTNERS share one private key; the first IKE_PARTNERS have keys
of their own and issue their gateway's certificate, which the IKE
benchmark uses.  Both sides of every comparison load the very same files.
"""
import argparse
import concurrent.futures
import ipaddress
import os
import subprocess
import sys

IKE_PROPOSAL = "aes256gcm16-prfsha384-x25519"
ESP_PROPOSAL = "aes256gcm16-x25519"
IKE_PARTNERS = 256              # partners with a CA key and gateway cert of their own
SEG = "seg-a1"
SEG_ID = "seg-a1.operator-a.example"
SEG_OUTSIDE = "192.0.2.1"
EXPOSE = "10.0.1.0/24"
PEER_BASE = int(ipaddress.ip_address("198.18.0.0"))
PREFIX_BASE = int(ipaddress.ip_address("100.64.0.0"))
CHANGE_PREFIX = "100.127.255.0/24"      # beyond the prefixes of 16,383 partners
MAX_N = 16000

PKI_CONF = "pki {\n\tload = random nonce pem pkcs1 pkcs8 openssl x509 sha2\n}\n"


def partner(i):
    return f"partner-{i:05d}"


def gateway(i):
    return f"seg-p{i:05d}"


def gateway_id(i):
    return f"{gateway(i)}.{partner(i)}.example"


def gateway_addr(i):
    return str(ipaddress.ip_address(PEER_BASE + i))


def prefix(i):
    return str(ipaddress.ip_network((PREFIX_BASE + (i - 1) * 256, 24)))


def inside_addr(i):
    """the partner's own address inside its prefix (the IKE benchmark's
    kernel-libipsec routes need one)"""
    return str(ipaddress.ip_address(PREFIX_BASE + (i - 1) * 256 + 1))


# ---- the PKI ----

def run_pki(d, args, out):
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        r = subprocess.run(["pki"] + args, stdout=f, stderr=subprocess.PIPE,
                           env=dict(os.environ, STRONGSWAN_CONF=os.path.join(d, "pki.conf")))
    if r.returncode:
        os.unlink(tmp)
        raise RuntimeError(f"pki {' '.join(args)}: {r.stderr.decode().strip()}")
    os.rename(tmp, out)


def gen_key(d, path):
    if not os.path.exists(path):
        run_pki(d, ["--gen", "--type", "ecdsa", "--size", "256", "--outform", "pem"], path)
        os.chmod(path, 0o600)


def self_ca(d, key, org, path):
    if not os.path.exists(path):
        run_pki(d, ["--self", "--ca", "--lifetime", "3650", "--in", key, "--type", "ecdsa",
                    "--dn", f"C=XX, O={org}, CN={org} SEG CA", "--outform", "pem"], path)


def issue(d, ca, cakey, key, org, ident, path):
    if not os.path.exists(path):
        run_pki(d, ["--issue", "--cacert", ca, "--cakey", cakey, "--type", "priv", "--in", key,
                    "--lifetime", "730", "--dn", f"C=XX, O={org}, CN={ident}", "--san", ident,
                    "--outform", "pem"], path)


def partner_pki(d, i, shared):
    own = i <= IKE_PARTNERS
    key = os.path.join(d, f"{partner(i)}-ca.key") if own else shared
    ca = os.path.join(d, f"{partner(i)}-ca.pem")
    if own:
        gen_key(d, key)
    self_ca(d, key, partner(i), ca)
    if own:
        gkey = os.path.join(d, f"{gateway(i)}.key")
        gen_key(d, gkey)
        issue(d, ca, key, gkey, partner(i), gateway_id(i), os.path.join(d, f"{gateway(i)}.pem"))


def cmd_pki(a):
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "pki.conf"), "w") as f:
        f.write(PKI_CONF)
    p = lambda name: os.path.join(d, name)
    gen_key(d, p("operator-a-ca.key"))
    self_ca(d, p("operator-a-ca.key"), "operator-a", p("operator-a-ca.pem"))
    gen_key(d, p(f"{SEG}.key"))
    issue(d, p("operator-a-ca.pem"), p("operator-a-ca.key"), p(f"{SEG}.key"), "operator-a",
          SEG_ID, p(f"{SEG}.pem"))
    gen_key(d, p("shared-ca.key"))
    todo = [i for i in range(1, a.n + 1) if not os.path.exists(p(f"{partner(i)}-ca.pem")) or
            (i <= IKE_PARTNERS and not os.path.exists(p(f"{gateway(i)}.pem")))]
    if todo:
        print(f"gen_plugin: creating certificates of {len(todo)} partners in {d} (once)",
              file=sys.stderr)
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        for f in [ex.submit(partner_pki, d, i, p("shared-ca.key")) for i in todo]:
            f.result()


# ---- the configurations ----

def link_name(i):
    return f"za:{partner(i)}:{gateway(i)}"


def prefixes(i, change):
    return [prefix(i), CHANGE_PREFIX] if i == change else [prefix(i)]


def topology(n, change):
    w = [f"# generated by tests/bench/gen_plugin.py conf {n}" + (f" --change {change}" if change else ""),
         "zsec: 1",
         "domain:",
         "  name: operator-a",
         "  prefixes: [10.0.0.0/16]",
         "  trust: { ca: pki/operator-a-ca.pem }",
         "  gateways:",
         f"    - name: {SEG}",
         f"      outside: {SEG_OUTSIDE}",
         "      inside: 10.0.0.1",
         f"      id: {SEG_ID}",
         f"      cert: pki/{SEG}.pem",
         f"      key: pki/{SEG}.key"]
    if n:
        w.append("partners:")
    for i in range(1, n + 1):
        w += [f"  - name: {partner(i)}",
              f"    prefixes: [{', '.join(prefixes(i, change))}]",
              f"    trust: {{ ca: pki/{partner(i)}-ca.pem }}",
              "    gateways:",
              f"      - {{ name: {gateway(i)}, address: {gateway_addr(i)}, id: {gateway_id(i)} }}",
              f"    links: [[{SEG}, {gateway(i)}]]",
              f"    expose: [{EXPOSE}]"]
    w += ["profiles:",
          f"  za: {{ ike: [{IKE_PROPOSAL}], esp: [{ESP_PROPOSAL}] }}"]
    return "\n".join(w) + "\n"


def swanctl_conn(w, i, change, start):
    """seg-a1's connection to partner i, as zsec_peer_build() makes it;
    named as zsec names the link, with dashes (swanctl.conf takes no colons)"""
    name = link_name(i).replace(":", "-")
    w += [f"\t{name} {{",
          "\t\tversion = 2",
          f"\t\tlocal_addrs = {SEG_OUTSIDE}",
          f"\t\tremote_addrs = {gateway_addr(i)}",
          f"\t\tproposals = {IKE_PROPOSAL}",
          "\t\trekey_time = 4h",
          "\t\tdpd_delay = 30s",
          "\t\tfragmentation = yes",
          "\t\tchildless = allow",
          "\t\tunique = no",
          "\t\tkeyingtries = 1",
          "\t\tsend_cert = ifasked",
          "\t\tlocal {",
          "\t\t\tauth = pubkey",
          f"\t\t\tid = {SEG_ID}",
          f"\t\t\tcerts = {SEG}.pem",
          "\t\t}",
          "\t\tremote {",
          "\t\t\tauth = pubkey",
          f"\t\t\tid = {gateway_id(i)}",
          f"\t\t\tcacerts = {partner(i)}-ca.pem",
          "\t\t}",
          "\t\tchildren {",
          f"\t\t\t{name} {{",
          f"\t\t\t\tlocal_ts = {EXPOSE}",
          f"\t\t\t\tremote_ts = {', '.join(prefixes(i, change))}",
          f"\t\t\t\tesp_proposals = {ESP_PROPOSAL}",
          "\t\t\t\tmode = tunnel",
          "\t\t\t\trekey_time = 1h",
          "\t\t\t\tpolicies_fwd_out = yes",
          "\t\t\t\tdpd_action = restart",
          "\t\t\t\tclose_action = none",
          f"\t\t\t\tstart_action = {'start' if start else 'none'}",
          "\t\t\t}",
          "\t\t}",
          "\t}"]


def partner_conn(w, i):
    """partner i's gateway answering seg-a1: a plain responder"""
    w += [f"\t{gateway(i)} {{",
          f"\t\tlocal_addrs = {gateway_addr(i)}",
          f"\t\tremote_addrs = {SEG_OUTSIDE}",
          f"\t\tproposals = {IKE_PROPOSAL}",
          "\t\tunique = no",
          "\t\tlocal {",
          "\t\t\tauth = pubkey",
          f"\t\t\tid = {gateway_id(i)}",
          f"\t\t\tcerts = {gateway(i)}.pem",
          "\t\t}",
          "\t\tremote {",
          "\t\t\tauth = pubkey",
          f"\t\t\tid = {SEG_ID}",
          "\t\t\tcacerts = operator-a-ca.pem",
          "\t\t}",
          "\t\tchildren {",
          f"\t\t\t{gateway(i)} {{",
          f"\t\t\t\tlocal_ts = {prefix(i)}",
          f"\t\t\t\tremote_ts = {EXPOSE}",
          f"\t\t\t\tesp_proposals = {ESP_PROPOSAL}",
          "\t\t\t}",
          "\t\t}",
          "\t}"]


def link(src, dst):
    if os.path.lexists(dst):
        os.unlink(dst)
    os.symlink(src, dst)


def swanctl_dir(d):
    for sub in ("x509", "x509ca", "private"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)


def cmd_conf(a):
    if not 0 <= a.n <= MAX_N:
        sys.exit(f"gen_plugin: N must be between 0 and {MAX_N}")
    if a.change and not 1 <= a.change <= a.n:
        sys.exit(f"gen_plugin: --change {a.change} names no partner of {a.n}")
    pki = os.path.abspath(a.pki)
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    link(pki, os.path.join(out, "pki"))
    with open(os.path.join(out, "topology.yaml"), "w") as f:
        f.write(topology(a.n, 0))
    if a.change:
        with open(os.path.join(out, "topology-changed.yaml"), "w") as f:
            f.write(topology(a.n, a.change))

    # seg-a1 through swanctl
    sw = os.path.join(out, "swanctl")
    swanctl_dir(sw)
    link(os.path.join(pki, f"{SEG}.pem"), os.path.join(sw, "x509", f"{SEG}.pem"))
    link(os.path.join(pki, f"{SEG}.key"), os.path.join(sw, "private", f"{SEG}.key"))
    for i in range(1, a.n + 1):
        ca = f"{partner(i)}-ca.pem"
        link(os.path.join(pki, ca), os.path.join(sw, "x509ca", ca))
    for change, name in ((0, "swanctl.conf"), (a.change, "swanctl-changed.conf")):
        if name != "swanctl.conf" and not change:
            continue
        w = ["# generated by tests/bench/gen_plugin.py: seg-a1 as zsec configures it",
             "connections {"]
        for i in range(1, a.n + 1):
            swanctl_conn(w, i, change, a.start)
        w.append("}")
        with open(os.path.join(sw, name), "w") as f:
            f.write("\n".join(w) + "\n")

    # the partners, for the IKE benchmark
    if a.n <= IKE_PARTNERS:
        pd = os.path.join(out, "partners")
        swanctl_dir(pd)
        link(os.path.join(pki, "operator-a-ca.pem"), os.path.join(pd, "x509ca", "operator-a-ca.pem"))
        w = ["# generated by tests/bench/gen_plugin.py: seg-a1's partners", "connections {"]
        for i in range(1, a.n + 1):
            link(os.path.join(pki, f"{gateway(i)}.pem"), os.path.join(pd, "x509", f"{gateway(i)}.pem"))
            link(os.path.join(pki, f"{gateway(i)}.key"), os.path.join(pd, "private", f"{gateway(i)}.key"))
            partner_conn(w, i)
        w.append("}")
        with open(os.path.join(pd, "swanctl.conf"), "w") as f:
            f.write("\n".join(w) + "\n")
        with open(os.path.join(pd, "addresses"), "w") as f:
            for i in range(1, a.n + 1):
                f.write(f"{gateway_addr(i)} {inside_addr(i)}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pki")
    p.add_argument("dir")
    p.add_argument("n", type=int)
    c = sub.add_parser("conf")
    c.add_argument("n", type=int)
    c.add_argument("out")
    c.add_argument("--pki", required=True)
    c.add_argument("--change", type=int, default=0, metavar="K")
    c.add_argument("--start", action="store_true")
    a = ap.parse_args()
    if a.cmd == "pki":
        if not 0 <= a.n <= MAX_N:
            sys.exit(f"gen_plugin: N must be between 0 and {MAX_N}")
        cmd_pki(a)
    else:
        cmd_conf(a)


if __name__ == "__main__":
    main()
