/* sources: the local addresses kernel-libipsec needs (zsecd --libipsec).
 *
 * kernel-libipsec routes each CHILD_SA's remote selectors through its TUN
 * device with a source address inside the local selector, and refuses the
 * SA when the node owns none ("error installing route").  A gateway rarely
 * owns an address in what it exposes or in its partners' prefixes, so with
 * this data plane zsecd gives it one on `lo` per local selector, labelled
 * "lo:zsec" so that it finds its own again: added before a plan goes to
 * charon, removed when no plan needs it any more.  The kernel data plane
 * needs none of this and zsecd does not do it there. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>

#include "zsecd.h"

#define LABEL "lo:zsec"
#define MAX_SOURCES 4096

struct addr_list {
	struct ipaddr v[MAX_SOURCES];
	bool ours[MAX_SOURCES];
	size_t n;
};

static void to_ipaddr(struct nl_addr *a, struct ipaddr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)nl_addr_get_family(a);
	memcpy(out->bytes, nl_addr_get_binary_addr(a),
	       nl_addr_get_len(a) < sizeof(out->bytes) ? nl_addr_get_len(a) : sizeof(out->bytes));
}

/* every address of the namespace, and whether zsec put it there */
static bool list_addresses(struct nl_sock *sk, struct addr_list *l)
{
	struct nl_cache *cache;
	struct nl_object *o;

	l->n = 0;
	if (rtnl_addr_alloc_cache(sk, &cache) < 0)
		return false;
	for (o = nl_cache_get_first(cache); o && l->n < MAX_SOURCES; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		const char *label = rtnl_addr_get_label(a);

		to_ipaddr(rtnl_addr_get_local(a), &l->v[l->n]);
		l->ours[l->n++] = label && !strcmp(label, LABEL);
	}
	nl_cache_free(cache);
	return true;
}

static bool has(const struct addr_list *l, const struct ipaddr *a, bool ours_only)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if ((!ours_only || l->ours[i]) && !addr_cmp(&l->v[i], a))
			return true;
	return false;
}

/* an address of the plan's own: ends of links and host selectors */
static bool known(const struct plan *p, const struct ipaddr *a)
{
	size_t i, j;

	for (i = 0; i < p->n_links; i++) {
		const struct plan_link *l = &p->links[i];

		if (!addr_cmp(&l->local, a) || !addr_cmp(&l->remote, a))
			return true;
		for (j = 0; j < l->n_remote_ts; j++)
			if (l->remote_ts[j].len == addr_bits(a->family) &&
			    !addr_cmp(&l->remote_ts[j].addr, a))
				return true;
	}
	return false;
}

/* The source prefix ts needs, into *out: false when the node owns an
 * address of its own in it.  An address zsec gave it earlier is kept;
 * else the highest address no one uses (past IPv4's broadcast). */
static bool source_for(const struct plan *p, const struct addr_list *have,
                       const struct prefix *ts, struct ipaddr *out)
{
	unsigned bits = addr_bits(ts->addr.family), i;
	int tries;
	size_t k;

	for (k = 0; k < have->n; k++)
		if (!have->ours[k] && prefix_contains(ts, &have->v[k]))
			return false;
	for (k = 0; k < have->n; k++)
		if (have->ours[k] && prefix_contains(ts, &have->v[k])) {
			*out = have->v[k];
			return true;
		}
	if (ts->len >= bits)
		return false;
	*out = ts->addr;
	for (i = ts->len; i < bits; i++)
		out->bytes[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	for (tries = 0; tries < 64; tries++) {
		if (!(ts->addr.family == AF_INET && tries == 0 && ts->len < 31) &&
		    !known(p, out) && !has(have, out, false))
			return true;
		for (k = bits / 8; k-- > 0 && out->bytes[k]-- == 0;)
			;
	}
	return false;
}

/* whether a route (charon's, in table 220) still leaves from address a:
 * removing the address would take the route with it, and the traffic of an
 * SA being replaced make-before-break would fall out of its tunnel */
static bool in_use(struct nl_sock *sk, const struct ipaddr *a)
{
	struct nl_cache *cache;
	struct nl_object *o;
	struct ipaddr src;
	bool used = false;

	if (rtnl_route_alloc_cache(sk, a->family, 0, &cache) < 0)
		return true;
	for (o = nl_cache_get_first(cache); o && !used; o = nl_cache_get_next(o)) {
		struct nl_addr *pref = rtnl_route_get_pref_src((struct rtnl_route *)o);

		if (pref) {
			to_ipaddr(pref, &src);
			used = !addr_cmp(&src, a);
		}
	}
	nl_cache_free(cache);
	return used;
}

static int change(struct nl_sock *sk, const struct ipaddr *a, bool add)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *na = nl_addr_build(a->family, a->bytes, addr_bits(a->family) / 8);
	int rc;

	rtnl_addr_set_ifindex(ra, 1);            /* lo */
	nl_addr_set_prefixlen(na, (int)addr_bits(a->family));
	rtnl_addr_set_local(ra, na);
	if (a->family == AF_INET)
		rtnl_addr_set_label(ra, LABEL);
	else
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	rc = add ? rtnl_addr_add(sk, ra, 0) : rtnl_addr_delete(sk, ra, 0);
	nl_addr_put(na);
	rtnl_addr_put(ra);
	return rc;
}

/* Adds what p needs (prune false), or removes zsec's addresses p does not
 * need and no route uses any more (prune true; what a route still uses goes
 * at a later apply). */
bool sources_apply(const struct plan *p, bool prune)
{
	static struct addr_list have, want;
	struct nl_sock *sk = nl_socket_alloc();
	size_t i, j;
	bool ok = true;

	if (!sk || nl_connect(sk, NETLINK_ROUTE) || !list_addresses(sk, &have)) {
		log_msg("libipsec sources: cannot read the addresses");
		nl_socket_free(sk);
		return false;
	}
	want.n = 0;
	for (i = 0; p && i < p->n_links; i++)
		for (j = 0; j < p->links[i].n_local_ts && want.n < MAX_SOURCES; j++) {
			struct ipaddr a;

			if (source_for(p, &have, &p->links[i].local_ts[j], &a) &&
			    !has(&want, &a, false))
				want.v[want.n++] = a;
		}
	for (i = 0; i < want.n && !prune; i++) {
		int rc;

		if (has(&have, &want.v[i], true))
			continue;
		rc = change(sk, &want.v[i], true);

		if (rc < 0 && rc != -NLE_EXIST) {
			log_msg("libipsec sources: cannot add an address on lo: %s", nl_geterror(rc));
			ok = false;
		}
	}
	for (i = 0; i < have.n && prune; i++)
		if (have.ours[i] && !has(&want, &have.v[i], false) && !in_use(sk, &have.v[i]))
			change(sk, &have.v[i], false);
	nl_socket_free(sk);
	return ok;
}
