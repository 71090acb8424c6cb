/*
 * guard: the fail-closed kernel guard, zsec's entries in the kernel's XFRM
 * policy database (SPD), the interface of daemon/guard/.
 *
 *   plan --guard_expand--> wanted entries (sorted by key)
 *   kernel --dump--> zsec's entries --guard_diff(wanted)--> add, update, remove
 *   guard_begin: additions and updates (all or nothing)
 *   guard_commit: removals of what is no longer wanted (after charon has the plan)
 *   guard_rollback: undoes the last guard_begin (charon refused the plan)
 *
 * Every plan guard entry becomes two kernel policies that differ only in
 * their mark: value 0 and value ZSEC_GUARD_MARK (policy.h), both under the
 * mask ZSEC_GUARD_MARK.  Together they match every packet, whatever its
 * mark.  A GUARD_DISCARD_UNMARKED entry becomes only the first: it lets
 * through what the Border Element marked (the flows it renumbers).
 * charon's policies carry mark 0/0, and the kernel tells two policies apart
 * by direction, selector, mark (value and mask), type and interface id, so
 * charon can never replace or delete one of ours, even with an equal
 * selector (it retries an EEXIST with XFRM_MSG_UPDPOLICY).
 *
 * An entry is zsec's when its priority lies in the guard's band and its mark
 * mask is ZSEC_GUARD_MARK; anything else in the kernel is never touched,
 * with one exception: guard_repair takes back a key of the plan that an
 * entry with zsec's mark and mask holds at another priority (one of zsec's
 * entries replaced behind its back).
 */
#ifndef ZSEC_GUARD_H
#define ZSEC_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* The guard's band: from the plan's BYPASS priority to a little beyond its
 * DISCARD priority, all below charon's (whose numbers end at 600000). */
#define GUARD_BAND_LOW GUARD_PRIO_BYPASS
#define GUARD_BAND_HIGH (GUARD_PRIO_DISCARD + 9999)

/* The identity of a kernel policy, what the kernel itself tells two apart
 * by: direction, type, selector, interface id and mark.  Integers are kept
 * big-endian and the layout has no padding, so memcmp orders keys. */
struct guard_key {
	uint8_t dir;                    /* XFRM_POLICY_IN, _OUT, _FWD */
	uint8_t family;                 /* AF_INET, AF_INET6 */
	uint8_t type;                   /* XFRM_POLICY_TYPE_MAIN, _SUB */
	uint8_t proto;                  /* 0: any */
	uint8_t src[16], dst[16];       /* network order; IPv4 in [0..3] */
	uint8_t src_len, dst_len;
	uint16_t sport, sport_mask;     /* network order, as in the kernel */
	uint16_t dport, dport_mask;
	uint16_t zero;                  /* always 0: keeps memcmp exact */
	uint32_t ifindex, user, if_id;  /* big-endian */
	uint32_t mark;                  /* the mark value, big-endian */
};

struct guard_entry {
	struct guard_key key;
	uint32_t priority;
	uint8_t action;                 /* XFRM_POLICY_ALLOW, _BLOCK */
	uint8_t flags;                  /* XFRM_POLICY_LOCALOK, _ICMP */
	bool extra;                     /* templates, a security context or
	                                 * lifetime limits: not what zsec writes */
	uint32_t index;                 /* the kernel's; 0 for wanted entries */
};

/* Is a kernel policy with this priority and mark mask zsec's? */
bool guard_owns(uint32_t priority, uint32_t mark_mask);

/* The kernel entries a plan wants: two per plan entry (one per mark value),
 * sorted by key, one per key.  Plan entries of several links can share a
 * selector; then DISCARD wins over BYPASS (fail closed), and the lower
 * priority number otherwise.  NULL plan: none.  false if out of memory. */
bool guard_expand(const struct plan *p, struct guard_entry **out, size_t *n);
int guard_key_cmp(const struct guard_key *a, const struct guard_key *b);
void guard_sort(struct guard_entry *v, size_t n);
/* Same key, and the same action, priority and flags, nothing extra. */
bool guard_entry_same(const struct guard_entry *a, const struct guard_entry *b);

/* What turns the kernel's entries (have, zsec's only, sorted) into the
 * wanted ones (sorted): update[i] replaces update_old[i] in place. */
struct guard_diff {
	struct guard_entry *add, *update, *update_old, *remove;
	size_t n_add, n_update, n_remove, n_keep;
};
bool guard_diff(const struct guard_entry *have, size_t n_have,
                const struct guard_entry *want, size_t n_want, struct guard_diff *out);
void guard_diff_free(struct guard_diff *d);

/* "out 10.1.1.0/24 -> 10.2.0.0/16 any mark 0/0x100000 block prio 710000" */
#define GUARD_ENTRY_STRLEN 256
const char *guard_entry_str(const struct guard_entry *e, char buf[GUARD_ENTRY_STRLEN]);

/* ---- the kernel ---- */

struct guard_stats {
	size_t wanted;                  /* kernel entries the plan asks for */
	size_t present;                 /* zsec's entries found in the kernel */
	size_t foreign;                 /* everyone else's, left alone */
	size_t added, updated, removed, kept;
	size_t undone;                  /* additions and updates rolled back */
	bool undo_failed;               /* guard_begin refused, and not all of
	                                 * what it changed could be undone */
	double dump_s, diff_s, write_s; /* seconds, for the benchmark */
};

struct guard;

/* A netlink socket to the kernel's XFRM in the caller's network namespace
 * (needs CAP_NET_ADMIN); NULL with the reason in err. */
struct guard *guard_open(char *err, size_t len);
void guard_close(struct guard *g);

/* Reads the kernel's database and adds or updates every entry the plan
 * (NULL: none) wants and the kernel lacks.  All or nothing: if the kernel
 * refuses one, what this call changed is undone and err says why.  The
 * stale entries it found wait for guard_commit; a second guard_begin
 * forgets them (and the changes it could roll back). */
bool guard_begin(struct guard *g, const struct plan *p, struct guard_stats *st,
                 char *err, size_t len);
/* Removes zsec's entries that the last guard_begin found unwanted.  An
 * entry already gone is fine; on another failure coverage stays whole
 * (only extra entries remain) and the next guard_begin finds them again. */
bool guard_commit(struct guard *g, struct guard_stats *st, char *err, size_t len);
/* Undoes the additions and updates of the last guard_begin. */
bool guard_rollback(struct guard *g, struct guard_stats *st, char *err, size_t len);
/* guard_begin then guard_commit: reconciles the kernel with p; NULL p
 * removes every entry of zsec's (zsecctl teardown). */
bool guard_apply(struct guard *g, const struct plan *p, struct guard_stats *st,
                 char *err, size_t len);
/* After another process deleted or changed zsec's entries: writes what p
 * wants and the kernel lacks or holds otherwise, and with remove what p
 * does not want.  A missing entry is written as an update, so it also
 * takes back its key from an entry that poses as zsec's (same mark and
 * mask, another priority).  Best effort, unlike guard_begin: a refusal
 * leaves the rest in place (part of a guard is better than none), and err
 * tells the first.  While a guard_begin is open (no guard_commit or
 * guard_rollback yet: charon may still run the previous plan), the stale
 * entries it found are wanted too: put back, never removed.  Leaves
 * guard_commit's and guard_rollback's work as it was. */
bool guard_repair(struct guard *g, const struct plan *p, bool remove, struct guard_stats *st,
                  char *err, size_t len);
/* zsec's entries in the kernel, sorted by key (malloc'ed), and how many
 * entries are someone else's. */
bool guard_dump(struct guard *g, struct guard_entry **out, size_t *n, size_t *foreign,
                char *err, size_t len);

/* ---- others' entries that shadow the guard ----
 *
 * The kernel takes, of the policies that match a packet, the one with the
 * lowest priority number, whoever wrote it.  Another process's ALLOW
 * without a template (a pass in clear text, `ip xfrm policy add ... action
 * allow`) that overlaps a DISCARD of zsec's and beats it lets protected
 * traffic out in clear whenever charon's SA is not there, and beats
 * charon's own IPsec entries too where its number is lower than theirs.
 * zsec never touches others' entries; it finds these and says so. */

/* Does other, another process's ALLOW without a template whose mark mask
 * is other_mask, beat ours, a DISCARD of zsec's: same direction, family
 * and interface id, overlapping selectors (addresses, protocol, ports) and
 * marks, and it wins the lookup: a sub policy always does, a main one
 * with a priority number lower than ours or the same (the kernel then
 * takes whichever it finds first). */
bool guard_beats(const struct guard_entry *other, uint32_t other_mask,
                 const struct guard_entry *ours);

struct guard_shadow {
	size_t n;                       /* others' passes that beat a DISCARD */
	char first[2 * GUARD_ENTRY_STRLEN + 16]; /* "OTHER beats OURS", the
	                                 * first of them; "" when n is 0 */
};
/* Reads the kernel and checks others' passes against the DISCARDs p wants
 * (NULL: none).  false with err if the kernel could not be read. */
bool guard_shadows(struct guard *g, const struct plan *p, struct guard_shadow *out,
                   char *err, size_t len);

/* The watch: the kernel's events on its XFRM policies, so that zsec's
 * entries deleted or changed by another process (`ip xfrm policy flush`)
 * can be put back at once (zsecd does, with guard_repair).  Events the
 * guard's own writes cause are passed over. */
bool guard_watch(struct guard *g, char *err, size_t len);
void guard_unwatch(struct guard *g);
/* the socket to poll for events, -1 without a watch */
int guard_watch_fd(const struct guard *g);
enum guard_loss {                       /* in order: the worst is told */
	GUARD_INTACT,                   /* nothing of zsec's touched by others */
	GUARD_OTHERS_PASS,              /* another process added, changed or
	                                 * deleted a pass in clear of its own:
	                                 * it may shadow the guard, or no more */
	GUARD_TOUCHED,                  /* another process flushed policies, or
	                                 * wrote one with zsec's mark mask */
	GUARD_EVENTS_LOST,              /* the socket overflowed: unknown */
};
/* Reads every pending event. */
enum guard_loss guard_watch_read(struct guard *g);

/* kernel-libipsec: charon sends and receives protected traffic through its
 * TUN device and installs no XFRM policies, so the guard would drop that
 * traffic too.  Exempts the device from policy checks (IPv4: disable_xfrm,
 * disable_policy; IPv6: disable_policy).  1 done, 0 no such device (the
 * kernel-netlink data plane), -1 failed with the reason in err. */
#define GUARD_TUN_DEVICE "ipsec0"
int guard_tun_exempt(const char *dev, char *err, size_t len);

#endif
