/* guard: reconciles the kernel's zsec entries with a plan, in the order that
 * never leaves a hole: additions and in-place updates first (guard_begin),
 * removals last (guard_commit), once charon holds the plan that no longer
 * needs them.  A refused addition undoes the whole step. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

struct guard *guard_open(char *err, size_t len)
{
	struct guard *g = calloc(1, sizeof(*g));

	if (!g) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	g->watch_fd = -1;
	if (!xfrm_open(g, err, len)) {
		guard_close(g);
		return NULL;
	}
	return g;
}

/* Forgets what the last guard_begin did: nothing left to commit or undo. */
static void forget(struct guard *g)
{
	free(g->added);
	free(g->replaced);
	free(g->stale);
	g->added = g->replaced = g->stale = NULL;
	g->n_added = g->n_replaced = g->n_stale = 0;
}

void guard_close(struct guard *g)
{
	if (!g)
		return;
	forget(g);
	guard_unwatch(g);
	xfrm_close(g);
	free(g);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void refused(char *err, size_t len, const char *what, const struct guard_entry *v,
                    const struct xfrm_result *r)
{
	char buf[GUARD_ENTRY_STRLEN];

	if (r->lost) {
		snprintf(err, len, "%s: %s", what, r->reason);
		return;
	}
	snprintf(err, len, "the kernel refused to %s %s: %s%s%s%s (%zu refused)", what,
	         guard_entry_str(&v[r->first], buf), strerror(r->error),
	         r->reason[0] ? " (" : "", r->reason, r->reason[0] ? ")" : "", r->failed);
}

bool guard_dump(struct guard *g, struct guard_entry **out, size_t *n, size_t *foreign,
                char *err, size_t len)
{
	if (!xfrm_dump(g, out, n, foreign, err, len))
		return false;
	guard_sort(*out, *n);
	return true;
}

/* Puts back what the last guard_begin changed: the entries it replaced get
 * their old action and priority, and the ones it added go, by their kernel
 * index.  The kernel is read again first, so only entries that are zsec's
 * and were added are removed: never an entry someone else holds with the
 * same selector and mark. */
static bool undo(struct guard *g, size_t *undone, char *err, size_t len)
{
	struct guard_entry *cur = NULL, *gone = NULL;
	size_t n_cur, n_gone = 0, i = 0, j = 0;
	struct xfrm_result r;
	bool ok = false;

	*undone = 0;
	if (!g->n_added && !g->n_replaced)
		return true;
	if (!xfrm_write(g, XFRM_UPDATE, g->replaced, g->n_replaced, &r)) {
		refused(err, len, "restore", g->replaced, &r);
		return false;
	}
	*undone += g->n_replaced;
	if (!guard_dump(g, &cur, &n_cur, NULL, err, len))
		return false;
	gone = malloc((n_cur ? n_cur : 1) * sizeof(*gone));
	if (!gone) {
		snprintf(err, len, "out of memory");
		goto out;
	}
	while (i < n_cur && j < g->n_added) {
		int c = guard_key_cmp(&cur[i].key, &g->added[j].key);

		if (!c)
			gone[n_gone++] = cur[i];
		i += c <= 0;
		j += c >= 0;
	}
	if (!xfrm_write(g, XFRM_REMOVE, gone, n_gone, &r)) {
		refused(err, len, "remove", gone, &r);
		goto out;
	}
	*undone += n_gone;
	ok = true;
out:
	free(cur);
	free(gone);
	return ok;
}

/* The entries p wants and the stale ones of an open guard_begin whose keys
 * p does not have, sorted by key.  Until guard_commit or guard_rollback
 * charon may run either plan (zsecd waits for its answer, or it went away
 * before giving one), so what either plan wants stays; guard_begin itself
 * comes with no stale entry (it forgets them first). */
static bool wanted(const struct guard *g, const struct plan *p, struct guard_entry **out,
                   size_t *n)
{
	struct guard_entry *v, *want;
	size_t n_want, i = 0, j = 0, k = 0;

	if (!guard_expand(p, &want, &n_want))
		return false;
	if (!g->n_stale) {
		*out = want;
		*n = n_want;
		return true;
	}
	v = malloc((n_want + g->n_stale) * sizeof(*v));
	if (!v) {
		free(want);
		return false;
	}
	while (i < n_want || j < g->n_stale) {
		int c = i == n_want ? 1 : j == g->n_stale ? -1 :
		        guard_key_cmp(&want[i].key, &g->stale[j].key);

		if (c <= 0) {
			v[k++] = want[i++];
			j += c == 0;
		} else if (g->stale[j].extra) {
			j++;            /* not what zsec writes: never put back */
		} else {
			v[k] = g->stale[j++];
			v[k++].index = 0;
		}
	}
	free(want);
	*out = v;
	*n = k;
	return true;
}

/* What takes the kernel's entries to wanted(p), into d; st zeroed and
 * filled. */
static bool diff_with_kernel(struct guard *g, const struct plan *p, struct guard_stats *st,
                             struct guard_diff *d, char *err, size_t len)
{
	struct guard_entry *have = NULL, *want = NULL;
	size_t n_have = 0, n_want = 0;
	bool ok;
	double t = now();

	memset(st, 0, sizeof(*st));
	memset(d, 0, sizeof(*d));
	if (!guard_dump(g, &have, &n_have, &st->foreign, err, len))
		return false;
	st->present = n_have;
	st->dump_s = now() - t;
	t = now();
	ok = wanted(g, p, &want, &n_want) && guard_diff(have, n_have, want, n_want, d);
	if (!ok)
		snprintf(err, len, "out of memory");
	st->wanted = n_want;
	st->kept = d->n_keep;
	st->diff_s = now() - t;
	free(have);
	free(want);
	return ok;
}

bool guard_begin(struct guard *g, const struct plan *p, struct guard_stats *st,
                 char *err, size_t len)
{
	struct guard_stats local;
	struct guard_diff d;
	struct xfrm_result r;
	char why[256];
	bool ok = false;
	double t;

	if (!st)
		st = &local;
	forget(g);
	if (!diff_with_kernel(g, p, st, &d, err, len))
		goto out;
	t = now();

	/* the undo list is complete before the first write */
	g->added = d.add;
	g->n_added = d.n_add;
	g->replaced = d.update_old;
	g->n_replaced = d.n_update;
	d.add = d.update_old = NULL;
	if (!xfrm_write(g, XFRM_ADD, g->added, g->n_added, &r)) {
		refused(err, len, "add", g->added, &r);
		g->n_replaced = 0;      /* none replaced yet */
		goto undo;
	}
	if (!xfrm_write(g, XFRM_UPDATE, d.update, d.n_update, &r)) {
		refused(err, len, "update", d.update, &r);
		goto undo;
	}
	st->added = g->n_added;
	st->updated = g->n_replaced;
	g->stale = d.remove;
	g->n_stale = d.n_remove;
	d.remove = NULL;
	st->write_s = now() - t;
	ok = true;
	goto out;
undo:
	if (!undo(g, &st->undone, why, sizeof(why))) {
		size_t n = strlen(err);

		st->undo_failed = true;
		snprintf(err + n, len - n, "; undoing it failed too: %s", why);
	}
	forget(g);
out:
	guard_diff_free(&d);
	return ok;
}

bool guard_repair(struct guard *g, const struct plan *p, bool remove, struct guard_stats *st,
                  char *err, size_t len)
{
	struct guard_stats local;
	struct guard_diff d;
	struct xfrm_result r[3];
	bool ok = false;
	double t;

	if (!st)
		st = &local;
	if (!diff_with_kernel(g, p, st, &d, err, len))
		goto out;
	t = now();
	/* every write tried, whatever the one before did: the first refusal
	 * is the one told */
	ok = xfrm_write(g, XFRM_REPAIR, d.add, d.n_add, &r[0]);
	if (!ok)
		refused(err, len, "put back", d.add, &r[0]);
	if (!xfrm_write(g, XFRM_REPAIR, d.update, d.n_update, &r[1]) && ok) {
		refused(err, len, "update", d.update, &r[1]);
		ok = false;
	}
	if (!xfrm_write(g, XFRM_REMOVE, d.remove, remove ? d.n_remove : 0, &r[2]) && ok) {
		refused(err, len, "remove", d.remove, &r[2]);
		ok = false;
	}
	st->added = r[0].lost ? 0 : d.n_add - r[0].failed;
	st->updated = r[1].lost ? 0 : d.n_update - r[1].failed;
	st->removed = r[2].lost || !remove ? 0 : d.n_remove - r[2].failed;
	st->write_s = now() - t;
	/* a stale entry put back has a new kernel index: guard_commit finds
	 * them by key */
	for (size_t i = 0; i < g->n_stale; i++)
		g->stale[i].index = 0;
out:
	guard_diff_free(&d);
	return ok;
}

bool guard_commit(struct guard *g, struct guard_stats *st, char *err, size_t len)
{
	struct xfrm_result r;
	bool ok;
	double t = now();

	ok = xfrm_write(g, XFRM_REMOVE, g->stale, g->n_stale, &r);
	if (!ok)
		refused(err, len, "remove", g->stale, &r);
	if (st) {
		st->removed = r.lost ? 0 : g->n_stale - r.failed;
		st->write_s += now() - t;
	}
	forget(g);
	return ok;
}

bool guard_rollback(struct guard *g, struct guard_stats *st, char *err, size_t len)
{
	size_t undone;
	bool ok = undo(g, &undone, err, len);

	if (st)
		st->undone = undone;
	forget(g);
	return ok;
}

bool guard_apply(struct guard *g, const struct plan *p, struct guard_stats *st,
                 char *err, size_t len)
{
	struct guard_stats local;

	if (!st)
		st = &local;
	return guard_begin(g, p, st, err, len) && guard_commit(g, st, err, len);
}
