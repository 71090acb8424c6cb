/* diff: the ordered change set between the running plan and a new one.
 * All three lists are sorted the same way in both plans, so one merge walk
 * each finds what was added, removed or changed: O(n) at any size. */
#include <stdlib.h>
#include <string.h>

#include "policy.h"

struct out {
	struct change *v;
	size_t n, cap;
};

static void push(struct out *o, enum change_op op, enum change_kind kind, const void *old,
                 const void *new)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		struct change *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			abort();
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = (struct change){ op, kind, old, new };
}

/* guards: additions (want_add) or removals */
static void diff_guards(struct out *o, const struct plan *a, const struct plan *b, bool want_add)
{
	size_t i = 0, j = 0;

	while (i < a->n_guards || j < b->n_guards) {
		int c = i == a->n_guards ? 1 : j == b->n_guards ? -1 :
		        plan_guard_cmp(&a->guards[i], &b->guards[j]);

		if (!c) {
			i++, j++;
		} else if (c < 0) {
			if (!want_add)
				push(o, CHANGE_REMOVE, CHANGE_GUARD, &a->guards[i], NULL);
			i++;
		} else {
			if (want_add)
				push(o, CHANGE_ADD, CHANGE_GUARD, NULL, &b->guards[j]);
			j++;
		}
	}
}

static void diff_partners(struct out *o, const struct plan *a, const struct plan *b)
{
	size_t i = 0, j = 0;

	while (i < a->n_partners || j < b->n_partners) {
		int c = i == a->n_partners ? 1 : j == b->n_partners ? -1 :
		        strcmp(a->partners[i].name, b->partners[j].name);

		if (!c) {
			if (!plan_partner_equal(&a->partners[i], &b->partners[j]))
				push(o, CHANGE_MODIFY, CHANGE_PARTNER, &a->partners[i], &b->partners[j]);
			i++, j++;
		} else if (c < 0) {
			push(o, CHANGE_REMOVE, CHANGE_PARTNER, &a->partners[i++], NULL);
		} else {
			push(o, CHANGE_ADD, CHANGE_PARTNER, NULL, &b->partners[j++]);
		}
	}
}

/* the domain's prefixes, which the Border Element rules keep from strangers */
static void diff_domain(struct out *o, const struct plan *a, const struct plan *b)
{
	if (plan_domain_prefixes_equal(a, b))
		return;
	if (!a->n_domain_prefixes)
		push(o, CHANGE_ADD, CHANGE_DOMAIN, NULL, b);
	else if (!b->n_domain_prefixes)
		push(o, CHANGE_REMOVE, CHANGE_DOMAIN, a, NULL);
	else
		push(o, CHANGE_MODIFY, CHANGE_DOMAIN, a, b);
}

/* links of one operation: new links first, then changed, then removed
 * (make before break) */
static void diff_links(struct out *o, const struct plan *a, const struct plan *b, enum change_op op)
{
	size_t i = 0, j = 0;

	while (i < a->n_links || j < b->n_links) {
		int c = i == a->n_links ? 1 : j == b->n_links ? -1 :
		        strcmp(a->links[i].name, b->links[j].name);

		if (!c) {
			if (op == CHANGE_MODIFY && !plan_link_equal(&a->links[i], &b->links[j]))
				push(o, CHANGE_MODIFY, CHANGE_LINK, &a->links[i], &b->links[j]);
			i++, j++;
		} else if (c < 0) {
			if (op == CHANGE_REMOVE)
				push(o, CHANGE_REMOVE, CHANGE_LINK, &a->links[i], NULL);
			i++;
		} else {
			if (op == CHANGE_ADD)
				push(o, CHANGE_ADD, CHANGE_LINK, NULL, &b->links[j]);
			j++;
		}
	}
}

void plan_diff(const struct plan *old, const struct plan *new, struct plan_diff *out)
{
	struct out o = { 0 };
	static const struct plan empty;

	if (!old)
		old = &empty;
	diff_guards(&o, old, new, true);
	diff_partners(&o, old, new);
	diff_domain(&o, old, new);
	diff_links(&o, old, new, CHANGE_ADD);
	diff_links(&o, old, new, CHANGE_MODIFY);
	diff_links(&o, old, new, CHANGE_REMOVE);
	diff_guards(&o, old, new, false);
	out->v = o.v;
	out->n = o.n;
}

void plan_diff_free(struct plan_diff *d)
{
	free(d->v);
	d->v = NULL;
	d->n = 0;
}
