/* zsecctl validate FILE...: every error of every file, then the verdict. */
#include <stdio.h>

#include "zsecctl.h"

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

int cmd_validate(int argc, char **argv)
{
	int i, rc = EXIT_OK;

	if (argc < 2)
		return usage_error("validate FILE...", "no topology file given");
	for (i = 1; i < argc; i++) {
		struct topo *t = topo_open(argv[i]);

		if (!t) {
			rc = EXIT_INVALID;
			continue;
		}
		printf("%s: valid: domain %s, %zu gateway%s, %zu element%s, %zu partner%s\n", argv[i],
		       t->domain.name.s, t->domain.gateways.n, plural(t->domain.gateways.n),
		       t->domain.elements.n, plural(t->domain.elements.n), t->partners.n,
		       plural(t->partners.n));
		topo_free(t);
	}
	return rc;
}
