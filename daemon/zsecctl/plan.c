/* zsecctl plan FILE [--node N] [--against OLD | --running]: what a node will
 * enforce, or the change set from OLD to FILE as zsecd would apply it, or
 * (--running) from what the local zsecd runs now.  Without --node, every
 * gateway of the domain. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "zsecctl.h"

static const char use[] = "plan FILE [--node NAME] [--against OLD.yaml | --running]";

static int plan_node(struct topo *t, struct topo *old, const char *node)
{
	char err[256];
	struct plan *p = plan_compile(t, node, err, sizeof(err)), *q = NULL;
	struct plan_diff d;

	if (!p) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return EXIT_INVALID;
	}
	if (!old) {
		plan_render(stdout, p);
		plan_free(p);
		return EXIT_OK;
	}
	/* a node new in FILE has nothing running: everything is an addition */
	q = plan_compile(old, node, err, sizeof(err));
	printf("changes for %s:\n", node);
	plan_diff(q, p, &d);
	plan_diff_render(stdout, &d);
	plan_diff_free(&d);
	plan_free(q);
	plan_free(p);
	return EXIT_OK;
}

int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "against", required_argument, NULL, 'a' },
		{ "running", no_argument, NULL, 'r' },
		{ 0 }
	};
	const char *node = NULL, *against = NULL;
	bool running = false;
	struct topo *t, *old = NULL;
	int c, rc = EXIT_OK;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:a:r", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			node = optarg;
			break;
		case 'a':
			against = optarg;
			break;
		case 'r':
			running = true;
			break;
		default:
			return usage_error(use, "unknown option");
		}
	}
	if (optind != argc - 1)
		return usage_error(use, "one topology file expected");
	if (running) {
		char *path;

		if (against || node)
			return usage_error(use, "--running compares with the local zsecd's own node");
		/* zsecd diffs it against what it runs: it resolves the file's paths */
		path = realpath(argv[optind], NULL);
		if (!path) {
			fprintf(stderr, "%s: %s: %s\n", prog, argv[optind], strerror(errno));
			return EXIT_INVALID;
		}
		rc = zsecd_request(MSG_PLAN_CHECK, path);
		free(path);
		return rc;
	}
	t = topo_open(argv[optind]);
	if (!t)
		return EXIT_INVALID;
	if (against && !(old = topo_open(against))) {
		topo_free(t);
		return EXIT_INVALID;
	}
	if (node)
		rc = plan_node(t, old, node);
	for (i = 0; !node && i < t->domain.gateways.n; i++) {
		int r = plan_node(t, old, t->domain.gateways.v[i].name.s);

		if (r > rc)
			rc = r;
	}
	topo_free(old);
	topo_free(t);
	return rc;
}
