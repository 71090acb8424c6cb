/* fuzz_topology: any bytes as a topology file, through the whole policy
 * pipeline: load, validate, and for a file without errors compile every
 * node, render, encode, decode and diff.
 *
 * Invariants (abort() when broken, so libFuzzer keeps the input):
 *   - a plan compiled from a valid file encodes;
 *   - its encoding decodes, and the decoded plan encodes to the same bytes;
 *   - the decoded plan differs from the compiled one by no change at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static FILE *devnull;

static void check(bool ok, const char *what, const char *node, const char *detail)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_topology: node %s: %s%s%s\n", node, what,
	        detail ? ": " : "", detail ? detail : "");
	abort();
}

/* The wire round trip of one compiled plan. */
static void round_trip(const struct plan *p, const char *node)
{
	uint8_t *wire, *again;
	size_t len, len2;
	char err[256] = "";
	struct plan *q;
	struct plan_diff d;

	wire = plan_encode(p, &len);
	check(wire != NULL, "plan_encode failed on a compiled plan", node, NULL);
	q = plan_decode(wire, len, err, sizeof(err));
	check(q != NULL, "plan_decode refused plan_encode's output", node, err);
	again = plan_encode(q, &len2);
	check(again != NULL, "plan_encode failed on a decoded plan", node, NULL);
	check(len == len2 && !memcmp(wire, again, len), "re-encoding differs", node, NULL);
	plan_diff(p, q, &d);
	check(d.n == 0, "the decoded plan differs from the compiled one", node, NULL);
	plan_diff_free(&d);
	plan_render(devnull, q);
	free(again);
	free(wire);
	plan_free(q);
}

static void compile_all(const struct topo *t)
{
	size_t n = t->domain.gateways.n + t->domain.elements.n, i;
	struct plan *prev = NULL;

	for (i = 0; i < n; i++) {
		const char *node = i < t->domain.gateways.n ?
		                   t->domain.gateways.v[i].name.s :
		                   t->domain.elements.v[i - t->domain.gateways.n].name.s;
		char err[256] = "";
		struct plan *p = plan_compile(t, node, err, sizeof(err));
		struct plan_diff d;

		check(p != NULL, "plan_compile refused a node of a valid file", node, err);
		plan_render(devnull, p);
		round_trip(p, node);
		plan_diff(prev, p, &d);
		plan_diff_render(devnull, &d);
		plan_diff_free(&d);
		plan_free(prev);
		prev = p;
	}
	plan_free(prev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	struct topo *t;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	t = topo_load_buffer("fuzz.yaml", (const char *)data, size, &d);
	if (!t)
		abort();        /* only a file that cannot be read gives NULL */
	topo_validate(t, &d);
	if (!d.errors)
		compile_all(t);
	diags_print(devnull, &d);
	diags_free(&d);
	topo_free(t);
	return 0;
}
