/* validate: every rule of DESIGN.md on the typed model, each error at the
 * place in the file it is about.  It never stops at the first error: the
 * engineer fixes the whole file in one round.
 *
 * Pairwise rules (duplicate names, identities and addresses, overlapping
 * prefixes) sort once and compare neighbours, so a 10,000-partner file is
 * checked in O(n log n). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

struct pindex;

struct v {
	struct topo *t;
	struct diags *d;
	struct pindex *partner_prefixes;        /* address -> partner, sorted */
};

#define ERR(pos, ...) diag_error(v->d, &v->t->src, pos, __VA_ARGS__)
#define WARN(pos, ...) diag_warn(v->d, &v->t->src, pos, __VA_ARGS__)

static bool pos_before(struct pos a, struct pos b)
{
	return a.line < b.line || (a.line == b.line && a.col < b.col);
}

static const char *nm(const struct tstr *s)
{
	return s->s ? s->s : "?";
}

static const char *family_name(const struct ipaddr *a)
{
	return addr_bits(a->family) == 32 ? "IPv4" : "IPv6";
}

/* ---- names, identities, files ---- */

static void check_name(struct v *v, const struct tstr *s, const char *what)
{
	const char *p = s->s;
	size_t n;

	if (!p)
		return;
	n = strlen(p);
	if (n && n <= 63 && isalnum((unsigned char)p[0]) &&
	    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n)
		return;
	ERR(s->pos, "%s name '%s' must start with a letter or digit and hold only letters, "
	    "digits, '-' and '_' (63 at most)", what, p);
}

static bool fqdn_ok(const char *p)
{
	size_t label = 0, n = 0;

	for (; *p; p++, n++) {
		if (*p == '.') {
			if (!label)
				return false;
			label = 0;
		} else if (isalnum((unsigned char)*p) || *p == '-' || *p == '_') {
			/* a label neither starts nor ends with a hyphen */
			if ((*p == '-' && (!label || p[1] == '.' || !p[1])) || ++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label && n <= 253;
}

/* A distinguished name as strongSwan reads it: "C=FI, O=x, CN=y" or
 * "/C=FI/O=x/CN=y", each part TYPE=VALUE, TYPE a name or a dotted OID, the
 * value not empty (a "\," inside a value is not a separator). */
static bool dn_ok(const char *p)
{
	char sep = *p == '/' ? '/' : ',';
	size_t n = strlen(p);

	if (n > 512 || strchr(p, '\n'))
		return false;
	if (sep == '/')
		p++;
	while (*p) {
		const char *type;

		while (*p == ' ')
			p++;
		for (type = p; isalnum((unsigned char)*p) || *p == '.'; p++)
			;
		if (p == type || *p++ != '=')
			return false;
		while (*p == ' ')
			p++;
		if (!*p || *p == sep)
			return false;           /* no value */
		for (; *p && *p != sep; p++)
			if (*p == '\\' && p[1])
				p++;
		if (*p == sep)
			p++;
	}
	return true;
}

/* An IKE identity: an FQDN, user@FQDN, or a distinguished name (C=.., O=.., CN=..). */
static void check_id(struct v *v, const struct tstr *s)
{
	const char *p = s->s, *at;

	if (!p)
		return;
	if (strchr(p, '=')) {
		if (dn_ok(p))
			return;
	} else if ((at = strchr(p, '@'))) {
		if (at > p && fqdn_ok(at + 1))
			return;
	} else if (fqdn_ok(p)) {
		return;
	}
	ERR(s->pos, "identity '%s' is neither an FQDN, an email address nor a distinguished name", p);
}

static void check_file(struct v *v, const struct tstr *s, const char *what)
{
	if (!s->s)
		return;
	if (access(topo_path(v->t, s->s), R_OK))
		WARN(s->pos, "%s '%s' does not exist (yet): zsecd will not apply the file without it",
		     what, s->s);
}

static void check_trust(struct v *v, const struct ttrust *t, const char *whose, bool psk_ok)
{
	if (!t->at.line)
		return;
	if (t->ca.s && t->psk.s) {
		ERR(t->psk.pos, "trust takes either ca or psk, not both");
		return;
	}
	if (!t->ca.s && !t->psk.s) {
		ERR(t->at, "trust needs ca: FILE%s", psk_ok ? " or psk: FILE" : "");
		return;
	}
	if (t->psk.s && !psk_ok) {
		ERR(t->psk.pos, "%s trust must be a CA certificate (ca: FILE); pre-shared keys are for partners only", whose);
		return;
	}
	if (t->psk.s) {
		WARN(t->psk.pos, "%s authenticates with a pre-shared key, weaker than certificates (TS 33.310)", whose);
		check_file(v, &t->psk, "secret");
	}
	check_file(v, &t->ca, "CA certificate");
}

/* ---- uniqueness: names, identities, addresses ---- */

struct owned {
	const char *key;                /* name or identity */
	struct ipaddr addr;
	const char *owner;
	struct pos pos;
};

static int owned_key_cmp(const void *a, const void *b)
{
	const struct owned *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	return (x->pos.col > y->pos.col) - (x->pos.col < y->pos.col);
}

static int owned_addr_cmp(const void *a, const void *b)
{
	const struct owned *x = a, *y = b;
	int c = addr_cmp(&x->addr, &y->addr);

	if (c)
		return c;
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	return (x->pos.col > y->pos.col) - (x->pos.col < y->pos.col);
}

static void check_unique_keys(struct v *v, struct owned *o, size_t n, const char *what)
{
	size_t i;

	qsort(o, n, sizeof(*o), owned_key_cmp);
	for (i = 1; i < n; i++)
		if (!strcmp(o[i].key, o[i - 1].key)) {
			size_t first = i - 1;

			while (first && !strcmp(o[first - 1].key, o[i].key))
				first--;
			if (o[first].owner)
				ERR(o[i].pos, "%s '%s' is already used by %s (line %u)", what, o[i].key,
				    o[first].owner, o[first].pos.line);
			else
				ERR(o[i].pos, "%s '%s' is used twice (first at line %u)", what, o[i].key,
				    o[first].pos.line);
		}
}

static void check_unique_addrs(struct v *v, struct owned *o, size_t n)
{
	size_t i;
	char buf[ADDR_STRLEN];

	qsort(o, n, sizeof(*o), owned_addr_cmp);
	for (i = 1; i < n; i++)
		if (!addr_cmp(&o[i].addr, &o[i - 1].addr)) {
			size_t first = i - 1;

			while (first && !addr_cmp(&o[first - 1].addr, &o[i].addr))
				first--;
			ERR(o[i].pos, "address %s is already used by %s (line %u)",
			    addr_str(&o[i].addr, buf), o[first].owner, o[first].pos.line);
		}
}

static void own_str(struct owned *v, size_t *n, const struct tstr *s, const char *who)
{
	if (s->s)
		v[(*n)++] = (struct owned){ .key = s->s, .owner = who, .pos = s->pos };
}

static void own_addr(struct owned *v, size_t *n, const struct taddr *a, const char *who)
{
	if (a->set)
		v[(*n)++] = (struct owned){ .addr = a->a, .owner = who, .pos = a->pos };
}

static void check_uniqueness(struct v *v)
{
	const struct topo *t = v->t;
	size_t cap = t->domain.gateways.n * 2 + t->domain.elements.n + t->partners.n + 1, i, j;
	size_t nn = 0, ni = 0, na = 0;
	struct owned *names, *ids, *addrs;

	for (i = 0; i < t->partners.n; i++)
		cap += t->partners.v[i].gateways.n;
	names = calloc(cap, sizeof(*names));
	ids = calloc(cap, sizeof(*ids));
	addrs = calloc(cap, sizeof(*addrs));
	if (!names || !ids || !addrs)
		abort();

	/* one namespace for every name: the domain, its partners, every
	 * gateway and element (status, logs and link names mix them) */
	own_str(names, &nn, &t->domain.name, NULL);

	for (i = 0; i < t->domain.gateways.n; i++) {
		const struct tgateway *g = &t->domain.gateways.v[i];
		const char *who = g->name.s ? g->name.s : "a gateway";

		own_str(names, &nn, &g->name, NULL);
		own_str(ids, &ni, &g->id, who);
		own_addr(addrs, &na, &g->outside, who);
		own_addr(addrs, &na, &g->inside, who);
	}
	for (i = 0; i < t->domain.elements.n; i++) {
		const struct telement *e = &t->domain.elements.v[i];
		const char *who = e->name.s ? e->name.s : "an element";

		own_str(names, &nn, &e->name, NULL);
		own_str(ids, &ni, &e->id, who);
		own_addr(addrs, &na, &e->address, who);
	}
	for (i = 0; i < t->partners.n; i++) {
		const struct tpartner *p = &t->partners.v[i];

		own_str(names, &nn, &p->name, NULL);
		for (j = 0; j < p->gateways.n; j++) {
			const struct tpeer *g = &p->gateways.v[j];
			const char *who = g->name.s ? g->name.s : "a partner gateway";

			own_str(names, &nn, &g->name, NULL);
			own_str(ids, &ni, &g->id, who);
			own_addr(addrs, &na, &g->address, who);
		}
	}
	check_unique_keys(v, names, nn, "name");
	check_unique_keys(v, ids, ni, "identity");
	check_unique_addrs(v, addrs, na);
	free(names);
	free(ids);
	free(addrs);
}

/* ---- prefixes: overlaps between and within the domain and partners ---- */

struct owned_prefix {
	struct prefix p;
	const char *owner;              /* "the domain" or "partner 'x'" */
	struct pos pos;
};

static int owned_prefix_cmp(const void *a, const void *b)
{
	const struct owned_prefix *x = a, *y = b;
	int c = prefix_cmp(&x->p, &y->p);

	if (c)
		return c;
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	return (x->pos.col > y->pos.col) - (x->pos.col < y->pos.col);
}

/* Sorted by address then length, a prefix overlaps an earlier one exactly
 * when it lies within the innermost still-open one: a stack sweep. */
static void check_overlaps(struct v *v)
{
	const struct topo *t = v->t;
	size_t n = t->domain.prefixes.n, i, j, k = 0, top = 0;
	struct owned_prefix *all, **stack;
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];

	for (i = 0; i < t->partners.n; i++)
		n += t->partners.v[i].prefixes.n;
	all = calloc(n + 1, sizeof(*all));
	stack = calloc(n + 1, sizeof(*stack));
	if (!all || !stack)
		abort();
	for (i = 0; i < t->domain.prefixes.n; i++)
		all[k++] = (struct owned_prefix){ t->domain.prefixes.v[i], "the domain",
		                                  t->domain.prefixes.pos[i] };
	for (i = 0; i < t->partners.n; i++) {
		const struct tpartner *p = &t->partners.v[i];
		const char *who = arena_printf(t->arena, "partner '%s'", nm(&p->name));

		for (j = 0; j < p->prefixes.n; j++)
			all[k++] = (struct owned_prefix){ p->prefixes.v[j], who, p->prefixes.pos[j] };
	}
	qsort(all, k, sizeof(*all), owned_prefix_cmp);
	for (i = 0; i < k; i++) {
		while (top && !prefix_within(&all[i].p, &stack[top - 1]->p))
			top--;
		if (top) {
			/* report at whichever of the two comes later in the file */
			const struct owned_prefix *x = stack[top - 1], *y = &all[i];

			if (pos_before(y->pos, x->pos)) {
				x = y;
				y = stack[top - 1];
			}
			if (x->owner == y->owner)
				ERR(y->pos, "prefix %s overlaps %s of the same list (line %u)",
				    prefix_str(&y->p, a), prefix_str(&x->p, b), x->pos.line);
			else
				ERR(y->pos, "prefix %s of %s overlaps %s of %s (line %u)",
				    prefix_str(&y->p, a), y->owner, prefix_str(&x->p, b), x->owner,
				    x->pos.line);
		}
		stack[top++] = &all[i];
	}
	free(all);
	free(stack);
}

static bool in_any(const struct tprefixes *ps, const struct ipaddr *a)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (prefix_contains(&ps->v[i], a))
			return true;
	return false;
}

/* Every partner prefix, sorted: which partner's prefixes hold an address,
 * in O(log n) instead of a scan of all partners per address. */
struct pindex {
	struct prefix *p;
	const char **name;
	size_t n;
};

static struct pindex *pindex_build(const struct topo *t)
{
	struct pindex *x = arena_alloc(t->arena, sizeof(*x));
	struct owned_prefix *all;
	size_t i, j, n = 0;

	for (i = 0; i < t->partners.n; i++)
		n += t->partners.v[i].prefixes.n;
	all = calloc(n + 1, sizeof(*all));
	if (!all)
		abort();
	for (i = 0; i < t->partners.n; i++)
		for (j = 0; j < t->partners.v[i].prefixes.n; j++)
			all[x->n++] = (struct owned_prefix){ t->partners.v[i].prefixes.v[j],
			                                     nm(&t->partners.v[i].name), { 0, 0 } };
	if (x->n)
		qsort(all, x->n, sizeof(*all), owned_prefix_cmp);
	x->p = arena_array(t->arena, x->n, sizeof(*x->p));
	x->name = arena_array(t->arena, x->n, sizeof(*x->name));
	for (i = 0; i < x->n; i++) {
		x->p[i] = all[i].p;
		x->name[i] = all[i].owner;
	}
	free(all);
	return x;
}

/* The partner whose prefixes hold a, or NULL.  Valid prefixes do not
 * overlap, so it is the last one starting at or before a; a few more are
 * looked at for nested (invalid, already reported) ones. */
static const char *pindex_find(const struct pindex *x, const struct ipaddr *a)
{
	size_t lo = 0, hi = x->n, k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr_cmp(&x->p[mid].addr, a) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = 0; k < 64 && lo > k; k++)
		if (prefix_contains(&x->p[lo - 1 - k], a))
			return x->name[lo - 1 - k];
	return NULL;
}

/* The partner whose prefixes overlap p, or NULL: one holding p's first
 * address, or one starting within p. */
static const char *pindex_overlap(const struct pindex *x, const struct prefix *p)
{
	const char *owner = pindex_find(x, &p->addr);
	size_t lo = 0, hi = x->n;

	if (owner)
		return owner;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr_cmp(&x->p[mid].addr, &p->addr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->n && prefix_within(&x->p[lo], p) ? x->name[lo] : NULL;
}

/* ---- the domain ---- */

static int find_gateway(const struct tdomain *d, const char *name)
{
	size_t i;

	for (i = 0; name && i < d->gateways.n; i++)
		if (d->gateways.v[i].name.s && !strcmp(d->gateways.v[i].name.s, name))
			return (int)i;
	return -1;
}

static void check_domain(struct v *v)
{
	struct tdomain *d = &v->t->domain;
	char buf[ADDR_STRLEN];
	const char *owner;
	size_t i;

	if (!d->at.line)
		return;
	check_name(v, &d->name, "domain");
	check_trust(v, &d->trust, "the domain's", false);
	if (d->gateways.at.line && !d->gateways.n)
		ERR(d->gateways.at, "the domain needs at least one gateway");
	for (i = 0; i < d->gateways.n; i++) {
		const struct tgateway *g = &d->gateways.v[i];

		check_name(v, &g->name, "gateway");
		check_id(v, &g->id);
		check_file(v, &g->cert, "certificate");
		check_file(v, &g->key, "private key");
		if (g->outside.set && in_any(&d->prefixes, &g->outside.a))
			ERR(g->outside.pos, "outside address %s lies inside the domain's prefixes; "
			    "the Za-facing address must be outside them", addr_str(&g->outside.a, buf));
		if (g->outside.set && (owner = pindex_find(v->partner_prefixes, &g->outside.a)))
			ERR(g->outside.pos, "outside address %s lies inside the prefixes of partner '%s'",
			    addr_str(&g->outside.a, buf), owner);
		if (g->inside.set && d->prefixes.n && !in_any(&d->prefixes, &g->inside.a))
			ERR(g->inside.pos, "inside address %s lies outside the domain's prefixes",
			    addr_str(&g->inside.a, buf));
	}
	for (i = 0; i < d->elements.n; i++) {
		struct telement *e = &d->elements.v[i];

		check_name(v, &e->name, "element");
		check_id(v, &e->id);
		check_file(v, &e->cert, "certificate");
		check_file(v, &e->key, "private key");
		if (e->address.set && d->prefixes.n && !in_any(&d->prefixes, &e->address.a))
			ERR(e->address.pos, "element address %s lies outside the domain's prefixes",
			    addr_str(&e->address.a, buf));
		if (!e->gateway.s)
			continue;
		e->gw = find_gateway(d, e->gateway.s);
		if (e->gw < 0) {
			ERR(e->gateway.pos, "gateway '%s' is not one of this domain's gateways", e->gateway.s);
			continue;
		}
		if (e->address.set && d->gateways.v[e->gw].inside.set &&
		    e->address.a.family != d->gateways.v[e->gw].inside.a.family)
			ERR(e->address.pos, "element address %s is %s but the inside address of its gateway '%s' is %s",
			    addr_str(&e->address.a, buf), family_name(&e->address.a), e->gateway.s,
			    family_name(&d->gateways.v[e->gw].inside.a));
	}
}

/* ---- partners ---- */

static void check_rate(struct v *v, const struct trate *r, const char *what)
{
	if (r->pos.line && !r->per_sec)
		ERR(r->pos, "limit '%s' of 0/s would drop everything; leave it out for no limit", what);
	if (r->pos.line && r->burst > 100 * (uint64_t)(r->per_sec ? r->per_sec : 1) && r->burst > 1000)
		ERR(r->pos, "a burst of %u is more than 1000 and more than 100 seconds' worth of the %s limit",
		    r->burst, what);
}

static void check_links(struct v *v, struct tpartner *p)
{
	struct tdomain *d = &v->t->domain;
	size_t i, j;

	for (i = 0; i < p->links.n; i++) {
		struct tlink *l = &p->links.v[i];

		l->our_gw = find_gateway(d, l->ours.s);
		if (l->our_gw < 0)
			ERR(l->ours.pos, "'%s' is not one of our gateways", l->ours.s);
		for (j = 0; j < p->gateways.n; j++)
			if (p->gateways.v[j].name.s && !strcmp(p->gateways.v[j].name.s, l->theirs.s))
				l->their_gw = (int)j;
		if (l->their_gw < 0)
			ERR(l->theirs.pos, "'%s' is not a gateway of partner '%s'", l->theirs.s, nm(&p->name));
		for (j = 0; j < i; j++)
			if (!strcmp(p->links.v[j].ours.s, l->ours.s) &&
			    !strcmp(p->links.v[j].theirs.s, l->theirs.s))
				ERR(l->at, "link [%s, %s] is listed twice (line %u)", l->ours.s, l->theirs.s,
				    p->links.v[j].at.line);
		if (l->our_gw >= 0 && l->their_gw >= 0) {
			const struct taddr *a = &d->gateways.v[l->our_gw].outside;
			const struct taddr *b = &p->gateways.v[l->their_gw].address;

			if (a->set && b->set && a->a.family != b->a.family)
				ERR(l->at, "link [%s, %s] joins an %s outside address to an %s one",
				    l->ours.s, l->theirs.s, family_name(&a->a), family_name(&b->a));
		}
	}
}

static void check_exposure(struct v *v, const struct tpartner *p)
{
	const struct tprefixes *dom = &v->t->domain.prefixes;
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];
	const char *other;
	size_t i, j;

	for (i = 0; i < p->expose.n; i++) {
		bool inside = false;

		for (j = 0; j < dom->n; j++)
			inside |= prefix_within(&p->expose.v[i], &dom->v[j]);
		if (!inside && dom->n)
			ERR(p->expose.pos[i], "expose %s is not within the domain's prefixes",
			    prefix_str(&p->expose.v[i], a));
		for (j = 0; j < i; j++)
			if (prefix_overlaps(&p->expose.v[i], &p->expose.v[j]))
				ERR(p->expose.pos[i], "expose %s overlaps %s of the same list (line %u)",
				    prefix_str(&p->expose.v[i], a), prefix_str(&p->expose.v[j], b),
				    p->expose.pos[j].line);
	}
	/* a list with a bad or missing item was reported already: no count games */
	if (!p->present_as.at.line || p->present_as.n != p->present_as.items || !p->present_as.n ||
	    p->expose.n != p->expose.items)
		return;
	if (p->present_as.n != p->expose.n) {
		ERR(p->present_as.at, "present-as has %zu prefix%s but expose has %zu; they map 1:1 in order",
		    p->present_as.n, p->present_as.n == 1 ? "" : "es", p->expose.n);
		return;
	}
	for (i = 0; i < p->present_as.n; i++) {
		const struct prefix *pa = &p->present_as.v[i], *ex = &p->expose.v[i];

		if (pa->addr.family != ex->addr.family) {
			ERR(p->present_as.pos[i], "present-as %s is %s but expose %s is %s; they map 1:1",
			    prefix_str(pa, a), family_name(&pa->addr), prefix_str(ex, b),
			    family_name(&ex->addr));
			continue;
		}
		if (pa->len != ex->len) {
			ERR(p->present_as.pos[i], "present-as %s does not match expose %s in size; they map 1:1",
			    prefix_str(pa, a), prefix_str(ex, b));
			continue;
		}
		for (j = 0; j < p->prefixes.n; j++)
			if (prefix_overlaps(pa, &p->prefixes.v[j]))
				ERR(p->present_as.pos[i], "present-as %s overlaps the prefix %s of partner '%s' itself",
				    prefix_str(pa, a), prefix_str(&p->prefixes.v[j], b), nm(&p->name));
		/* presented inside our own domain, a prefix would stand for
		 * internal hosts the file never exposed */
		for (j = 0; j < dom->n; j++)
			if (prefix_cmp(pa, ex) && prefix_overlaps(pa, &dom->v[j]))
				ERR(p->present_as.pos[i], "present-as %s lies inside the domain's prefix %s: "
				    "it would expose internal addresses that expose does not list",
				    prefix_str(pa, a), prefix_str(&dom->v[j], b));
		if ((other = pindex_overlap(v->partner_prefixes, pa)) && strcmp(other, nm(&p->name)))
			ERR(p->present_as.pos[i], "present-as %s overlaps the prefixes of partner '%s'",
			    prefix_str(pa, a), other);
		for (j = 0; j < i; j++)
			if (prefix_overlaps(pa, &p->present_as.v[j]))
				ERR(p->present_as.pos[i], "present-as %s overlaps %s of the same list (line %u)",
				    prefix_str(pa, a), prefix_str(&p->present_as.v[j], b),
				    p->present_as.pos[j].line);
	}
}

static void check_partner(struct v *v, struct tpartner *p)
{
	const struct tprefixes *dom = &v->t->domain.prefixes;
	char buf[ADDR_STRLEN];
	const char *owner;
	size_t i;
	const char *whose = arena_printf(v->t->arena, "partner '%s'", nm(&p->name));

	check_name(v, &p->name, "partner");
	check_trust(v, &p->trust, whose, true);
	if (p->gateways.at.line && !p->gateways.n)
		ERR(p->gateways.at, "%s needs at least one gateway", whose);
	for (i = 0; i < p->gateways.n; i++) {
		const struct tpeer *g = &p->gateways.v[i];

		check_name(v, &g->name, "partner gateway");
		check_id(v, &g->id);
		if (!g->address.set)
			continue;
		if (in_any(dom, &g->address.a))
			ERR(g->address.pos, "partner gateway address %s lies inside our domain's prefixes",
			    addr_str(&g->address.a, buf));
		if ((owner = pindex_find(v->partner_prefixes, &g->address.a)))
			ERR(g->address.pos, "partner gateway address %s lies inside the prefixes of "
			    "partner '%s'; a gateway's address must be outside what it protects",
			    addr_str(&g->address.a, buf), owner);
	}
	check_links(v, p);
	check_exposure(v, p);
	check_rate(v, &p->limits.ike, "ike");
	check_rate(v, &p->limits.packets, "packets");
	check_rate(v, &p->limits.sip, "sip");
}

/* ---- profiles ---- */

static void check_profile(struct v *v, const struct tprofile *p, bool za)
{
	const char *name = za ? "Za" : "Zb";
	struct proposal_info info;
	char err[1024];
	size_t i;

	if (p->version.pos.line && p->version.v == 1)
		ERR(p->version.pos, "IKEv1 is forbidden: NDS/IP requires IKEv2 (TS 33.210)");
	else if (p->version.pos.line && p->version.v != 2)
		ERR(p->version.pos, "IKE version must be 2, not %u", p->version.v);
	if (za && p->mode.pos.line && p->mode.v != ESP_TUNNEL)
		ERR(p->mode.pos, "Za requires ESP tunnel mode (TS 33.210)");
	if (p->lifetime.pos.line && p->lifetime.v < 60)
		ERR(p->lifetime.pos, "a lifetime under 1m would rekey without pause");
	if (p->ike_lifetime.pos.line && p->ike_lifetime.v < 60)
		ERR(p->ike_lifetime.pos, "a lifetime under 1m would rekey without pause");
	for (i = 0; i < p->ike.n; i++)
		if (!proposal_check(p->ike.v[i].s, PROPOSAL_IKE, &info, err, sizeof(err)))
			ERR(p->ike.v[i].pos, "%s IKE: %s", name, err);
	for (i = 0; i < p->esp.n; i++) {
		if (!proposal_check(p->esp.v[i].s, PROPOSAL_ESP, &info, err, sizeof(err)))
			ERR(p->esp.v[i].pos, "%s ESP: %s", name, err);
		else if (za && !info.confidentiality)
			ERR(p->esp.v[i].pos, "Za requires confidentiality: ESP proposal '%s' does not "
			    "encrypt (TS 33.210)", p->esp.v[i].s);
	}
}

static bool exposes(const struct tpartner *p, const struct ipaddr *a)
{
	return in_any(&p->expose, a);
}

/* Partner traffic to an element crosses the inside network in ESP only if
 * it enters through the element's own gateway and Zb is a tunnel: refuse
 * what would carry it in clear. */
static void check_exposed_elements(struct v *v)
{
	const struct tdomain *d = &v->t->domain;
	const struct tprofile *zb = &v->t->profiles.zb;
	size_t i, j, k;
	bool transport_reported = false;

	for (i = 0; i < v->t->partners.n; i++) {
		const struct tpartner *p = &v->t->partners.v[i];

		for (j = 0; j < p->links.n; j++) {
			const struct tlink *l = &p->links.v[j];

			if (l->our_gw < 0)
				continue;
			for (k = 0; k < d->elements.n; k++) {
				const struct telement *e = &d->elements.v[k];

				if (e->gw < 0 || !e->address.set || !exposes(p, &e->address.a))
					continue;
				if (e->gw != l->our_gw) {
					ERR(l->at, "link [%s, %s] would carry %s's traffic for %s (behind %s) "
					    "across the inside network unprotected; link through %s or "
					    "narrow expose", l->ours.s, l->theirs.s, nm(&p->name),
					    e->name.s, d->gateways.v[e->gw].name.s,
					    d->gateways.v[e->gw].name.s);
					break;
				}
				if (zb->mode.v == ESP_TRANSPORT && !transport_reported) {
					ERR(zb->mode.pos, "Zb transport mode cannot carry %s's traffic to "
					    "element %s, which it may reach: use tunnel mode",
					    nm(&p->name), e->name.s);
					transport_reported = true;
				}
			}
		}
	}
}

void topo_validate(struct topo *t, struct diags *d)
{
	struct v vv = { t, d, NULL }, *v = &vv;
	size_t i;

	/* a model cut short says nothing reliable about the rules */
	if (t->incomplete)
		return;

	if (t->version.pos.line && t->version.v != 1)
		ERR(t->version.pos, "unsupported schema version %u: this zsec reads version 1", t->version.v);
	v->partner_prefixes = pindex_build(t);
	check_domain(v);
	for (i = 0; i < t->partners.n; i++)
		check_partner(v, &t->partners.v[i]);
	check_uniqueness(v);
	check_overlaps(v);
	check_profile(v, &t->profiles.za, true);
	check_profile(v, &t->profiles.zb, false);
	check_exposed_elements(v);
}
