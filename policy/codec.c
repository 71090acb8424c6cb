/* codec: the plan on the wire, from zsecd to the plugin.
 *
 *   "ZSPL" u16 version u16 reserved(0) u32 length   then the plan:
 *   str domain, str node, u8 kind, u32 n + links, u32 n + guards, u32 n + partners,
 *   u32 n + the domain's prefixes
 *
 * Integers are big-endian; a string is u16 length + bytes (no NUL); an
 * address is u8 4|6 + 4|16 bytes; a prefix is an address + u8 length.
 * The decoder is strict: it refuses anything it would not have encoded
 * itself (bad enums, host bits, unsorted or duplicate names, dangling
 * indexes, trailing bytes), so a plan that decodes is a plan the plugin can
 * trust. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"

#define WIRE_VERSION 2
#define HEADER 12
#define STR_MAX 4096

/* ---- encoding ---- */

struct w {
	uint8_t *buf;
	size_t len, cap;
	bool failed;
};

static void put(struct w *w, const void *p, size_t n)
{
	if (w->failed)
		return;
	if (w->cap - w->len < n) {
		size_t cap = w->cap ? w->cap : 4096;
		uint8_t *b;

		while (cap - w->len < n)
			cap *= 2;
		b = realloc(w->buf, cap);
		if (!b) {
			w->failed = true;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void u8(struct w *w, uint8_t v)
{
	put(w, &v, 1);
}

static void u16(struct w *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 2);
}

static void u32(struct w *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 4);
}

static void count(struct w *w, size_t n)
{
	if (n > UINT32_MAX)
		w->failed = true;
	u32(w, (uint32_t)n);
}

/* NULL strings travel as length 0xffff */
static void str(struct w *w, const char *s)
{
	size_t n = s ? strlen(s) : 0xffff;

	if (s && n > STR_MAX) {
		w->failed = true;
		return;
	}
	u16(w, (uint16_t)n);
	if (s)
		put(w, s, n);
}

static void addr(struct w *w, const struct ipaddr *a)
{
	bool v6 = a->family == AF_INET6;

	u8(w, v6 ? 6 : 4);
	put(w, a->bytes, v6 ? 16 : 4);
}

static void prefix(struct w *w, const struct prefix *p)
{
	addr(w, &p->addr);
	u8(w, p->len);
}

static void prefixes(struct w *w, const struct prefix *v, size_t n)
{
	size_t i;

	count(w, n);
	for (i = 0; i < n; i++)
		prefix(w, &v[i]);
}

static void strs(struct w *w, const char **v, size_t n)
{
	size_t i;

	count(w, n);
	for (i = 0; i < n; i++)
		str(w, v[i]);
}

static void rate(struct w *w, const struct plan_rate *r)
{
	u32(w, r->per_sec);
	u32(w, r->burst);
}

static void link_enc(struct w *w, const struct plan_link *l)
{
	str(w, l->name);
	u8(w, (uint8_t)l->kind);
	str(w, l->partner);
	str(w, l->peer);
	addr(w, &l->local);
	addr(w, &l->remote);
	str(w, l->local_id);
	str(w, l->remote_id);
	u8(w, (uint8_t)l->auth);
	str(w, l->cert);
	str(w, l->key);
	str(w, l->ca);
	str(w, l->psk);
	u32(w, (uint32_t)(l->creds >> 32));
	u32(w, (uint32_t)l->creds);
	strs(w, l->ike, l->n_ike);
	strs(w, l->esp, l->n_esp);
	u8(w, (uint8_t)l->mode);
	u32(w, l->ike_lifetime);
	u32(w, l->esp_lifetime);
	u8(w, (uint8_t)(l->confidentiality | l->initiate << 1));
	prefixes(w, l->local_ts, l->n_local_ts);
	prefixes(w, l->remote_ts, l->n_remote_ts);
}

uint8_t *plan_encode(const struct plan *p, size_t *len)
{
	struct w w = { 0 };
	size_t i, li = 0;

	put(&w, PLAN_WIRE_MAGIC, 4);
	u16(&w, WIRE_VERSION);
	u16(&w, 0);
	u32(&w, 0);                     /* length, filled in below */
	str(&w, p->domain);
	str(&w, p->node);
	u8(&w, (uint8_t)p->kind);
	count(&w, p->n_links);
	for (i = 0; i < p->n_links; i++)
		link_enc(&w, &p->links[i]);
	count(&w, p->n_guards);
	for (i = 0; i < p->n_guards; i++) {
		const struct plan_guard *g = &p->guards[i];

		/* guards are sorted by link name, as links are: the index walks forward */
		while (li < p->n_links && strcmp(p->links[li].name, g->link))
			li++;
		if (li == p->n_links) {
			w.failed = true;
			break;
		}
		u32(&w, (uint32_t)li);
		u8(&w, (uint8_t)g->dir);
		u8(&w, (uint8_t)g->action);
		prefix(&w, &g->src);
		prefix(&w, &g->dst);
		u8(&w, g->proto);
		u16(&w, g->dport);
		u32(&w, g->priority);
	}
	count(&w, p->n_partners);
	for (i = 0; i < p->n_partners; i++) {
		const struct plan_partner *b = &p->partners[i];
		size_t j;

		str(&w, b->name);
		prefixes(&w, b->prefixes, b->n_prefixes);
		count(&w, b->n_gateways);
		for (j = 0; j < b->n_gateways; j++)
			addr(&w, &b->gateways[j]);
		prefixes(&w, b->expose, b->n_expose);
		prefixes(&w, b->present_as, b->n_expose);
		rate(&w, &b->ike);
		rate(&w, &b->packets);
		rate(&w, &b->sip);
	}
	prefixes(&w, p->domain_prefixes, p->n_domain_prefixes);
	if (w.failed || w.len > PLAN_WIRE_MAX) {
		free(w.buf);
		return NULL;
	}
	w.buf[8] = (uint8_t)(w.len >> 24);
	w.buf[9] = (uint8_t)(w.len >> 16);
	w.buf[10] = (uint8_t)(w.len >> 8);
	w.buf[11] = (uint8_t)w.len;
	*len = w.len;
	return w.buf;
}

/* The plugin never reads the guards, the partners nor the domain's
 * prefixes; decoding the 100,000 guards of a 10,000-link plan was nine
 * tenths of its time to take one. */
uint8_t *plan_encode_links(const struct plan *p, size_t *len)
{
	struct plan links = *p;

	links.guards = NULL;
	links.n_guards = 0;
	links.partners = NULL;
	links.n_partners = 0;
	links.domain_prefixes = NULL;
	links.n_domain_prefixes = 0;
	return plan_encode(&links, len);
}

/* ---- decoding ---- */

struct r {
	const uint8_t *start, *p, *end;
	struct arena *a;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct r *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct r *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	r->failed = true;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
}

static const uint8_t *take(struct r *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->failed)
		return NULL;
	if ((size_t)(r->end - r->p) < n) {
		fail(r, "truncated at byte %zu", (size_t)(r->p - r->start));
		return NULL;
	}
	r->p += n;
	return p;
}

static uint8_t g8(struct r *r)
{
	const uint8_t *p = take(r, 1);

	return p ? p[0] : 0;
}

static uint16_t g16(struct r *r)
{
	const uint8_t *p = take(r, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static uint32_t g32(struct r *r)
{
	const uint8_t *p = take(r, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

static uint8_t genum(struct r *r, uint8_t max, const char *what)
{
	uint8_t v = g8(r);

	if (v > max)
		fail(r, "bad %s %u", what, v);
	return v;
}

/* A count of items of at least `min` bytes each: never more than the bytes left. */
static size_t gcount(struct r *r, size_t min, const char *what)
{
	uint32_t n = g32(r);

	if (!r->failed && (size_t)n > (size_t)(r->end - r->p) / min) {
		fail(r, "%s count %u exceeds the message", what, n);
		return 0;
	}
	return r->failed ? 0 : n;
}

static const char *gstr_opt(struct r *r, const char *what)
{
	uint16_t n = g16(r);
	const uint8_t *p;

	if (n == 0xffff)
		return NULL;
	if (n > STR_MAX) {
		fail(r, "%s longer than %u bytes", what, STR_MAX);
		return NULL;
	}
	p = take(r, n);
	if (!p)
		return NULL;
	if (memchr(p, '\0', n)) {
		fail(r, "%s holds a NUL byte", what);
		return NULL;
	}
	return arena_strndup(r->a, (const char *)p, n);
}

static const char *gstr(struct r *r, const char *what)
{
	const char *s = gstr_opt(r, what);

	if (!s && !r->failed)
		fail(r, "%s missing", what);
	if (s && !*s)
		fail(r, "%s empty", what);
	return s;
}

static void gaddr(struct r *r, struct ipaddr *a)
{
	uint8_t fam = g8(r);
	const uint8_t *p;

	memset(a, 0, sizeof(*a));
	if (fam != 4 && fam != 6) {
		fail(r, "bad address family %u", fam);
		return;
	}
	a->family = fam == 6 ? AF_INET6 : AF_INET;
	p = take(r, fam == 6 ? 16 : 4);
	if (p)
		memcpy(a->bytes, p, fam == 6 ? 16 : 4);
}

static void gprefix(struct r *r, struct prefix *p)
{
	char buf[PREFIX_STRLEN];

	gaddr(r, &p->addr);
	p->len = g8(r);
	if (!r->failed && !prefix_valid(p))
		fail(r, "prefix %s is not a network prefix", prefix_str(p, buf));
}

static struct prefix *gprefixes(struct r *r, size_t *n, const char *what)
{
	size_t i;
	struct prefix *v;

	*n = gcount(r, 6, what);
	v = arena_array(r->a, *n, sizeof(*v));
	for (i = 0; i < *n && !r->failed; i++)
		gprefix(r, &v[i]);
	return v;
}

static const char **gstrs(struct r *r, size_t *n, const char *what)
{
	size_t i;
	const char **v;

	*n = gcount(r, 3, what);
	v = arena_array(r->a, *n, sizeof(*v));
	for (i = 0; i < *n && !r->failed; i++)
		v[i] = gstr(r, what);
	return v;
}

static void link_dec(struct r *r, struct plan_link *l)
{
	uint8_t flags;

	l->name = gstr(r, "link name");
	l->kind = genum(r, LINK_ZB, "link kind");
	l->partner = gstr(r, "partner");
	l->peer = gstr(r, "peer");
	gaddr(r, &l->local);
	gaddr(r, &l->remote);
	l->local_id = gstr(r, "local identity");
	l->remote_id = gstr(r, "remote identity");
	l->auth = genum(r, AUTH_BY_PSK, "authentication");
	l->cert = gstr_opt(r, "certificate");
	l->key = gstr_opt(r, "key");
	l->ca = gstr_opt(r, "CA");
	l->psk = gstr_opt(r, "secret");
	l->creds = (uint64_t)g32(r) << 32;
	l->creds |= g32(r);
	if (!r->failed && l->auth == AUTH_BY_CERT && (!l->cert || !l->key || !l->ca))
		fail(r, "link %s: certificate authentication without certificate, key or CA", l->name);
	if (!r->failed && l->auth == AUTH_BY_PSK && !l->psk)
		fail(r, "link %s: PSK authentication without a secret", l->name);
	l->ike = gstrs(r, &l->n_ike, "IKE proposal");
	l->esp = gstrs(r, &l->n_esp, "ESP proposal");
	if (!r->failed && (!l->n_ike || !l->n_esp))
		fail(r, "link %s has no proposals", l->name);
	l->mode = genum(r, ESP_TRANSPORT, "mode");
	l->ike_lifetime = g32(r);
	l->esp_lifetime = g32(r);
	flags = g8(r);
	if (flags > 3)
		fail(r, "bad link flags %#x", flags);
	l->confidentiality = flags & 1;
	l->initiate = flags >> 1 & 1;
	l->local_ts = gprefixes(r, &l->n_local_ts, "local selector");
	l->remote_ts = gprefixes(r, &l->n_remote_ts, "remote selector");
	if (!r->failed && (!l->n_local_ts || !l->n_remote_ts))
		fail(r, "link %s has no traffic selectors", l->name);
	if (!r->failed && l->kind == LINK_ZA && !l->confidentiality)
		fail(r, "Za link %s without confidentiality", l->name);
}

static void partner_dec(struct r *r, struct plan_partner *b)
{
	size_t i, n;

	b->name = gstr(r, "partner name");
	b->prefixes = gprefixes(r, &b->n_prefixes, "partner prefix");
	b->n_gateways = gcount(r, 5, "partner gateway");
	b->gateways = arena_array(r->a, b->n_gateways, sizeof(*b->gateways));
	for (i = 0; i < b->n_gateways && !r->failed; i++)
		gaddr(r, &b->gateways[i]);
	b->expose = gprefixes(r, &b->n_expose, "exposed prefix");
	b->present_as = gprefixes(r, &n, "presented prefix");
	if (!r->failed && n != b->n_expose)
		fail(r, "partner %s: %zu presented prefixes for %zu exposed", b->name, n, b->n_expose);
	for (i = 0; i < n && !r->failed; i++)
		if (b->expose[i].addr.family != b->present_as[i].addr.family ||
		    b->expose[i].len != b->present_as[i].len)
			fail(r, "partner %s: presented prefix %zu differs in size", b->name, i);
	b->ike.per_sec = g32(r);
	b->ike.burst = g32(r);
	b->packets.per_sec = g32(r);
	b->packets.burst = g32(r);
	b->sip.per_sec = g32(r);
	b->sip.burst = g32(r);
}

static void plan_dec(struct r *r, struct plan *p)
{
	size_t i;

	p->domain = gstr(r, "domain");
	p->node = gstr(r, "node");
	p->kind = genum(r, NODE_ELEMENT, "node kind");
	p->n_links = gcount(r, 40, "link");
	p->links = arena_array(r->a, p->n_links, sizeof(*p->links));
	for (i = 0; i < p->n_links && !r->failed; i++) {
		link_dec(r, &p->links[i]);
		if (!r->failed && i && strcmp(p->links[i - 1].name, p->links[i].name) >= 0)
			fail(r, "links not sorted or duplicate: %s", p->links[i].name);
	}
	p->n_guards = gcount(r, 25, "guard");
	p->guards = arena_array(r->a, p->n_guards, sizeof(*p->guards));
	for (i = 0; i < p->n_guards && !r->failed; i++) {
		struct plan_guard *g = &p->guards[i];
		uint32_t li = g32(r);

		if (!r->failed && li >= p->n_links) {
			fail(r, "guard %zu names link %u of %zu", i, li, p->n_links);
			break;
		}
		g->link = p->links[li].name;
		g->dir = genum(r, GUARD_FWD, "guard direction");
		g->action = genum(r, GUARD_DISCARD_UNMARKED, "guard action");
		gprefix(r, &g->src);
		gprefix(r, &g->dst);
		g->proto = g8(r);
		g->dport = g16(r);
		g->priority = g32(r);
		if (!r->failed && g->src.addr.family != g->dst.addr.family)
			fail(r, "guard %zu mixes address families", i);
		if (!r->failed && i && plan_guard_cmp(&p->guards[i - 1], g) >= 0)
			fail(r, "guards not sorted or duplicate at %zu", i);
	}
	p->n_partners = gcount(r, 40, "partner");
	p->partners = arena_array(r->a, p->n_partners, sizeof(*p->partners));
	for (i = 0; i < p->n_partners && !r->failed; i++) {
		partner_dec(r, &p->partners[i]);
		if (!r->failed && i && strcmp(p->partners[i - 1].name, p->partners[i].name) >= 0)
			fail(r, "partners not sorted or duplicate: %s", p->partners[i].name);
	}
	p->domain_prefixes = gprefixes(r, &p->n_domain_prefixes, "domain prefix");
	for (i = 1; i < p->n_domain_prefixes && !r->failed; i++)
		if (prefix_cmp(&p->domain_prefixes[i - 1], &p->domain_prefixes[i]) >= 0)
			fail(r, "domain prefixes not sorted or duplicate at %zu", i);
}

struct plan *plan_decode(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct r r = { .start = buf, .p = buf, .end = buf + len, .err = err, .errlen = errlen };
	struct plan *p;
	uint32_t total;

	if (len < HEADER || memcmp(buf, PLAN_WIRE_MAGIC, 4)) {
		snprintf(err, errlen, "not a zsec plan");
		return NULL;
	}
	if (len > PLAN_WIRE_MAX) {
		snprintf(err, errlen, "plan larger than %u bytes", PLAN_WIRE_MAX);
		return NULL;
	}
	r.p += 4;
	if (g16(&r) != WIRE_VERSION) {
		snprintf(err, errlen, "plan wire version %u not supported (this is %u)",
		         (unsigned)(buf[4] << 8 | buf[5]), WIRE_VERSION);
		return NULL;
	}
	if (g16(&r) != 0) {
		snprintf(err, errlen, "reserved header field is not zero");
		return NULL;
	}
	total = g32(&r);
	if (total != len) {
		snprintf(err, errlen, "plan length %u but %zu bytes given", total, len);
		return NULL;
	}
	r.a = arena_new();
	p = arena_alloc(r.a, sizeof(*p));
	p->arena = r.a;
	p->version = PLAN_VERSION;
	plan_dec(&r, p);
	if (!r.failed && r.p != r.end)
		fail(&r, "%zu trailing bytes", (size_t)(r.end - r.p));
	if (r.failed) {
		arena_free(r.a);
		return NULL;
	}
	return p;
}
