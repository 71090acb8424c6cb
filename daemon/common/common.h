/* common: what zsecd and zsecctl share: the message framing over unix
 * sockets (policy.h defines the frame) and the default socket paths. */
#ifndef ZSEC_COMMON_H
#define ZSEC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define ZSECD_SOCKET "/run/zsec/zsecd.sock"
#define PLUGIN_SOCKET "/run/zsec/charon.sock"

struct msg {
	uint8_t type;
	uint8_t *data;                  /* payload, NUL-terminated for text */
	size_t len;
};

/* Connect to a unix socket; -1 with errno on failure. */
int unix_connect(const char *path);
/* Send one message; false on failure. */
bool msg_send(int fd, enum msg_type type, const void *payload, size_t len);
/* Receive one whole message, waiting at most timeout_ms (-1: forever).
 * 1 ok, 0 timeout, -1 closed or malformed. */
int msg_recv(int fd, struct msg *m, int timeout_ms);
void msg_free(struct msg *m);

#endif
