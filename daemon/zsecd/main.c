/* zsecd -f FILE --node NAME [-n]: the policy daemon of one node.
 *
 *   -n                 test the configuration, print "configuration OK", exit
 *   -s PATH            control socket (default /run/zsec/zsecd.sock)
 *   -p PATH            the plugin's socket (default /run/zsec/charon.sock)
 *   --libipsec         charon's data plane is kernel-libipsec: exempt its TUN
 *                      device from the guard (daemon/guard/tun.c) and give the
 *                      node an address in each local selector (sources.c)
 *
 * SIGHUP applies the file again (only what changed); SIGTERM stops zsecd
 * and leaves everything it programmed in place: above all the kernel guard,
 * which keeps protected flows from leaving in clear text while zsecd is
 * gone (only `zsecctl teardown` removes it). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "zsecd.h"

static const char usage[] =
	"usage: zsecd -f FILE --node NAME [-n] [-s CONTROL-SOCKET] [-p PLUGIN-SOCKET]\n"
	"             [--libipsec]\n";

static int setup_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static void on_signal(struct zsecd *z)
{
	struct signalfd_siginfo si;

	if (read(z->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		log_msg("SIGHUP: applying %s", z->file);
		zsecd_apply(z, z->file, stderr);
	} else {
		log_msg("stopping; the kernel's guard and charon's SAs stay as they are");
		z->stop = true;
	}
}

static void loop(struct zsecd *z)
{
	while (!z->stop) {
		struct pollfd pfd[5] = {
			{ .fd = z->signal_fd, .events = POLLIN },
			{ .fd = z->control_fd, .events = POLLIN },
			{ .fd = z->plugin_fd, .events = POLLIN },
			{ .fd = z->watch.fd, .events = POLLIN },
			{ .fd = guard_watch_fd(z->guard), .events = POLLIN },
		};
		int timeout = -1;

		plugin_connect(z);
		pfd[2].fd = z->plugin_fd;
		if (z->plugin_fd < 0)
			timeout = until(z->next_connect_ms, timeout);
		if (poll(pfd, 5, zsecd_retry_timeout(z, timeout)) < 0) {
			if (errno == EINTR)
				continue;
			log_msg("poll: %s", strerror(errno));
			return;
		}
		if (pfd[0].revents & POLLIN)
			on_signal(z);
		if (pfd[1].revents & POLLIN)
			control_accept(z);
		if (z->plugin_fd >= 0 && pfd[2].revents)
			plugin_read(z);
		/* after the others: an apply they made reopened the watch */
		if (pfd[3].fd == z->watch.fd && pfd[3].revents)
			zsecd_border_event(z);
		if (pfd[4].revents)
			zsecd_guard_event(z);
		zsecd_retry(z);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "node", required_argument, NULL, 'N' },
		{ "check", no_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 's' },
		{ "plugin", required_argument, NULL, 'p' },
		{ "libipsec", no_argument, NULL, 'L' },
		{ 0 }
	};
	struct zsecd z = {
		.plugin_path = PLUGIN_SOCKET,
		.control_path = ZSECD_SOCKET,
		.plugin_fd = -1,
		.watch = { .fd = -1 },
	};
	const char *file = NULL;
	bool check = false;
	char err[512];
	int c, rc;

	while ((c = getopt_long(argc, argv, "f:N:ns:p:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'N':
			z.node = optarg;
			break;
		case 'n':
			check = true;
			break;
		case 's':
			z.control_path = optarg;
			break;
		case 'p':
			z.plugin_path = optarg;
			break;
		case 'L':
			z.libipsec = true;
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!file || !z.node || optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (check)
		return zsecd_check(&z, file, stdout);

	z.file = realpath(file, NULL);
	if (!z.file) {
		fprintf(stderr, "zsecd: %s: %s\n", file, strerror(errno));
		return 1;
	}
	/* a node whose guard cannot be programmed must not bring links up */
	z.guard = guard_open(err, sizeof(err));
	if (!z.guard) {
		fprintf(stderr, "zsecd: %s\n", err);
		free(z.file);
		return 3;
	}
	/* opened first: a flush during the first apply is seen too */
	if (!guard_watch(z.guard, err, sizeof(err)))
		log_msg("guard: %s: entries another process deletes stay deleted until the "
		        "next apply", err);
	z.signal_fd = setup_signals();
	z.control_fd = control_open(z.control_path);
	if (z.signal_fd < 0 || z.control_fd < 0) {
		fprintf(stderr, "zsecd: cannot open %s: %s\n", z.control_path, strerror(errno));
		return 3;
	}
	/* the control socket is created and chowned: CAP_CHOWN and the rest go */
	if (!privs_drop())
		return 3;
	log_msg("node %s, file %s", z.node, z.file);
	rc = zsecd_apply(&z, z.file, stderr);
	if (rc == 1) {
		/* an invalid file at start: nothing to run; a guard from
		 * before stays as it is */
		unlink(z.control_path);
		guard_close(z.guard);
		return 1;
	}
	loop(&z);
	plugin_disconnect(&z);
	unlink(z.control_path);
	guard_close(z.guard);           /* closes the socket; the entries stay */
	border_watch_close(&z.watch);
	plan_free(z.running);
	status_free(&z);
	free(z.file);
	return 0;
}
