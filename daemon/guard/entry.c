/* entry: a plan's guard entries as the kernel's policies, their keys and
 * their order.  Pure: no kernel here. */
#include <arpa/inet.h>
#include <assert.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

static_assert(sizeof(struct guard_key) == 64, "guard_key has padding: memcmp would not order it");

bool guard_owns(uint32_t priority, uint32_t mark_mask)
{
	return priority >= GUARD_BAND_LOW && priority <= GUARD_BAND_HIGH &&
	       mark_mask == ZSEC_GUARD_MARK;
}

int guard_key_cmp(const struct guard_key *a, const struct guard_key *b)
{
	return memcmp(a, b, sizeof(*a));
}

static int entry_qcmp(const void *a, const void *b)
{
	return guard_key_cmp(a, b);     /* the key is the entry's first member */
}

void guard_sort(struct guard_entry *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), entry_qcmp);
}

bool guard_entry_same(const struct guard_entry *a, const struct guard_entry *b)
{
	return !guard_key_cmp(&a->key, &b->key) && a->priority == b->priority &&
	       a->action == b->action && a->flags == b->flags && !a->extra && !b->extra;
}

/* Do two prefixes of one family share an address? */
static bool prefixes_meet(const uint8_t *a, unsigned alen, const uint8_t *b, unsigned blen)
{
	unsigned bits = alen < blen ? alen : blen, whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole))
		return false;
	return !rest || !((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest)));
}

/* Do two port selectors (network order, with their masks) share a port? */
static bool ports_meet(uint16_t a, uint16_t amask, uint16_t b, uint16_t bmask)
{
	return !((a ^ b) & amask & bmask);
}

bool guard_beats(const struct guard_entry *other, uint32_t other_mask,
                 const struct guard_entry *ours)
{
	const struct guard_key *o = &other->key, *z = &ours->key;

	if (ours->action != XFRM_POLICY_BLOCK || other->action != XFRM_POLICY_ALLOW ||
	    o->dir != z->dir || o->family != z->family || o->if_id != z->if_id)
		return false;
	if (!prefixes_meet(o->src, o->src_len, z->src, z->src_len) ||
	    !prefixes_meet(o->dst, o->dst_len, z->dst, z->dst_len))
		return false;
	if (o->proto && z->proto && o->proto != z->proto)
		return false;
	if (!ports_meet(o->sport, o->sport_mask, z->sport, z->sport_mask) ||
	    !ports_meet(o->dport, o->dport_mask, z->dport, z->dport_mask))
		return false;
	/* a packet matches a mark selector when mark & mask == value: both
	 * match one mark unless their values differ on bits both mask */
	if ((ntohl(o->mark) ^ ntohl(z->mark)) & other_mask & ZSEC_GUARD_MARK)
		return false;
	return o->type == XFRM_POLICY_TYPE_SUB || other->priority <= ours->priority;
}

static uint8_t xfrm_dir(enum guard_dir d)
{
	return d == GUARD_IN ? XFRM_POLICY_IN : d == GUARD_OUT ? XFRM_POLICY_OUT : XFRM_POLICY_FWD;
}

static struct guard_entry entry_of(const struct plan_guard *g, uint32_t mark)
{
	struct guard_entry e = { 0 };
	size_t alen = g->src.addr.family == AF_INET ? 4 : 16;

	e.key.dir = xfrm_dir(g->dir);
	e.key.family = g->src.addr.family;
	e.key.type = XFRM_POLICY_TYPE_MAIN;
	e.key.proto = g->proto;
	memcpy(e.key.src, g->src.addr.bytes, alen);
	memcpy(e.key.dst, g->dst.addr.bytes, alen);
	e.key.src_len = g->src.len;
	e.key.dst_len = g->dst.len;
	if (g->dport) {
		e.key.dport = htons(g->dport);
		e.key.dport_mask = 0xffff;
	}
	e.key.mark = htonl(mark);
	e.priority = g->priority;
	e.action = g->action == GUARD_BYPASS ? XFRM_POLICY_ALLOW : XFRM_POLICY_BLOCK;
	return e;
}

/* Of two wanted entries with one key, the one to keep: a selector some link
 * wants dropped stays dropped (fail closed), else the stronger priority. */
static bool better(const struct guard_entry *a, const struct guard_entry *b)
{
	if (a->action != b->action)
		return a->action == XFRM_POLICY_BLOCK;
	return a->priority < b->priority;
}

bool guard_expand(const struct plan *p, struct guard_entry **out, size_t *n)
{
	size_t i, k = 0, count = p ? p->n_guards * 2 : 0;
	struct guard_entry *v = malloc((count ? count : 1) * sizeof(*v));

	*out = NULL;
	*n = 0;
	if (!v)
		return false;
	for (i = 0; p && i < p->n_guards; i++) {
		v[k++] = entry_of(&p->guards[i], 0);
		if (p->guards[i].action != GUARD_DISCARD_UNMARKED)
			v[k++] = entry_of(&p->guards[i], ZSEC_GUARD_MARK);
	}
	guard_sort(v, k);
	/* one entry per key: the kernel would refuse the second with EEXIST */
	for (i = 1, count = k ? 1 : 0; i < k; i++) {
		if (guard_key_cmp(&v[count - 1].key, &v[i].key))
			v[count++] = v[i];
		else if (better(&v[i], &v[count - 1]))
			v[count - 1] = v[i];
	}
	*out = v;
	*n = count;
	return true;
}

static const char *dir_str(uint8_t dir)
{
	return dir == XFRM_POLICY_IN ? "in" : dir == XFRM_POLICY_OUT ? "out" :
	       dir == XFRM_POLICY_FWD ? "fwd" : "dir?";
}

static const char *proto_str(uint8_t proto, char buf[8])
{
	switch (proto) {
	case 0: return "any";
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ESP: return "esp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "ipv6-icmp";
	}
	snprintf(buf, 8, "%u", proto);
	return buf;
}

const char *guard_entry_str(const struct guard_entry *e, char buf[GUARD_ENTRY_STRLEN])
{
	return entry_str_masked(e, ZSEC_GUARD_MARK, buf);
}

const char *entry_str_masked(const struct guard_entry *e, uint32_t mask,
                             char buf[GUARD_ENTRY_STRLEN])
{
	const struct guard_key *k = &e->key;
	char src[ADDR_STRLEN] = "?", dst[ADDR_STRLEN] = "?", ports[48] = "", extra[48] = "";
	char pbuf[8];
	int n;

	if (k->family == AF_INET || k->family == AF_INET6) {
		inet_ntop(k->family, k->src, src, sizeof(src));
		inet_ntop(k->family, k->dst, dst, sizeof(dst));
	}
	if (k->sport_mask)
		n = snprintf(ports, sizeof(ports), " sport %u", ntohs(k->sport));
	else
		n = 0;
	if (k->dport_mask)
		snprintf(ports + n, sizeof(ports) - (size_t)n, " dport %u", ntohs(k->dport));
	n = 0;
	if (k->type != XFRM_POLICY_TYPE_MAIN)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, " ptype sub");
	if (k->ifindex)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, " dev %u", ntohl(k->ifindex));
	if (k->if_id)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, " if_id %u", ntohl(k->if_id));
	if (e->flags)
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, " flags %u", e->flags);
	if (e->extra)
		snprintf(extra + n, sizeof(extra) - (size_t)n, " +extra");
	snprintf(buf, GUARD_ENTRY_STRLEN, "%s %s/%u -> %s/%u %s%s mark %#x/%#x %s prio %u%s",
	         dir_str(k->dir), src, k->src_len, dst, k->dst_len, proto_str(k->proto, pbuf),
	         ports, ntohl(k->mark), mask,
	         e->action == XFRM_POLICY_ALLOW ? "allow" : e->action == XFRM_POLICY_BLOCK ?
	         "block" : "action?", e->priority, extra);
	return buf;
}
