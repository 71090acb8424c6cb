/* compile: a valid topology and one node into the plan that node enforces.
 *
 * A gateway gets a Za link per [gateway, partner gateway] pair it is part of,
 * a Zb link per element behind it, the Border Element rules of every partner
 * it links to, and the guard for all of them.  An element gets its Zb link to
 * its gateway and its guard.  The plan copies what it needs: it outlives the
 * model. */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "internal.h"

#define CRED_FILES 4             /* a link's cert, key, ca, psk */

/* The previous link's credential files and the digest after each: links
 * in a row share their first files (a gateway's own certificate and key,
 * then a partner's CA for each of its gateways), and each file costs four
 * system calls, most of a compile's time when read again for every link
 * (10,000 partners: 0.23 of 0.35 s). */
struct creds_memo {
	const char *path[CRED_FILES];
	uint64_t after[CRED_FILES];
	size_t n;
};

struct c {
	const struct topo *t;
	struct plan *p;
	struct arena *a;
	size_t n_links, cap_links, n_guards, cap_guards;
	struct creds_memo memo;
};

static const char *dup(struct c *c, const char *s)
{
	return arena_strdup(c->a, s);
}

static const char *path(struct c *c, const char *rel)
{
	return rel ? dup(c, topo_path((struct topo *)c->t, rel)) : NULL;
}

static bool same_path(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* FNV-1a 64 over the contents of a link's credential files: not a
 * cryptographic digest, a change detector (who can write the files can
 * already change the credentials).  A missing file counts as empty.  It
 * goes on from the memo's digest after the files this link shares with
 * the previous one, which the same bytes in the same order make equal. */
static uint64_t creds_digest(struct creds_memo *m, const char *const *paths)
{
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned char buf[4096];
	size_t i, k, got;

	for (i = 0; i < m->n && same_path(m->path[i], paths[i]); i++)
		h = m->after[i];
	for (; i < CRED_FILES; i++) {
		FILE *fp = paths[i] ? fopen(paths[i], "rb") : NULL;

		h = (h ^ 0xff) * 0x100000001b3ull;     /* file boundary */
		if (fp) {
			while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
				for (k = 0; k < got; k++)
					h = (h ^ buf[k]) * 0x100000001b3ull;
			fclose(fp);
		}
		m->path[i] = paths[i];
		m->after[i] = h;
	}
	m->n = CRED_FILES;
	return h;
}

static void link_creds(struct c *c, struct plan_link *l)
{
	const char *const paths[CRED_FILES] = { l->cert, l->key, l->ca, l->psk };

	l->creds = creds_digest(&c->memo, paths);
}

static void proposals(struct c *c, const struct tstrs *from, const char ***to, size_t *n)
{
	size_t i;

	*to = arena_array(c->a, from->n, sizeof(**to));
	for (i = 0; i < from->n; i++)
		(*to)[i] = dup(c, from->v[i].s);
	*n = from->n;
}

/* A Zb link asking for confidentiality keeps the Zb proposals that encrypt;
 * if there are none it takes the Za ones, which always do. */
static void encrypting_esp(struct c *c, struct plan_link *l)
{
	const struct tstrs *zb = &c->t->profiles.zb.esp;
	struct proposal_info info;
	char err[256];
	size_t i, n = 0;

	l->esp = arena_array(c->a, zb->n, sizeof(*l->esp));
	for (i = 0; i < zb->n; i++)
		if (proposal_check(zb->v[i].s, PROPOSAL_ESP, &info, err, sizeof(err)) &&
		    info.confidentiality)
			l->esp[n++] = dup(c, zb->v[i].s);
	l->n_esp = n;
	if (!n)
		proposals(c, &c->t->profiles.za.esp, &l->esp, &l->n_esp);
}

static struct plan_link *new_link(struct c *c)
{
	if (c->n_links == c->cap_links) {
		size_t cap = c->cap_links ? c->cap_links * 2 : 16;
		struct plan_link *v = arena_array(c->a, cap, sizeof(*v));

		if (c->n_links)
			memcpy(v, c->p->links, c->n_links * sizeof(*v));
		c->p->links = v;
		c->cap_links = cap;
	}
	return &c->p->links[c->n_links++];
}

static struct plan_guard *new_guard(struct c *c)
{
	if (c->n_guards == c->cap_guards) {
		size_t cap = c->cap_guards ? c->cap_guards * 2 : 64;
		struct plan_guard *v = malloc(cap * sizeof(*v));

		if (!v)
			abort();
		if (c->n_guards)
			memcpy(v, c->p->guards, c->n_guards * sizeof(*v));
		free(c->p->guards);
		c->p->guards = v;
		c->cap_guards = cap;
	}
	return &c->p->guards[c->n_guards++];
}

static struct prefix *prefixes_copy(struct c *c, const struct tprefixes *from)
{
	struct prefix *v = arena_array(c->a, from->n, sizeof(*v));

	memcpy(v, from->v, from->n * sizeof(*v));
	return v;
}

static int prefix_qcmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

static size_t sort_unique(struct prefix *v, size_t n)
{
	size_t i, k = 0;

	if (n)
		qsort(v, n, sizeof(*v), prefix_qcmp);
	for (i = 0; i < n; i++)
		if (!k || prefix_cmp(&v[k - 1], &v[i]))
			v[k++] = v[i];
	return k;
}

static bool linked(const struct tpartner *p, int gw)
{
	size_t i;

	for (i = 0; i < p->links.n; i++)
		if (p->links.v[i].our_gw == gw)
			return true;
	return false;
}

static bool exposed(const struct tpartner *p, const struct ipaddr *a)
{
	size_t i;

	for (i = 0; i < p->expose.n; i++)
		if (prefix_contains(&p->expose.v[i], a))
			return true;
	return false;
}

/* What an element may reach through its gateway: the prefixes of every
 * partner linked to that gateway that exposes the element.  An element no
 * partner sees still gets a Zb link, to its gateway only. */
static void element_reach(struct c *c, const struct telement *e, struct prefix **out, size_t *n)
{
	const struct topo *t = c->t;
	const struct tgateway *g = &t->domain.gateways.v[e->gw];
	size_t i, j, cap = 0, k = 0;
	struct prefix *v;

	if (t->profiles.zb.mode.v == ESP_TRANSPORT) {
		*out = arena_alloc(c->a, sizeof(**out));
		**out = prefix_host(&g->inside.a);
		*n = 1;
		return;
	}
	for (i = 0; i < t->partners.n; i++)
		cap += t->partners.v[i].prefixes.n;
	v = arena_array(c->a, cap + 1, sizeof(*v));
	for (i = 0; i < t->partners.n; i++) {
		const struct tpartner *p = &t->partners.v[i];

		if (!linked(p, e->gw) || !exposed(p, &e->address.a))
			continue;
		for (j = 0; j < p->prefixes.n; j++)
			if (p->prefixes.v[j].addr.family == e->address.a.family)
				v[k++] = p->prefixes.v[j];
	}
	if (!k)
		v[k++] = prefix_host(&g->inside.a);
	*n = sort_unique(v, k);
	*out = v;
}

/* ---- the guard: BYPASS for IKE and ESP between the two ends, DISCARD for
 * every protected flow, both ways, on every path clear text could take ---- */

static void guard(struct c *c, const char *link, enum guard_dir dir, enum guard_action action,
                  struct prefix src, struct prefix dst, uint8_t proto, uint16_t dport)
{
	struct plan_guard *g = new_guard(c);

	*g = (struct plan_guard){
		.link = link, .dir = dir, .action = action, .src = src, .dst = dst,
		.proto = proto, .dport = dport,
		.priority = action == GUARD_BYPASS ? GUARD_PRIO_BYPASS : GUARD_PRIO_DISCARD,
	};
}

/* out: what this end sends from (towards the remote selectors); in: what
 * it receives for.  They differ only where a gateway renumbers: a packet
 * leaves with its presented source (the kernel looks the policy up again
 * after the source NAT), while an arriving one is looked up with the
 * address it was sent to; both the presented and the inside prefixes are
 * guarded for it. */
static void guard_link(struct c *c, const struct plan_link *l, const struct prefix *out,
                       size_t n_out, const struct prefix *in, size_t n_in, bool forwards)
{
	struct prefix me = prefix_host(&l->local), peer = prefix_host(&l->remote);
	size_t i, j;

	guard(c, l->name, GUARD_OUT, GUARD_BYPASS, me, peer, IPPROTO_UDP, 500);
	guard(c, l->name, GUARD_OUT, GUARD_BYPASS, me, peer, IPPROTO_UDP, 4500);
	guard(c, l->name, GUARD_OUT, GUARD_BYPASS, me, peer, IPPROTO_ESP, 0);
	guard(c, l->name, GUARD_IN, GUARD_BYPASS, peer, me, IPPROTO_UDP, 500);
	guard(c, l->name, GUARD_IN, GUARD_BYPASS, peer, me, IPPROTO_UDP, 4500);
	guard(c, l->name, GUARD_IN, GUARD_BYPASS, peer, me, IPPROTO_ESP, 0);
	for (j = 0; j < l->n_remote_ts; j++) {
		const struct prefix *b = &l->remote_ts[j];

		for (i = 0; i < n_out; i++)
			if (out[i].addr.family == b->addr.family) {
				guard(c, l->name, GUARD_OUT, GUARD_DISCARD, out[i], *b, 0, 0);
				if (forwards)
					guard(c, l->name, GUARD_FWD, GUARD_DISCARD, out[i], *b, 0, 0);
			}
		for (i = 0; i < n_in; i++)
			if (in[i].addr.family == b->addr.family) {
				guard(c, l->name, GUARD_IN, GUARD_DISCARD, *b, in[i], 0, 0);
				if (forwards)
					guard(c, l->name, GUARD_FWD, GUARD_DISCARD, *b, in[i], 0, 0);
			}
	}
}

/* What leaves towards a partner from a prefix it sees renumbered has its
 * inside source until the Border Element's source NAT, and the kernel
 * looks its policy up before that (a forwarded packet) and again after:
 * only the second finds charon's Za entries and the guard's DISCARDs,
 * which name the presented prefix.  Without the table (deleted, never
 * loaded), there is no NAT and no second look, and nothing would stop the
 * packet: so a DISCARD for the inside source, which passes what the table
 * marked (GUARD_DISCARD_UNMARKED, ZSEC_GUARD_MARK), and the forward DISCARD
 * every exposed prefix has for what arrives in clear. */
static void guard_renumbered(struct c *c, const struct plan_link *l, const struct tpartner *p)
{
	size_t j, k;

	for (k = 0; k < p->present_as.n && k < p->expose.n; k++) {
		if (!prefix_cmp(&p->expose.v[k], &p->present_as.v[k]))
			continue;
		for (j = 0; j < l->n_remote_ts; j++)
			if (l->remote_ts[j].addr.family == p->expose.v[k].addr.family) {
				guard(c, l->name, GUARD_OUT, GUARD_DISCARD_UNMARKED, p->expose.v[k],
				      l->remote_ts[j], 0, 0);
				guard(c, l->name, GUARD_FWD, GUARD_DISCARD, p->expose.v[k],
				      l->remote_ts[j], 0, 0);
			}
	}
}

/* ---- links ---- */

static void za_link(struct c *c, const struct tgateway *g, const struct tpartner *p,
                    const struct tpeer *peer)
{
	const struct tprofile *za = &c->t->profiles.za;
	const struct tprefixes *presented = p->present_as.n ? &p->present_as : &p->expose;
	struct plan_link *l = new_link(c);
	struct prefix *local;

	l->name = arena_printf(c->a, "za:%s:%s", p->name.s, peer->name.s);
	l->kind = LINK_ZA;
	l->partner = dup(c, p->name.s);
	l->peer = dup(c, peer->name.s);
	l->local = g->outside.a;
	l->remote = peer->address.a;
	l->local_id = dup(c, g->id.s);
	l->remote_id = dup(c, peer->id.s);
	l->auth = p->trust.psk.s ? AUTH_BY_PSK : AUTH_BY_CERT;
	if (l->auth == AUTH_BY_CERT) {
		l->cert = path(c, g->cert.s);
		l->key = path(c, g->key.s);
		l->ca = path(c, p->trust.ca.s);
	} else {
		l->psk = path(c, p->trust.psk.s);
	}
	link_creds(c, l);
	proposals(c, &za->ike, &l->ike, &l->n_ike);
	proposals(c, &za->esp, &l->esp, &l->n_esp);
	l->mode = ESP_TUNNEL;
	l->esp_lifetime = za->lifetime.v;
	l->ike_lifetime = za->ike_lifetime.v;
	l->confidentiality = true;
	/* between two gateways, the one with the smaller identity */
	l->initiate = strcmp(g->id.s, peer->id.s) < 0;
	l->local_ts = prefixes_copy(c, presented);
	l->n_local_ts = sort_unique(l->local_ts, presented->n);
	l->remote_ts = prefixes_copy(c, &p->prefixes);
	l->n_remote_ts = sort_unique(l->remote_ts, p->prefixes.n);

	/* what arrives is guarded for the exposed prefixes as seen inside as
	 * well as presented: renumbering happens on the gateway itself */
	local = arena_array(c->a, p->expose.n + l->n_local_ts, sizeof(*local));
	memcpy(local, p->expose.v, p->expose.n * sizeof(*local));
	memcpy(local + p->expose.n, l->local_ts, l->n_local_ts * sizeof(*local));
	guard_link(c, l, l->local_ts, l->n_local_ts, local,
	           sort_unique(local, p->expose.n + l->n_local_ts), true);
	guard_renumbered(c, l, p);
}

static void zb_common(struct c *c, struct plan_link *l, const struct telement *e)
{
	const struct tprofile *zb = &c->t->profiles.zb;

	l->kind = LINK_ZB;
	l->partner = dup(c, c->t->domain.name.s);
	l->auth = AUTH_BY_CERT;
	l->ca = path(c, c->t->domain.trust.ca.s);
	proposals(c, &zb->ike, &l->ike, &l->n_ike);
	if (e->confidentiality)
		encrypting_esp(c, l);
	else
		proposals(c, &zb->esp, &l->esp, &l->n_esp);
	l->mode = (enum esp_mode)zb->mode.v;
	l->esp_lifetime = zb->lifetime.v;
	l->ike_lifetime = zb->ike_lifetime.v;
	l->confidentiality = e->confidentiality;
}

/* the gateway's end of an element's Zb link; the element starts it */
static void zb_link_gateway(struct c *c, const struct tgateway *g, const struct telement *e)
{
	struct plan_link *l = new_link(c);

	l->name = arena_printf(c->a, "zb:%s", e->name.s);
	zb_common(c, l, e);
	l->peer = dup(c, e->name.s);
	l->local = g->inside.a;
	l->remote = e->address.a;
	l->local_id = dup(c, g->id.s);
	l->remote_id = dup(c, e->id.s);
	l->cert = path(c, g->cert.s);
	l->key = path(c, g->key.s);
	link_creds(c, l);
	l->initiate = false;            /* the element starts first */
	element_reach(c, e, &l->local_ts, &l->n_local_ts);
	l->remote_ts = arena_alloc(c->a, sizeof(*l->remote_ts));
	l->remote_ts[0] = prefix_host(&e->address.a);
	l->n_remote_ts = 1;
	guard_link(c, l, l->local_ts, l->n_local_ts, l->local_ts, l->n_local_ts, true);
}

static void zb_link_element(struct c *c, const struct telement *e)
{
	const struct tgateway *g = &c->t->domain.gateways.v[e->gw];
	struct plan_link *l = new_link(c);

	l->name = arena_printf(c->a, "zb:%s", g->name.s);
	zb_common(c, l, e);
	l->peer = dup(c, g->name.s);
	l->local = e->address.a;
	l->remote = g->inside.a;
	l->local_id = dup(c, e->id.s);
	l->remote_id = dup(c, g->id.s);
	l->cert = path(c, e->cert.s);
	l->key = path(c, e->key.s);
	link_creds(c, l);
	l->initiate = true;
	l->local_ts = arena_alloc(c->a, sizeof(*l->local_ts));
	l->local_ts[0] = prefix_host(&e->address.a);
	l->n_local_ts = 1;
	element_reach(c, e, &l->remote_ts, &l->n_remote_ts);
	guard_link(c, l, l->local_ts, l->n_local_ts, l->local_ts, l->n_local_ts, false);
}

/* ---- Border Element rules ---- */

static void border(struct c *c, struct plan_partner *b, const struct tpartner *p, int gw)
{
	size_t i, k = 0;

	b->name = dup(c, p->name.s);
	b->prefixes = prefixes_copy(c, &p->prefixes);
	b->n_prefixes = sort_unique(b->prefixes, p->prefixes.n);
	b->gateways = arena_array(c->a, p->links.n, sizeof(*b->gateways));
	for (i = 0; i < p->links.n; i++)
		if (p->links.v[i].our_gw == gw)
			b->gateways[k++] = p->gateways.v[p->links.v[i].their_gw].address.a;
	b->n_gateways = k;
	/* expose and present-as pair up in file order: keep the order */
	b->expose = prefixes_copy(c, &p->expose);
	b->present_as = prefixes_copy(c, p->present_as.n ? &p->present_as : &p->expose);
	b->n_expose = p->expose.n;
	b->ike = (struct plan_rate){ p->limits.ike.per_sec, p->limits.ike.burst };
	b->packets = (struct plan_rate){ p->limits.packets.per_sec, p->limits.packets.burst };
	b->sip = (struct plan_rate){ p->limits.sip.per_sec, p->limits.sip.burst };
}

static int addr_qcmp(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

static int link_qcmp(const void *a, const void *b)
{
	return strcmp(((const struct plan_link *)a)->name, ((const struct plan_link *)b)->name);
}

static int partner_qcmp(const void *a, const void *b)
{
	return strcmp(((const struct plan_partner *)a)->name, ((const struct plan_partner *)b)->name);
}

static int guard_qcmp(const void *a, const void *b)
{
	return plan_guard_cmp(a, b);
}

static void compile_gateway(struct c *c, int gw)
{
	const struct topo *t = c->t;
	const struct tgateway *g = &t->domain.gateways.v[gw];
	size_t i, j, n_partners = 0;

	for (i = 0; i < t->partners.n; i++) {
		const struct tpartner *p = &t->partners.v[i];

		for (j = 0; j < p->links.n; j++)
			if (p->links.v[j].our_gw == gw)
				za_link(c, g, p, &p->gateways.v[p->links.v[j].their_gw]);
		n_partners += linked(p, gw);
	}
	for (i = 0; i < t->domain.elements.n; i++)
		if (t->domain.elements.v[i].gw == gw)
			zb_link_gateway(c, g, &t->domain.elements.v[i]);

	c->p->domain_prefixes = prefixes_copy(c, &t->domain.prefixes);
	c->p->n_domain_prefixes = sort_unique(c->p->domain_prefixes, t->domain.prefixes.n);
	c->p->partners = arena_array(c->a, n_partners, sizeof(*c->p->partners));
	for (i = 0; i < t->partners.n; i++)
		if (linked(&t->partners.v[i], gw)) {
			struct plan_partner *b = &c->p->partners[c->p->n_partners++];

			border(c, b, &t->partners.v[i], gw);
			if (b->n_gateways)
				qsort(b->gateways, b->n_gateways, sizeof(*b->gateways), addr_qcmp);
		}
}

struct plan *plan_compile(const struct topo *t, const char *node, char *err, size_t errlen)
{
	struct c c = { .t = t };
	int gw = -1, el = -1;
	size_t i;
	struct plan_guard *guards;

	for (i = 0; i < t->domain.gateways.n; i++)
		if (!strcmp(t->domain.gateways.v[i].name.s, node))
			gw = (int)i;
	for (i = 0; i < t->domain.elements.n; i++)
		if (!strcmp(t->domain.elements.v[i].name.s, node))
			el = (int)i;
	if (gw < 0 && el < 0) {
		snprintf(err, errlen, "%s names no gateway or element '%s'", t->src.path, node);
		return NULL;
	}
	c.a = arena_new();
	c.p = arena_alloc(c.a, sizeof(*c.p));
	c.p->arena = c.a;
	c.p->version = PLAN_VERSION;
	c.p->domain = dup(&c, t->domain.name.s);
	c.p->node = dup(&c, node);
	if (gw >= 0) {
		c.p->kind = NODE_GATEWAY;
		compile_gateway(&c, gw);
	} else {
		c.p->kind = NODE_ELEMENT;
		zb_link_element(&c, &t->domain.elements.v[el]);
	}
	c.p->n_links = c.n_links;
	if (c.p->n_links)
		qsort(c.p->links, c.p->n_links, sizeof(*c.p->links), link_qcmp);
	if (c.p->n_partners)
		qsort(c.p->partners, c.p->n_partners, sizeof(*c.p->partners), partner_qcmp);

	/* the guard array grew with malloc; it moves into the arena once */
	guards = arena_array(c.a, c.n_guards, sizeof(*guards));
	if (c.n_guards)
		memcpy(guards, c.p->guards, c.n_guards * sizeof(*guards));
	free(c.p->guards);
	c.p->guards = guards;
	c.p->n_guards = c.n_guards;
	if (c.p->n_guards)
		qsort(c.p->guards, c.p->n_guards, sizeof(*c.p->guards), guard_qcmp);
	return c.p;
}

struct plan *plan_load(const char *path, const char *node, FILE *out, bool warnings)
{
	struct diags d = { 0 };
	struct topo *t = topo_load(path, &d);
	struct plan *p = NULL;
	char err[512];

	if (t)
		topo_validate(t, &d);
	if (warnings || !t || d.errors)
		diags_print(out, &d);
	if (!t || d.errors)
		fprintf(out, "%s: %u error%s\n", path, d.errors, d.errors == 1 ? "" : "s");
	else if (!(p = plan_compile(t, node, err, sizeof(err))))
		fprintf(out, "%s\n", err);
	topo_free(t);
	diags_free(&d);
	return p;
}

void plan_free(struct plan *p)
{
	if (p)
		arena_free(p->arena);
}
