/* plan: lookups and comparisons on compiled plans, shared by the diff, the
 * codec and the daemon. */
#include <string.h>

#include "policy.h"

const char *guard_dir_name(enum guard_dir d)
{
	switch (d) {
	case GUARD_IN:
		return "in";
	case GUARD_OUT:
		return "out";
	case GUARD_FWD:
		return "fwd";
	}
	return "?";
}

const char *link_kind_name(enum link_kind k)
{
	return k == LINK_ZA ? "za" : "zb";
}

const struct plan_link *plan_link_find(const struct plan *p, const char *name)
{
	size_t lo = 0, hi = p->n_links;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, p->links[mid].name);

		if (!c)
			return &p->links[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool strs_eq(const char **a, size_t na, const char **b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

static bool prefixes_eq(const struct prefix *a, size_t na, const struct prefix *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (prefix_cmp(&a[i], &b[i]))
			return false;
	return true;
}

/* Credentials by what their files hold (creds), not by where they are: a
 * topology moved to another folder with its files, or a renamed file, is
 * the same link, and an apply keeps its SAs.  The paths matter only when a
 * link is built (its files are loaded then). */
bool plan_link_ike_equal(const struct plan_link *a, const struct plan_link *b)
{
	return str_eq(a->name, b->name) && a->kind == b->kind && str_eq(a->partner, b->partner) &&
	       str_eq(a->peer, b->peer) && !addr_cmp(&a->local, &b->local) &&
	       !addr_cmp(&a->remote, &b->remote) && str_eq(a->local_id, b->local_id) &&
	       str_eq(a->remote_id, b->remote_id) && a->auth == b->auth && a->creds == b->creds &&
	       strs_eq(a->ike, a->n_ike, b->ike, b->n_ike) &&
	       a->ike_lifetime == b->ike_lifetime && a->initiate == b->initiate;
}

bool plan_link_equal(const struct plan_link *a, const struct plan_link *b)
{
	return plan_link_ike_equal(a, b) &&
	       strs_eq(a->esp, a->n_esp, b->esp, b->n_esp) && a->mode == b->mode &&
	       a->esp_lifetime == b->esp_lifetime && a->confidentiality == b->confidentiality &&
	       prefixes_eq(a->local_ts, a->n_local_ts, b->local_ts, b->n_local_ts) &&
	       prefixes_eq(a->remote_ts, a->n_remote_ts, b->remote_ts, b->n_remote_ts);
}

bool plan_partner_equal(const struct plan_partner *a, const struct plan_partner *b)
{
	size_t i;

	if (!str_eq(a->name, b->name) || a->n_gateways != b->n_gateways ||
	    !prefixes_eq(a->prefixes, a->n_prefixes, b->prefixes, b->n_prefixes) ||
	    !prefixes_eq(a->expose, a->n_expose, b->expose, b->n_expose) ||
	    !prefixes_eq(a->present_as, a->n_expose, b->present_as, b->n_expose) ||
	    memcmp(&a->ike, &b->ike, sizeof(a->ike)) ||
	    memcmp(&a->packets, &b->packets, sizeof(a->packets)) ||
	    memcmp(&a->sip, &b->sip, sizeof(a->sip)))
		return false;
	for (i = 0; i < a->n_gateways; i++)
		if (addr_cmp(&a->gateways[i], &b->gateways[i]))
			return false;
	return true;
}

bool plan_domain_prefixes_equal(const struct plan *a, const struct plan *b)
{
	return prefixes_eq(a->domain_prefixes, a->n_domain_prefixes, b->domain_prefixes,
	                   b->n_domain_prefixes);
}

#define CMP(x, y) do { if ((x) != (y)) return (x) < (y) ? -1 : 1; } while (0)

int plan_guard_cmp(const struct plan_guard *a, const struct plan_guard *b)
{
	int c = strcmp(a->link, b->link);

	if (c)
		return c;
	CMP(a->dir, b->dir);
	CMP(a->action, b->action);
	if ((c = prefix_cmp(&a->src, &b->src)) || (c = prefix_cmp(&a->dst, &b->dst)))
		return c;
	CMP(a->proto, b->proto);
	CMP(a->dport, b->dport);
	CMP(a->priority, b->priority);
	return 0;
}
