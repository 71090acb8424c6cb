/* zsecctl apply FILE: zsecd applies FILE, only what changed; an invalid
 * file changes nothing (exit 1). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "zsecctl.h"

int cmd_apply(int argc, char **argv)
{
	char *path;
	int rc;

	if (argc != 2)
		return usage_error("apply FILE", "one topology file expected");
	/* zsecd resolves the file's relative paths from its folder: give it
	 * the absolute path */
	path = realpath(argv[1], NULL);
	if (!path) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[1], strerror(errno));
		return EXIT_INVALID;
	}
	rc = zsecd_request(MSG_APPLY, path);
	free(path);
	return rc;
}
