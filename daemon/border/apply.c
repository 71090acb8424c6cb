/* apply: the running table -> the plan's, checked first.
 *
 * The script's last transaction replaces the rules and everything but the
 * staged sets, which the staging transactions made side by side before it
 * (ruleset.c says why).  A script the kernel refuses leaves the rules as
 * they were; the dry run of the whole script before lets a refusal surface
 * before anything is sent for real, and is what border_check does alone
 * (zsecctl plan, a configuration test). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "internal.h"

/* user + system time of this process and of its children that ended (the
 * staging transactions) */
static double cpu_now(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
	                kids.ru_stime.tv_sec) +
	       (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
	                kids.ru_stime.tv_usec) / 1e6;
}

/* Runs the staging transactions of a script (ended with '\0' where the
 * replacement begins) side by side. */
static bool run_stages(char *script, char *err, size_t len)
{
	char *parts[16], *mark;
	size_t n = 0;

	parts[n++] = script;
	while ((mark = strstr(parts[n - 1], BORDER_STAGE_MARK))) {
		if (n == sizeof(parts) / sizeof(parts[0])) {
			snprintf(err, len, "the Border Element script has too many stages");
			return false;
		}
		*mark = '\0';
		parts[n++] = mark + strlen(BORDER_STAGE_MARK);
	}
	return nft_run_together(parts, n, err, len);
}

/* The script that takes the running table to p's. */
static char *script_for(const struct plan *p, struct border_stats *st, char *err, size_t len)
{
	struct border_state *s;
	double t0 = border_now();
	char *script;

	if (!(s = state_read(false, err, len)))
		return NULL;
	if (st)
		st->read_s = border_now() - t0;
	script = border_render(p, s, st, err, len);
	border_state_free(s);
	return script;
}

bool border_check(const struct plan *p, struct border_stats *st, char *err, size_t len)
{
	char *script = script_for(p, st, err, len);
	double t0 = border_now();
	bool ok;

	if (!script)
		return false;
	ok = !*script || nft_run(script, true, err, len);
	if (st)
		st->check_s = border_now() - t0;
	free(script);
	return ok;
}

bool border_apply(const struct plan *p, struct border_stats *st, char *err, size_t len)
{
	char *script = script_for(p, st, err, len), *swap;
	double t0 = border_now(), c0;
	bool ok;

	if (!script)
		return false;
	if (!*script) {
		free(script);
		return true;            /* no table, none wanted */
	}
	ok = nft_run(script, true, err, len);
	if (st)
		st->check_s = border_now() - t0;
	t0 = border_now();
	c0 = cpu_now();
	swap = strstr(script, BORDER_SWAP_MARK);
	if (ok && swap) {
		*swap = '\0';
		ok = run_stages(script, err, len);
		swap += strlen(BORDER_SWAP_MARK);
	}
	if (ok)
		ok = nft_run(swap ? swap : script, false, err, len);
	if (st) {
		st->load_s = border_now() - t0;
		st->load_cpu_s = cpu_now() - c0;
	}
	free(script);
	return ok;
}
