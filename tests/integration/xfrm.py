#!/usr/bin/env python3
"""xfrm: what a node's XFRM policy database holds, charon's and zsec's.

    xfrm.py show DUMP                one line per policy, charon's and zsec's
                                     side by side, sorted by selector
    xfrm.py charon DUMP STATUS       for every CHILD_SA in STATUS (zsecctl
                                     status --json), charon's out, in and fwd
                                     entries: ESP template with its reqid,
                                     priority <= 600000, no mark
    xfrm.py no-charon DUMP           charon has no entry left
    xfrm.py guard DUMP PLAN          every guard entry of PLAN (zsecctl plan)
                                     twice, marks 0 and 0x100000 under mask
                                     0x100000, its action and priority, no
                                     template; nothing else in the band
    xfrm.py shared DUMP              the selectors that charon and zsec both
                                     hold: the two live side by side
    xfrm.py index DUMP               zsec's entries with the kernel's index
                                     (a replaced entry gets a new one)

DUMP is the output of `ip -s xfrm policy`.  Exit status 0 when the check
holds, 1 with the reasons when it does not.
"""
import ipaddress
import json
import re
import sys

GUARD_MARK = 0x00100000
BAND = (700000, 719999)          # the guard's priorities (daemon/guard/guard.h)
CHARON_MAX = 600000              # charon's priorities end there


def parse(path):
    """The policies of a dump, as dicts; per-socket policies are left out."""
    text = open(path).read()
    blocks = re.split(r'\n(?=src )', '\n' + text)
    out = []
    for b in blocks:
        b = b.strip()
        if not b.startswith('src '):
            continue
        head, _, tmpl = b.partition('\ttmpl ')
        t = head.split()
        p = {'src': None, 'dst': None, 'proto': None, 'dport': None, 'sport': None,
             'dir': None, 'action': 'allow', 'index': None, 'priority': 0,
             'mark': (0, 0), 'tmpl': None}
        i = 0
        while i < len(t):
            k = t[i]
            v = t[i + 1] if i + 1 < len(t) else None
            if k in ('src', 'dst', 'proto', 'dport', 'sport', 'dir', 'action', 'index'):
                p[k] = v
                i += 2
            elif k == 'priority':
                p['priority'] = int(v)
                i += 2
            elif k == 'mark':
                val, _, mask = v.partition('/')
                p['mark'] = (int(val, 0), int(mask or '0xffffffff', 0))
                i += 2
            else:
                i += 1
        if p['dir'] is None:         # "socket in/out": a socket's own policy
            continue
        if tmpl:
            tt = tmpl.split()
            # -s prints numbers twice: "reqid 3(0x00000003)"
            p['tmpl'] = {tt[j]: tt[j + 1].split('(')[0] for j in range(0, len(tt) - 1)
                         if tt[j] in ('src', 'dst', 'proto', 'reqid', 'mode')}
        out.append(p)
    return out


def net(s):
    return str(ipaddress.ip_network(s, strict=False))


def key(p):
    return (p['dir'], net(p['src']), net(p['dst']), p['proto'] or '', p['dport'] or '')


def is_zsec(p):
    return BAND[0] <= p['priority'] <= BAND[1] and p['mark'][1] == GUARD_MARK


def is_charon(p):
    return p['priority'] <= CHARON_MAX and p['mark'] == (0, 0)


def line(p):
    sel = '%s -> %s' % (p['src'], p['dst'])
    if p['proto']:
        sel += ' ' + p['proto'] + (' dport ' + p['dport'] if p['dport'] else '')
    who = 'zsec  ' if is_zsec(p) else 'charon' if is_charon(p) else 'other '
    s = '%s %-4s %-48s prio %-6d mark %#x/%#x %s' % (
        who, p['dir'], sel, p['priority'], p['mark'][0], p['mark'][1], p['action'])
    if p['tmpl']:
        s += ' tmpl %s reqid %s' % (p['tmpl'].get('proto'), p['tmpl'].get('reqid'))
    return s


def show(pols):
    for p in sorted(pols, key=lambda p: (key(p)[1:3], key(p)[0], -p['priority'])):
        print(line(p))
    return 0


def ts_list(s):
    return [net(x.split('[')[0]) for x in s.split(',') if x]


def charon(pols, status):
    s = json.load(open(status))
    errs, n = [], 0
    ours = [p for p in pols if is_charon(p)]
    for link in s['links']:
        if link.get('state') != 'up':
            errs.append('link %s is %s' % (link['name'], link.get('state')))
            continue
        local, _, remote = link['ts'].partition('===')
        reqid = str(link.get('reqid') or '')
        for l in ts_list(local):
            for r in ts_list(remote):
                for d, a, b in (('out', l, r), ('in', r, l), ('fwd', r, l)):
                    m = [p for p in ours if p['dir'] == d and net(p['src']) == a and
                         net(p['dst']) == b and p['tmpl'] and p['tmpl'].get('proto') == 'esp' and
                         (not reqid or p['tmpl'].get('reqid') == reqid)]
                    if m:
                        n += 1
                    else:
                        errs.append('%s: no charon %s %s -> %s with an ESP template of reqid %s'
                                    % (link['name'], d, a, b, reqid or '?'))
    for e in errs:
        print(e)
    if not errs:
        print('%d charon entries for %d CHILD_SAs, each with its ESP template' % (n, len(s['links'])))
    return 1 if errs or not n else 0


def no_charon(pols):
    left = [p for p in pols if is_charon(p)]
    for p in left:
        print('left: ' + line(p))
    return 1 if left else 0


def plan_guard(path):
    """Wanted kernel entries of a plan: key -> (action, priority); on a
    shared selector DISCARD wins, then the lower priority (guard_expand)."""
    want = {}
    for ln in open(path):
        t = ln.split()
        if not t or t[0] != 'guard':
            continue
        # guard LINK DIR ACTION SRC -> DST [PROTO[/PORT]] priority P
        d, action, src, dst = t[2], t[3], t[4], t[6]
        rest = t[7:]
        prio = int(rest[rest.index('priority') + 1])
        proto = port = ''
        if rest[0] != 'priority':
            proto, _, port = rest[0].partition('/')
        k = (d, net(src), net(dst), proto, port)
        a = 'block' if action == 'discard' else 'allow'
        old = want.get(k)
        if old is None or (a == 'block' and old[0] != 'block') or \
                (a == old[0] and prio < old[1]):
            want[k] = (a, prio)
    return want


def guard(pols, plan):
    want = plan_guard(plan)
    have = {}
    for p in pols:
        if is_zsec(p):
            have.setdefault(key(p), []).append(p)
    errs = []
    for k, (a, prio) in sorted(want.items()):
        got = have.get(k, [])
        marks = sorted(p['mark'] for p in got)
        if marks != [(0, GUARD_MARK), (GUARD_MARK, GUARD_MARK)]:
            errs.append('%s %s -> %s %s %s: marks %s' % (k[0], k[1], k[2], k[3], k[4],
                        ', '.join('%#x/%#x' % m for m in marks) or 'none'))
            continue
        for p in got:
            if p['action'] != a or p['priority'] != prio or p['tmpl']:
                errs.append('%s: wanted %s priority %d, no template' % (line(p), a, prio))
    for k in sorted(set(have) - set(want)):
        errs.append('not in the plan: %s' % line(have[k][0]))
    for e in errs:
        print(e)
    if not want:
        print('the plan has no guard entries')
        return 1
    if not errs:
        print('%d guard entries of the plan, each twice (marks 0 and %#x under %#x): %d kernel '
              'entries' % (len(want), GUARD_MARK, GUARD_MARK, sum(len(v) for v in have.values())))
    return 1 if errs else 0


def shared(pols):
    c = {key(p) for p in pols if is_charon(p)}
    z = {key(p) for p in pols if is_zsec(p)}
    both = sorted(c & z)
    for k in both:
        print('both: %s %s -> %s %s' % (k[0], k[1], k[2], k[3]))
    print('%d selectors held by charon and zsec alike' % len(both))
    return 0 if both else 1


def index(pols):
    for p in sorted((p for p in pols if is_zsec(p)), key=lambda p: (key(p), p['mark'])):
        print('%s index %s' % (line(p), p['index']))
    return 0


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, pols = argv[1], parse(argv[2])
    if cmd == 'show':
        return show(pols)
    if cmd == 'charon':
        return charon(pols, argv[3])
    if cmd == 'no-charon':
        return no_charon(pols)
    if cmd == 'guard':
        return guard(pols, argv[3])
    if cmd == 'shared':
        return shared(pols)
    if cmd == 'index':
        return index(pols)
    print('unknown command %s' % cmd, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
