/* state: what the running table holds that a replacement or zsecctl status
 * needs: the generation of its staged sets (set generation's comment),
 * which id each partner has (the comments of the gateway maps) and,
 * for status, the counting sets.  Read from libnftables' JSON listings, one
 * set at a time: libnftables 1.0.6 fetches every set of the table for a
 * listing of the table, its sets or its counters (0.15 s with 10,000
 * partners), and only the one asked for by `list set` (a few ms). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

double border_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The generation a comment names; 0 if it names none (a table of an older
 * zsecd, or changed by hand) */
static unsigned gen_of(const char *s)
{
	char *end;
	unsigned long g = strtoul(s, &end, 10);

	return *s >= '0' && *s <= '9' && !*end && g <= GEN_MAX ? (unsigned)g : 0;
}

static int name_qcmp(const void *a, const void *b)
{
	const struct state_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int count_qcmp(const void *a, const void *b)
{
	const struct state_count *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int gateway_qcmp(const void *a, const void *b)
{
	return strcmp(((const struct state_gateway *)a)->addr,
	              ((const struct state_gateway *)b)->addr);
}

static int name_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct state_name *)elem)->name);
}

const struct state_name *state_name_find(const struct border_state *s, const char *name)
{
	if (!s->n_names)
		return NULL;
	return bsearch(name, s->names, s->n_names, sizeof(*s->names), name_key_cmp);
}

uint32_t state_gateway_id(const struct border_state *s, const char *addr)
{
	const struct state_gateway key = { .addr = addr }, *g = NULL;

	if (s->n_gateways)
		g = bsearch(&key, s->gateways, s->n_gateways, sizeof(*g), gateway_qcmp);
	return g ? g->id : 0;
}

static size_t count_items(const struct json *a)
{
	size_t n = 0;

	for (a = a ? a->child : NULL; a; a = a->next)
		n++;
	return n;
}

static uint32_t number(const struct json *j)
{
	unsigned long long v;
	char *end;

	if (!j || j->type != JSON_NUMBER || j->str[0] == '-')
		return 0;
	v = strtoull(j->str, &end, 10);
	return !*end && v <= UINT32_MAX ? (uint32_t)v : 0;
}

/* The set or map object of one `nft -j list set|map` document. */
static const struct json *listed(const struct json *doc, const char *kind)
{
	const struct json *o;

	for (o = json_get(doc, "nftables"), o = o ? o->child : NULL; o; o = o->next)
		if (json_get(o, kind))
			return json_get(o, kind);
	return NULL;
}

/* Gateway map elements: [{"elem": {"val": ADDR, "comment": NAME}}, VALUE];
 * one name per entry (a partner with two gateways has one id: the caller
 * keeps one), and every gateway with its partner's id. */
static void read_names(struct border_state *s, const struct json *map)
{
	const struct json *it, *elems = json_get(map, "elem");

	for (it = elems ? elems->child : NULL; it; it = it->next) {
		const struct json *key = it->type == JSON_ARRAY ? it->child : NULL;
		const struct json *val = key ? key->next : NULL;
		const char *name = key ? json_str(json_get(key, "elem"), "comment") : NULL;
		const char *addr = key ? json_str(json_get(key, "elem"), "val") : NULL;
		uint32_t id = number(val) & MARK_ID;  /* the high half: MARK_IKE_USUAL */

		if (!name || !id)
			continue;
		s->names[s->n_names++] = (struct state_name){ id, arena_strdup(s->arena, name) };
		if (addr)
			s->gateways[s->n_gateways++] = (struct state_gateway){
				.addr = arena_strdup(s->arena, addr), .id = id };
	}
}

/* Set spoofed_sa4/6's elements: {"elem": {"val": ADDR, "counter": {...}}} */
static void read_sa_counts(struct border_state *s, const struct json *set)
{
	const struct json *it, *elems = json_get(set, "elem");

	for (it = elems ? elems->child : NULL; it; it = it->next) {
		const struct json *e = json_get(it, "elem"), *ctr = json_get(e, "counter");
		const char *addr = json_str(e, "val");

		if (addr)
			s->sa_counts[s->n_sa_counts++] = (struct state_gateway){
				.addr = arena_strdup(s->arena, addr),
				.c = { json_u64(ctr, "packets"), json_u64(ctr, "bytes") } };
	}
}

/* grows an arena array of n elements of size sz by the items of list a */
static void *grown(struct border_state *s, void *v, size_t n, size_t sz, const struct json *a)
{
	void *w = arena_array(s->arena, n + count_items(a) + 1, sz);

	if (n)
		memcpy(w, v, n * sz);
	return w;
}

/* Counting set elements: {"elem": {"val": ID, "counter": {...}}}. */
static void read_counts(struct border_state *s, size_t k, const struct json *set)
{
	const struct json *it, *elems = json_get(set, "elem");

	s->counts[k] = arena_array(s->arena, count_items(elems) + 1, sizeof(**s->counts));
	for (it = elems ? elems->child : NULL; it; it = it->next) {
		const struct json *e = json_get(it, "elem"), *ctr = json_get(e, "counter");
		struct state_count *c = &s->counts[k][s->n_counts[k]];

		c->id = e ? number(json_get(e, "val")) : number(it);
		c->c.packets = json_u64(ctr, "packets");
		c->c.bytes = json_u64(ctr, "bytes");
		s->n_counts[k]++;
	}
	qsort(s->counts[k], s->n_counts[k], sizeof(**s->counts), count_qcmp);
}

/* Set generation's elements: the lengths of the source maps (ruleset.c);
 * none from a zsecd of before the maps by length (src_whole). */
static void read_lengths(struct border_state *s, const struct json *set)
{
	const struct json *it, *elems = json_get(set, "elem");
	size_t k;

	for (it = elems ? elems->child : NULL; it; it = it->next)
		for (k = 0; k < 2; k++) {
			uint32_t v = number(it), len = v & 0xff;

			if (v == SRC_LENGTH_ELEM(k, len) && len <= (k ? 128u : 32u) &&
			    s->src.n[k] < sizeof(s->src.len[k]))
				s->src.len[k][s->src.n[k]++] = (uint8_t)len;
		}
	s->src_whole = !s->src.n[0] && !s->src.n[1];
}

struct border_state *state_new(void)
{
	struct arena *a = arena_new();
	struct border_state *s = arena_alloc(a, sizeof(*s));

	s->arena = a;
	return s;
}

/* The generation from set generation's comment (or legacy gateways4's),
 * names from the gateway maps, counters from the counting sets. */
bool state_add(struct border_state *s, const char *name, const char *json, char *err, size_t len)
{
	bool map = !strncmp(name, "gateways", 8);
	const struct json *doc = json_parse(s->arena, json, NULL, err, len), *obj, *elems;
	const char *c;
	size_t i, j, k;

	if (!doc)
		return false;
	if (!(obj = listed(doc, map ? "map" : "set"))) {
		snprintf(err, len, "nftables listed no %s %s", map ? "map" : "set", name);
		return false;
	}
	s->table = true;
	c = json_str(obj, "comment");
	if (c && !strncmp(c, STATE_GEN_COMMENT, strlen(STATE_GEN_COMMENT)))
		s->gen = gen_of(c + strlen(STATE_GEN_COMMENT));
	if (!strcmp(name, "generation")) {
		read_lengths(s, obj);
		return true;
	}
	if (map) {
		elems = json_get(obj, "elem");
		s->names = grown(s, s->names, s->n_names, sizeof(*s->names), elems);
		s->gateways = grown(s, s->gateways, s->n_gateways, sizeof(*s->gateways), elems);
		read_names(s, obj);
		qsort(s->names, s->n_names, sizeof(*s->names), name_qcmp);
		qsort(s->gateways, s->n_gateways, sizeof(*s->gateways), gateway_qcmp);
		/* a partner with two gateways: one name, one id */
		for (i = j = 0; i < s->n_names; i++)
			if (!j || strcmp(s->names[j - 1].name, s->names[i].name))
				s->names[j++] = s->names[i];
		s->n_names = j;
		/* a gateway in the maps of both generations: once (ruleset.c
		 * deletes what it counted by address, and twice would fail) */
		for (i = j = 0; i < s->n_gateways; i++)
			if (!j || strcmp(s->gateways[j - 1].addr, s->gateways[i].addr))
				s->gateways[j++] = s->gateways[i];
		s->n_gateways = j;
		return true;
	}
	for (k = 0; k < COUNTS; k++)
		if (!strcmp(name, count_set[k])) {
			read_counts(s, k, obj);
			return true;
		}
	for (k = 0; k < 2; k++)
		if (!strcmp(name, spoofed_sa_set[k])) {
			elems = json_get(obj, "elem");
			s->sa_counts = grown(s, s->sa_counts, s->n_sa_counts, sizeof(*s->sa_counts),
			                     elems);
			read_sa_counts(s, obj);
			return true;
		}
	snprintf(err, len, "%s is no counting set", name);
	return false;
}

/* One listing into s; *found false when it does not exist. */
static bool list(struct border_state *s, const char *kind, const char *name, bool *found,
                 char *err, size_t len)
{
	char cmd[128], *text;
	bool missing, ok;

	snprintf(cmd, sizeof(cmd), "list %s inet " BORDER_TABLE " %s", kind, name);
	*found = false;
	if (!nft_list(cmd, &text, &missing, err, len))
		return false;
	if (missing)
		return true;
	ok = state_add(s, name, text, err, len);
	free(text);
	return *found = ok;
}

struct border_state *state_read(bool counts, char *err, size_t len)
{
	static const char *const gateways[] = { "gateways4", "gateways6" };
	struct border_state *s = state_new();
	char name[32];
	bool found;
	size_t i, k;
	char g;

	/* the table exists if its set generation does: zsec writes it always */
	if (!list(s, "set", "generation", &found, err, len))
		goto fail;
	if (!found) {
		/* or, legacy, if map gateways4 does (the generation in its comment) */
		for (i = 0; i < 2; i++)
			if (!list(s, "map", gateways[i], &found, err, len))
				goto fail;
		s->legacy = s->table;
		if (!s->table)
			return s;       /* no table */
	}
	/* the gateway maps the rules use; both generations if that is unknown */
	for (i = 0; i < 2 && !s->legacy; i++)
		for (g = 'a'; g <= 'b'; g++) {
			if (s->gen && g != gen_suffix(s->gen))
				continue;
			snprintf(name, sizeof(name), "%s_%c", gateways[i], g);
			if (!list(s, "map", name, &found, err, len))
				goto fail;
		}
	for (k = 0; counts && k < COUNTS; k++)
		if (!list(s, "set", count_set[k], &found, err, len))
			goto fail;
	/* (absent from a table of an older zsecd until its next replacement) */
	for (k = 0; counts && k < 2; k++)
		if (!list(s, "set", spoofed_sa_set[k], &found, err, len))
			goto fail;
	return s;
fail:
	border_state_free(s);
	return NULL;
}

struct border_state *border_state_read(char *err, size_t len)
{
	return state_read(false, err, len);
}

struct border_state *border_state_of(const struct plan *p, char *err, size_t len)
{
	struct border_state *s;
	struct layout l;
	struct arena *a;
	char buf[ADDR_STRLEN];
	size_t i, j, n;

	if (!layout_make(p, NULL, &l, err, len))
		return NULL;
	a = arena_new();
	s = arena_alloc(a, sizeof(*s));
	s->arena = a;
	s->table = p && p->n_partners;
	s->gen = 1;                     /* what the first apply makes */
	src_lengths_of(p, &s->src);
	s->names = arena_array(a, l.n + 1, sizeof(*s->names));
	for (i = n = 0; i < l.n; i++) {
		s->names[s->n_names++] = (struct state_name){ l.id[i],
			arena_strdup(a, p->partners[i].name) };
		n += p->partners[i].n_gateways;
	}
	qsort(s->names, s->n_names, sizeof(*s->names), name_qcmp);
	s->gateways = arena_array(a, n + 1, sizeof(*s->gateways));
	for (i = 0; i < l.n; i++)
		for (j = 0; j < p->partners[i].n_gateways; j++)
			s->gateways[s->n_gateways++] = (struct state_gateway){ .id = l.id[i],
				.addr = arena_strdup(a, addr_str(&p->partners[i].gateways[j], buf)) };
	qsort(s->gateways, s->n_gateways, sizeof(*s->gateways), gateway_qcmp);
	layout_free(&l);
	return s;
}

void border_state_free(struct border_state *s)
{
	if (s)
		arena_free(s->arena);
}
