/* seed_plans OUTDIR FILE...: the wire encoding of every node's plan of each
 * topology file, one OUTDIR/<file>-<node>.plan each, as the seed corpus of
 * fuzz_plan_decode.  A file with errors is skipped with a note.  Built by
 * tests/fuzz/run against libzsecpolicy.a; not part of zsec. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static int write_plan(const char *dir, const char *file, const char *node, const struct plan *p)
{
	char path[4096], *copy = strdup(file);
	size_t len;
	uint8_t *wire = plan_encode(p, &len);
	FILE *fp;
	int rc = 1;

	if (!copy || !wire) {
		fprintf(stderr, "seed_plans: %s: cannot encode the plan of %s\n", file, node);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s-%s.plan", dir, basename(copy), node);
	fp = fopen(path, "wb");
	if (!fp || fwrite(wire, 1, len, fp) != len || fclose(fp)) {
		perror(path);
		goto out;
	}
	rc = 0;
out:
	free(wire);
	free(copy);
	return rc;
}

static int seed_file(const char *dir, const char *file, unsigned *written)
{
	struct diags d = { 0 };
	struct topo *t = topo_load(file, &d);
	size_t i, n;
	int rc = 0;

	if (t)
		topo_validate(t, &d);
	if (!t || d.errors) {
		fprintf(stderr, "seed_plans: %s: skipped (%u errors)\n", file, d.errors);
		goto out;
	}
	n = t->domain.gateways.n + t->domain.elements.n;
	for (i = 0; i < n && !rc; i++) {
		const char *node = i < t->domain.gateways.n ?
		                   t->domain.gateways.v[i].name.s :
		                   t->domain.elements.v[i - t->domain.gateways.n].name.s;
		char err[256];
		struct plan *p = plan_compile(t, node, err, sizeof(err));

		if (!p) {
			fprintf(stderr, "seed_plans: %s: %s\n", file, err);
			rc = 1;
			break;
		}
		rc = write_plan(dir, file, node, p);
		*written += !rc;
		plan_free(p);
	}
out:
	diags_free(&d);
	topo_free(t);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned written = 0;
	int i, rc = 0;

	if (argc < 2) {
		fputs("usage: seed_plans OUTDIR FILE...\n", stderr);
		return 2;
	}
	for (i = 2; i < argc; i++)
		rc |= seed_file(argv[1], argv[i], &written);
	printf("%u plans\n", written);
	return rc;
}
