/* counters: the running table's counters, per partner name.  The counting
 * sets are keyed by partner id; set partners says whose id is whose. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const names[BORDER_REASONS] = {
	[BORDER_NOT_EXPOSED] = "not exposed",
	[BORDER_SPOOFED] = "spoofed source",
	[BORDER_ICMP_HIDDEN] = "ICMP hidden",
	[BORDER_IKE_UNKNOWN] = "IKE from unknown source",
	[BORDER_IKE_OVER_LIMIT] = "IKE over limit",
	[BORDER_PACKETS_OVER_LIMIT] = "packets over limit",
	[BORDER_SIP_OVER_LIMIT] = "SIP over limit",
	[BORDER_IP_OPTIONS] = "IP options",
};

const char *border_reason_name(enum border_reason r)
{
	return r < BORDER_REASONS ? names[r] : "?";
}

const char *border_reason_key(enum border_reason r)
{
	/* the JSON key is the name of the reason's counting set */
	return r < BORDER_REASONS ? count_set[r] : "?";
}

static int count_qcmp(const void *a, const void *b)
{
	const struct state_count *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static struct border_count count_of(const struct border_state *s, size_t k, uint32_t id)
{
	struct state_count key = { .id = id }, *c;

	if (!s->n_counts[k])
		return (struct border_count){ 0, 0 };
	c = bsearch(&key, s->counts[k], s->n_counts[k], sizeof(key), count_qcmp);
	return c ? c->c : (struct border_count){ 0, 0 };
}

struct id_index {
	uint32_t id;
	size_t i;                       /* in s->names */
};

static int id_index_qcmp(const void *a, const void *b)
{
	const struct id_index *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* What set spoofed_sa4/6 counted through a gateway's SAs is spoofed by the
 * partner whose gateway it is, or by the border (no partner's gateway: an
 * element's, or a partner's just removed).  by_id: s->names by id. */
static void add_spoofed_sa(const struct border_state *s, const struct id_index *by_id,
                           struct border_counter *v, const struct state_gateway *sa)
{
	struct id_index key = { .id = state_gateway_id(s, sa->addr) }, *x = NULL;
	struct border_count *c;

	if (key.id && s->n_names)
		x = bsearch(&key, by_id, s->n_names, sizeof(*by_id), id_index_qcmp);
	c = &v[x ? x->i : s->n_names].dropped[BORDER_SPOOFED];
	c->packets += sa->c.packets;
	c->bytes += sa->c.bytes;
}

bool counters_of(const struct border_state *s, struct border_counter **out, size_t *n,
                 char *err, size_t len)
{
	struct border_counter *v;
	struct id_index *by_id;
	size_t i, k;

	*out = NULL;
	*n = 0;
	if (!s->table)
		return true;
	if (!(v = calloc(s->n_names + 1, sizeof(*v)))) {
		snprintf(err, len, "out of memory");
		return false;
	}
	/* s->names is sorted by name; the border itself (id 0) comes last */
	for (i = 0; i <= s->n_names; i++) {
		uint32_t id = i < s->n_names ? s->names[i].id : 0;

		if (i < s->n_names)
			snprintf(v[i].partner, sizeof(v[i].partner), "%s", s->names[i].name);
		v[i].accepted = count_of(s, COUNT_ACCEPTED, id);
		for (k = 0; k < BORDER_REASONS; k++)
			v[i].dropped[k] = count_of(s, k, id);
	}
	if (s->n_sa_counts) {
		if (!(by_id = calloc(s->n_names + 1, sizeof(*by_id)))) {
			free(v);
			snprintf(err, len, "out of memory");
			return false;
		}
		for (i = 0; i < s->n_names; i++)
			by_id[i] = (struct id_index){ s->names[i].id, i };
		qsort(by_id, s->n_names, sizeof(*by_id), id_index_qcmp);
		for (i = 0; i < s->n_sa_counts; i++)
			add_spoofed_sa(s, by_id, v, &s->sa_counts[i]);
		free(by_id);
	}
	*out = v;
	*n = s->n_names + 1;
	return true;
}

bool border_counters(struct border_counter **out, size_t *n, char *err, size_t len)
{
	struct border_state *s = state_read(true, err, len);
	bool ok;

	*out = NULL;
	*n = 0;
	if (!s)
		return false;
	ok = counters_of(s, out, n, err, len);
	border_state_free(s);
	return ok;
}
