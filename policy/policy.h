/*
 * policy: zsec's topology policy library, the interface of policy/.
 *
 *   topology file --topo_load--> model --topo_validate--> valid model
 *   valid model --plan_compile(node)--> plan --plan_diff(old, new)--> change set
 *   plan --plan_render--> text (zsecctl plan, golden tests)
 *   plan --plan_encode/plan_decode--> versioned binary (plan_encode_links: the
 *       links alone, what the plugin receives)
 *
 * Pure: reads files, touches no kernel and no daemon.  Every model and plan
 * lives in one arena and is released at once.
 */
#ifndef ZSEC_POLICY_H
#define ZSEC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- memory: one arena per model or plan ---- */
struct arena;
struct arena *arena_new(void);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t size);       /* zeroed */
void *arena_array(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
size_t arena_size(const struct arena *a);

/* ---- addresses and prefixes (IPv4 and IPv6) ---- */
struct ipaddr {
	uint8_t family;                 /* AF_INET or AF_INET6 */
	uint8_t bytes[16];              /* network order; IPv4 in bytes[0..3] */
};
struct prefix {
	struct ipaddr addr;
	uint8_t len;
};
#define ADDR_STRLEN 46                  /* INET6_ADDRSTRLEN */
#define PREFIX_STRLEN (ADDR_STRLEN + 4)

bool addr_parse(const char *s, struct ipaddr *out);
/* What a node or a peer cannot have as its address ("the unspecified
 * address", "a loopback address", ...), or NULL. */
const char *addr_special(const struct ipaddr *a);
/* "10.1.0.0/16"; a bare address is a host prefix (the loader refuses it).  *host_bits tells whether
 * bits beyond the length were set (they are cleared in *out). */
bool prefix_parse(const char *s, struct prefix *out, bool *host_bits);
/* A known family, a length that fits it and no bits set beyond it. */
bool prefix_valid(const struct prefix *p);
struct prefix prefix_host(const struct ipaddr *a);
int addr_cmp(const struct ipaddr *a, const struct ipaddr *b);
int prefix_cmp(const struct prefix *a, const struct prefix *b);
bool prefix_contains(const struct prefix *p, const struct ipaddr *a);
bool prefix_within(const struct prefix *inner, const struct prefix *outer);
bool prefix_overlaps(const struct prefix *a, const struct prefix *b);
unsigned addr_bits(uint8_t family);    /* 32 or 128 */
/* a with its network bits replaced by those of `to` (1:1 renumbering). */
struct ipaddr prefix_map(const struct ipaddr *a, const struct prefix *to);
const char *addr_str(const struct ipaddr *a, char buf[ADDR_STRLEN]);
const char *prefix_str(const struct prefix *p, char buf[PREFIX_STRLEN]);

/* ---- diagnostics: FILE:LINE:COL: error: message, source line, caret ---- */
struct pos {
	uint32_t line, col;             /* 1-based; 0 when unknown */
};
struct source {
	const char *path;               /* as the user named it */
	const char *text;
	size_t len;
};
enum diag_level { DIAG_ERROR, DIAG_WARNING };
struct diag {
	enum diag_level level;
	char *file;
	struct pos pos;
	char *msg;
	char *line;                     /* the source line, NULL if none */
};
#define DIAG_MAX 1000                   /* shown; the rest only counted */
struct diags {
	struct diag *v;
	size_t n, cap;
	unsigned errors, warnings;
	unsigned dropped;               /* beyond DIAG_MAX */
	/* where the last source line shown starts: diagnostics come mostly in
	 * the order of the file, and finding each line from the top again
	 * made a thousand warnings on a large file quadratic */
	const char *seek_text;
	size_t seek_len;
	uint32_t seek_line;
	const char *seek_at;
};
void diag_add(struct diags *d, enum diag_level level, const struct source *src,
              struct pos pos, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
#define diag_error(d, src, pos, ...) diag_add(d, DIAG_ERROR, src, pos, __VA_ARGS__)
#define diag_warn(d, src, pos, ...) diag_add(d, DIAG_WARNING, src, pos, __VA_ARGS__)
/* Sorted by file, line and column; each with its source line and a caret. */
void diags_print(FILE *fp, struct diags *d);
void diags_free(struct diags *d);

/* ---- the model: one topology file, schema version 1 ---- */
struct tstr {                           /* a scalar and where it was written */
	const char *s;                  /* NULL when absent */
	struct pos pos;
};
struct tnum {
	uint32_t v;
	struct pos pos;                 /* line 0 when absent */
};
struct taddr {
	struct ipaddr a;
	struct pos pos;
	bool set;
};
struct tprefixes {
	struct prefix *v;
	struct pos *pos;                /* of each item */
	size_t n;                       /* the valid ones */
	size_t items;                   /* the list's length, valid or not */
	struct pos at;                  /* of the list; line 0 when absent */
};
struct trate {                          /* "500/s" or "500/s burst 50" */
	uint32_t per_sec, burst;
	struct pos pos;                 /* line 0 when absent */
};
struct ttrust {
	struct pos at;
	struct tstr ca, psk;            /* exactly one is set */
};
struct tgateway {
	struct pos at;
	struct tstr name, id, cert, key;
	struct taddr outside, inside;
};
struct telement {
	struct pos at;
	struct tstr name, gateway, id, cert, key;
	struct taddr address;
	bool confidentiality;
	int gw;                         /* index into domain.gateways, -1 if dangling */
};
struct tpeer {                          /* a partner's gateway */
	struct pos at;
	struct tstr name, id;
	struct taddr address;
};
struct tlink {                          /* Za: [our gateway, their gateway] */
	struct pos at;
	struct tstr ours, theirs;
	int our_gw, their_gw;           /* resolved indexes, -1 if dangling */
};
struct tlimits {
	struct pos at;
	struct trate ike, packets, sip;
};
struct tgateways { struct tgateway *v; size_t n; struct pos at; };
struct telements { struct telement *v; size_t n; struct pos at; };
struct tpeers { struct tpeer *v; size_t n; struct pos at; };
struct tlinks { struct tlink *v; size_t n; struct pos at; };
struct tstrs { struct tstr *v; size_t n; struct pos at; };
struct tpartner {
	struct pos at;
	struct tstr name;
	struct tprefixes prefixes, expose, present_as;
	struct ttrust trust;
	struct tpeers gateways;
	struct tlinks links;
	struct tlimits limits;
};
struct tpartners { struct tpartner *v; size_t n; struct pos at; };
enum esp_mode { ESP_TUNNEL, ESP_TRANSPORT };
struct tprofile {
	struct pos at;                  /* line 0: not in the file */
	struct tstrs ike, esp;          /* proposals; defaults when absent */
	struct tnum lifetime;           /* ESP SA rekey time, seconds */
	struct tnum ike_lifetime;       /* IKE SA rekey time, seconds */
	struct tnum mode;               /* enum esp_mode */
	struct tnum version;            /* IKE version: only 2 is allowed */
};
struct tprofiles {
	struct pos at;
	struct tprofile za, zb;
};
struct tdomain {
	struct pos at;
	struct tstr name;
	struct tprefixes prefixes;
	struct ttrust trust;
	struct tgateways gateways;
	struct telements elements;
};
struct topo {
	struct arena *arena;
	struct source src;
	const char *dir;                /* folder of the file, for relative paths */
	struct tnum version;
	bool incomplete;                /* the walk stopped (alias budget) */
	struct tdomain domain;
	struct tpartners partners;
	struct tprofiles profiles;
};

/* Loads and type-checks one file.  Returns NULL only when the file cannot be
 * read; YAML, key and type errors go to *d and leave a partial model. */
struct topo *topo_load(const char *path, struct diags *d);
struct topo *topo_load_buffer(const char *path, const char *text, size_t len,
                              struct diags *d);
/* Every rule of DESIGN.md; all errors in one pass.  Missing certificate, key
 * or secret files are warnings (the lab creates them). */
void topo_validate(struct topo *t, struct diags *d);
/* The path of a referenced file, relative to the topology file's folder. */
const char *topo_path(struct topo *t, const char *rel);
void topo_free(struct topo *t);

/* ---- proposals: the Za/Zb algorithm rules, shared with the plugin ---- */
enum proposal_proto { PROPOSAL_IKE, PROPOSAL_ESP };
struct proposal_info {
	bool confidentiality;           /* every cipher encrypts */
	bool integrity;                 /* AEAD or an integrity algorithm */
	bool has_dh;
};
/* Checks one strongSwan proposal string ("aes256gcm16-prfsha384-ecp384").
 * false with a message when a token is unknown or forbidden anywhere
 * (DES, 3DES, MD5, SHA-1 integrity, MODP below 2048, NULL integrity). */
bool proposal_check(const char *text, enum proposal_proto proto,
                    struct proposal_info *info, char *err, size_t errlen);

/* ---- the plan: what one node enforces ---- */
#define PLAN_VERSION 1
enum node_kind { NODE_GATEWAY, NODE_ELEMENT };
enum link_kind { LINK_ZA, LINK_ZB };
enum auth_method { AUTH_BY_CERT, AUTH_BY_PSK };
enum guard_dir { GUARD_IN, GUARD_OUT, GUARD_FWD };
/* GUARD_DISCARD_UNMARKED drops only packets without ZSEC_GUARD_MARK: the
 * Border Element marks the flows it renumbers, so the kernel's first look
 * at one (before the source NAT) passes it while the table is there, and
 * drops it when the table is gone (policy/compile.c, za_link). */
enum guard_action { GUARD_BYPASS, GUARD_DISCARD, GUARD_DISCARD_UNMARKED };
/* One bit of the packet mark, reserved for zsec: every other guard entry
 * is two kernel policies, one per value of this bit, which together match
 * every packet whatever its mark (daemon/guard/guard.h). */
#define ZSEC_GUARD_MARK 0x00100000u

/* Priority band of the guard: charon's entries use up to 600000 (lower wins),
 * so every zsec entry loses to every charon entry. */
#define GUARD_PRIO_BYPASS 700000
#define GUARD_PRIO_DISCARD 710000

struct plan_link {
	const char *name;               /* "za:operator-b:seg-b1", "zb:pcscf-1" */
	enum link_kind kind;
	const char *partner;            /* Za: partner; Zb: our domain */
	const char *peer;               /* the remote node's name */
	struct ipaddr local, remote;
	const char *local_id, *remote_id;
	enum auth_method auth;
	const char *cert, *key;         /* our credentials */
	const char *ca;                 /* the remote's trust anchor (AUTH_BY_CERT) */
	const char *psk;                /* secret file (AUTH_BY_PSK) */
	/* what the credential files hold now (FNV-1a over their contents):
	 * a renewed certificate or a new secret behind the same path changes
	 * the link, so an apply takes it up */
	uint64_t creds;
	const char **ike, **esp;
	size_t n_ike, n_esp;
	enum esp_mode mode;
	uint32_t ike_lifetime, esp_lifetime; /* seconds, 0: strongSwan's defaults */
	bool confidentiality;           /* the ESP SA must encrypt */
	/* Both ends start every link.  The end that starts first does so at
	 * once; the other waits a moment and starts only if no SA exists by
	 * then, so the two do not open two IKE_SAs when both come up at once. */
	bool initiate;                  /* this end starts first */
	struct prefix *local_ts, *remote_ts;
	size_t n_local_ts, n_remote_ts;
};
struct plan_guard {
	const char *link;               /* the link whose flows it guards */
	enum guard_dir dir;
	enum guard_action action;
	struct prefix src, dst;
	uint8_t proto;                  /* 0: any */
	uint16_t dport;                 /* 0: any */
	uint32_t priority;
};
struct plan_rate {
	uint32_t per_sec, burst;        /* 0: unlimited */
};
struct plan_partner {                   /* Border Element rules for one partner */
	const char *name;
	struct prefix *prefixes;        /* theirs */
	size_t n_prefixes;
	struct ipaddr *gateways;        /* their SEGs linked to this node */
	size_t n_gateways;
	struct prefix *expose, *present_as; /* ours, inside and as presented */
	size_t n_expose;
	struct plan_rate ike, packets, sip;
};
struct plan {
	struct arena *arena;
	uint32_t version;
	const char *domain;
	const char *node;
	enum node_kind kind;
	struct plan_link *links;        /* sorted by name */
	size_t n_links;
	struct plan_guard *guards;      /* sorted by link, then selector */
	size_t n_guards;
	struct plan_partner *partners;  /* sorted by name; gateways only */
	size_t n_partners;
	/* the domain's own prefixes, sorted (gateways only): what the Border
	 * Element keeps from anyone who is no partner */
	struct prefix *domain_prefixes;
	size_t n_domain_prefixes;
};

/* NULL with a message in err if node names no gateway or element of t;
 * t must have validated without errors. */
struct plan *plan_compile(const struct topo *t, const char *node,
                          char *err, size_t errlen);
/* Load, validate and compile in one: the plan of node in the file at path,
 * or NULL with every reason printed to out: the file's diagnostics, then
 * "PATH: N errors", or why the file has no plan for node.  The diagnostics
 * of a file without errors (its warnings) are printed only if warnings. */
struct plan *plan_load(const char *path, const char *node, FILE *out, bool warnings);
void plan_free(struct plan *p);
const struct plan_link *plan_link_find(const struct plan *p, const char *name);
bool plan_link_equal(const struct plan_link *a, const struct plan_link *b);
/* Equal but for the ESP SA (proposals, mode, lifetime, selectors): such a
 * change keeps the IKE SA and replaces the CHILD_SA, make before break. */
bool plan_link_ike_equal(const struct plan_link *a, const struct plan_link *b);
bool plan_partner_equal(const struct plan_partner *a, const struct plan_partner *b);
bool plan_domain_prefixes_equal(const struct plan *a, const struct plan *b);
int plan_guard_cmp(const struct plan_guard *a, const struct plan_guard *b);

/* ---- the change set between two plans ---- */
enum change_op { CHANGE_ADD, CHANGE_MODIFY, CHANGE_REMOVE };
enum change_kind { CHANGE_GUARD, CHANGE_PARTNER, CHANGE_DOMAIN, CHANGE_LINK };
struct change {
	enum change_op op;
	enum change_kind kind;
	const void *old, *new;          /* into the two plans (CHANGE_DOMAIN:
	                                 * the plans); NULL where none */
};
/* In the order zsecd applies them: guard additions, Border Element rules,
 * links (new, then changed, then removed), guard removals. */
struct plan_diff {
	struct change *v;
	size_t n;
};
/* old may be NULL: then everything in new is an addition. */
void plan_diff(const struct plan *old, const struct plan *new, struct plan_diff *out);
void plan_diff_free(struct plan_diff *d);

/* ---- text: stable and sorted, for people and golden tests ---- */
void plan_render(FILE *fp, const struct plan *p);
void plan_diff_render(FILE *fp, const struct plan_diff *d);
void plan_link_render(FILE *fp, const struct plan_link *l, const char *indent);
const char *guard_dir_name(enum guard_dir d);
const char *link_kind_name(enum link_kind k);

/* ---- wire: strict, versioned binary encoding ---- */
#define PLAN_WIRE_MAGIC "ZSPL"
#define PLAN_WIRE_MAX (64u << 20)
/* A malloc'ed buffer; NULL on allocation failure. */
uint8_t *plan_encode(const struct plan *p, size_t *len);
/* The same of p's links alone, no guards and no partners: what charon's
 * plugin takes (the guard and the Border Element are zsecd's). */
uint8_t *plan_encode_links(const struct plan *p, size_t *len);
/* NULL with a reason in err on any malformed, truncated, trailing or
 * out-of-range input. */
struct plan *plan_decode(const uint8_t *buf, size_t len, char *err, size_t errlen);

/* ---- messages: zsecd <-> plugin, zsecctl <-> zsecd ----
 * Every message is framed as u32 length (of the whole message, big-endian),
 * u8 type, then the payload.  Text payloads are UTF-8 without a NUL. */
#define MSG_HEADER 5
#define MSG_MAX (PLAN_WIRE_MAX + MSG_HEADER)
enum msg_type {
	MSG_PLAN = 1,           /* zsecd -> plugin: a plan, its links alone (wire encoding) */
	MSG_RESULT = 2,         /* reply: u8 exit code as zsecctl's (0 ok, 1 refused,
	                         * 2 not understood, 3 failed) + text */
	MSG_STATUS = 3,         /* request; plugin: no payload; zsecd: "json" or "" */
	MSG_STATUS_REPLY = 4,   /* text, one line per SA (plugin) or the status (zsecd) */
	MSG_EVENT = 5,          /* plugin -> zsecd: one event line */
	MSG_APPLY = 6,          /* zsecctl -> zsecd: the absolute path of a topology file */
	MSG_TEARDOWN = 7,       /* zsecctl -> zsecd: remove the guard on purpose */
	MSG_PLAN_CHECK = 8,     /* zsecctl -> zsecd: path; reply: the diff against the running plan */
};
/* Writes the header for a payload of len bytes into hdr. */
void msg_header(uint8_t hdr[MSG_HEADER], enum msg_type type, size_t len);
/* Reads a header: the payload length, or -1 if the header is malformed. */
long msg_parse_header(const uint8_t hdr[MSG_HEADER], uint8_t *type);

#endif
