/* zsecctl teardown: removes the kernel guard on purpose, zsec's entries
 * only.  zsecd does it when it runs (the next apply puts the guard back);
 * when it does not, zsecctl removes them itself (root). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "guard.h"
#include "zsecctl.h"

static int remove_here(const char *path)
{
	struct guard_stats st;
	struct guard *g;
	char err[1024];
	int rc = EXIT_OK;

	printf("zsecd is not running at %s: removing the guard here\n", path);
	if (!(g = guard_open(err, sizeof(err)))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return EXIT_RUNTIME;
	}
	if (guard_apply(g, NULL, &st, err, sizeof(err))) {
		printf("removed %zu guard entries\n", st.removed);
	} else {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = EXIT_RUNTIME;
	}
	guard_close(g);
	return rc;
}

int cmd_teardown(int argc, char **argv)
{
	const char *path = zsecd_socket();
	int fd;

	if (argc != 1)
		return usage_error("teardown", "no arguments expected");
	fd = unix_connect(path);
	if (fd >= 0) {
		close(fd);
		return zsecd_request(MSG_TEARDOWN, "");
	}
	/* nobody listens: no zsecd to ask.  Anything else (no permission)
	 * is no reason to go round it. */
	if (errno != ENOENT && errno != ECONNREFUSED) {
		fprintf(stderr, "%s: cannot reach zsecd at %s: %s\n", prog, path, strerror(errno));
		return EXIT_RUNTIME;
	}
	return remove_here(path);
}
