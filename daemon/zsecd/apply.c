/* apply: the change from the running plan to a file's plan.
 *
 * An invalid file, a missing credential or a node the file does not name
 * changes nothing.  Otherwise the plan is diffed against the running one,
 * and applied fail-closed first:
 *   1. the kernel guard gets the new plan's entries (additions only), so
 *      every flow the new plan protects is covered before charon hears of it;
 *   2. the plan goes to the plugin (which keeps unchanged links and their SAs);
 *   3. only then go the guard entries the new plan no longer wants: until
 *      charon has dropped the old links, their flows stay covered.
 * If the plugin refuses, step 1 is undone and the old plan stays.  The guard
 * reconciles against what the kernel holds, not against the running plan,
 * so the first apply after a restart adds what is missing and removes
 * zsec's stale entries, never anyone else's. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "border.h"
#include "zsecd.h"

static bool missing(FILE *out, const char *link, const char *path)
{
	if (!path || !access(path, R_OK))
		return false;
	fprintf(out, "link %s: %s does not exist: nothing applied\n", link, path);
	return true;
}

/* zsecd applies only what it can: every referenced file must exist. */
static bool credentials_present(const struct plan *p, FILE *out)
{
	bool gone = false;
	size_t i;

	for (i = 0; i < p->n_links; i++) {
		const struct plan_link *l = &p->links[i];

		gone |= missing(out, l->name, l->cert);
		gone |= missing(out, l->name, l->key);
		gone |= missing(out, l->name, l->ca);
		gone |= missing(out, l->name, l->psk);
	}
	return !gone;
}

int zsecd_check(struct zsecd *z, const char *file, FILE *out)
{
	struct plan *p = plan_load(file, z->node, out, true);
	int rc = 1;

	if (p && credentials_present(p, out)) {
		fprintf(out, "configuration OK: %s for %s: %zu links, %zu guard entries\n",
		        file, z->node, p->n_links, p->n_guards);
		rc = 0;
	}
	plan_free(p);
	return rc;
}

int zsecd_diff_running(struct zsecd *z, const char *file, FILE *out)
{
	struct plan *p = plan_load(file, z->node, out, true);
	struct plan_diff d;

	if (!p)
		return 1;
	plan_diff(z->running, p, &d);
	plan_diff_render(out, &d);
	plan_diff_free(&d);
	plan_free(p);
	return 0;
}

/* border_apply with the watch closed (border.h): zsecd's own changes of
 * the table are no loss, and tens of thousands of element events would
 * slow the load down.  The watch opens again after any apply, so it opens
 * with the first. */
static bool load_unwatched(struct zsecd *z, const struct plan *p, char *err, size_t len)
{
	char werr[1024];
	bool ok;

	border_watch_close(&z->watch);
	ok = border_apply(p, NULL, err, len);
	if (!border_watch_open(&z->watch, werr, sizeof(werr)))
		log_msg("border: %s: a table deleted by another process stays deleted", werr);
	return ok;
}

/* Whether p wants a table that is not there. */
static bool table_missing(const struct plan *p)
{
	char err[1024];
	bool present;

	return p && p->n_partners && border_table_present(&present, err, sizeof(err)) && !present;
}

/* After a load: is the table the plan wants there?  If not, it is loaded
 * again (retry.c says when) until it is.  Two ways for it to be gone:
 * another process deleted it while the watch was closed (during the load:
 * a second for 10,000 partners), which goes unseen and may make the load
 * fail; or another process holds a table of that name with flag `owner`,
 * which no one else may change and which goes with its process without an
 * event.  Returns the wait before that load (s), or -1 if none is
 * needed. */
static int retry_if_missing(struct zsecd *z, const struct plan *want)
{
	if (!table_missing(want)) {
		retry_clear(&z->border_retry);
		return -1;
	}
	return retry_schedule(&z->border_retry);
}

/* p's table, checked once the watch is open again (retry_if_missing).  A
 * retry is told after what made it needed: in err if the load failed. */
static bool border_put(struct zsecd *z, const struct plan *p, char *err, size_t len)
{
	bool ok = load_unwatched(z, p, err, len);
	int wait = retry_if_missing(z, ok ? p : z->running);
	size_t n;

	if (wait < 0)
		return ok;
	if (ok) {
		log_msg("border: table inet zsec is not there or not zsecd's after the load: "
		        "loading the running plan's again in %d s", wait);
	} else {
		n = strlen(err);
		snprintf(err + n, len - n, "; table inet zsec is not there or not zsecd's: "
		         "loading the running plan's again in %d s", wait);
	}
	return ok;
}

/* The running plan's table, after a loss. */
static void put_back(struct zsecd *z)
{
	char err[1024];

	if (!border_put(z, z->running, err, sizeof(err)))
		log_msg("border: %s", err);
	else if (!z->border_retry.at_ms)
		log_msg("border: table inet zsec is back");
}

void zsecd_border_event(struct zsecd *z)
{
	enum border_loss loss = border_watch_read(&z->watch);
	char err[1024];
	bool present;

	if (loss == BORDER_INTACT || !z->running || !z->running->n_partners)
		return;
	if (loss == BORDER_EVENTS_LOST) {
		/* a replacement would refill every bucket: only if it is gone */
		if (border_table_present(&present, err, sizeof(err)) && present)
			return;
		log_msg("border: nftables' events were lost and table inet zsec is not there: "
		        "putting it back");
	} else {
		log_msg("border: table inet zsec was deleted by %s (pid %u): putting it back",
		        z->watch.name[0] ? z->watch.name : "another process", z->watch.pid);
	}
	put_back(z);
}

/* After a guard write (what) that failed (err) or succeeded (err NULL):
 * whether and when to repair the guard against the running plan.  A
 * refusal (the kernel short of memory, say) must not leave the guard
 * other than the plan wants until the next event. */
static void guard_retry_if_failed(struct zsecd *z, const char *what, const char *err)
{
	if (!err) {
		retry_clear(&z->guard_retry);
		return;
	}
	snprintf(z->guard_error, sizeof(z->guard_error), "%s", err);
	log_msg("guard: %s: %s; trying again in %d s", what, err, retry_schedule(&z->guard_retry));
}

/* The running plan's entries, after a loss (why) or a refusal. */
static void guard_put_back(struct zsecd *z, const char *why)
{
	bool retried = z->guard_retry.at_ms != 0;
	struct guard_stats gs;
	char err[1024];

	/* what charon has not confirmed keeps the previous plan's entries too
	 * (zsecd_apply says why): then nothing is removed */
	if (!guard_repair(z->guard, z->running, z->plugin_synced, &gs, err, sizeof(err))) {
		guard_retry_if_failed(z, "putting zsec's XFRM entries back", err);
		return;
	}
	guard_retry_if_failed(z, NULL, NULL);
	if (gs.added || gs.updated || gs.removed || retried)
		log_msg("guard: %s: %zu entries put back, %zu updated, %zu removed", why,
		        gs.added, gs.updated, gs.removed);
}

/* Another process's passes in clear that beat the guard's DISCARDs: zsec
 * does not touch them, it tells (the log when they change, zsecctl
 * status while they last).  None while the guard is down. */
static void guard_shadow_check(struct zsecd *z)
{
	struct guard_shadow s = { 0 };
	char err[512];

	if (z->running && !z->guard_down &&
	    !guard_shadows(z->guard, z->running, &s, err, sizeof(err))) {
		log_msg("guard: looking for others' entries that shadow it: %s", err);
		return;
	}
	if (s.n == z->shadow.n && !strcmp(s.first, z->shadow.first))
		return;
	if (s.n)
		log_msg(SHADOWED_FMT, s.n, s.first);
	else
		log_msg("guard: no entry of another process's shadows zsec's any more");
	z->shadow = s;
}

void zsecd_guard_event(struct zsecd *z)
{
	enum guard_loss loss = guard_watch_read(z->guard);

	if (loss == GUARD_INTACT || !z->running || z->guard_down)
		return;
	if (loss != GUARD_OTHERS_PASS)
		guard_put_back(z, loss == GUARD_TOUCHED ?
		               "another process deleted or changed zsec's XFRM entries" :
		               "XFRM events were lost, the kernel read again");
	guard_shadow_check(z);
}

void zsecd_guard_settle(struct zsecd *z)
{
	struct guard_stats gs;
	char err[512];

	if (z->guard_down)
		return;
	guard_retry_if_failed(z, "keeping the plan charon runs, and only it",
	                      guard_apply(z->guard, z->running, &gs, err, sizeof(err)) ? NULL : err);
}

void zsecd_retry(struct zsecd *z)
{
	if (retry_due(&z->border_retry)) {
		if (z->running)
			put_back(z);    /* which schedules the next, if needed */
		else
			retry_clear(&z->border_retry);
	}
	if (retry_due(&z->guard_retry)) {
		/* a teardown since, or no plan: nothing to put back */
		if (!z->running || z->guard_down)
			retry_clear(&z->guard_retry);
		else
			guard_put_back(z, "tried again");
	}
}

int zsecd_retry_timeout(const struct zsecd *z, int timeout)
{
	return retry_timeout(&z->guard_retry, retry_timeout(&z->border_retry, timeout));
}

static void guard_report(FILE *out, const struct plan *p, const struct guard_stats *s)
{
	fprintf(out, "guard: %zu kernel entries for %zu plan entries: %zu added, %zu updated, "
	        "%zu removed; %zu of others left alone\n", s->wanted, p->n_guards, s->added,
	        s->updated, s->removed, s->foreign);
}

int zsecd_apply(struct zsecd *z, const char *file, FILE *out)
{
	struct plan *p = plan_load(file, z->node, out, true), *old;
	struct guard_stats gs;
	enum push push;
	struct plan_diff d;
	char err[1024], said[512];
	bool synced, down;
	char *abs;

	if (!p) {
		fputs("nothing applied\n", out);
		return 1;
	}
	if (!credentials_present(p, out)) {
		plan_free(p);
		return 1;
	}
	plan_diff(z->running, p, &d);
	plan_diff_render(out, &d);
	plan_diff_free(&d);

	if (!guard_begin(z->guard, p, &gs, err, sizeof(err))) {
		/* guard_begin undid its own additions: the kernel is as it was,
		 * unless undoing failed too: then the running plan's guard is
		 * written again until it is */
		fprintf(out, "guard: %s: nothing applied\n", err);
		if (gs.undo_failed)
			guard_retry_if_failed(z, "writing the new plan's entries", err);
		else
			log_msg("guard: %s", err);
		plan_free(p);
		return 3;
	}
	/* the Border Element rules before charon gets links to partners they
	 * protect; checked by a dry run first, the rules replaced in one
	 * transaction, all or nothing */
	if (!border_put(z, p, err, sizeof(err))) {
		fprintf(out, "border: %s: nothing applied\n", err);
		log_msg("border: %s", err);
		plan_free(p);
		if (!guard_rollback(z->guard, &gs, err, sizeof(err)))
			guard_retry_if_failed(z, "undoing the additions", err);
		return 3;
	}
	if (z->libipsec)
		sources_apply(p, false);
	old = z->running;
	z->running = p;
	synced = z->plugin_synced;
	down = z->guard_down;
	/* while charon takes the plan, the guard is repaired as it changes
	 * (plugin.c, await): both plans' entries, nothing removed */
	z->plugin_synced = false;
	z->guard_down = false;
	push = z->plugin_fd >= 0 ? plugin_push(z, out, said, sizeof(said)) : PUSH_LOST;
	if (push == PUSH_REFUSED) {
		/* charon refused: it kept the old plan, so do we (and it holds
		 * that plan as it did before) */
		z->running = old;
		z->plugin_synced = synced;
		z->guard_down = down;
		plan_free(p);
		if (!border_put(z, old, err, sizeof(err)))
			log_msg("border: putting the previous rules back: %s", err);
		if (!guard_rollback(z->guard, &gs, err, sizeof(err))) {
			fprintf(out, "guard: undoing the additions: %s\n", err);
			guard_retry_if_failed(z, "undoing the additions", err);
		}
		if (z->libipsec)
			sources_apply(old, true);
		fprintf(out, "nothing applied\n");
		return 3;
	}
	if (push == PUSH_LOST) {
		/* charon is gone, or went away before answering: it may run the
		 * old plan or the new one, and gets the new one when it is back.
		 * The old plan's guard entries stay beside the new ones until an
		 * apply that charon confirms: their union covers either. */
		z->plugin_synced = false;
		fprintf(out, "charon is not reachable: the plan goes to it when it is\n");
	} else {
		free(z->plugin_refusal);
		z->plugin_refusal = NULL;
		if (!guard_commit(z->guard, &gs, err, sizeof(err))) {
			/* coverage is whole; the stale entries go at the next apply */
			fprintf(out, "guard: %s; stale entries stay until the next apply\n", err);
			log_msg("guard: %s", err);
		}
		if (z->libipsec)
			sources_apply(p, true);
	}
	guard_report(out, p, &gs);
	plan_free(old);
	abs = realpath(file, NULL);
	if (abs) {
		free(z->file);
		z->file = abs;
	}
	log_msg("applied %s: %zu links, guard %zu entries (%zu added, %zu removed)", z->file,
	        p->n_links, gs.wanted, gs.added, gs.removed);
	guard_shadow_check(z);
	if (z->shadow.n)
		fprintf(out, SHADOWED_FMT "\n", z->shadow.n, z->shadow.first);
	return 0;
}

/* zsecctl teardown: the guard goes on purpose, zsec's entries only.  The
 * running plan stays with charon; the next apply puts the guard back. */
int zsecd_teardown(struct zsecd *z, FILE *out)
{
	struct guard_stats gs;
	char err[1024];

	z->guard_down = true;   /* even if some entries stay: none come back */
	retry_clear(&z->guard_retry);
	guard_shadow_check(z);  /* nothing of the guard's left to shadow */
	if (!guard_apply(z->guard, NULL, &gs, err, sizeof(err))) {
		fprintf(out, "guard: %s\n", err);
		log_msg("teardown: %s", err);
		return 3;
	}
	fprintf(out, "removed %zu guard entries\n", gs.removed);
	log_msg("teardown: removed %zu guard entries; protected flows are no longer "
	        "covered when their SAs are down", gs.removed);
	return 0;
}
