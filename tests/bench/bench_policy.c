/* bench_policy: speed and memory of the policy library on one topology file.
 *
 *   bench_policy time FILE NODE [RUNS]   load, validate, compile: best of RUNS
 *   bench_policy rss FILE NODE           one load+validate+compile, then the
 *                                        process's peak RSS (run it fresh)
 *   bench_policy diff OLD NEW NODE [REPS] plan_diff of NODE's two plans:
 *                                        median of REPS, and the change count
 *
 * Prints one line of key=value pairs (seconds, kilobytes) for tests/bench/run.
 * Exit 1 when a file does not validate without errors or NODE is unknown,
 * 2 on usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "policy.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fputs("usage: bench_policy time FILE NODE [RUNS]\n"
	      "       bench_policy rss FILE NODE\n"
	      "       bench_policy diff OLD NEW NODE [REPS]\n", stderr);
	return 2;
}

struct times {
	double load, validate, compile;
	unsigned warnings;
};

/* One load+validate+compile; NULL (with the diagnostics printed) if the file
 * has errors or does not name node. */
static struct plan *build(const char *file, const char *node, struct times *tm, struct topo **out)
{
	struct diags d = { 0 };
	struct topo *t;
	struct plan *p = NULL;
	char err[256];
	double t0, t1, t2, t3;

	t0 = now();
	t = topo_load(file, &d);
	t1 = now();
	if (t)
		topo_validate(t, &d);
	t2 = now();
	if (!t || d.errors) {
		diags_print(stderr, &d);
		fprintf(stderr, "bench_policy: %s: %u errors\n", file, d.errors);
		goto out;
	}
	p = plan_compile(t, node, err, sizeof(err));
	t3 = now();
	if (!p) {
		fprintf(stderr, "bench_policy: %s\n", err);
		goto out;
	}
	if (tm)
		*tm = (struct times){ t1 - t0, t2 - t1, t3 - t2, d.warnings };
out:
	diags_free(&d);
	if (out && p)
		*out = t;
	else
		topo_free(t);
	return p;
}

static int cmd_time(const char *file, const char *node, int runs)
{
	struct times best = { 1e9, 1e9, 1e9, 0 }, tm;
	double best_vc = 1e9;
	size_t links = 0, guards = 0, partners = 0;
	unsigned warnings = 0;
	int i;

	for (i = 0; i < runs; i++) {
		struct plan *p = build(file, node, &tm, NULL);

		if (!p)
			return 1;
		links = p->n_links;
		guards = p->n_guards;
		partners = p->n_partners;
		warnings = tm.warnings;
		plan_free(p);
		/* each phase's best, and the best of validate+compile as one figure */
		if (tm.load < best.load)
			best.load = tm.load;
		if (tm.validate < best.validate)
			best.validate = tm.validate;
		if (tm.compile < best.compile)
			best.compile = tm.compile;
		if (tm.validate + tm.compile < best_vc)
			best_vc = tm.validate + tm.compile;
	}
	printf("runs=%d load=%.6f validate=%.6f compile=%.6f validate_compile=%.6f "
	       "links=%zu guards=%zu partners=%zu warnings=%u\n", runs, best.load, best.validate,
	       best.compile, best_vc, links, guards, partners, warnings);
	return 0;
}

static int cmd_rss(const char *file, const char *node)
{
	struct rusage ru;
	struct topo *t = NULL;
	struct plan *p = build(file, node, NULL, &t);
	size_t model, plan;

	if (!p)
		return 1;
	/* measured while both are alive, as in zsecd between compile and apply */
	if (getrusage(RUSAGE_SELF, &ru))
		return 3;
	model = arena_size(t->arena);
	plan = arena_size(p->arena);
	printf("maxrss_kb=%ld model_kb=%zu plan_kb=%zu\n", ru.ru_maxrss, model >> 10, plan >> 10);
	plan_free(p);
	topo_free(t);
	return 0;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmd_diff(const char *old_file, const char *new_file, const char *node, int reps)
{
	struct plan *a = build(old_file, node, NULL, NULL), *b = NULL;
	struct plan_diff d = { 0 };
	double *t;
	size_t changes = 0;
	int i;

	if (!a || !(b = build(new_file, node, NULL, NULL))) {
		plan_free(a);
		return 1;
	}
	t = calloc((size_t)reps, sizeof(*t));
	if (!t)
		return 3;
	for (i = 0; i < reps; i++) {
		double t0 = now();

		plan_diff(a, b, &d);
		t[i] = now() - t0;
		changes = d.n;
		plan_diff_free(&d);
	}
	qsort(t, (size_t)reps, sizeof(*t), dcmp);
	printf("reps=%d diff_median=%.9f diff_min=%.9f diff_max=%.9f changes=%zu\n", reps,
	       t[reps / 2], t[0], t[reps - 1], changes);
	free(t);
	plan_free(a);
	plan_free(b);
	return 0;
}

static int count(const char *s, int dflt)
{
	char *end;
	long v;

	if (!s)
		return dflt;
	v = strtol(s, &end, 10);
	return *end || v < 1 || v > 100000 ? -1 : (int)v;
}

int main(int argc, char **argv)
{
	int n;

	if (argc >= 4 && !strcmp(argv[1], "time") && argc <= 5) {
		if ((n = count(argv[4], 5)) < 0)
			return usage();
		return cmd_time(argv[2], argv[3], n);
	}
	if (argc == 4 && !strcmp(argv[1], "rss"))
		return cmd_rss(argv[2], argv[3]);
	if (argc >= 5 && !strcmp(argv[1], "diff") && argc <= 6) {
		if ((n = count(argv[5], 101)) < 0)
			return usage();
		return cmd_diff(argv[2], argv[3], argv[4], n);
	}
	return usage();
}
