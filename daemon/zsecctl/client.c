/* client: one request to zsecd over its control socket (ZSECD_SOCKET, or
 * the environment's ZSEC_SOCKET), the reply printed as it came. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "zsecctl.h"

const char *zsecd_socket(void)
{
	return getenv("ZSEC_SOCKET") ? getenv("ZSEC_SOCKET") : ZSECD_SOCKET;
}

int zsecd_request(enum msg_type type, const char *payload)
{
	const char *path = zsecd_socket();
	struct msg m;
	int fd = unix_connect(path), rc;

	if (fd < 0) {
		fprintf(stderr, "%s: cannot reach zsecd at %s: %s\n", prog, path, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (!msg_send(fd, type, payload, strlen(payload)) || msg_recv(fd, &m, 120000) != 1) {
		fprintf(stderr, "%s: zsecd did not answer\n", prog);
		close(fd);
		return EXIT_RUNTIME;
	}
	close(fd);
	if (m.type == MSG_STATUS_REPLY) {
		fwrite(m.data, 1, m.len, stdout);
		rc = EXIT_OK;
	} else if (m.type == MSG_RESULT && m.len >= 1) {
		rc = m.data[0];
		fwrite(m.data + 1, 1, m.len - 1, rc ? stderr : stdout);
	} else {
		fprintf(stderr, "%s: unexpected reply from zsecd\n", prog);
		rc = EXIT_RUNTIME;
	}
	msg_free(&m);
	return rc;
}
