/* ruleset: plan -> the nft script of table inet zsec.  Pure: the same plan
 * and running table give the same bytes, every list sorted.
 *
 * The script is STAGES staging transactions, which apply.c runs side by
 * side (split at BORDER_STAGE_MARK), then the replacement proper (after
 * BORDER_SWAP_MARK), and between them the staged sets declared, empty, so
 * that the dry run of the replacement can run alone, beside those of the
 * staging transactions (after them, the declarations are no-ops).  The
 * staging transactions make the next generation of the staged sets, the
 * sets that hold an element or more per partner: each is NAME_a or NAME_b,
 * the rules using one of them (set generation's comment says which).  Two
 * reasons to stage:
 *   - the concatenations of intervals (exposed, dnat, snat) live in
 *     nftables' pipapo backend, which takes in what a transaction added
 *     only at the very end of the commit, after the new rules are live:
 *     rules and a new set made in one transaction would let the packets of
 *     that moment miss every element, and drop them;
 *   - time: libnftables 1.0.6 spends 5 to 7 us of CPU on an element, and
 *     10,000 partners are 58,000 elements.  Sets that no rule uses yet can
 *     take their elements by netlink (elements.c): border_apply renders
 *     with a batch, which takes the staged sets' elements instead of the
 *     text, and then one staging transaction declares them all.  Without
 *     one (zsecctl plan, border_check), the elements are text, in
 *     STAGES transactions whose dry runs run side by side.
 * The replacement proper is then short, in four steps:
 *   1. declare every object, so that what follows finds it (a no-op for
 *      what the running table has);
 *   2. empty every chain, and delete the sets that only mirror the plan;
 *   3. zero the counters of partners that go (their id may pass to a
 *      partner that comes), and the counts by gateway address of those
 *      and of addresses that are no longer their partner's gateway;
 *   4. the mirror sets again, with the plan's elements, and the rules,
 *      which use the staged generation; the other generation goes.
 * The counting sets are never emptied, so every partner that stays keeps
 * its counters.  Mirrors are deleted and declared again rather than
 * flushed: libnftables 1.0.6 takes three times longer to flush and refill
 * an interval set of 10,000 elements than to make a new one.
 *
 * Steps 1 and 4's rules are text that does not depend on the plan
 * (rules.c); this file writes the elements and puts the script together. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

/* The sets that only mirror the plan: deleted (step 2) and declared again
 * with their elements (step 4), in this order; or staged, in a generation
 * of their own, by one of the staging transactions: the first, in a child
 * process, those whose elements are intervals (text); the second, here,
 * the hashes, whose elements the batch then brings (apply.c). */
struct render;
struct mirror {
	const char *kind, *name;
	const char *spec[3];            /* the lines of its declaration */
	void (*fill)(struct render *r, const struct mirror *m, int family);
	int family;
	bool sized;                     /* a hash, sized for its elements */
	int stage;                      /* 0: a mirror; 1..STAGES: staged, NAME_a
	                                 * or NAME_b, in that staging transaction
	                                 * of the text */
	bool by_length;                 /* one for each length of the family's
	                                 * prefixes: NAME_LEN_a or NAME_LEN_b */
};
#define STAGES 2

/* ---- elements ---- */

struct render {
	FILE *f;
	const struct plan *p;
	const struct layout *l;
	struct elem_batch *batch;       /* loading: the staged sets' elements,
	                                 * not in the text; NULL: all in the text */
	bool batching;                  /* the set being filled is batched */
	size_t items;                   /* of the set being written */
	unsigned plen;                  /* of the by-length map being written */
	struct src_lengths lengths;
	/* sorted element lists, both families, made once */
	struct src_elem *src;
	size_t n_src;
	struct gw_elem *gw;
	size_t n_gw;
	struct nat_elem *nat[2];        /* dnat, snat */
	size_t n_nat[2];
	struct prefix *ours;
	size_t n_ours;
	struct ipaddr *elements;
	size_t n_elements;
	struct ipaddr *inside;          /* our end of the Zb links */
	size_t n_inside;
};

struct src_elem {
	struct prefix p;
	uint32_t mark;
};
struct gw_elem {
	struct ipaddr a;
	uint32_t value;                 /* MARK_IKE_USUAL | partner id */
	const char *name;
};
struct nat_elem {
	struct prefix theirs, from, to;
};

static void item(struct render *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void item(struct render *r, const char *fmt, ...)
{
	va_list ap;

	fputs(r->items++ ? ",\n\t\t\t" : "\t\telements = {\n\t\t\t", r->f);
	va_start(ap, fmt);
	vfprintf(r->f, fmt, ap);
	va_end(ap);
}

/* An element of a staged hash set: as text, ADDR[ . MARK][ comment
 * "NAME"][ : DATA][ limit ...], or into the batch, its key the address's
 * bytes then the mark's (a key's parts are 4-byte aligned). */
struct elem {
	const struct ipaddr *addr;      /* the key's address, or NULL */
	bool has_mark;                  /* a mark in the key, after it */
	uint32_t mark;
	const char *comment;
	const uint32_t *data;           /* a map's value */
	const struct state_limit *limit;
};

static void element(struct render *r, const struct elem *e)
{
	char addr[ADDR_STRLEN] = "", mark[16] = "", comment[80] = "", data[16] = "", limit[80] = "";
	uint8_t key[20];
	size_t klen = 0;

	if (r->batching) {
		if (e->addr) {
			klen = e->addr->family == AF_INET6 ? 16 : 4;
			memcpy(key, e->addr->bytes, klen);
		}
		if (e->has_mark) {
			memcpy(key + klen, &e->mark, sizeof(e->mark));
			klen += sizeof(e->mark);
		}
		batch_add(r->batch, key, NULL, klen, e->data, e->data ? sizeof(*e->data) : 0,
		          e->comment, e->limit);
		r->items++;
		return;
	}
	if (e->addr)
		addr_str(e->addr, addr);
	if (e->has_mark)
		snprintf(mark, sizeof(mark), "%s0x%08x", e->addr ? " . " : "", e->mark);
	if (e->comment)
		snprintf(comment, sizeof(comment), " comment \"%s\"", e->comment);
	if (e->data)
		snprintf(data, sizeof(data), " : 0x%08x", *e->data);
	if (e->limit)
		snprintf(limit, sizeof(limit), " limit rate over %llu/second burst %u packets",
		         (unsigned long long)e->limit->rate, e->limit->burst);
	item(r, "%s%s%s%s%s", addr, mark, comment, data, limit);
}

/* An element of a staged set of intervals: [MARK . ]PREFIX[ . PREFIX][ :
 * PREFIX], or into the batch, its key the first address of each part and
 * its key's end the last (the backend of concatenated intervals takes a
 * range so), a map's value a range, its first address then its last. */
struct range_elem {
	const uint32_t *mark;           /* a mark first in the key, or NULL */
	const struct prefix *part[2];   /* the key's prefixes; [1] or NULL */
	const struct prefix *to;        /* a map's value, or NULL */
};

/* p's first and last addresses, after what *at already holds */
static void put_range(const struct prefix *p, uint8_t *first, uint8_t *last, size_t *at)
{
	size_t n = p->addr.family == AF_INET6 ? 16 : 4, i;

	memcpy(first + *at, p->addr.bytes, n);
	for (i = 0; i < n; i++)
		last[*at + i] = p->addr.bytes[i] |
			(uint8_t)(i * 8 >= p->len ? 0xff : i * 8 + 8 > p->len ?
			          0xff >> (p->len - i * 8) : 0);
	*at += n;
}

static void range_element(struct render *r, const struct range_elem *e)
{
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN], c[PREFIX_STRLEN], mark[16] = "";
	uint8_t key[36], key_end[36], data[32];
	size_t klen = 0, dlen = 0, i;

	if (r->batching) {
		if (e->mark) {
			/* in network order: the ranges compare bytes (nft
			 * turns a mark so too in a concatenation of intervals) */
			uint32_t be = htonl(*e->mark);

			memcpy(key, &be, sizeof(be));
			memcpy(key_end, &be, sizeof(be));
			klen = sizeof(be);
		}
		for (i = 0; i < 2 && e->part[i]; i++)
			put_range(e->part[i], key, key_end, &klen);
		if (e->to) {
			uint8_t last[16];
			size_t n = 0;

			put_range(e->to, data, last, &n);
			memcpy(data + n, last, n);
			dlen = 2 * n;
		}
		batch_add(r->batch, key, key_end, klen, e->to ? data : NULL, dlen, NULL, NULL);
		r->items++;
		return;
	}
	if (e->mark)
		snprintf(mark, sizeof(mark), "0x%08x . ", *e->mark);
	item(r, "%s%s%s%s%s%s", mark, prefix_str(e->part[0], a), e->part[1] ? " . " : "",
	     e->part[1] ? prefix_str(e->part[1], b) : "", e->to ? " : " : "",
	     e->to ? prefix_str(e->to, c) : "");
}

static bool in_family(uint8_t af, int family)
{
	return af == family;
}

static void fill_src(struct render *r, const struct mirror *m, int family)
{
	size_t i;

	for (i = 0; i < r->n_src; i++)
		if (in_family(r->src[i].p.addr.family, family) && r->src[i].p.len == r->plen)
			element(r, &(struct elem){ .addr = &r->src[i].p.addr,
			                           .data = &r->src[i].mark });
}

static void fill_exposed(struct render *r, const struct mirror *m, int family)
{
	size_t i, j;

	for (i = 0; i < r->l->n_profiles; i++) {
		uint32_t profile = (uint32_t)(i + 1) << PROFILE_SHIFT;

		for (j = 0; j < r->l->n_presented[i]; j++)
			if (in_family(r->l->presented[i][j].addr.family, family))
				range_element(r, &(struct range_elem){
					.mark = &profile, .part = { &r->l->presented[i][j] } });
	}
}

static void fill_nat(struct render *r, const struct mirror *m, int family)
{
	size_t dir = !strncmp(m->name, "snat", 4), i;

	for (i = 0; i < r->n_nat[dir]; i++) {
		const struct nat_elem *e = &r->nat[dir][i];

		if (in_family(e->theirs.addr.family, family))
			range_element(r, &(struct range_elem){ .part = { &e->theirs, &e->from },
			                                       .to = &e->to });
	}
}

static void fill_ours(struct render *r, const struct mirror *m, int family)
{
	char buf[PREFIX_STRLEN];
	size_t i;

	for (i = 0; i < r->n_ours; i++)
		if (in_family(r->ours[i].addr.family, family))
			item(r, "%s", prefix_str(&r->ours[i], buf));
}

static void fill_gateways(struct render *r, const struct mirror *m, int family)
{
	size_t i;

	for (i = 0; i < r->n_gw; i++)
		if (in_family(r->gw[i].a.family, family))
			element(r, &(struct elem){ .addr = &r->gw[i].a, .comment = r->gw[i].name,
			                           .data = &r->gw[i].value });
}

static void fill_sa_gateways(struct render *r, const struct mirror *m, int family)
{
	size_t i;

	for (i = 0; i < r->n_gw; i++)
		if (in_family(r->gw[i].a.family, family))
			element(r, &(struct elem){ .addr = &r->gw[i].a, .has_mark = true,
			                           .mark = r->gw[i].value & MARK_ID });
}

static void fill_addrs(struct render *r, const struct ipaddr *v, size_t n, int family)
{
	char buf[ADDR_STRLEN];
	size_t i;

	for (i = 0; i < n; i++)
		if (in_family(v[i].family, family))
			item(r, "%s", addr_str(&v[i], buf));
}

static void fill_elements(struct render *r, const struct mirror *m, int family)
{
	fill_addrs(r, r->elements, r->n_elements, family);
}

static void fill_inside(struct render *r, const struct mirror *m, int family)
{
	fill_addrs(r, r->inside, r->n_inside, family);
}

static bool same_limit(struct state_limit a, struct state_limit b)
{
	return a.rate == b.rate && a.burst == b.burst;
}

static const struct plan_rate *rate_of(const struct plan_partner *b, enum limit_kind k)
{
	return k == LIMIT_IKE ? &b->ike : k == LIMIT_PACKETS ? &b->packets : &b->sip;
}

/* in id order (any fixed order would do) */
static void fill_limit(struct render *r, const struct mirror *m, int family)
{
	enum limit_kind k = !strcmp(m->name, "ike_limit") ? LIMIT_IKE :
		!strcmp(m->name, "packets_limit") ? LIMIT_PACKETS : LIMIT_SIP;
	size_t i;

	for (i = 0; i < r->l->n; i++) {
		const struct plan_rate *rate = rate_of(&r->p->partners[r->l->by_id[i]], k);
		struct state_limit s;

		if (!rate->per_sec)
			continue;
		s = limit_of(r->l->id[r->l->by_id[i]], rate);
		if (k == LIMIT_IKE && same_limit(s, r->l->ike_usual))
			continue;               /* a bucket in ike_buckets */
		element(r, &(struct elem){ .has_mark = true, .mark = s.id, .limit = &s });
	}
}

/* Set generation's elements: the lengths of the source maps the rules use,
 * family << 8 | length (state.c reads them back: the next replacement
 * deletes those maps). */
static void fill_lengths(struct render *r, const struct mirror *m, int family)
{
	size_t k, i;

	for (k = 0; k < 2; k++)
		for (i = 0; i < r->lengths.n[k]; i++)
			item(r, "0x%08x", SRC_LENGTH_ELEM(k, r->lengths.len[k][i]));
}

static void fill_none(struct render *r, const struct mirror *m, int family)
{
}

static const struct mirror MIRRORS[] = {
	{ "set", "generation", { "type mark" }, fill_lengths, 0, false, 0, false },
	{ "set", "ours4", { "type ipv4_addr", "flags interval" }, fill_ours, AF_INET, false, 0, false },
	{ "set", "ours6", { "type ipv6_addr", "flags interval" }, fill_ours, AF_INET6, false, 0, false },
	{ "set", "elements4", { "type ipv4_addr" }, fill_elements, AF_INET, true, 0, false },
	{ "set", "elements6", { "type ipv6_addr" }, fill_elements, AF_INET6, true, 0, false },
	{ "set", "inside4", { "type ipv4_addr" }, fill_inside, AF_INET, true, 0, false },
	{ "set", "inside6", { "type ipv6_addr" }, fill_inside, AF_INET6, true, 0, false },
	{ "set", "ike_limit", { "type mark", "limit rate over 1/second" }, fill_limit, 0, true, 0, false },
	{ "set", "ike_buckets", { "type mark", "size 65536", "flags dynamic" }, fill_none, 0, false, 0,
	  false },
	{ "set", "ike_elements4", { "type ipv4_addr", "size 65536", "flags dynamic" }, fill_none, 0,
	  false, 0, false },
	{ "set", "ike_elements6", { "type ipv6_addr", "size 65536", "flags dynamic" }, fill_none, 0,
	  false, 0, false },
	{ "set", "exposed4", { "type mark . ipv4_addr", "flags interval" }, fill_exposed, AF_INET,
	  false, 1, false },
	{ "set", "exposed6", { "type mark . ipv6_addr", "flags interval" }, fill_exposed, AF_INET6,
	  false, 1, false },
	{ "map", "dnat4", { "type ipv4_addr . ipv4_addr : interval ipv4_addr", "flags interval" },
	  fill_nat, AF_INET, false, 1, false },
	{ "map", "snat4", { "type ipv4_addr . ipv4_addr : interval ipv4_addr", "flags interval" },
	  fill_nat, AF_INET, false, 1, false },
	{ "map", "dnat6", { "type ipv6_addr . ipv6_addr : interval ipv6_addr", "flags interval" },
	  fill_nat, AF_INET6, false, 1, false },
	{ "map", "snat6", { "type ipv6_addr . ipv6_addr : interval ipv6_addr", "flags interval" },
	  fill_nat, AF_INET6, false, 1, false },
	{ "set", "packets_limit", { "type mark", "limit rate over 1/second" }, fill_limit, 0, true, 2,
	  false },
	{ "set", "sip_limit", { "type mark", "limit rate over 1/second" }, fill_limit, 0, true, 2, false },
	{ "map", "src4", { "type ipv4_addr : mark" }, fill_src, AF_INET, true, 2, true },
	{ "map", "src6", { "type ipv6_addr : mark" }, fill_src, AF_INET6, true, 2, true },
	{ "map", "gateways4", { "type ipv4_addr : mark" }, fill_gateways, AF_INET, true, 2, false },
	{ "map", "gateways6", { "type ipv6_addr : mark" }, fill_gateways, AF_INET6, true, 2, false },
	{ "set", "sa_gateways4", { "type ipv4_addr . mark" }, fill_sa_gateways, AF_INET, true, 2, false },
	{ "set", "sa_gateways6", { "type ipv6_addr . mark" }, fill_sa_gateways, AF_INET6, true, 2, false },
};
#define N_MIRRORS (sizeof(MIRRORS) / sizeof(MIRRORS[0]))

/* The sets a table of an older zsecd (state.c: legacy) has unstaged: the
 * replacement deletes them, once no rule uses them. */
static const struct {
	const char *kind, *name;
} LEGACY[] = {
	{ "map", "src4" }, { "map", "src6" }, { "map", "gateways4" }, { "map", "gateways6" },
	{ "set", "packets_limit" }, { "set", "sip_limit" },
};
#define N_LEGACY (sizeof(LEGACY) / sizeof(LEGACY[0]))

/* A hash set sized for its elements gets nftables' fixed-size hash rather
 * than the resizable one, which rehashes as 10,000 elements go in: a tenth
 * of the load time.  Twice the elements, as it is also a hard limit. */
static size_t hash_size(size_t n)
{
	size_t size = 64;

	while (size < 2 * n)
		size *= 2;
	return size;
}

/* NAME; NAME_a or NAME_b for a staged set of generation gen; NAME_LEN_a or
 * NAME_LEN_b for a map of the prefixes of one length */
static const char *name_of(const struct mirror *m, unsigned gen, unsigned plen, char *buf,
                           size_t len)
{
	if (!m->stage)
		return m->name;
	if (m->by_length)
		snprintf(buf, len, "%s_%u_%c", m->name, plen, gen_suffix(gen));
	else
		snprintf(buf, len, "%s_%c", m->name, gen_suffix(gen));
	return buf;
}

/* Its declaration, with its elements (fill) or without (and then without
 * a size: an `add` that names one resizes a set that exists); set
 * generation carries the generation of the staged sets the rules use
 * (state.c reads it back).  A map by length is that of r->plen. */
static void mirror(struct render *r, const struct mirror *m, unsigned gen, bool fill)
{
	FILE *f = r->f;
	char *body = NULL, name[64];
	size_t len = 0, i;

	if (!(r->f = open_memstream(&body, &len))) {
		fputs("zsec: out of memory\n", stderr);
		abort();
	}
	r->items = 0;
	r->batching = r->batch && m->stage;
	if (r->batching && fill)
		batch_set(r->batch, name_of(m, gen, r->plen, name, sizeof(name)));
	if (fill)
		m->fill(r, m, m->family);
	r->batching = false;
	fclose(r->f);
	r->f = f;
	fprintf(f, "\t%s %s {\n", m->kind, name_of(m, gen, r->plen, name, sizeof(name)));
	for (i = 0; i < 3 && m->spec[i]; i++)
		fprintf(f, "\t\t%s\n", m->spec[i]);
	if (!strcmp(m->name, "generation"))
		fprintf(f, "\t\tcomment \"" STATE_GEN_COMMENT "%u\"\n", gen);
	if (m->sized && fill)
		fprintf(f, "\t\tsize %zu\n", hash_size(r->items));
	fputs(body ? body : "", f);
	fputs(body && *body ? "\n\t\t}\n\t}\n" : "\t}\n", f);
	free(body);
}

/* The lengths a staged set is made for: one (any) or, for a map by
 * length, each length of its family in sl. */
static size_t instances(const struct mirror *m, const struct src_lengths *sl,
                        const uint8_t **len)
{
	static const uint8_t one = 0;
	const size_t k = m->family == AF_INET6;

	if (!m->by_length) {
		*len = &one;
		return 1;
	}
	*len = sl->len[k];
	return sl->n[k];
}

enum staged_op { DECLARE, DELETE, FILL };

/* Every staged set of staging transaction k (0: of all), of generation gen
 * and the plan's lengths: declared, deleted, or declared with its
 * elements. */
static void staged(struct render *r, int k, unsigned gen, enum staged_op op)
{
	const uint8_t *len;
	char name[64];
	size_t i, j, n;

	for (i = 0; i < N_MIRRORS; i++) {
		const struct mirror *m = &MIRRORS[i];

		if (!m->stage || (k && m->stage != k))
			continue;
		n = instances(m, &r->lengths, &len);
		for (j = 0; j < n; j++) {
			r->plen = len[j];
			if (op == DELETE)
				fprintf(r->f, "delete %s inet zsec %s\n", m->kind,
				        name_of(m, gen, r->plen, name, sizeof(name)));
			else
				mirror(r, m, gen, op == FILL);
		}
	}
}

/* The staging transactions: the staged sets of generation gen, new, with
 * their elements (declared first, so that the delete finds them: a
 * leftover of a replacement that failed half-way goes too).  With a
 * batch, which takes every element, one transaction: a second would be
 * a process to wait for, with nothing to do. */
static void stage(struct render *r, unsigned gen)
{
	int k, n = r->batch ? 1 : STAGES;

	for (k = 1; k <= n; k++) {
		int which = r->batch ? 0 : k;   /* 0: every staged set */

		if (k > 1)
			fputs(BORDER_STAGE_MARK, r->f);
		fputs("table inet zsec {\n", r->f);
		staged(r, which, gen, DECLARE);
		fputs("}\n", r->f);
		staged(r, which, gen, DELETE);
		fputs("table inet zsec {\n", r->f);
		staged(r, which, gen, FILL);
		fputs("}\n", r->f);
	}
}

/* The end of the replacement: the staged sets of the generation the rules no
 * longer use, s's (declared first: there are none on a new table).  Its
 * source maps are those of the lengths set generation named, or, from a
 * zsecd of before the maps by length, one map of intervals per family. */
static void unstage(struct render *r, const struct border_state *s, unsigned gen)
{
	static const struct src_lengths none;
	const uint8_t *len;
	char name[64];
	size_t i, j, k, n;

	for (i = 0; i < N_MIRRORS; i++) {
		const struct mirror *m = &MIRRORS[i];

		if (!m->stage)
			continue;
		if (m->by_length && s && s->src_whole) {
			fprintf(r->f, "add %s inet zsec %s_%c { %s; flags interval; }\n"
			        "delete %s inet zsec %s_%c\n", m->kind, m->name, gen_suffix(gen),
			        m->spec[0], m->kind, m->name, gen_suffix(gen));
			continue;
		}
		n = instances(m, s ? &s->src : &none, &len);
		for (j = 0; j < n; j++) {
			name_of(m, gen, len[j], name, sizeof(name));
			fprintf(r->f, "add %s inet zsec %s {", m->kind, name);
			for (k = 0; k < 3 && m->spec[k]; k++)
				fprintf(r->f, " %s;", m->spec[k]);
			fprintf(r->f, " }\ndelete %s inet zsec %s\n", m->kind, name);
		}
	}
}

/* ---- the element lists, sorted ---- */

static int src_qcmp(const void *a, const void *b)
{
	return prefix_cmp(&((const struct src_elem *)a)->p, &((const struct src_elem *)b)->p);
}

static int gw_qcmp(const void *a, const void *b)
{
	return addr_cmp(&((const struct gw_elem *)a)->a, &((const struct gw_elem *)b)->a);
}

static int nat_qcmp(const void *a, const void *b)
{
	const struct nat_elem *x = a, *y = b;
	int c = prefix_cmp(&x->theirs, &y->theirs);

	return c ? c : prefix_cmp(&x->from, &y->from);
}

static int addr_qcmp(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

/* sorted, each address once; the new count */
static size_t addrs_unique(struct ipaddr *v, size_t n)
{
	size_t i, j;

	qsort(v, n, sizeof(*v), addr_qcmp);
	for (i = j = 0; i < n; i++)
		if (!j || addr_cmp(&v[j - 1], &v[i]))
			v[j++] = v[i];
	return j;
}

static int id_qcmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void *array(size_t n, size_t size)
{
	void *v = malloc((n ? n : 1) * size);

	if (!v) {
		fputs("zsec: out of memory\n", stderr);
		abort();
	}
	return v;
}

void src_lengths_of(const struct plan *p, struct src_lengths *out)
{
	bool seen[2][129] = { { false } };
	size_t i, j, k;
	int len;

	for (i = 0; i < p->n_partners; i++)
		for (j = 0; j < p->partners[i].n_prefixes; j++) {
			const struct prefix *x = &p->partners[i].prefixes[j];

			seen[x->addr.family == AF_INET6][x->len] = true;
		}
	for (k = 0; k < 2; k++)
		for (out->n[k] = 0, len = 128; len >= 0; len--)
			if (seen[k][len])
				out->len[k][out->n[k]++] = (uint8_t)len;
}

static void collect(struct render *r)
{
	const struct plan *p = r->p;
	size_t i, j, k, dir, cap_src = 0, cap_gw = 0, cap_nat = 0;
	size_t cap_ours = p->n_links + p->n_domain_prefixes;

	for (i = 0; i < p->n_partners; i++) {
		const struct plan_partner *b = &p->partners[i];

		cap_src += b->n_prefixes;
		cap_gw += b->n_gateways;
		cap_nat += b->n_prefixes * b->n_expose;
		cap_ours += 2 * b->n_expose;
	}
	r->src = array(cap_src, sizeof(*r->src));
	r->gw = array(cap_gw, sizeof(*r->gw));
	r->nat[0] = array(cap_nat, sizeof(*r->nat[0]));
	r->nat[1] = array(cap_nat, sizeof(*r->nat[1]));
	r->ours = array(cap_ours, sizeof(*r->ours));
	r->elements = array(p->n_links, sizeof(*r->elements));
	r->inside = array(p->n_links, sizeof(*r->inside));

	for (i = 0; i < p->n_partners; i++) {
		const struct plan_partner *b = &p->partners[i];
		uint32_t mark = r->l->profile[i] << PROFILE_SHIFT | r->l->id[i];

		for (j = 0; j < b->n_prefixes; j++)
			r->src[r->n_src++] = (struct src_elem){ b->prefixes[j], mark };
		uint32_t usual = b->ike.per_sec && same_limit(limit_of(0, &b->ike), r->l->ike_usual) ?
			MARK_IKE_USUAL : 0;

		for (j = 0; j < b->n_gateways; j++)
			r->gw[r->n_gw++] = (struct gw_elem){ b->gateways[j], usual | r->l->id[i], b->name };
		for (k = 0; k < b->n_expose; k++) {
			r->ours[r->n_ours++] = b->expose[k];
			r->ours[r->n_ours++] = b->present_as[k];
			/* present-as: only the pairs that are renumbered */
			if (!prefix_cmp(&b->expose[k], &b->present_as[k]))
				continue;
			for (j = 0; j < b->n_prefixes; j++) {
				if (b->prefixes[j].addr.family != b->expose[k].addr.family)
					continue;
				r->nat[0][r->n_nat[0]++] = (struct nat_elem){ b->prefixes[j],
					b->present_as[k], b->expose[k] };
				r->nat[1][r->n_nat[1]++] = (struct nat_elem){ b->prefixes[j],
					b->expose[k], b->present_as[k] };
			}
		}
	}
	for (i = 0; i < p->n_domain_prefixes; i++)
		r->ours[r->n_ours++] = p->domain_prefixes[i];
	for (i = 0; i < p->n_links; i++)
		if (p->links[i].kind == LINK_ZB) {
			r->elements[r->n_elements++] = p->links[i].remote;
			r->inside[r->n_inside++] = p->links[i].local;
			r->ours[r->n_ours++] = prefix_host(&p->links[i].remote);
		}
	qsort(r->src, r->n_src, sizeof(*r->src), src_qcmp);
	qsort(r->gw, r->n_gw, sizeof(*r->gw), gw_qcmp);
	for (dir = 0; dir < 2; dir++)
		qsort(r->nat[dir], r->n_nat[dir], sizeof(*r->nat[dir]), nat_qcmp);
	r->n_ours = prefixes_outermost(r->ours, r->n_ours);
	src_lengths_of(p, &r->lengths);
	/* a partner gateway or an address named twice is one element */
	for (i = j = 0; i < r->n_gw; i++)
		if (!j || addr_cmp(&r->gw[j - 1].a, &r->gw[i].a))
			r->gw[j++] = r->gw[i];
	r->n_gw = j;
	r->n_elements = addrs_unique(r->elements, r->n_elements);
	r->n_inside = addrs_unique(r->inside, r->n_inside);
}

static void release(struct render *r)
{
	free(r->src);
	free(r->gw);
	free(r->nat[0]);
	free(r->nat[1]);
	free(r->ours);
	free(r->elements);
	free(r->inside);
}

/* ---- the script ---- */

/* What set spoofed_sa4/6 counted through a gateway's SAs stays while the
 * gateway stays its partner's: not when the partner goes (its id is in
 * gone, n of them, sorted), nor when the address is another's or no
 * partner's gateway in the plan. */
static bool sa_count_stays(const struct render *r, const struct state_gateway *g,
                           const uint32_t *gone, size_t n)
{
	struct gw_elem key;
	const struct gw_elem *now;

	if (!addr_parse(g->addr, &key.a) || !r->n_gw ||
	    !(now = bsearch(&key, r->gw, r->n_gw, sizeof(*r->gw), gw_qcmp)))
		return false;
	return (now->value & MARK_ID) == g->id &&
	       !(n && bsearch(&g->id, gone, n, sizeof(*gone), id_qcmp));
}

/* ... and zeroed, by the same means as the counters by id.  Only
 * addresses go into the script (addr_parse): the listing zsecd read them
 * from is of its own table, but a script is no place to trust it. */
static void zero_sa_counters(struct render *r, const struct border_state *s,
                             const uint32_t *gone, size_t n)
{
	struct ipaddr a;
	const char *op;
	size_t i, k, m;

	for (k = 0; k < 2; k++)
		for (op = "add"; op; op = strcmp(op, "add") ? NULL : "delete") {
			for (i = m = 0; i < s->n_gateways; i++) {
				const struct state_gateway *g = &s->gateways[i];

				if (!addr_parse(g->addr, &a) || a.family != (k ? AF_INET6 : AF_INET) ||
				    sa_count_stays(r, g, gone, n))
					continue;
				if (!m++)
					fprintf(r->f, "%s element inet zsec %s { ", op, spoofed_sa_set[k]);
				else
					fputs(", ", r->f);
				fputs(g->addr, r->f);
			}
			if (m)
				fputs(" }\n", r->f);
		}
}

/* Step 3: the counters of partners that go are zeroed, as their id may
 * pass to a partner that comes.  Adding an element and deleting it again in
 * one transaction removes it whether or not a packet had added it, and no
 * packet can count under the id between the two: the rules that gave it
 * are replaced in the same transaction. */
static void zero_counters(struct render *r, const struct border_state *s)
{
	uint32_t *ids = array(s->n_names, sizeof(*ids));
	bool *stays = calloc(s->n_names + 1, sizeof(*stays));
	size_t i, k, n = 0;
	const char *op;

	if (!stays) {
		fputs("zsec: out of memory\n", stderr);
		abort();
	}
	for (i = 0; i < r->l->n; i++)
		if (r->l->kept_from[i])
			stays[r->l->kept_from[i] - s->names] = true;
	for (i = 0; i < s->n_names; i++)
		if (!stays[i])
			ids[n++] = s->names[i].id;
	free(stays);
	qsort(ids, n, sizeof(*ids), id_qcmp);
	for (k = 0; n && k < COUNTS; k++)
		for (op = "add"; op; op = strcmp(op, "add") ? NULL : "delete") {
			fprintf(r->f, "%s element inet zsec %s { ", op, count_set[k]);
			for (i = 0; i < n; i++)
				fprintf(r->f, "%s0x%08x", i ? ", " : "", ids[i]);
			fputs(" }\n", r->f);
		}
	zero_sa_counters(r, s, ids, n);
	free(ids);
}

static bool name_ok(const char *s)
{
	size_t i;

	if (!s || !s[0] || strlen(s) > 63)
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || (i && (s[i] == '-' || s[i] == '_'))))
			return false;
	return true;
}

static void finish(struct border_stats *st, const struct layout *l, size_t bytes,
                   size_t partners, size_t removed, double t0)
{
	if (!st)
		return;
	st->partners = partners;
	st->kept = l ? l->kept : 0;
	st->added = l ? l->added : 0;
	st->removed = l ? l->removed : removed;
	st->script_bytes = bytes;
	st->render_s = border_now() - t0;
}

char *border_render(const struct plan *p, const struct border_state *running,
                    struct border_stats *st, char *err, size_t len)
{
	return script_render(p, running, st, NULL, err, len);
}

char *script_render(const struct plan *p, const struct border_state *running,
                    struct border_stats *st, struct elem_batch *batch, char *err, size_t len)
{
	const struct border_state *s = running && running->table ? running : NULL;
	struct render r = { .p = p, .batch = batch };
	struct layout l;
	double t0 = border_now();
	char *buf = NULL;
	unsigned old, gen;
	size_t size = 0, i;

	if (!p || !p->n_partners) {
		/* no partners, no table */
		if (!(buf = strdup(s ? "delete table inet zsec\n" : "")))
			snprintf(err, len, "out of memory");
		finish(st, NULL, buf ? strlen(buf) : 0, 0, s ? s->n_names : 0, t0);
		return buf;
	}
	for (i = 0; i < p->n_partners; i++)
		if (!name_ok(p->partners[i].name)) {
			snprintf(err, len, "partner name '%s' cannot be written into nftables",
			         p->partners[i].name ? p->partners[i].name : "(none)");
			return NULL;
		}
	if (!layout_make(p, s, &l, err, len))
		return NULL;
	if (!(r.f = open_memstream(&buf, &size))) {
		layout_free(&l);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	r.l = &l;
	collect(&r);

	fprintf(r.f, "# table inet zsec: the Border Element rules of %s (%s), %zu partner%s.\n"
	        "# Written by zsecd (daemon/border): sets staged side by side, then replaced.\n"
	        "# In these chains the packet mark holds the partner's exposure profile\n"
	        "# (high 16 bits) and id (low 16 bits); docs/border.md explains it all.\n",
	        p->node, p->domain, p->n_partners, p->n_partners == 1 ? "" : "s");
	/* the generation the rules use now (0: none), and the one they will use */
	old = s ? s->gen : 0;
	gen = old % GEN_MAX + 1;
	stage(&r, gen);
	fputs(BORDER_CHECK_MARK "table inet zsec {\n", r.f);
	staged(&r, 0, gen, DECLARE);
	fputs("}\n" BORDER_SWAP_MARK, r.f);
	rules_declarations(r.f);
	fputs("flush table inet zsec\n", r.f);
	for (i = 0; i < N_MIRRORS; i++)
		if (!MIRRORS[i].stage)
			fprintf(r.f, "delete %s inet zsec %s\n", MIRRORS[i].kind, MIRRORS[i].name);
	for (i = 0; s && s->legacy && i < N_LEGACY; i++)
		fprintf(r.f, "delete %s inet zsec %s\n", LEGACY[i].kind, LEGACY[i].name);
	if (s)
		zero_counters(&r, s);
	fputs("table inet zsec {\n", r.f);
	for (i = 0; i < N_MIRRORS; i++)
		if (!MIRRORS[i].stage)
			mirror(&r, &MIRRORS[i], gen, true);
	fputc('\n', r.f);
	rules_chains(r.f, &l.ike_usual, &r.lengths, gen);
	fputs("}\n", r.f);
	unstage(&r, s, old);
	release(&r);
	if (fclose(r.f) || !buf) {
		free(buf);
		buf = NULL;
		snprintf(err, len, "out of memory");
	}
	finish(st, &l, buf ? size : 0, p->n_partners, 0, t0);
	layout_free(&l);
	return buf;
}
