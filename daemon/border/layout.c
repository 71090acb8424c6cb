/* layout: the numbers the table is keyed by.  A partner id stays with its
 * name for as long as the table holds it, so its counters and token buckets
 * survive a replacement; an exposure profile is what partners with the same
 * presented prefixes share, so the table holds each such list once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int prefix_qcmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

size_t prefixes_outermost(struct prefix *v, size_t n)
{
	size_t i, k = 0;

	if (n)
		qsort(v, n, sizeof(*v), prefix_qcmp);
	/* sorted by address, then length: an outer prefix comes before the
	 * prefixes inside it, and prefixes either nest or are disjoint */
	for (i = 0; i < n; i++)
		if (!k || !prefix_within(&v[i], &v[k - 1]))
			v[k++] = v[i];
	return k;
}

/* ---- ids ---- */

static void use(uint8_t *used, uint32_t id)
{
	if (id && id <= BORDER_MAX_PARTNERS)
		used[id / 8] |= (uint8_t)(1u << (id % 8));
}

static bool is_used(const uint8_t *used, uint32_t id)
{
	return used[id / 8] & (1u << (id % 8));
}

static bool assign_ids(const struct plan *p, const struct border_state *s, struct layout *l,
                       char *err, size_t len)
{
	uint8_t *used = calloc((BORDER_MAX_PARTNERS + 1) / 8 + 1, 1);
	uint32_t next = 1, id;
	size_t i, k = 0;

	if (!used) {
		snprintf(err, len, "out of memory");
		return false;
	}
	for (i = 0; i < l->n && s; i++) {
		const struct state_name *nm = state_name_find(s, p->partners[i].name);

		if (nm && nm->id && nm->id <= BORDER_MAX_PARTNERS && !is_used(used, nm->id)) {
			l->id[i] = nm->id;
			l->kept_from[i] = nm;
			use(used, nm->id);
			l->kept++;
		}
	}
	if (s)
		l->removed = s->n_names - l->kept;
	/* The id of a partner that goes may pass to one that comes: the
	 * script zeroes the counters of both (ruleset.c). */
	for (i = 0; i < l->n; i++) {
		if (l->id[i])
			continue;
		while (next <= BORDER_MAX_PARTNERS && is_used(used, next))
			next++;
		/* cannot run out: there are no more partners than ids */
		l->id[i] = next;
		use(used, next);
		l->added++;
	}
	/* by_id: an index of partners sorted by id */
	{
		uint32_t *pos = calloc(BORDER_MAX_PARTNERS + 1, sizeof(*pos));

		if (!pos) {
			free(used);
			snprintf(err, len, "out of memory");
			return false;
		}
		for (i = 0; i < l->n; i++)
			pos[l->id[i]] = (uint32_t)i + 1;
		for (id = 1, k = 0; id <= BORDER_MAX_PARTNERS; id++)
			if (pos[id])
				l->by_id[k++] = pos[id] - 1;
		free(pos);
	}
	free(used);
	return true;
}

/* ---- exposure profiles ---- */

struct exposure {
	size_t partner;
	struct prefix *v;
	size_t n;
};

static int exposure_cmp(const struct exposure *a, const struct exposure *b)
{
	size_t i;
	int c;

	for (i = 0; i < a->n && i < b->n; i++)
		if ((c = prefix_cmp(&a->v[i], &b->v[i])))
			return c;
	return (a->n > b->n) - (a->n < b->n);
}

static int exposure_qcmp(const void *a, const void *b)
{
	int c = exposure_cmp(a, b);
	const struct exposure *x = a, *y = b;

	return c ? c : (x->partner > y->partner) - (x->partner < y->partner);
}

static bool assign_profiles(const struct plan *p, struct layout *l, char *err, size_t len)
{
	struct exposure *e = calloc(l->n ? l->n : 1, sizeof(*e));
	size_t i;

	l->presented = calloc(l->n ? l->n : 1, sizeof(*l->presented));
	l->n_presented = calloc(l->n ? l->n : 1, sizeof(*l->n_presented));
	if (!e || !l->presented || !l->n_presented) {
		free(e);
		snprintf(err, len, "out of memory");
		return false;
	}
	for (i = 0; i < l->n; i++) {
		const struct plan_partner *b = &p->partners[i];

		e[i].partner = i;
		e[i].v = malloc((b->n_expose ? b->n_expose : 1) * sizeof(*e[i].v));
		if (!e[i].v) {
			for (; i > 0; i--)
				free(e[i - 1].v);
			free(e);
			snprintf(err, len, "out of memory");
			return false;
		}
		memcpy(e[i].v, b->present_as, b->n_expose * sizeof(*e[i].v));
		e[i].n = prefixes_outermost(e[i].v, b->n_expose);
	}
	/* numbered in the order of their lists: deterministic */
	if (l->n)
		qsort(e, l->n, sizeof(*e), exposure_qcmp);
	for (i = 0; i < l->n; i++) {
		struct exposure last = { .v = i ? l->presented[l->n_profiles - 1] : NULL,
		                         .n = i ? l->n_presented[l->n_profiles - 1] : 0 };

		if (!i || exposure_cmp(&last, &e[i])) {
			l->presented[l->n_profiles] = e[i].v;
			l->n_presented[l->n_profiles] = e[i].n;
			l->n_profiles++;
		} else {
			free(e[i].v);
		}
		l->profile[e[i].partner] = (uint32_t)l->n_profiles;
	}
	free(e);
	return true;
}

static int limit_qcmp(const void *a, const void *b)
{
	const struct state_limit *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate < y->rate ? -1 : 1;
	return (x->burst > y->burst) - (x->burst < y->burst);
}

/* The IKE limit of most partners; of equally many, the smallest. */
static void usual_ike(const struct plan *p, struct layout *l)
{
	struct state_limit *v = calloc(l->n ? l->n : 1, sizeof(*v));
	size_t i, j, n = 0, best = 0;

	if (!v)
		return;                 /* no usual limit: every one gets an element */
	for (i = 0; i < l->n; i++)
		if (p->partners[i].ike.per_sec)
			v[n++] = limit_of(0, &p->partners[i].ike);
	if (n)
		qsort(v, n, sizeof(*v), limit_qcmp);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && !limit_qcmp(&v[i], &v[j]); j++)
			;
		if (j - i > best) {
			best = j - i;
			l->ike_usual = v[i];
		}
	}
	free(v);
}

bool layout_make(const struct plan *p, const struct border_state *running, struct layout *l,
                 char *err, size_t len)
{
	memset(l, 0, sizeof(*l));
	l->n = p ? p->n_partners : 0;
	if (l->n > BORDER_MAX_PARTNERS) {
		snprintf(err, len, "%zu partners: the Border Element table holds at most %u",
		         l->n, BORDER_MAX_PARTNERS);
		return false;
	}
	l->id = calloc(l->n ? l->n : 1, sizeof(*l->id));
	l->profile = calloc(l->n ? l->n : 1, sizeof(*l->profile));
	l->kept_from = calloc(l->n ? l->n : 1, sizeof(*l->kept_from));
	l->by_id = calloc(l->n ? l->n : 1, sizeof(*l->by_id));
	if (!l->id || !l->profile || !l->kept_from || !l->by_id) {
		snprintf(err, len, "out of memory");
		layout_free(l);
		return false;
	}
	if (!assign_ids(p, running, l, err, len) || !assign_profiles(p, l, err, len)) {
		layout_free(l);
		return false;
	}
	usual_ike(p, l);
	return true;
}

void layout_free(struct layout *l)
{
	size_t i;

	for (i = 0; l->presented && i < l->n_profiles; i++)
		free(l->presented[i]);
	free(l->presented);
	free(l->n_presented);
	free(l->id);
	free(l->profile);
	free(l->kept_from);
	free(l->by_id);
	memset(l, 0, sizeof(*l));
}

struct state_limit limit_of(uint32_t id, const struct plan_rate *r)
{
	/* No burst in the file: a tenth of a second's worth, and at least
	 * nftables' own default of 5 packets. */
	uint32_t burst = r->burst;

	if (!burst)
		burst = r->per_sec / 10 < 5 ? 5 : r->per_sec / 10;
	return (struct state_limit){ .id = id, .rate = r->per_sec, .burst = burst };
}
