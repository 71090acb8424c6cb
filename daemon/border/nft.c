/* nft: the only file that talks to libnftables.
 *
 * Real transactions share one context, kept for the life of the process:
 * closing a netfilter socket waits until the kernel has released what the
 * transactions before replaced (nft_rcv_nl_event flushes that work, an RCU
 * grace period: 10 to 25 ms here), and a load that closed one after each
 * of its transactions waited so three times.  The cache libnftables keeps
 * in it is read again whenever the ruleset's generation has changed, as in
 * nft -i.  Every dry run and listing gets a context of its own: a dry run
 * leaves the cache believing what it only checked. */
#include <errno.h>
#include <limits.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

static struct nft_ctx *open_ctx(bool json, bool dry, char *err, size_t len)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);

	if (!nft) {
		snprintf(err, len, "libnftables: cannot create a context");
		return NULL;
	}
	if (nft_ctx_buffer_output(nft) || nft_ctx_buffer_error(nft)) {
		nft_ctx_free(nft);
		snprintf(err, len, "libnftables: cannot buffer its output");
		return NULL;
	}
	if (json)
		nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_JSON);
	nft_ctx_set_dry_run(nft, dry);
	return nft;
}

/* libnftables' own words: its error lines, then, with sources, the script
 * line each one is about (without the caret lines under it). */
static void error_text(struct nft_ctx *nft, const char *what, bool sources, char *err,
                       size_t len)
{
	const char *e = nft_ctx_get_error_buffer(nft);
	size_t used = (size_t)snprintf(err, len, "%s", what);
	int lines = 0;

	while (e && *e && lines < 6 && used + 1 < len) {
		const char *nl = strchr(e, '\n');
		size_t n = nl ? (size_t)(nl - e) : strlen(e);
		bool error = memmem(e, n, "Error: ", 7) != NULL;

		if (n && strspn(e, " \t^~") != n && (error || sources)) {
			size_t skip = error ? 0 : strspn(e, " \t");

			used += (size_t)snprintf(err + used, len - used, "%s%.*s",
			                         lines && error ? "; " : ": ", (int)(n - skip), e + skip);
			lines++;
		}
		e += n + (nl != NULL);
	}
	if (used >= len && len > 4)
		memcpy(err + len - 4, "...", 4);
}

/* libnftables 1.0.6 quotes the wrong line of a script run from a buffer
 * (always its first), so a refused script runs again, dry, from a file:
 * then every error names its line and quotes it. */
static void located(const char *script, const char *what, char *err, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	struct nft_ctx *nft;
	size_t n = strlen(script);
	int fd;

	snprintf(path, sizeof(path), "%s/zsec-border-XXXXXX", dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		return;
	if (write(fd, script, n) == (ssize_t)n && (nft = open_ctx(false, true, err, len))) {
		if (nft_run_cmd_from_filename(nft, path) != 0)
			error_text(nft, what, true, err, len);
		nft_ctx_free(nft);
	}
	close(fd);
	unlink(path);
}

/* the context of real transactions (see above) */
static struct nft_ctx *live;

bool nft_run(const char *script, bool dry, char *err, size_t len)
{
	const char *what = dry ? "nftables refused the Border Element table (dry run)" :
		"nftables refused the Border Element table";
	struct nft_ctx *nft = dry ? open_ctx(false, true, err, len) :
		live ? live : (live = open_ctx(false, false, err, len));
	bool ok;

	if (!nft)
		return false;
	ok = nft_run_cmd_from_buffer(nft, script) == 0;
	if (!ok) {
		error_text(nft, what, false, err, len);
		located(script, what, err, len);
	}
	if (nft == live && ok) {
		/* reading the buffers empties them for the next run */
		nft_ctx_get_output_buffer(nft);
		nft_ctx_get_error_buffer(nft);
		return true;
	}
	if (nft == live)
		live = NULL;    /* what a refusal leaves in it is not worth keeping */
	nft_ctx_free(nft);
	return ok;
}

/* A transaction in a child process: a context and a netlink socket of its
 * own, and no memory shared with us (zsecd is one thread, so forking it
 * is safe).  What it says goes through a pipe; -1 if it could not start. */
struct child {
	pid_t pid;
	int fd;
};

static struct child start_child(const char *script, bool dry)
{
	struct child c = { -1, -1 };
	char err[1024] = "";
	int fds[2];

	if (pipe(fds))
		return c;
	if ((c.pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return c;
	}
	if (c.pid == 0) {
		bool ok;
		ssize_t w;

		close(fds[0]);
		live = NULL;    /* its socket is the parent's */
		ok = nft_run(script, dry, err, sizeof(err));
		w = write(fds[1], err, ok ? 0 : strlen(err));
		_exit(ok && w == 0 ? 0 : 1);    /* no atexit handlers, no stdio */
	}
	close(fds[1]);
	c.fd = fds[0];
	return c;
}

/* Its verdict; its words, if it failed, in err.  One that could not start
 * runs here and now. */
static bool await_child(struct child c, const char *script, bool dry, char *err, size_t len)
{
	size_t used = 0;
	ssize_t n;
	int status;

	if (c.pid < 0)
		return nft_run(script, dry, err, len);
	while (used + 1 < len && ((n = read(c.fd, err + used, len - used - 1)) > 0 ||
	                          (n < 0 && errno == EINTR)))
		used += n > 0 ? (size_t)n : 0;
	err[used] = '\0';
	close(c.fd);
	while (waitpid(c.pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, len, "nftables: lost a staging transaction: %s", strerror(errno));
			return false;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (!used)
		snprintf(err, len, "nftables: a staging transaction %s %d",
		         WIFSIGNALED(status) ? "died of signal" : "exited with status",
		         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return false;
}

bool nft_run_together(char *const *scripts, size_t n, bool dry, struct elem_batch *then,
                      char *err, size_t len)
{
	struct child *c = calloc(n, sizeof(*c));
	char spare[1024];
	size_t i;
	bool ok;

	if (!c) {
		snprintf(err, len, "out of memory");
		return false;
	}
	/* every script but the last in a child, the last here meanwhile; one
	 * whose child could not start runs here too, after.  The first error
	 * met is the one told. */
	for (i = 0; i + 1 < n; i++)
		c[i] = start_child(scripts[i], dry);
	ok = nft_run(scripts[n - 1], dry, err, len) && (!then || batch_send(then, err, len));
	for (i = 0; i + 1 < n; i++) {
		char *to = ok ? err : spare;
		size_t to_len = ok ? len : sizeof(spare);

		if (!await_child(c[i], scripts[i], dry, to, to_len))
			ok = false;
	}
	free(c);
	return ok;
}

bool nft_list(const char *cmd, char **out, bool *missing, char *err, size_t len)
{
	struct nft_ctx *nft = open_ctx(true, false, err, len);
	const char *text;
	bool ok;

	*out = NULL;
	*missing = false;
	if (!nft)
		return false;
	ok = nft_run_cmd_from_buffer(nft, cmd) == 0;
	if (!ok) {
		/* ENOENT, in libnftables' words: no such table or set */
		text = nft_ctx_get_error_buffer(nft);
		*missing = text && strstr(text, "No such file or directory");
		if (!*missing)
			error_text(nft, "cannot read table inet " BORDER_TABLE, false, err, len);
		nft_ctx_free(nft);
		return *missing;
	}
	if (!(*out = strdup((text = nft_ctx_get_output_buffer(nft)) ? text : "")))
		snprintf(err, len, "out of memory");
	nft_ctx_free(nft);
	return *out != NULL;
}
