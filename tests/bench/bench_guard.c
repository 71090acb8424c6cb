/* bench_guard: the kernel guard against `ip -batch`, each in a network
 * namespace of its own (unshare: nothing to name, nothing left behind).
 *
 *   bench_guard run N [RUNS]
 *
 * N plan entries (two kernel policies each) for N/10 partners, each with the
 * shape plan_compile gives a Za link: IKE and ESP BYPASS both ways (6) and
 * DISCARD out, in and forward both ways between the exposed /24, shared by
 * all partners, and the partner's own /24 (4).  In a fresh namespace each,
 * best of RUNS:
 *
 *   install    guard_apply into an empty kernel
 *   noop       guard_apply again, nothing to change
 *   change     guard_apply of the plan with one partner's prefix changed:
 *              what it added and removed, and whether that is exactly the
 *              partner's entries
 *   ip         `ip -batch` of the same policies into an empty kernel
 *   adopt      guard_apply over what ip installed: all kept, none changed
 *
 * Prints key=value lines for tests/bench/guard.sh; seconds.  Exit 1 when a
 * check fails (the kernel does not hold what it should), 2 on usage. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/xfrm.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"

#define PER_PARTNER 10

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char batch[] = "/tmp/zsec-bench-guard.XXXXXX";  /* the lines for ip -batch */
static bool batch_made;

static void die(const char *fmt, const char *what)
{
	if (batch_made)
		unlink(batch);
	fprintf(stderr, "bench_guard: ");
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
	exit(1);
}

static struct prefix v4(uint32_t a, uint8_t len)
{
	struct prefix p = { .addr.family = AF_INET, .len = len };

	a = htonl(a);
	memcpy(p.addr.bytes, &a, 4);
	return p;
}

/* partner i's /24: 100.64.0.0/10 then 10.64.0.0/10; `changed` moves it to
 * 10.200.0.0/16, where no partner lives */
static struct prefix partner_prefix(size_t i, bool changed)
{
	if (changed)
		return v4(0x0ac80000u + ((uint32_t)i << 8 & 0xffff), 24);
	if (i < 16384)
		return v4(0x64400000u + ((uint32_t)i << 8), 24);
	return v4(0x0a400000u + ((uint32_t)(i - 16384) << 8), 24);
}

static void put(struct plan_guard *g, const char *link, enum guard_dir dir, enum guard_action a,
                struct prefix src, struct prefix dst, uint8_t proto, uint16_t dport)
{
	*g = (struct plan_guard){
		.link = link, .dir = dir, .action = a, .src = src, .dst = dst, .proto = proto,
		.dport = dport, .priority = a == GUARD_BYPASS ? GUARD_PRIO_BYPASS : GUARD_PRIO_DISCARD,
	};
}

/* n entries; partner `change` (if < n/10) has another prefix */
static struct plan *synthetic(size_t n, size_t change)
{
	struct arena *a = arena_new();
	struct plan *p = arena_alloc(a, sizeof(*p));
	struct prefix me = v4(0xc0000201u, 32), expose = v4(0x0a010100u, 24);
	size_t i, k = 0;

	p->arena = a;
	p->guards = arena_array(a, n, sizeof(*p->guards));
	for (i = 0; k + PER_PARTNER <= n; i++) {
		const char *link = arena_printf(a, "za:partner-%05zu:gw", i);
		struct prefix peer = v4(0xc6120000u + (uint32_t)i + 1, 32);
		struct prefix theirs = partner_prefix(i, i == change);
		struct plan_guard *g = &p->guards[k];

		put(g++, link, GUARD_OUT, GUARD_BYPASS, me, peer, IPPROTO_UDP, 500);
		put(g++, link, GUARD_OUT, GUARD_BYPASS, me, peer, IPPROTO_UDP, 4500);
		put(g++, link, GUARD_OUT, GUARD_BYPASS, me, peer, IPPROTO_ESP, 0);
		put(g++, link, GUARD_IN, GUARD_BYPASS, peer, me, IPPROTO_UDP, 500);
		put(g++, link, GUARD_IN, GUARD_BYPASS, peer, me, IPPROTO_UDP, 4500);
		put(g++, link, GUARD_IN, GUARD_BYPASS, peer, me, IPPROTO_ESP, 0);
		put(g++, link, GUARD_OUT, GUARD_DISCARD, expose, theirs, 0, 0);
		put(g++, link, GUARD_IN, GUARD_DISCARD, theirs, expose, 0, 0);
		put(g++, link, GUARD_FWD, GUARD_DISCARD, expose, theirs, 0, 0);
		put(g++, link, GUARD_FWD, GUARD_DISCARD, theirs, expose, 0, 0);
		k += PER_PARTNER;
	}
	p->n_guards = k;
	return p;
}

/* A fresh, empty network namespace for this process. */
static void fresh_netns(void)
{
	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET): %s (root needed)", strerror(errno));
}

static struct guard *open_guard(void)
{
	char err[256];
	struct guard *g = guard_open(err, sizeof(err));

	if (!g)
		die("%s", err);
	return g;
}

static double apply(struct guard *g, const struct plan *p, struct guard_stats *st)
{
	char err[1024];
	double t = now();

	if (!guard_apply(g, p, st, err, sizeof(err)))
		die("%s", err);
	return now() - t;
}

/* The kernel holds exactly the entries p wants, nothing else of zsec's. */
static void check_kernel(struct guard *g, const struct plan *p, const char *when)
{
	struct guard_entry *have, *want;
	size_t n_have, n_want, i;
	char err[256];

	if (!guard_dump(g, &have, &n_have, NULL, err, sizeof(err)) ||
	    !guard_expand(p, &want, &n_want))
		die("%s", err);
	if (n_have != n_want)
		die("after %s the kernel holds other entries than the plan's", when);
	for (i = 0; i < n_have; i++)
		if (!guard_entry_same(&have[i], &want[i]))
			die("after %s the kernel holds other entries than the plan's", when);
	free(have);
	free(want);
}

/* The lines of `ip -batch` for p's entries. */
static void write_batch(const struct plan *p, const char *path)
{
	struct guard_entry *v;
	size_t n, i;
	FILE *fp = fopen(path, "w");

	if (!fp || !guard_expand(p, &v, &n))
		die("%s: cannot write", path);
	for (i = 0; i < n; i++) {
		const struct guard_key *k = &v[i].key;
		char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], ports[32] = "";

		inet_ntop(k->family, k->src, s, sizeof(s));
		inet_ntop(k->family, k->dst, d, sizeof(d));
		if (k->proto)
			snprintf(ports, sizeof(ports), " proto %u", k->proto);
		if (k->dport_mask)
			snprintf(ports + strlen(ports), sizeof(ports) - strlen(ports), " dport %u",
			         ntohs(k->dport));
		fprintf(fp, "xfrm policy add src %s/%u dst %s/%u%s dir %s priority %u action %s "
		        "mark %#x mask %#x\n", s, k->src_len, d, k->dst_len, ports,
		        k->dir == XFRM_POLICY_IN ? "in" : k->dir == XFRM_POLICY_OUT ? "out" : "fwd",
		        v[i].priority, v[i].action == XFRM_POLICY_ALLOW ? "allow" : "block",
		        ntohl(k->mark), ZSEC_GUARD_MARK);
	}
	free(v);
	if (fclose(fp))
		die("%s: cannot write", path);
}

static double ip_batch(const char *path)
{
	double t = now();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		execlp("ip", "ip", "-batch", path, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("ip -batch %s failed", path);
	return now() - t;
}

static double min(double a, double b)
{
	return a < b ? a : b;
}

struct figures {
	double install, noop, dump, change, ip, adopt;
	struct guard_stats change_st;
};

/* install, reconcile with nothing to change, one partner changed */
static void run_guard(const struct plan *p, const struct plan *q, struct figures *f)
{
	struct guard_stats st;
	struct guard *g;

	fresh_netns();
	g = open_guard();
	f->install = min(f->install, apply(g, p, &st));
	if (st.added != p->n_guards * 2)
		die("install added other than %s entries", "2N");
	check_kernel(g, p, "install");
	f->noop = min(f->noop, apply(g, p, &st));
	f->dump = min(f->dump, st.dump_s);
	if (st.added || st.updated || st.removed || st.kept != p->n_guards * 2)
		die("a reconcile with nothing to change %s", "changed something");
	f->change = min(f->change, apply(g, q, &f->change_st));
	check_kernel(g, q, "the change");
	guard_close(g);
}

/* ip -batch of the same policies; then zsec must find them all its own */
static void run_ip(const struct plan *p, const char *lines, struct figures *f)
{
	struct guard_stats st;
	struct guard *g;

	fresh_netns();
	f->ip = min(f->ip, ip_batch(lines));
	g = open_guard();
	f->adopt = min(f->adopt, apply(g, p, &st));
	if (st.added || st.updated || st.removed || st.kept != p->n_guards * 2)
		die("zsec does not recognise %s as its own", "ip's entries");
	guard_close(g);
}

int main(int argc, char **argv)
{
	struct figures f = { 1e9, 1e9, 1e9, 1e9, 1e9, 1e9, { 0 } };
	const struct guard_stats *ch = &f.change_st;
	struct plan *p, *q;
	size_t n, runs, r, partners, k;
	int fd;

	if (argc < 3 || argc > 4 || strcmp(argv[1], "run"))
		return fprintf(stderr, "usage: bench_guard run N [RUNS]\n"), 2;
	n = strtoul(argv[2], NULL, 10);
	runs = argc == 4 ? strtoul(argv[3], NULL, 10) : 3;
	if (n < PER_PARTNER || !runs)
		return fprintf(stderr, "bench_guard: N >= %d, RUNS >= 1\n", PER_PARTNER), 2;
	partners = n / PER_PARTNER;
	k = partners / 2;                       /* the partner that changes */
	p = synthetic(n, (size_t)-1);
	q = synthetic(n, k);
	if ((fd = mkstemp(batch)) < 0)
		die("mkstemp: %s", strerror(errno));
	close(fd);
	batch_made = true;
	write_batch(p, batch);

	for (r = 0; r < runs; r++) {
		/* ip first every other run: neither always gets the warmer kernel */
		if (r % 2)
			run_ip(p, batch, &f);
		run_guard(p, q, &f);
		if (!(r % 2))
			run_ip(p, batch, &f);
	}
	unlink(batch);
	printf("entries=%zu policies=%zu partners=%zu runs=%zu\n", p->n_guards,
	       p->n_guards * 2, partners, runs);
	printf("install=%.4f ip=%.4f ratio=%.3f\n", f.install, f.ip, f.install / f.ip);
	printf("noop=%.4f noop_dump=%.4f adopt=%.4f\n", f.noop, f.dump, f.adopt);
	/* one partner: 4 DISCARD entries moved to its new prefix, two marks */
	printf("change=%.4f change_added=%zu change_removed=%zu change_updated=%zu "
	       "change_expected=%d change_only_partner=%s\n", f.change, ch->added, ch->removed,
	       ch->updated, 8, ch->added == 8 && ch->removed == 8 && !ch->updated ? "yes" : "no");
	plan_free(p);
	plan_free(q);
	return 0;
}
