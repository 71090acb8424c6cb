/* apply: the change from the running plan to a file's plan.
 *
 * An invalid file, a missing credential or a node the file does not name
 * changes nothing.  Otherwise the plan is diffed against the running one,
 * pushed to the plugin (which keeps unchanged links and their SAs), and
 * becomes the running plan. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zsecd.h"

/* The file's plan for our node, or NULL with every reason printed to out. */
static struct plan *plan_of(struct zsecd *z, const char *file, FILE *out)
{
	struct diags d = { 0 };
	struct topo *t = topo_load(file, &d);
	struct plan *p = NULL;
	char err[512];

	if (t)
		topo_validate(t, &d);
	diags_print(out, &d);
	if (!t || d.errors) {
		fprintf(out, "%s: %u error%s: nothing applied\n", file, d.errors,
		        d.errors == 1 ? "" : "s");
		goto out;
	}
	p = plan_compile(t, z->node, err, sizeof(err));
	if (!p)
		fprintf(out, "%s: nothing applied\n", err);
out:
	topo_free(t);
	diags_free(&d);
	return p;
}

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
	struct plan *p = plan_of(z, file, out);
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
	struct plan *p = plan_of(z, file, out);
	struct plan_diff d;

	if (!p)
		return 1;
	plan_diff(z->running, p, &d);
	plan_diff_render(out, &d);
	plan_diff_free(&d);
	plan_free(p);
	return 0;
}

int zsecd_apply(struct zsecd *z, const char *file, FILE *out)
{
	struct plan *p = plan_of(z, file, out), *old;
	struct plan_diff d;
	char *abs;

	if (!p)
		return 1;
	if (!credentials_present(p, out)) {
		plan_free(p);
		return 1;
	}
	plan_diff(z->running, p, &d);
	plan_diff_render(out, &d);
	plan_diff_free(&d);

	old = z->running;
	z->running = p;
	if (z->plugin_fd >= 0 && !plugin_push(z, out)) {
		/* the plugin refused or failed: it kept the old plan, so do we */
		z->running = old;
		plan_free(p);
		fprintf(out, "nothing applied\n");
		return 3;
	}
	if (z->plugin_fd < 0) {
		z->plugin_synced = false;
		fprintf(out, "charon is not reachable: the plan goes to it when it is\n");
	}
	plan_free(old);
	abs = realpath(file, NULL);
	if (abs) {
		free(z->file);
		z->file = abs;
	}
	z->applied_at = time(NULL);
	log_msg("applied %s: %zu links", z->file, p->n_links);
	return 0;
}
