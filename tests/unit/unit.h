/* unit: what the cmocka unit tests of policy/ share.  Header-only (the
 * Makefile builds each tests/unit/test_*.c on its own); every helper is
 * static inline so a test file pays only for what it uses. */
#ifndef ZSEC_TESTS_UNIT_H
#define ZSEC_TESTS_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "policy.h"

/* Where the topology files of the tests pretend to live: relative paths in
 * them come out below this folder, and none of the files exist. */
#define TEST_DIR "/etc/zsec"
#define TEST_PATH TEST_DIR "/operator-a.yaml"

/* topology/examples/operator-a.yaml, verbatim: its line numbers are those
 * zsecctl prints for the real file. */
static inline const char *operator_a_yaml(void)
{
	return
	"# operator-a: an IMS operator with two Security Gateways.\n"                          /*  1 */
	"#   seg-a1 is the border: Za towards operator-b, Zb for the P-CSCF and I-CSCF\n"    /*  2 */
	"#   that operator-b may reach.  seg-a2 protects the core (S-CSCF, HSS) over\n"      /*  3 */
	"#   Zb; no partner sees it.\n"                                                       /*  4 */
	"zsec: 1\n"                                                                           /*  5 */
	"domain:\n"                                                                           /*  6 */
	"  name: operator-a\n"                                                                /*  7 */
	"  prefixes: [10.1.0.0/16]\n"                                                         /*  8 */
	"  trust: { ca: pki/operator-a-ca.pem }\n"                                            /*  9 */
	"  gateways:\n"                                                                       /* 10 */
	"    - name: seg-a1\n"                                                                /* 11 */
	"      outside: 192.0.2.1\n"                                                          /* 12 */
	"      inside: 10.1.0.1\n"                                                            /* 13 */
	"      id: seg-a1.operator-a.example\n"                                               /* 14 */
	"      cert: pki/seg-a1.pem\n"                                                        /* 15 */
	"      key: pki/seg-a1.key\n"                                                         /* 16 */
	"    - name: seg-a2\n"                                                                /* 17 */
	"      outside: 192.0.2.2\n"                                                          /* 18 */
	"      inside: 10.1.0.2\n"                                                            /* 19 */
	"      id: seg-a2.operator-a.example\n"                                               /* 20 */
	"      cert: pki/seg-a2.pem\n"                                                        /* 21 */
	"      key: pki/seg-a2.key\n"                                                         /* 22 */
	"  elements:\n"                                                                       /* 23 */
	"    - name: pcscf-1\n"                                                               /* 24 */
	"      address: 10.1.1.10\n"                                                          /* 25 */
	"      gateway: seg-a1\n"                                                             /* 26 */
	"      id: pcscf-1.operator-a.example\n"                                              /* 27 */
	"      cert: pki/pcscf-1.pem\n"                                                       /* 28 */
	"      key: pki/pcscf-1.key\n"                                                        /* 29 */
	"    - name: icscf-1\n"                                                               /* 30 */
	"      address: 10.1.1.20\n"                                                          /* 31 */
	"      gateway: seg-a1\n"                                                             /* 32 */
	"      id: icscf-1.operator-a.example\n"                                              /* 33 */
	"      cert: pki/icscf-1.pem\n"                                                       /* 34 */
	"      key: pki/icscf-1.key\n"                                                        /* 35 */
	"    - name: scscf-1\n"                                                               /* 36 */
	"      address: 10.1.2.30\n"                                                          /* 37 */
	"      gateway: seg-a2\n"                                                             /* 38 */
	"      id: scscf-1.operator-a.example\n"                                              /* 39 */
	"      cert: pki/scscf-1.pem\n"                                                       /* 40 */
	"      key: pki/scscf-1.key\n"                                                        /* 41 */
	"    - name: hss-1\n"                                                                 /* 42 */
	"      address: 10.1.3.40\n"                                                          /* 43 */
	"      gateway: seg-a2\n"                                                             /* 44 */
	"      id: hss-1.operator-a.example\n"                                                /* 45 */
	"      cert: pki/hss-1.pem\n"                                                         /* 46 */
	"      key: pki/hss-1.key\n"                                                          /* 47 */
	"      confidentiality: true            # subscriber data: encrypt on Zb too\n"       /* 48 */
	"partners:\n"                                                                         /* 49 */
	"  - name: operator-b\n"                                                              /* 50 */
	"    prefixes: [10.2.0.0/16]\n"                                                       /* 51 */
	"    trust: { ca: pki/operator-b-ca.pem }\n"                                          /* 52 */
	"    gateways:\n"                                                                     /* 53 */
	"      - { name: seg-b1, address: 198.51.100.2, id: seg-b1.operator-b.example }\n"    /* 54 */
	"    links: [[seg-a1, seg-b1]]\n"                                                     /* 55 */
	"    expose: [10.1.1.0/24]              # the P-CSCF and I-CSCF, nothing else\n"      /* 56 */
	"    limits: { ike: 10/s, packets: 20000/s, sip: 500/s }\n";                          /* 57 */
}

/* A second partner for operator-a: it sees a subnet with no element in it,
 * so adding or removing it touches nothing but its own link, rules and guard. */
#define OPERATOR_C_YAML \
	"  - name: operator-c\n" \
	"    prefixes: [10.3.0.0/16]\n" \
	"    trust: { ca: pki/operator-c-ca.pem }\n" \
	"    gateways:\n" \
	"      - { name: seg-c1, address: 203.0.113.3, id: seg-c1.operator-c.example }\n" \
	"    links: [[seg-a1, seg-c1]]\n" \
	"    expose: [10.1.9.0/24]\n" \
	"    limits: { ike: 5/s }\n"

/* ---- strings ---- */

/* A malloc'ed copy of text with the first occurrence of from replaced by to;
 * the test fails if from is not there, so a stale edit cannot pass silently. */
static inline char *edit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text), nf = strlen(from), nt = strlen(to);
	char *s;

	if (!at)
		fail_msg("edit: '%s' is not in the text", from);
	s = malloc(n - nf + nt + 1);
	assert_non_null(s);
	memcpy(s, text, (size_t)(at - text));
	memcpy(s + (at - text), to, nt);
	memcpy(s + (at - text) + nt, at + nf, n - (size_t)(at - text) - nf + 1);
	return s;
}

/* Like edit(), but consumes text (a result of edit()), for chains of edits. */
static inline char *edit_free(char *text, const char *from, const char *to)
{
	char *s = edit(text, from, to);

	free(text);
	return s;
}

/* A malloc'ed concatenation of a and b. */
static inline char *concat(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 1);

	assert_non_null(s);
	memcpy(s, a, na);
	memcpy(s + na, b, nb + 1);
	return s;
}

/* ---- growing text buffer, for generated topologies ---- */
struct buf {
	char *s;
	size_t len, cap;
};

static inline void buf_add(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void buf_add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	while (b->cap - b->len < (size_t)n + 1) {
		b->cap = b->cap ? b->cap * 2 : 4096;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* ---- diagnostics ---- */

/* The errors of d (the first 40), to see why a test failed. */
static inline void diags_dump(const struct diags *d)
{
	size_t i, shown = 0;

	for (i = 0; i < d->n && shown < 40; i++) {
		if (d->v[i].level != DIAG_ERROR)
			continue;
		shown++;
		print_message("#   %u:%u: %s: %s\n", d->v[i].pos.line, d->v[i].pos.col,
		              d->v[i].level == DIAG_ERROR ? "error" : "warning", d->v[i].msg);
	}
}

static inline const struct diag *diag_find(const struct diags *d, enum diag_level level,
                                           const char *msg)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].level == level && !strcmp(d->v[i].msg, msg))
			return &d->v[i];
	return NULL;
}

/* How many diagnostics of that level carry exactly msg. */
static inline size_t diag_count(const struct diags *d, enum diag_level level, const char *msg)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		n += d->v[i].level == level && !strcmp(d->v[i].msg, msg);
	return n;
}

/* The test fails unless d holds a diagnostic of that level with exactly msg
 * at line:col. */
static inline void expect_diag_at(const struct diags *d, enum diag_level level, uint32_t line,
                                  uint32_t col, const char *msg)
{
	const struct diag *g = diag_find(d, level, msg);
	size_t i;

	if (!g) {
		diags_dump(d);
		fail_msg("no %s '%s'", level == DIAG_ERROR ? "error" : "warning", msg);
	}
	for (i = 0; i < d->n; i++)
		if (d->v[i].level == level && !strcmp(d->v[i].msg, msg) &&
		    d->v[i].pos.line == line && d->v[i].pos.col == col)
			return;
	diags_dump(d);
	fail_msg("'%s' at %u:%u, expected %u:%u", msg, g->pos.line, g->pos.col, line, col);
}

static inline void expect_error_at(const struct diags *d, uint32_t line, uint32_t col,
                                   const char *msg)
{
	expect_diag_at(d, DIAG_ERROR, line, col, msg);
}

static inline void expect_errors(const struct diags *d, unsigned n)
{
	if (d->errors != n) {
		diags_dump(d);
		fail_msg("%u errors, expected %u", d->errors, n);
	}
}

/* ---- topologies ---- */

static inline struct topo *load_at(const char *path, const char *yaml, struct diags *d)
{
	struct topo *t = topo_load_buffer(path, yaml, strlen(yaml), d);

	assert_non_null(t);
	return t;
}

static inline struct topo *load(const char *yaml, struct diags *d)
{
	return load_at(TEST_PATH, yaml, d);
}

/* Loads and validates; d gets everything both report. */
static inline struct topo *load_validate(const char *yaml, struct diags *d)
{
	struct topo *t = load(yaml, d);

	topo_validate(t, d);
	return t;
}

/* A topology that must load and validate without a single error. */
static inline struct topo *load_valid(const char *yaml)
{
	struct diags d = { 0 };
	struct topo *t = load_validate(yaml, &d);

	expect_errors(&d, 0);
	diags_free(&d);
	return t;
}

/* The plan of node in a valid topology; fails the test if there is none. */
static inline struct plan *compile_node(const struct topo *t, const char *node)
{
	char err[256] = "";
	struct plan *p = plan_compile(t, node, err, sizeof(err));

	if (!p)
		fail_msg("plan_compile(%s): %s", node, err);
	return p;
}

/* The plan of node in the valid topology yaml, the topology released. */
static inline struct plan *plan_of(const char *yaml, const char *node)
{
	struct topo *t = load_valid(yaml);
	struct plan *p = compile_node(t, node);

	topo_free(t);
	return p;
}

/* ---- addresses ---- */

static inline struct ipaddr A(const char *s)
{
	struct ipaddr a;

	if (!addr_parse(s, &a))
		fail_msg("bad address in a test: %s", s);
	return a;
}

static inline struct prefix P(const char *s)
{
	struct prefix p;
	bool host_bits;

	if (!prefix_parse(s, &p, &host_bits) || host_bits)
		fail_msg("bad prefix in a test: %s", s);
	return p;
}

static inline void expect_addr(const struct ipaddr *a, const char *want)
{
	char buf[ADDR_STRLEN];

	assert_string_equal(addr_str(a, buf), want);
}

static inline void expect_prefix(const struct prefix *p, const char *want)
{
	char buf[PREFIX_STRLEN];

	assert_string_equal(prefix_str(p, buf), want);
}

/* A list of prefixes as "a b c", compared with want. */
static inline void expect_prefixes(const struct prefix *v, size_t n, const char *want)
{
	char got[1024] = "", buf[PREFIX_STRLEN];
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", i ? " " : "",
		                        prefix_str(&v[i], buf));
	assert_string_equal(got, want);
}

/* A list of strings as "a b c", compared with want. */
static inline void expect_strs(const char **v, size_t n, const char *want)
{
	char got[1024] = "";
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", i ? " " : "", v[i]);
	assert_string_equal(got, want);
}

static inline double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
