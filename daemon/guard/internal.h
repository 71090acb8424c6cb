/* internal: what the files of daemon/guard/ share; not an interface. */
#ifndef ZSEC_GUARD_INTERNAL_H
#define ZSEC_GUARD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guard.h"

struct nl_sock;

struct guard {
	struct nl_sock *sk;
	uint32_t seq;
	uint8_t *buf;                   /* one batch of requests */
	int watch_fd;                   /* policy events (watch.c), -1: none */
	/* what the last guard_begin did and found, sorted by key: the
	 * additions and the entries it replaced (for guard_rollback), the
	 * stale entries with their kernel index (for guard_commit) */
	struct guard_entry *added, *replaced, *stale;
	size_t n_added, n_replaced, n_stale;
};

/* entry.c: guard_entry_str of an entry whose mark mask is mask */
const char *entry_str_masked(const struct guard_entry *e, uint32_t mask,
                             char buf[GUARD_ENTRY_STRLEN]);

/* Another process's pass in clear (an ALLOW without a template), with its
 * mark mask. */
struct xfrm_pass {
	struct guard_entry e;
	uint32_t mark_mask;
};

/* The kernel's verdict on a batch of requests. */
struct xfrm_result {
	size_t failed;                  /* requests the kernel refused */
	size_t first;                   /* the first of them */
	int error;                      /* its errno */
	char reason[128];               /* the kernel's own words, if it gave some */
	bool lost;                      /* replies were lost: which failed is unknown */
};

enum xfrm_op {
	XFRM_ADD,                       /* fails if the key exists */
	XFRM_UPDATE,                    /* replaces the entry of that key */
	XFRM_REPAIR,                    /* XFRM_UPDATE, every request sent however
	                                 * many the kernel refuses (guard_repair) */
	XFRM_REMOVE,                    /* by kernel index if it has one, else by key;
	                                 * one already gone is no failure */
};

/* netlink.c */
bool xfrm_open(struct guard *g, char *err, size_t len);
void xfrm_close(struct guard *g);
/* Writes one request per entry, many per send.  true if the kernel took
 * them all; otherwise r says which failed and why. */
bool xfrm_write(struct guard *g, enum xfrm_op op, const struct guard_entry *v, size_t n,
                struct xfrm_result *r);
/* Every policy of the kernel: zsec's in *out (malloc'ed, in the kernel's
 * order), the others counted. */
bool xfrm_dump(struct guard *g, struct guard_entry **out, size_t *n, size_t *foreign,
               char *err, size_t len);
/* Every policy of the kernel: others' passes in clear in *out (malloc'ed). */
bool xfrm_dump_passes(struct guard *g, struct xfrm_pass **out, size_t *n, char *err,
                      size_t len);

#endif
