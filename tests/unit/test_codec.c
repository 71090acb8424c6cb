/* codec: the versioned wire encoding of a plan.  Round trips are exact;
 * the decoder refuses every truncation, anything it would not have encoded
 * itself, and every corruption that does not decode to a plan encoding to
 * the very same bytes. */
#include <netinet/in.h>

#include "unit.h"

static uint8_t *encode(const struct plan *p, size_t *len)
{
	uint8_t *buf = plan_encode(p, len);

	if (!buf)
		fail_msg("plan_encode refused the plan of %s", p->node ? p->node : "?");
	return buf;
}

/* two paths, either NULL (plan_link_equal compares credentials by contents) */
static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void expect_plans_equal(const struct plan *a, const struct plan *b)
{
	size_t i;

	assert_int_equal(a->version, b->version);
	assert_string_equal(a->domain, b->domain);
	assert_string_equal(a->node, b->node);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->n_links, b->n_links);
	for (i = 0; i < a->n_links; i++)
		if (!plan_link_equal(&a->links[i], &b->links[i]) ||
		    !same_str(a->links[i].cert, b->links[i].cert) ||
		    !same_str(a->links[i].key, b->links[i].key) ||
		    !same_str(a->links[i].ca, b->links[i].ca) ||
		    !same_str(a->links[i].psk, b->links[i].psk))
			fail_msg("link %s differs after the round trip", a->links[i].name);
	assert_int_equal(a->n_guards, b->n_guards);
	for (i = 0; i < a->n_guards; i++) {
		assert_int_equal(plan_guard_cmp(&a->guards[i], &b->guards[i]), 0);
		assert_string_equal(a->guards[i].link, b->guards[i].link);
	}
	assert_int_equal(a->n_partners, b->n_partners);
	for (i = 0; i < a->n_partners; i++)
		if (!plan_partner_equal(&a->partners[i], &b->partners[i]))
			fail_msg("partner %s differs after the round trip", a->partners[i].name);
	if (!plan_domain_prefixes_equal(a, b))
		fail_msg("the domain's prefixes differ after the round trip");
}

/* A fresh copy of exactly len bytes, so that ASan sees any read beyond. */
static uint8_t *exact_copy(const uint8_t *buf, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, buf, len);
	return c;
}

static struct plan *decode(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	uint8_t *c = exact_copy(buf, len);
	struct plan *p;

	err[0] = '\0';
	p = plan_decode(c, len, err, errlen);
	free(c);
	return p;
}

/* encode -> decode -> equal -> encode gives the same bytes */
static void expect_round_trip(const struct plan *p)
{
	size_t len, len2;
	uint8_t *buf = encode(p, &len), *again;
	char err[256];
	struct plan *q = decode(buf, len, err, sizeof(err));

	if (!q)
		fail_msg("decoding the encoding of %s: %s", p->node, err);
	expect_plans_equal(p, q);
	/* the decoded plan owns its memory: the buffer can go */
	free(buf);
	again = encode(q, &len2);
	buf = encode(p, &len);
	assert_int_equal(len, len2);
	assert_memory_equal(buf, again, len);
	plan_free(q);
	free(buf);
	free(again);
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* buf refused, with exactly msg (NULL: any message) */
static void expect_refused(const uint8_t *buf, size_t len, const char *msg)
{
	char err[256];
	struct plan *p = decode(buf, len, err, sizeof(err));

	if (p) {
		plan_free(p);
		fail_msg("decoded, expected refusal '%s'", msg ? msg : "");
	}
	if (!*err)
		fail_msg("refused without a message");
	if (msg && strcmp(err, msg))
		fail_msg("refused with '%s', expected '%s'", err, msg);
}

/* p encoded (it must encode), then refused with msg */
static void expect_plan_refused(const struct plan *p, const char *msg)
{
	size_t len;
	uint8_t *buf = encode(p, &len);

	expect_refused(buf, len, msg);
	free(buf);
}

static size_t find(const uint8_t *buf, size_t len, const void *what, size_t n)
{
	const uint8_t *at = memmem(buf, len, what, n);

	if (!at)
		fail_msg("marker not in the encoding");
	/* unique, so the patch lands where meant */
	assert_null(memmem(at + 1, len - (size_t)(at - buf) - 1, what, n));
	return (size_t)(at - buf);
}

/* ---- a small plan built by hand, every field with a findable value ---- */

struct mini {
	struct plan p;
	struct plan_link link;
	struct plan_guard guard;
	struct plan_partner partner;
	const char *ike[1], *esp[1];
	struct prefix lts, rts, pfx, expose, present, ours;
	struct ipaddr gw;
};

#define MINI_ESP_LIFETIME 0xa1b2c3d4u
#define MINI_PRIORITY 0x11223344u
#define MINI_LINK "za:op-b:seg-2"

static void mini_init(struct mini *m)
{
	memset(m, 0, sizeof(*m));
	m->ike[0] = "aes256gcm16-prfsha384-ecp384";
	m->esp[0] = "aes256gcm16-ecp384";
	m->lts = P("10.1.1.0/24");
	m->rts = P("10.2.0.0/16");
	m->pfx = P("10.2.0.0/16");
	m->expose = P("10.1.1.0/24");
	m->ours = P("10.1.0.0/16");
	m->present = P("172.16.1.0/24");
	m->gw = A("198.51.100.88");
	m->link = (struct plan_link){
		.name = MINI_LINK, .kind = LINK_ZA, .partner = "op-b", .peer = "seg-2",
		.local = A("192.0.2.77"), .remote = A("198.51.100.88"),
		.local_id = "seg-1.op-a.example", .remote_id = "seg-2.op-b.example",
		.auth = AUTH_BY_CERT, .cert = "/c.pem", .key = "/k.pem", .ca = "/ca.pem",
		.ike = m->ike, .n_ike = 1, .esp = m->esp, .n_esp = 1, .mode = ESP_TUNNEL,
		.ike_lifetime = 3600, .esp_lifetime = MINI_ESP_LIFETIME,
		.confidentiality = true, .initiate = true,
		.local_ts = &m->lts, .n_local_ts = 1, .remote_ts = &m->rts, .n_remote_ts = 1,
	};
	m->guard = (struct plan_guard){
		.link = MINI_LINK, .dir = GUARD_OUT, .action = GUARD_DISCARD,
		.src = P("10.1.1.0/24"), .dst = P("10.2.0.0/16"), .priority = MINI_PRIORITY,
	};
	m->partner = (struct plan_partner){
		.name = "op-b", .prefixes = &m->pfx, .n_prefixes = 1, .gateways = &m->gw, .n_gateways = 1,
		.expose = &m->expose, .present_as = &m->present, .n_expose = 1,
		.ike = { 10, 0 }, .packets = { 20000, 100 }, .sip = { 500, 0 },
	};
	m->p = (struct plan){
		.version = PLAN_VERSION, .domain = "op-a", .node = "seg-1", .kind = NODE_GATEWAY,
		.links = &m->link, .n_links = 1, .guards = &m->guard, .n_guards = 1,
		.partners = &m->partner, .n_partners = 1,
		.domain_prefixes = &m->ours, .n_domain_prefixes = 1,
	};
}

static void test_round_trip(void **state)
{
	static const char *const nodes[] = { "seg-a1", "seg-a2", "pcscf-1", "hss-1", "scscf-1" };
	struct mini m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nodes) / sizeof(*nodes); i++) {
		struct plan *p = plan_of(operator_a_yaml(), nodes[i]);

		expect_round_trip(p);
		plan_free(p);
	}
	mini_init(&m);
	expect_round_trip(&m.p);
}

/* What the plugin gets: every link as it is, no guard, no partner */
static void test_links_only(void **state)
{
	struct plan *p = plan_of(operator_a_yaml(), "seg-a1"), *q;
	struct plan links;
	size_t len, full_len;
	uint8_t *buf = plan_encode_links(p, &len), *full = encode(p, &full_len);
	char err[256];

	(void)state;
	assert_non_null(buf);
	assert_true(p->n_guards > 0 && p->n_partners > 0);
	assert_true(len < full_len);
	q = decode(buf, len, err, sizeof(err));
	if (!q)
		fail_msg("the links alone do not decode: %s", err);
	links = *p;
	links.n_guards = 0;
	links.n_partners = 0;
	links.n_domain_prefixes = 0;
	expect_plans_equal(&links, q);
	assert_int_equal(p->n_links, q->n_links);
	plan_free(q);
	free(buf);
	free(full);
	plan_free(p);
}

static void test_round_trip_variants(void **state)
{
	char *yaml = concat(operator_a_yaml(), OPERATOR_C_YAML
	                    "profiles:\n  za: { lifetime: 8h, ike-lifetime: 1d }\n"
	                    "  zb: { esp: [null-sha256, aes256gcm16] }\n");
	struct plan *p;
	struct mini m;

	(void)state;
	/* PSK (no certificate strings), present-as, lifetimes, IPv6 */
	yaml = edit_free(yaml, "    trust: { ca: pki/operator-b-ca.pem }", "    trust: { psk: secrets/b.psk }");
	yaml = edit_free(yaml, "  prefixes: [10.1.0.0/16]", "  prefixes: [10.1.0.0/16, '2001:db8:a::/48']");
	yaml = edit_free(yaml, "    prefixes: [10.2.0.0/16]", "    prefixes: [10.2.0.0/16, '2001:db8:b::/48']");
	yaml = edit_free(yaml, "    expose: [10.1.1.0/24]", "    expose: [10.1.1.0/24, '2001:db8:a:1::/64']\n"
	                 "    present-as: [172.16.1.0/24, '2001:db8:c::/64']");
	p = plan_of(yaml, "seg-a1");
	assert_int_equal(plan_link_find(p, "za:operator-b:seg-b1")->auth, AUTH_BY_PSK);
	expect_round_trip(p);
	plan_free(p);
	p = plan_of(yaml, "hss-1");
	expect_round_trip(p);
	plan_free(p);
	free(yaml);

	/* an empty plan; empty optional strings; extreme numbers */
	mini_init(&m);
	m.p.n_links = m.p.n_guards = m.p.n_partners = 0;
	expect_round_trip(&m.p);
	mini_init(&m);
	m.link.psk = "";
	m.link.ike_lifetime = UINT32_MAX;
	m.guard.proto = 255;
	m.guard.dport = 65535;
	m.partner.sip = (struct plan_rate){ UINT32_MAX, UINT32_MAX };
	expect_round_trip(&m.p);
}

static void test_header(void **state)
{
	struct plan *p = plan_of(operator_a_yaml(), "seg-a1");
	size_t len;
	uint8_t *buf = encode(p, &len);

	(void)state;
	assert_memory_equal(buf, "ZSPL", 4);
	assert_memory_equal(buf, PLAN_WIRE_MAGIC, 4);
	assert_int_equal(buf[4] << 8 | buf[5], 2);          /* wire version */
	assert_int_equal(buf[6] << 8 | buf[7], 0);          /* reserved */
	assert_int_equal((size_t)buf[8] << 24 | (size_t)buf[9] << 16 | (size_t)buf[10] << 8 | buf[11], len);
	/* then the domain: u16 length, bytes */
	assert_int_equal(buf[12] << 8 | buf[13], strlen("operator-a"));
	assert_memory_equal(buf + 14, "operator-a", 10);
	free(buf);
	plan_free(p);
}

static void test_every_truncation(void **state)
{
	struct plan *p = plan_of(operator_a_yaml(), "seg-a1");
	struct mini m;
	const struct plan *plans[2];
	size_t k;

	(void)state;
	mini_init(&m);
	plans[0] = &m.p;
	plans[1] = p;
	for (k = 0; k < 2; k++) {
		size_t len, n;
		uint8_t *buf = encode(plans[k], &len);

		for (n = 0; n < len; n++) {
			uint8_t *cut = exact_copy(buf, n);

			/* as cut */
			expect_refused(cut, n, NULL);
			/* and with a header that agrees, so the body is what is short */
			if (n >= 12) {
				put32(cut + 8, (uint32_t)n);
				expect_refused(cut, n, NULL);
			}
			free(cut);
		}
		free(buf);
	}
	plan_free(p);
}

/* Each bit of a valid encoding flipped in turn, then each byte inverted:
 * refused, or a plan that encodes to exactly the corrupted bytes (nothing
 * is lost or invented). */
static void flip_every_bit(const struct plan *p, size_t *accepted, size_t *refused)
{
	size_t len, i, n2;
	uint8_t *buf = encode(p, &len);

	for (i = 0; i < len * 9; i++) {
		char err[256];
		struct plan *q;
		/* i < len * 8: bit i % 8 of byte i / 8; then byte i - len * 8, all bits */
		size_t at = i < len * 8 ? i / 8 : i - len * 8;
		uint8_t mask = i < len * 8 ? (uint8_t)(1u << (i % 8)) : 0xff;

		buf[at] ^= mask;
		q = decode(buf, len, err, sizeof(err));
		if (q) {
			uint8_t *again = plan_encode(q, &n2);

			if (!again || n2 != len || memcmp(again, buf, len)) {
				free(again);
				plan_free(q);
				fail_msg("byte %zu xor %#x: decodes to a plan that encodes differently", at, mask);
			}
			free(again);
			plan_free(q);
			(*accepted)++;
		} else {
			if (!*err)
				fail_msg("byte %zu xor %#x: refused without a message", at, mask);
			(*refused)++;
		}
		buf[at] ^= mask;
	}
	free(buf);
}

static void test_every_bit_flip(void **state)
{
	struct plan *p = plan_of(operator_a_yaml(), "seg-a1"), *e = plan_of(operator_a_yaml(), "hss-1");
	struct mini m;
	size_t accepted = 0, refused = 0;

	(void)state;
	mini_init(&m);
	flip_every_bit(&m.p, &accepted, &refused);
	flip_every_bit(p, &accepted, &refused);
	flip_every_bit(e, &accepted, &refused);
	print_message("# corruptions: %zu refused, %zu decoded to their own encoding\n", refused, accepted);
	assert_true(refused > 0);
	plan_free(p);
	plan_free(e);
}

static void test_header_refused(void **state)
{
	struct mini m;
	size_t len;
	uint8_t *buf, *big;

	(void)state;
	mini_init(&m);
	buf = encode(&m.p, &len);

	expect_refused(buf, 0, "not a zsec plan");
	expect_refused(buf, 11, "not a zsec plan");
	buf[3] = 'M';                                       /* "ZSPM" */
	expect_refused(buf, len, "not a zsec plan");
	buf[3] = 'L';
	buf[0] = 'z';
	expect_refused(buf, len, "not a zsec plan");
	buf[0] = 'Z';

	buf[5] = 1;                                         /* version 1: no domain prefixes */
	expect_refused(buf, len, "plan wire version 1 not supported (this is 2)");
	buf[4] = 1;
	buf[5] = 2;                                         /* version 258 */
	expect_refused(buf, len, "plan wire version 258 not supported (this is 2)");
	buf[4] = 0;
	buf[5] = 0;
	expect_refused(buf, len, "plan wire version 0 not supported (this is 2)");
	buf[5] = 2;

	put32(buf + 8, (uint32_t)len + 1);
	{
		char msg[128];

		snprintf(msg, sizeof(msg), "plan length %zu but %zu bytes given", len + 1, len);
		expect_refused(buf, len, msg);
		put32(buf + 8, (uint32_t)len - 1);
		snprintf(msg, sizeof(msg), "plan length %zu but %zu bytes given", len - 1, len);
		expect_refused(buf, len, msg);
		put32(buf + 8, 0);
		snprintf(msg, sizeof(msg), "plan length 0 but %zu bytes given", len);
		expect_refused(buf, len, msg);
	}
	put32(buf + 8, (uint32_t)len);
	expect_round_trip(&m.p);

	/* larger than any plan may be: refused before anything is read */
	big = calloc(1, (size_t)PLAN_WIRE_MAX + 1);
	assert_non_null(big);
	memcpy(big, buf, 12);
	{
		char err[128] = "";

		assert_null(plan_decode(big, (size_t)PLAN_WIRE_MAX + 1, err, sizeof(err)));
		assert_string_equal(err, "plan larger than 67108864 bytes");
	}
	free(big);
	free(buf);
}

/* A non-zero reserved field is refused, but not with a message saying that
 * version 1 is not supported by version 1. */
static void test_reserved_field(void **state)
{
	struct mini m;
	size_t len;
	uint8_t *buf;
	char err[256];
	struct plan *p;

	(void)state;
	mini_init(&m);
	buf = encode(&m.p, &len);
	buf[7] = 1;
	p = decode(buf, len, err, sizeof(err));
	free(buf);
	assert_null(p);
	if (strstr(err, "version 1 not supported (this is 1)"))
		fail_msg("refused with '%s'", err);
}

static void test_trailing_bytes(void **state)
{
	struct mini m;
	size_t len;
	uint8_t *buf, *longer;

	(void)state;
	mini_init(&m);
	buf = encode(&m.p, &len);
	longer = calloc(1, len + 3);
	memcpy(longer, buf, len);
	put32(longer + 8, (uint32_t)len + 3);
	expect_refused(longer, len + 3, "3 trailing bytes");
	put32(longer + 8, (uint32_t)len + 1);
	expect_refused(longer, len + 1, "1 trailing bytes");
	free(longer);
	free(buf);
}

static void test_bad_enums(void **state)
{
	struct mini m;
	size_t len, at;
	uint8_t *buf;
	static const uint8_t local[] = { 4, 192, 0, 2, 77 };
	uint8_t esp_lifetime[4];

	(void)state;
	mini_init(&m);
	m.p.kind = (enum node_kind)2;
	expect_plan_refused(&m.p, "bad node kind 2");
	mini_init(&m);
	m.link.kind = (enum link_kind)2;
	expect_plan_refused(&m.p, "bad link kind 2");
	mini_init(&m);
	m.link.auth = (enum auth_method)2;
	expect_plan_refused(&m.p, "bad authentication 2");
	mini_init(&m);
	m.link.mode = (enum esp_mode)2;
	expect_plan_refused(&m.p, "bad mode 2");
	mini_init(&m);
	m.guard.dir = (enum guard_dir)3;
	expect_plan_refused(&m.p, "bad guard direction 3");
	mini_init(&m);
	m.guard.action = (enum guard_action)3;
	expect_plan_refused(&m.p, "bad guard action 3");
	mini_init(&m);
	m.link.kind = (enum link_kind)255;
	expect_plan_refused(&m.p, "bad link kind 255");

	/* the flags byte follows the ESP lifetime */
	mini_init(&m);
	buf = encode(&m.p, &len);
	put32(esp_lifetime, MINI_ESP_LIFETIME);
	at = find(buf, len, esp_lifetime, 4) + 4;
	assert_int_equal(buf[at], 3);                       /* confidentiality | initiate */
	buf[at] = 4;
	expect_refused(buf, len, "bad link flags 0x4");
	buf[at] = 0x80;
	expect_refused(buf, len, "bad link flags 0x80");
	buf[at] = 2;                                        /* a Za link without confidentiality */
	expect_refused(buf, len, "Za link za:op-b:seg-2 without confidentiality");
	buf[at] = 3;

	/* an address family other than 4 or 6 */
	at = find(buf, len, local, sizeof(local));
	buf[at] = 5;
	expect_refused(buf, len, "bad address family 5");
	buf[at] = 0;
	expect_refused(buf, len, "bad address family 0");
	buf[at] = 4;
	expect_round_trip(&m.p);
	free(buf);
}

static void test_bad_prefixes(void **state)
{
	struct mini m;

	(void)state;
	mini_init(&m);
	m.lts = (struct prefix){ A("10.1.1.1"), 24 };       /* host bits */
	expect_plan_refused(&m.p, "prefix 10.1.1.1/24 is not a network prefix");
	mini_init(&m);
	m.rts.len = 33;
	expect_plan_refused(&m.p, "prefix 10.2.0.0/33 is not a network prefix");
	mini_init(&m);
	m.guard.dst = (struct prefix){ A("10.2.0.1"), 16 };
	expect_plan_refused(&m.p, "prefix 10.2.0.1/16 is not a network prefix");
	mini_init(&m);
	m.present = (struct prefix){ A("2001:db8::1"), 64 };
	expect_plan_refused(&m.p, "prefix 2001:db8::1/64 is not a network prefix");
	mini_init(&m);
	m.pfx = (struct prefix){ A("2001:db8::"), 129 };
	expect_plan_refused(&m.p, "prefix 2001:db8::/129 is not a network prefix");
	/* a guard entry across families */
	mini_init(&m);
	m.guard.dst = P("2001:db8::/32");
	expect_plan_refused(&m.p, "guard 0 mixes address families");
	/* presented and exposed differ in size */
	mini_init(&m);
	m.present = P("172.16.0.0/23");
	expect_plan_refused(&m.p, "partner op-b: presented prefix 0 differs in size");
}

static void test_order_and_references(void **state)
{
	struct plan *p = plan_of(operator_a_yaml(), "seg-a1");
	struct plan_link links[3];
	struct plan_guard guards[2];
	struct mini m;
	size_t len, at;
	uint8_t *buf, prio[4];

	(void)state;
	/* links out of order or twice (no guard entries, which would not encode) */
	assert_int_equal(p->n_links, 3);
	links[0] = p->links[0];
	links[1] = p->links[2];
	links[2] = p->links[1];
	p->links = links;
	p->n_guards = 0;
	expect_plan_refused(p, "links not sorted or duplicate: zb:icscf-1");
	links[1] = links[2];
	expect_plan_refused(p, "links not sorted or duplicate: zb:icscf-1");
	plan_free(p);

	/* guard entries out of order or twice */
	p = plan_of(operator_a_yaml(), "seg-a1");
	{
		struct plan_guard g0 = p->guards[0], g1 = p->guards[1];

		guards[0] = g0;
		guards[1] = g1;
		p->guards = guards;
		p->n_guards = 2;
		expect_round_trip(p);
		guards[0] = g1;
		guards[1] = g0;
		expect_plan_refused(p, "guards not sorted or duplicate at 1");
		guards[0] = g0;
		guards[1] = g0;
		expect_plan_refused(p, "guards not sorted or duplicate at 1");
	}
	plan_free(p);

	/* a guard entry naming a link beyond the plan's */
	mini_init(&m);
	buf = encode(&m.p, &len);
	put32(prio, MINI_PRIORITY);
	at = find(buf, len, prio, 4) - 21;                  /* u32 link index, 21 bytes before */
	assert_int_equal(buf[at + 3], 0);
	put32(buf + at, 1);
	expect_refused(buf, len, "guard 0 names link 1 of 1");
	put32(buf + at, UINT32_MAX);
	expect_refused(buf, len, "guard 0 names link 4294967295 of 1");
	free(buf);

	/* an encoder refuses what the decoder could not resolve */
	mini_init(&m);
	m.guard.link = "za:op-b:seg-9";
	assert_null(plan_encode(&m.p, &len));

	/* partners out of order or twice */
	mini_init(&m);
	{
		struct plan_partner two[2] = { m.partner, m.partner };

		m.p.partners = two;
		m.p.n_partners = 2;
		expect_plan_refused(&m.p, "partners not sorted or duplicate: op-b");
		two[0].name = "op-c";
		expect_plan_refused(&m.p, "partners not sorted or duplicate: op-b");
		two[0].name = "op-a";
		expect_round_trip(&m.p);
	}

	/* the domain's prefixes out of order or twice */
	mini_init(&m);
	{
		struct prefix two[2] = { P("10.9.0.0/16"), P("10.1.0.0/16") };

		m.p.domain_prefixes = two;
		m.p.n_domain_prefixes = 2;
		expect_plan_refused(&m.p, "domain prefixes not sorted or duplicate at 1");
		two[0] = two[1];
		expect_plan_refused(&m.p, "domain prefixes not sorted or duplicate at 1");
		two[1] = P("10.9.0.0/16");
		expect_round_trip(&m.p);
	}
}

static void test_strings(void **state)
{
	struct mini m;
	size_t len, at;
	uint8_t *buf;
	char *longest;

	(void)state;
	/* a NUL inside a string */
	mini_init(&m);
	buf = encode(&m.p, &len);
	at = find(buf, len, MINI_LINK, strlen(MINI_LINK));
	buf[at + 2] = '\0';
	expect_refused(buf, len, "link name holds a NUL byte");
	buf[at + 2] = ':';
	at = find(buf, len, "/ca.pem", 7);
	buf[at + 6] = '\0';
	expect_refused(buf, len, "CA holds a NUL byte");
	free(buf);

	/* required strings: missing (NULL) or empty */
	mini_init(&m);
	m.link.peer = NULL;
	expect_plan_refused(&m.p, "peer missing");
	mini_init(&m);
	m.link.local_id = "";
	expect_plan_refused(&m.p, "local identity empty");
	mini_init(&m);
	m.p.domain = "";
	expect_plan_refused(&m.p, "domain empty");
	mini_init(&m);
	m.esp[0] = "";
	expect_plan_refused(&m.p, "ESP proposal empty");

	/* what authentication needs */
	mini_init(&m);
	m.link.ca = NULL;
	expect_plan_refused(&m.p, "link za:op-b:seg-2: certificate authentication without certificate, key or CA");
	mini_init(&m);
	m.link.auth = AUTH_BY_PSK;
	expect_plan_refused(&m.p, "link za:op-b:seg-2: PSK authentication without a secret");
	m.link.psk = "/b.psk";
	m.link.cert = m.link.key = m.link.ca = NULL;
	expect_round_trip(&m.p);

	/* proposals and selectors */
	mini_init(&m);
	m.link.n_esp = 0;
	expect_plan_refused(&m.p, "link za:op-b:seg-2 has no proposals");
	mini_init(&m);
	m.link.n_remote_ts = 0;
	expect_plan_refused(&m.p, "link za:op-b:seg-2 has no traffic selectors");

	/* Za without confidentiality, from the plan itself */
	mini_init(&m);
	m.link.confidentiality = false;
	expect_plan_refused(&m.p, "Za link za:op-b:seg-2 without confidentiality");
	m.link.kind = LINK_ZB;                          /* fine on Zb */
	expect_round_trip(&m.p);

	/* 4,096 bytes at most: the encoder will not write more */
	longest = malloc(4098);
	memset(longest, 'x', 4097);
	longest[4097] = '\0';
	mini_init(&m);
	m.link.cert = longest;
	assert_null(plan_encode(&m.p, &len));
	longest[4096] = '\0';
	expect_round_trip(&m.p);
	free(longest);
}

static void test_counts_beyond_the_message(void **state)
{
	struct mini m;
	size_t len, at;
	uint8_t *buf;

	(void)state;
	mini_init(&m);
	buf = encode(&m.p, &len);
	/* header 12, "op-a" 2+4, "seg-1" 2+5, kind 1: the link count */
	at = 12 + 6 + 7 + 1;
	assert_int_equal(buf[at + 3], 1);
	put32(buf + at, UINT32_MAX);
	expect_refused(buf, len, "link count 4294967295 exceeds the message");
	put32(buf + at, 2);
	expect_refused(buf, len, NULL);
	put32(buf + at, 0);
	expect_refused(buf, len, NULL);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_links_only),
		cmocka_unit_test(test_round_trip_variants),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_every_bit_flip),
		cmocka_unit_test(test_header_refused),
		cmocka_unit_test(test_reserved_field),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_bad_enums),
		cmocka_unit_test(test_bad_prefixes),
		cmocka_unit_test(test_order_and_references),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_counts_beyond_the_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
