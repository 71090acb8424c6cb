/*
 * zsec_socket: poll() loop over the listening socket, its clients and the
 * event queue, in one job thread.
 */
#include "zsec_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <daemon.h>
#include <processing/jobs/callback_job.h>
#include <threading/condvar.h>
#include <threading/mutex.h>

#include "policy.h"

/** clients at most: zsecd and a test tool or two */
#define MAX_CLIENTS 8

/** output a client may fall behind by before it is dropped */
#define MAX_BACKLOG (16 << 20)

typedef struct private_zsec_socket_t private_zsec_socket_t;

typedef struct {
	int fd;
	/** it fell too far behind: dropped, so that zsecd reconnects and
	 * pushes again rather than miss events without knowing */
	bool behind;
	chunk_t in;                     /* the message being read: its header,
									 * then header and payload */
	size_t have;                    /* bytes of it read */
	chunk_t out;                    /* bytes to write */
} client_t;

struct private_zsec_socket_t {

	/** Public interface */
	zsec_socket_t public;

	zsec_config_t *config;

	zsec_events_t *events;

	char *path;

	int listen_fd;

	/** written to stop the loop */
	int wake[2];

	client_t clients[MAX_CLIENTS];

	int count;

	bool stop;

	/** set when serve() has returned, under lock */
	bool done;

	mutex_t *lock;

	condvar_t *condvar;
};

static void drop(private_zsec_socket_t *this, int i)
{
	close(this->clients[i].fd);
	chunk_free(&this->clients[i].in);
	chunk_free(&this->clients[i].out);
	this->clients[i] = this->clients[--this->count];
}

/**
 * Queue a message to a client; FALSE if it is too far behind
 */
static bool queue(client_t *c, uint8_t type, const void *payload, size_t len)
{
	uint8_t hdr[MSG_HEADER];

	if (c->behind || c->out.len + len > MAX_BACKLOG)
	{
		c->behind = TRUE;
		return FALSE;
	}
	msg_header(hdr, type, len);
	c->out = chunk_cat("mcc", c->out, chunk_create(hdr, sizeof(hdr)),
					   chunk_create((u_char*)payload, len));
	return TRUE;
}

static void reply_result(client_t *c, uint8_t code, const char *text)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);

	buf[0] = (char)code;
	memcpy(buf + 1, text, len);
	queue(c, MSG_RESULT, buf, len + 1);
	free(buf);
}

static void handle_plan(private_zsec_socket_t *this, client_t *c, chunk_t payload)
{
	char msg[512];
	struct plan *plan;

	plan = plan_decode(payload.ptr, payload.len, msg, sizeof(msg));
	if (!plan)
	{
		DBG1(DBG_CFG, "zsec: refusing plan: %s", msg);
		reply_result(c, 1, msg);
		return;
	}
	if (!this->config->apply(this->config, plan, msg, sizeof(msg)))
	{
		DBG1(DBG_CFG, "zsec: plan not applied: %s", msg);
		reply_result(c, 1, msg);
		return;
	}
	DBG1(DBG_CFG, "zsec: plan applied: %s", msg);
	reply_result(c, 0, msg);
}

static void handle(private_zsec_socket_t *this, client_t *c, uint8_t type,
				   chunk_t payload)
{
	char *status;

	switch (type)
	{
		case MSG_PLAN:
			handle_plan(this, c, payload);
			break;
		case MSG_STATUS:
			status = zsec_status(this->config);
			queue(c, MSG_STATUS_REPLY, status, strlen(status));
			free(status);
			break;
		default:
			reply_result(c, 2, "unknown request");
			break;
	}
}

/**
 * Read what a client sent; FALSE to drop it.  A message is read into one
 * buffer of its size, known from its header: a plan of 10,000 links is
 * megabytes, and growing a buffer per read would copy it a hundred times.
 */
static bool receive(private_zsec_socket_t *this, client_t *c)
{
	ssize_t n;
	long len;
	uint8_t type;

	while (TRUE)
	{
		if (!c->in.ptr)
		{
			c->in = chunk_alloc(MSG_HEADER);
			c->have = 0;
		}
		n = read(c->fd, c->in.ptr + c->have, c->in.len - c->have);
		if (n <= 0)
		{
			return n < 0 && (errno == EAGAIN || errno == EINTR);
		}
		c->have += n;
		if (c->have < c->in.len)
		{
			continue;
		}
		len = msg_parse_header(c->in.ptr, &type);
		if (len < 0)
		{
			DBG1(DBG_CFG, "zsec: malformed message, closing connection");
			return FALSE;
		}
		if (c->in.len < MSG_HEADER + (size_t)len)
		{
			c->in.ptr = realloc(c->in.ptr, MSG_HEADER + len);
			c->in.len = MSG_HEADER + len;
			continue;
		}
		handle(this, c, type, chunk_skip(c->in, MSG_HEADER));
		chunk_free(&c->in);
		/* the reply goes out before more is read: poll() tells again if
		 * another message waits */
		return TRUE;
	}
}

static bool flush_out(client_t *c)
{
	ssize_t n;

	while (c->out.len)
	{
		n = write(c->fd, c->out.ptr, c->out.len);
		if (n < 0)
		{
			return errno == EAGAIN || errno == EINTR;
		}
		memmove(c->out.ptr, c->out.ptr + n, c->out.len - n);
		c->out.len -= n;
	}
	return TRUE;
}

static void accept_client(private_zsec_socket_t *this)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	fd = accept4(this->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
	{
		return;
	}
	/* the socket is 0600 already; the peer check holds even if someone
	 * loosens the mode */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != 0 ||
		this->count == MAX_CLIENTS)
	{
		close(fd);
		return;
	}
	this->clients[this->count++] = (client_t){ .fd = fd };
}

static void broadcast_events(private_zsec_socket_t *this)
{
	char *line;
	int i;

	while ((line = this->events->pop(this->events)))
	{
		for (i = 0; i < this->count; i++)
		{
			queue(&this->clients[i], MSG_EVENT, line, strlen(line));
		}
		free(line);
	}
}

CALLBACK(serve, job_requeue_t,
	private_zsec_socket_t *this)
{
	struct pollfd pfd[MAX_CLIENTS + 3];
	int i, n;

	while (!this->stop)
	{
		pfd[0] = (struct pollfd){ .fd = this->listen_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = this->events->get_fd(this->events),
								  .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = this->wake[0], .events = POLLIN };
		for (i = 0; i < this->count; i++)
		{
			pfd[3 + i] = (struct pollfd){ .fd = this->clients[i].fd,
				.events = POLLIN | (this->clients[i].out.len ? POLLOUT : 0) };
		}
		n = poll(pfd, 3 + this->count, -1);
		if (n < 0)
		{
			if (errno == EINTR)
			{
				continue;
			}
			DBG1(DBG_CFG, "zsec: poll failed: %s", strerror(errno));
			break;
		}
		if (pfd[2].revents)
		{
			break;
		}
		if (pfd[1].revents & POLLIN)
		{
			broadcast_events(this);
		}
		/* backwards, as drop() moves the last client into the hole */
		for (i = this->count - 1; i >= 0; i--)
		{
			short ev = pfd[3 + i].revents;
			client_t *c = &this->clients[i];

			if (((ev & (POLLIN | POLLHUP | POLLERR)) && !receive(this, c)) ||
				!flush_out(c) || c->behind)
			{
				drop(this, i);
			}
		}
		if (pfd[0].revents & POLLIN)
		{
			accept_client(this);
		}
	}
	this->lock->lock(this->lock);
	this->done = TRUE;
	this->condvar->signal(this->condvar);
	this->lock->unlock(this->lock);
	return JOB_REQUEUE_NONE;
}

CALLBACK(cancel, bool,
	private_zsec_socket_t *this)
{
	this->stop = TRUE;
	if (write(this->wake[1], "x", 1) < 0)
	{
		DBG1(DBG_CFG, "zsec: waking the socket thread failed");
	}
	return TRUE;
}

static int open_socket(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char *dir, *slash;
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
	{
		return -1;
	}
	strcpy(addr.sun_path, path);
	dir = strdup(path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
	{
		*slash = '\0';
		mkdir_p(dir, 0750);
	}
	free(dir);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
	{
		return -1;
	}
	if (bind(fd, (struct sockaddr*)&addr, sizeof(addr)) || chmod(path, 0600) ||
		listen(fd, MAX_CLIENTS))
	{
		close(fd);
		return -1;
	}
	return fd;
}

METHOD(zsec_socket_t, destroy, void,
	private_zsec_socket_t *this)
{
	/* the job may be serving still: stop it and wait (a second at most,
	 * in case the processor never started it) */
	cancel(this);
	this->lock->lock(this->lock);
	if (!this->done)
	{
		this->condvar->timed_wait(this->condvar, this->lock, 1000);
	}
	this->lock->unlock(this->lock);
	this->lock->destroy(this->lock);
	this->condvar->destroy(this->condvar);
	while (this->count)
	{
		drop(this, this->count - 1);
	}
	close(this->listen_fd);
	close(this->wake[0]);
	close(this->wake[1]);
	unlink(this->path);
	free(this->path);
	free(this);
}

/*
 * Described in header
 */
zsec_socket_t *zsec_socket_create(zsec_config_t *config, zsec_events_t *events)
{
	private_zsec_socket_t *this;

	INIT(this,
		.public = {
			.destroy = _destroy,
		},
		.config = config,
		.events = events,
		.path = strdup(lib->settings->get_str(lib->settings,
							"%s.plugins.zsec.socket", ZSEC_SOCKET_DEFAULT, lib->ns)),
		.lock = mutex_create(MUTEX_TYPE_DEFAULT),
		.condvar = condvar_create(CONDVAR_TYPE_DEFAULT),
	);
	this->listen_fd = open_socket(this->path);
	if (this->listen_fd < 0 || pipe2(this->wake, O_CLOEXEC))
	{
		DBG1(DBG_CFG, "zsec: cannot open %s: %s", this->path, strerror(errno));
		if (this->listen_fd >= 0)
		{
			close(this->listen_fd);
		}
		this->lock->destroy(this->lock);
		this->condvar->destroy(this->condvar);
		free(this->path);
		free(this);
		return NULL;
	}
	lib->processor->queue_job(lib->processor,
			(job_t*)callback_job_create_with_prio(serve, this, NULL, cancel,
												  JOB_PRIO_CRITICAL));
	DBG1(DBG_CFG, "zsec: listening on %s", this->path);
	return &this->public;
}
