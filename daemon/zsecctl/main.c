/* zsecctl: dispatch to one command per file, as wg(8) does. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zsecctl.h"

const char *prog = "zsecctl";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "validate", cmd_validate, "FILE...                 check topology files, report every error" },
	{ "plan", cmd_plan, "FILE [--node N] [--against OLD | --running]  what a node enforces, or what changes" },
	{ "graph", cmd_graph, "FILE... [-o OUT.svg]       draw the topology (Graphviz dot)" },
	{ "apply", cmd_apply, "FILE                       zsecd applies FILE: only what changed" },
	{ "status", cmd_status, "[--json]                  every link: state, SPIs, counters, last event" },
	{ "teardown", cmd_teardown, "                           remove the kernel guard (zsec's entries only)" },
	{ "lab", cmd_lab, "up FILE... | down | status | exec NODE -- CMD |\n"
	  "            start|stop NODE charon|zsecd [-KILL]   the lab of namespaces" },
};

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: %s COMMAND [ARGS]\n\n", prog);
	for (i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(fp, "\nexit status: 0 ok, 1 invalid input or refused change, 2 usage, 3 runtime failure\n");
}

int usage_error(const char *use, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s %s\n", prog, use);
	return EXIT_USAGE;
}

static struct topo *open_topo(const char *path, bool warnings)
{
	struct diags d = { 0 };
	struct topo *t = topo_load(path, &d);
	size_t i, k = 0;

	if (t)
		topo_validate(t, &d);
	for (i = 0; !warnings && i < d.n; i++) {
		if (d.v[i].level == DIAG_ERROR)
			d.v[k++] = d.v[i];
		else
			free(d.v[i].file), free(d.v[i].msg), free(d.v[i].line);
	}
	if (!warnings)
		d.n = k;
	diags_print(stderr, &d);
	if (t && d.errors) {
		fprintf(stderr, "%s: %u error%s\n", path, d.errors, d.errors == 1 ? "" : "s");
		topo_free(t);
		t = NULL;
	}
	diags_free(&d);
	return t;
}

struct topo *topo_open(const char *path)
{
	return open_topo(path, true);
}

/* for the lab, which creates the missing credentials it would warn about */
struct topo *topo_open_errors(const char *path)
{
	return open_topo(path, false);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
