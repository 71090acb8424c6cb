/*
 * border: the Border Element rules, nftables table `inet zsec`, the
 * interface of daemon/border/.
 *
 *   plan --border_render(running)--> one nft script (pure, deterministic)
 *   kernel --border_state_read--> what the running table holds that matters
 *                                 across a replacement: partner ids, limits,
 *                                 counters
 *   border_check: render against the running table, dry run only
 *   border_apply: render against the running table, dry run, then the same
 *                 script for real: staged sets, two transactions side by
 *                 side, then the rules and the rest as one transaction
 *   border_counters: per partner, accepted and dropped by reason
 *
 * zsecd owns the table: it is replaced as a whole, the sets of the next
 * rules staged in a first transaction, the rules and the rest in a second
 * one (ruleset.c says why), and nothing else may write to it.  Per-packet work does not grow with the
 * number of partners: every per-partner fact is an element of a set or a
 * map (docs/border.md has the rules, the threats they answer and the
 * counters).  The rules are the same whatever the plan.
 *
 * Counters and limits are kept per partner id, a number that stays with a
 * partner's name for as long as the table has it (set `partners`).  A
 * replacement keeps the counters of every partner that remains; the token
 * buckets of the limits start full after it.
 *
 * A plan without partners (an element, a gateway that faces none) gets no
 * table: applying it removes the table if there is one.
 */
#ifndef ZSEC_BORDER_H
#define ZSEC_BORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define BORDER_TABLE "zsec"             /* family inet */
/* kernel-libipsec's TUN device: what charon decrypts enters here, what it
 * encrypts leaves here (the same name as the guard's GUARD_TUN_DEVICE) */
#define BORDER_TUN_DEVICE "ipsec0"
/* Partner ids and exposure profiles share the packet mark, 16 bits each. */
#define BORDER_MAX_PARTNERS 65535u
/* Hop limit of every packet to and from a partner. */
#define BORDER_HOP_LIMIT 64
/* IKE from each of our elements (Zb) to its gateway, per source address:
 * an element sets up one IKE SA and rekeys it now and then, so a
 * hundredfold that still holds back a flood from a compromised element, or
 * from a host on its segment in its name, before charon. */
#define BORDER_ELEMENT_IKE_RATE 10      /* packets per second */
#define BORDER_ELEMENT_IKE_BURST 20     /* packets */

/* Why a packet was dropped.  The order is the order of zsecctl status. */
enum border_reason {
	BORDER_NOT_EXPOSED,             /* to or from an address not exposed */
	BORDER_SPOOFED,                 /* a source the packet cannot have */
	BORDER_ICMP_HIDDEN,             /* an ICMP error from inside */
	BORDER_IKE_UNKNOWN,             /* IKE from no partner gateway or element */
	BORDER_IKE_OVER_LIMIT,
	BORDER_PACKETS_OVER_LIMIT,
	BORDER_SIP_OVER_LIMIT,
	BORDER_IP_OPTIONS,              /* IPv4 options, IPv6 hop-by-hop or routing header */
	BORDER_REASONS
};
/* "not exposed", "spoofed source", ... as zsecctl status prints them (text) */
const char *border_reason_name(enum border_reason r);
/* "not_exposed", "spoofed", ...: JSON keys */
const char *border_reason_key(enum border_reason r);

struct border_count {
	uint64_t packets, bytes;
};
struct border_counter {
	char partner[64];               /* "": the border as a whole, for drops no
	                                 * partner can be blamed for (IKE from an
	                                 * unknown source, one of our own addresses
	                                 * arriving from outside) */
	struct border_count accepted;   /* from the partner, passed every check */
	struct border_count dropped[BORDER_REASONS];
};

/* Timings of one border_apply or border_check, for the benchmark. */
struct border_stats {
	size_t partners;                /* in the plan */
	size_t kept, added, removed;    /* partner ids */
	size_t script_bytes;
	double read_s, render_s, check_s, load_s;      /* wall clock */
	double load_cpu_s;              /* user + system time of the load: the
	                                 * kernel does its part in our process */
};

/* What the running table holds (opaque; daemon/border/internal.h). */
struct border_state;

/* Reads table inet zsec of the caller's network namespace (CAP_NET_ADMIN);
 * a state with no table when there is none.  NULL with the reason in err. */
struct border_state *border_state_read(char *err, size_t len);
/* The state border_apply(p) leaves on a machine with no table (its partner
 * ids): for golden tests of a replacement.  NULL p: no table. */
struct border_state *border_state_of(const struct plan *p, char *err, size_t len);
void border_state_free(struct border_state *s);

/* A script is transactions: what comes before BORDER_CHECK_MARK stages the
 * sets the rules will use, in transactions that BORDER_STAGE_MARK parts and
 * that may run at the same time; what comes after BORDER_SWAP_MARK replaces
 * the table (ruleset.c says why).  Between the two, the staged sets are
 * declared, empty: what the replacement's dry run needs in front of it to
 * run alone; a no-op after the staging transactions. */
#define BORDER_STAGE_MARK "# ---- staging transaction, alongside the one before ----\n"
#define BORDER_CHECK_MARK "# ---- for a dry run of the replacement alone: the staged sets ----\n"
#define BORDER_SWAP_MARK "# ---- the replacement, after every staging transaction ----\n"

/* The nft script that turns the running table (NULL: none) into p's;
 * NULL p, or a plan without partners, removes it.  Deterministic: the same
 * plan and state give the same bytes.  malloc'ed; NULL with the reason in
 * err (more than BORDER_MAX_PARTNERS partners, a partner name nft cannot
 * quote).  An empty script means there is nothing to do. */
char *border_render(const struct plan *p, const struct border_state *running,
                    struct border_stats *st, char *err, size_t len);

/* Renders p against the running table and has nftables check the script
 * without changing anything (dry run).  st may be NULL. */
bool border_check(const struct plan *p, struct border_stats *st, char *err, size_t len);
/* Renders p against the running table, checks it (dry run), then applies
 * it: the staged sets, side by side, then the rest as one transaction.  On
 * failure the rules are as they were (a staged set no rule uses may be
 * left, the next apply replaces it).  NULL p removes the table.  st may be
 * NULL. */
bool border_apply(const struct plan *p, struct border_stats *st, char *err, size_t len);

/* The watch on table inet zsec: nftables' events of the caller's network
 * namespace (watch.c).  Open it only while not changing the table: a load
 * of 10,000 partners is tens of thousands of element events, which the
 * kernel would build for the listener (load time) and which would overflow
 * its socket (read as a loss). */
struct border_watch {
	int fd;                         /* -1: closed; poll it for POLLIN */
	bool deleted;                   /* in the transaction being read */
	uint32_t pid;                   /* of the last deletion read */
	char name[32];                  /* its process's name */
};
enum border_loss {
	BORDER_INTACT,
	BORDER_DELETED,                 /* by another process: pid, name */
	BORDER_EVENTS_LOST,             /* the socket overflowed: it may be
	                                 * (border_table_present tells) */
};
bool border_watch_open(struct border_watch *w, char *err, size_t len);
void border_watch_close(struct border_watch *w);
/* Reads what the events say since the last call, without blocking. */
enum border_loss border_watch_read(struct border_watch *w);
/* Whether table inet zsec is there (its set generation: one small listing);
 * false with the reason in err when that cannot be read. */
bool border_table_present(bool *present, char *err, size_t len);

/* One entry per partner in the running table, sorted by name, then the
 * border's own entry (partner "").  None when there is no table.  *out is
 * malloc'ed. */
bool border_counters(struct border_counter **out, size_t *n, char *err, size_t len);

#endif
