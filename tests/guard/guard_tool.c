/* guard_tool: the guard module driven from tests/guard/run, in whatever
 * network namespace it is started in.
 *
 *   guard_tool expect FILE NODE     the entries NODE's plan wants, one a line
 *   guard_tool dump                 zsec's entries in the kernel, same format
 *   guard_tool foreign              how many kernel entries are not zsec's
 *   guard_tool apply FILE NODE      reconcile the kernel with the plan
 *   guard_tool remove               remove every entry of zsec's
 *   guard_tool begin-rollback FILE NODE   additions, then undo them
 *   guard_tool shadows FILE NODE    how many of others' passes in clear beat
 *                                   a DISCARD the plan wants, and the first
 *   guard_tool tun DEV              exempt a TUN device (kernel-libipsec)
 *
 * apply and remove print "wanted W present P foreign F added A updated U
 * removed R kept K undone N"; failures go to stderr, exit status 3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"

static void print_entries(const struct guard_entry *v, size_t n)
{
	char buf[GUARD_ENTRY_STRLEN];
	size_t i;

	for (i = 0; i < n; i++)
		printf("%s\n", guard_entry_str(&v[i], buf));
}

static void print_stats(const struct guard_stats *s)
{
	printf("wanted %zu present %zu foreign %zu added %zu updated %zu removed %zu kept %zu "
	       "undone %zu\n", s->wanted, s->present, s->foreign, s->added, s->updated,
	       s->removed, s->kept, s->undone);
}

static int usage(void)
{
	fprintf(stderr, "usage: guard_tool expect FILE NODE | dump | foreign | apply FILE NODE |"
	        " remove | begin-rollback FILE NODE | shadows FILE NODE | tun DEV\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct guard_stats st = { 0 };
	struct guard_entry *v = NULL;
	struct plan *p = NULL;
	struct guard *g = NULL;
	size_t n, foreign;
	char err[1024] = "";
	int rc = 3;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "expect") && argc == 4) {
		if (!(p = plan_load(argv[2], argv[3], stderr, false)) || !guard_expand(p, &v, &n))
			return 1;
		print_entries(v, n);
		free(v);
		plan_free(p);
		return 0;
	}
	if (!strcmp(argv[1], "tun") && argc == 3) {
		int r = guard_tun_exempt(argv[2], err, sizeof(err));

		if (r < 0)
			fprintf(stderr, "guard_tool: %s\n", err);
		else
			printf("%s\n", r ? "exempted" : "no such device");
		return r < 0 ? 3 : 0;
	}
	if ((!strcmp(argv[1], "apply") || !strcmp(argv[1], "begin-rollback") ||
	     !strcmp(argv[1], "shadows")) && argc == 4) {
		if (!(p = plan_load(argv[2], argv[3], stderr, false)))
			return 1;
	} else if (!((!strcmp(argv[1], "dump") || !strcmp(argv[1], "foreign") ||
	              !strcmp(argv[1], "remove")) && argc == 2)) {
		return usage();
	}
	if (!(g = guard_open(err, sizeof(err))))
		goto out;
	if (!strcmp(argv[1], "dump") || !strcmp(argv[1], "foreign")) {
		if (!guard_dump(g, &v, &n, &foreign, err, sizeof(err)))
			goto out;
		if (argv[1][0] == 'd')
			print_entries(v, n);
		else
			printf("%zu\n", foreign);
		free(v);
		rc = 0;
	} else if (!strcmp(argv[1], "shadows")) {
		struct guard_shadow s;

		if (!guard_shadows(g, p, &s, err, sizeof(err)))
			goto out;
		printf("%zu%s%s\n", s.n, s.n ? " " : "", s.first);
		rc = 0;
	} else if (!strcmp(argv[1], "begin-rollback")) {
		if (!guard_begin(g, p, &st, err, sizeof(err)))
			goto out;
		print_stats(&st);
		if (!guard_rollback(g, &st, err, sizeof(err)))
			goto out;
		print_stats(&st);
		rc = 0;
	} else {
		if (guard_apply(g, p, &st, err, sizeof(err)))
			rc = 0;
		print_stats(&st);
	}
out:
	if (rc)
		fprintf(stderr, "guard_tool: %s\n", err);
	guard_close(g);
	plan_free(p);
	return rc;
}
