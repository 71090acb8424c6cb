/* msgio: framed messages over stream sockets, with a deadline. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

int unix_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static bool write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				if (poll(&pfd, 1, 5000) <= 0)
					return false;
				continue;
			}
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool msg_send(int fd, enum msg_type type, const void *payload, size_t len)
{
	uint8_t hdr[MSG_HEADER];

	if (len > MSG_MAX - MSG_HEADER)
		return false;
	msg_header(hdr, type, len);
	return write_all(fd, hdr, sizeof(hdr)) && write_all(fd, payload, len);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 read all, 0 deadline passed, -1 closed or failed */
static int read_all(int fd, uint8_t *buf, size_t len, long deadline)
{
	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int wait = deadline < 0 ? -1 : (int)(deadline - now_ms());
		ssize_t n;

		if (deadline >= 0 && wait <= 0)
			return 0;
		if (poll(&pfd, 1, wait) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!pfd.revents)
			continue;
		n = read(fd, buf, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 1;
}

int msg_recv(int fd, struct msg *m, int timeout_ms)
{
	uint8_t hdr[MSG_HEADER];
	long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms, len;
	int r;

	memset(m, 0, sizeof(*m));
	r = read_all(fd, hdr, sizeof(hdr), deadline);
	if (r <= 0)
		return r;
	len = msg_parse_header(hdr, &m->type);
	if (len < 0)
		return -1;
	m->data = malloc((size_t)len + 1);
	if (!m->data)
		return -1;
	/* the rest of a message that has begun gets ten seconds of its own,
	 * whatever the caller's deadline: a peer that stops mid-message is
	 * broken */
	r = read_all(fd, m->data, (size_t)len, deadline < 0 ? -1 : now_ms() + 10000);
	if (r <= 0) {
		msg_free(m);
		return -1;
	}
	m->data[len] = '\0';
	m->len = (size_t)len;
	return 1;
}

void msg_free(struct msg *m)
{
	free(m->data);
	m->data = NULL;
	m->len = 0;
}
