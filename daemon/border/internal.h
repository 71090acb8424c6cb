/* internal: what the files of daemon/border/ share; not an interface. */
#ifndef ZSEC_BORDER_INTERNAL_H
#define ZSEC_BORDER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "border.h"

/* The packet mark while a packet is in zsec's chains: partner id in the low
 * 16 bits, exposure profile in the high 16 (docs/border.md, "The mark"). */
#define MARK_ID 0x0000ffffu
#define MARK_PROFILE 0xffff0000u
#define PROFILE_SHIFT 16
/* In a gateway map's value, the high half says the partner's IKE limit is
 * the usual one (layout.ike_usual). */
#define MARK_IKE_USUAL 0x00010000u

/* The per-partner limits, each a set of elements `id limit rate over ...`. */
enum limit_kind { LIMIT_IKE, LIMIT_PACKETS, LIMIT_SIP };

/* The counting sets, keyed by partner id (0: the border itself, no
 * partner to blame) and filled by the packets themselves (flags dynamic):
 * one per reason, then COUNT_ACCEPTED. */
#define COUNT_ACCEPTED BORDER_REASONS
#define COUNTS (BORDER_REASONS + 1)
extern const char *const count_set[COUNTS];

struct state_name {
	uint32_t id;
	const char *name;
};
struct state_limit {                    /* an element of a limit set */
	uint32_t id;
	uint64_t rate;                  /* per second */
	uint32_t burst;                 /* packets */
};
struct state_count {
	uint32_t id;
	struct border_count c;
};
/* A partner gateway's address as nftables prints it (canonical: inet_ntop),
 * with its partner's id (gateway maps), or with what set spoofed_sa4/6
 * counted through its SAs (id unused). */
struct state_gateway {
	const char *addr;
	uint32_t id;
	struct border_count c;
};
/* Sources of one partner through the SA of another (kernel ESP) are
 * counted by the SA's gateway, in these sets, and for the partner whose
 * gateway it is by zsecd (counters.c): nftables 1.0.6 cannot map an SA's
 * address to a mark. */
extern const char *const spoofed_sa_set[2];

/* Every replacement is a generation of the table, 1 to GEN_MAX and round
 * again, counted on from the running one (whose number the comment of set
 * generation carries, after STATE_GEN_COMMENT).  Its parity names the
 * staged sets the rules use (ruleset.c): odd NAME_a, even NAME_b, so
 * GEN_MAX is even.  The number itself tags the connections it let in
 * (rules.c): a replacement judges every connection again. */
#define STATE_GEN_COMMENT "generation "
#define GEN_MAX 0xfffeu

static inline char gen_suffix(unsigned gen)
{
	return gen & 1 ? 'a' : 'b';
}

/* The lengths of the partners' prefixes, longest first, [0] IPv4 and [1]
 * IPv6: a partner's source is found by a lookup per length, each in a
 * hash of the prefixes of that length (src4_24 holds the /24s), not in
 * one map of intervals: a hash takes in an element in half the time, and
 * a packet's lookup costs the same for 10 partners or 10,000.  Partners'
 * prefixes never overlap (the validator), so the order changes nothing. */
struct src_lengths {
	uint8_t n[2];
	uint8_t len[2][129];
};
void src_lengths_of(const struct plan *p, struct src_lengths *out);
/* How set generation names a length of family k (0: IPv4, 1: IPv6). */
#define SRC_LENGTH_ELEM(k, len) ((uint32_t)((k) ? 6 : 4) << 8 | (uint32_t)(len))

struct border_state {
	struct arena *arena;
	bool table;                     /* table inet zsec exists */
	unsigned gen;                   /* 1 to GEN_MAX; 0: unknown */
	/* the source maps of that generation: one per length set generation's
	 * elements name, or whole (no elements: a zsecd of before the maps by
	 * length, with one map of intervals per family, src4_a or src4_b) */
	struct src_lengths src;
	bool src_whole;
	bool legacy;                    /* made by a zsecd of before the staging
	                                 * transactions: src4/6, gateways4/6,
	                                 * packets_limit and sip_limit unstaged */
	struct state_name *names;       /* from the gateway maps, sorted by name */
	size_t n_names;
	struct state_gateway *gateways; /* from the gateway maps, sorted by addr */
	size_t n_gateways;
	struct state_gateway *sa_counts;        /* from spoofed_sa4/6; for
	                                         * border_counters only */
	size_t n_sa_counts;
	struct state_count *counts[COUNTS];     /* sorted by id; read for
	                                         * border_counters only */
	size_t n_counts[COUNTS];
};

/* A rate as the table holds it: the default burst filled in. */
struct state_limit limit_of(uint32_t id, const struct plan_rate *r);

/* ---- rules.c: the text that does not depend on the plan ---- */
void rules_declarations(FILE *f);
/* the rule of the usual IKE limit only if ike_usual->rate; a lookup in the
 * source map of each length of src */
void rules_chains(FILE *f, const struct state_limit *ike_usual, const struct src_lengths *src,
                  unsigned gen);

/* ---- layout.c: partner ids and exposure profiles ---- */
struct layout {
	size_t n;                       /* partners of the plan, in its order */
	uint32_t *id;                   /* 1..BORDER_MAX_PARTNERS */
	uint32_t *profile;              /* 1..: equal presented lists share one */
	const struct state_name **kept_from;    /* the running table's entry whose
	                                         * id a partner keeps; NULL: new */
	size_t *by_id;                  /* partner indexes in the order of their ids */
	struct prefix **presented;      /* of each profile (index profile - 1):
	                                 * sorted, none inside another */
	size_t *n_presented;
	size_t n_profiles;
	/* The IKE limit most partners share: their buckets are made by their
	 * first packet (set ike_buckets), not loaded with the table. */
	struct state_limit ike_usual;   /* rate 0: no partner has an IKE limit */
	size_t kept, added, removed;    /* ids against the running table */
};
/* Ids stay with the names the running table (NULL: none) has; a new
 * partner gets the smallest id no staying partner has. */
bool layout_make(const struct plan *p, const struct border_state *running, struct layout *l,
                 char *err, size_t len);
void layout_free(struct layout *l);
/* Sorts v and drops every prefix that lies inside another; the new count. */
size_t prefixes_outermost(struct prefix *v, size_t n);

/* ---- json.c: just enough JSON for `nft -j` output ---- */
enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };
struct json {
	enum json_type type;
	const char *key;                /* the member's name, inside an object */
	const char *str;                /* JSON_STRING; JSON_NUMBER: its text */
	bool b;
	struct json *child, *next;      /* first member or item; next sibling */
};
/* One value from text; *end after it.  Nodes live in arena a.  NULL with
 * the reason in err. */
struct json *json_parse(struct arena *a, const char *text, const char **end,
                        char *err, size_t len);
const struct json *json_get(const struct json *obj, const char *key);
/* A non-negative integer member, 0 if absent or not one. */
uint64_t json_u64(const struct json *obj, const char *key);
const char *json_str(const struct json *obj, const char *key);

/* ---- nft.c: libnftables ---- */
struct elem_batch;
/* Runs a script as one transaction; dry: check only.  The error buffer of
 * libnftables goes to err. */
bool nft_run(const char *script, bool dry, char *err, size_t len);
/* Runs n scripts, each a transaction of its own, at the same time (the
 * kernel commits them one after the other, in any order); dry: check only;
 * then: a batch sent after the last script (which declares its sets), or
 * NULL.  True if every one went through, else the error of one that did
 * not (n >= 1). */
bool nft_run_together(char *const *scripts, size_t n, bool dry, struct elem_batch *then,
                      char *err, size_t len);
/* Runs one listing command with JSON output; malloc'ed text in *out.
 * *missing (and true) when what it lists does not exist. */
bool nft_list(const char *cmd, char **out, bool *missing, char *err, size_t len);

/* ---- elements.c: elements by netlink, not through libnftables ---- */
struct elem_batch *batch_new(void);
void batch_free(struct elem_batch *b);
/* the elements that follow go to set NAME of table inet zsec */
void batch_set(struct elem_batch *b, const char *name);
/* key: the bytes of its parts, each 4-byte aligned; key_end: those of
 * the ends of its ranges, in a set of concatenated intervals, or NULL;
 * data: a map's value; comment, limit: or NULL */
void batch_add(struct elem_batch *b, const void *key, const void *key_end, size_t klen,
               const void *data, size_t dlen, const char *comment,
               const struct state_limit *limit);
/* One transaction of every element; the sets must exist. */
bool batch_send(struct elem_batch *b, char *err, size_t len);

/* ---- ruleset.c ---- */
/* border_render; with batch, the elements of the staged sets go
 * there instead of into the text (loading: batch_send, after the staging
 * transaction that declares them) */
char *script_render(const struct plan *p, const struct border_state *running,
                    struct border_stats *st, struct elem_batch *batch, char *err, size_t len);

/* ---- apply.c ---- */
/* The dry run of a script of border_render: its transactions checked side
 * by side.  Writes '\0' at its marks. */
bool script_check(char *script, char *err, size_t len);

/* ---- state.c ---- */
/* The running table; with its counters (border_counters) or without
 * (what border_render needs). */
struct border_state *state_read(bool counts, char *err, size_t len);
struct border_state *state_new(void);
/* One `nft -j list map|set inet zsec NAME` output into s: set generation
 * gives the generation, a gateway map names and ids, a counting set its
 * counters. */
bool state_add(struct border_state *s, const char *name, const char *json, char *err, size_t len);

/* ---- counters.c ---- */
bool counters_of(const struct border_state *s, struct border_counter **out, size_t *n,
                 char *err, size_t len);
const struct state_name *state_name_find(const struct border_state *s, const char *name);
/* The id of the partner whose gateway addr is; 0: none */
uint32_t state_gateway_id(const struct border_state *s, const char *addr);

double border_now(void);

#endif
