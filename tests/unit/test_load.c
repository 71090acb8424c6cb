/* load: topology YAML into the typed model: every field, the defaults, the
 * scalar syntaxes (durations, rates, booleans), shape errors, YAML errors
 * and hostile documents. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

/* Every key of schema version 1, with non-default values. */
static const char full_yaml[] =
	"zsec: 1\n"                                                                         /*  1 */
	"domain:\n"                                                                         /*  2 */
	"  name: operator-a\n"                                                              /*  3 */
	"  prefixes: [10.1.0.0/16, 2001:db8:a::/48]\n"                                      /*  4 */
	"  trust: { ca: pki/operator-a-ca.pem }\n"                                          /*  5 */
	"  gateways:\n"                                                                     /*  6 */
	"    - name: seg-a1\n"                                                              /*  7 */
	"      outside: 192.0.2.1\n"                                                        /*  8 */
	"      inside: 10.1.0.1\n"                                                          /*  9 */
	"      id: seg-a1.operator-a.example\n"                                             /* 10 */
	"      cert: pki/seg-a1.pem\n"                                                      /* 11 */
	"      key: pki/seg-a1.key\n"                                                       /* 12 */
	"  elements:\n"                                                                     /* 13 */
	"    - name: pcscf-1\n"                                                             /* 14 */
	"      address: 10.1.1.10\n"                                                        /* 15 */
	"      gateway: seg-a1\n"                                                           /* 16 */
	"      id: pcscf-1.operator-a.example\n"                                            /* 17 */
	"      cert: pki/pcscf-1.pem\n"                                                     /* 18 */
	"      key: pki/pcscf-1.key\n"                                                      /* 19 */
	"      confidentiality: true\n"                                                     /* 20 */
	"    - name: icscf-1\n"                                                             /* 21 */
	"      address: 10.1.1.20\n"                                                        /* 22 */
	"      gateway: seg-a1\n"                                                           /* 23 */
	"      id: icscf-1.operator-a.example\n"                                            /* 24 */
	"      cert: pki/icscf-1.pem\n"                                                     /* 25 */
	"      key: pki/icscf-1.key\n"                                                      /* 26 */
	"partners:\n"                                                                       /* 27 */
	"  - name: operator-b\n"                                                            /* 28 */
	"    prefixes: [10.2.0.0/16, 2001:db8:b::/48]\n"                                    /* 29 */
	"    trust: { psk: secrets/operator-b.psk }\n"                                      /* 30 */
	"    gateways:\n"                                                                   /* 31 */
	"      - { name: seg-b1, address: 198.51.100.2, id: seg-b1.operator-b.example }\n"  /* 32 */
	"      - { name: seg-b2, address: 198.51.100.3, id: seg-b2.operator-b.example }\n"  /* 33 */
	"    links: [[seg-a1, seg-b1], [seg-a1, seg-b2]]\n"                                 /* 34 */
	"    expose: [10.1.1.0/24]\n"                                                       /* 35 */
	"    present-as: [172.16.1.0/24]\n"                                                 /* 36 */
	"    limits: { ike: 10/s, packets: 20000/s burst 5000, sip: 500/s }\n"             /* 37 */
	"profiles:\n"                                                                       /* 38 */
	"  za: { ike: [aes256gcm16-prfsha384-ecp384], esp: [aes256gcm16-ecp384, chacha20poly1305-x25519], lifetime: 8h, ike-lifetime: 1d, mode: tunnel, version: 2 }\n" /* 39 */
	"  zb:\n"                                                                           /* 40 */
	"    ike: [aes256-sha384-prfsha384-ecp384]\n"                                       /* 41 */
	"    esp: [null-sha256]\n"                                                          /* 42 */
	"    lifetime: 30m\n"                                                               /* 43 */
	"    ike-lifetime: 90s\n"                                                           /* 44 */
	"    mode: tunnel\n"                                                                /* 45 */
	"    version: 2\n";                                                                 /* 46 */

/* A small valid topology whose profiles block is appended by the tests. */
#define MINIMAL_YAML \
	"zsec: 1\n" \
	"domain:\n" \
	"  name: d\n" \
	"  prefixes: [10.1.0.0/16]\n" \
	"  trust: { ca: ca.pem }\n" \
	"  gateways:\n" \
	"    - { name: g, outside: 192.0.2.1, inside: 10.1.0.1, id: g.example, cert: c, key: k }\n"
#define MINIMAL_LINES 7

static void expect_pos(struct pos p, uint32_t line, uint32_t col)
{
	if (p.line != line || p.col != col)
		fail_msg("position %u:%u, expected %u:%u", p.line, p.col, line, col);
}

static void expect_tstr(const struct tstr *s, const char *want, uint32_t line, uint32_t col)
{
	assert_non_null(s->s);
	assert_string_equal(s->s, want);
	expect_pos(s->pos, line, col);
}

static void expect_taddr(const struct taddr *a, const char *want, uint32_t line, uint32_t col)
{
	assert_true(a->set);
	expect_addr(&a->a, want);
	expect_pos(a->pos, line, col);
}

static void expect_tprefixes(const struct tprefixes *p, const char *want, uint32_t line, uint32_t col)
{
	expect_prefixes(p->v, p->n, want);
	expect_pos(p->at, line, col);
}

static void test_full_model(void **state)
{
	struct diags d = { 0 };
	struct topo *t = load_validate(full_yaml, &d);
	const struct tdomain *dom = &t->domain;
	const struct tgateway *g;
	const struct telement *e;
	const struct tpartner *p;
	const struct tprofile *za = &t->profiles.za, *zb = &t->profiles.zb;

	(void)state;
	expect_errors(&d, 0);
	assert_string_equal(t->src.path, TEST_PATH);
	assert_int_equal(t->src.len, strlen(full_yaml));
	assert_memory_equal(t->src.text, full_yaml, t->src.len);
	assert_string_equal(t->dir, TEST_DIR);
	assert_int_equal(t->version.v, 1);
	expect_pos(t->version.pos, 1, 7);

	expect_pos(dom->at, 3, 3);
	expect_tstr(&dom->name, "operator-a", 3, 9);
	expect_tprefixes(&dom->prefixes, "10.1.0.0/16 2001:db8:a::/48", 4, 13);
	expect_pos(dom->prefixes.pos[0], 4, 14);
	expect_pos(dom->prefixes.pos[1], 4, 27);
	expect_pos(dom->trust.at, 5, 10);
	expect_tstr(&dom->trust.ca, "pki/operator-a-ca.pem", 5, 16);
	assert_null(dom->trust.psk.s);
	assert_int_equal(dom->trust.psk.pos.line, 0);

	assert_int_equal(dom->gateways.n, 1);
	expect_pos(dom->gateways.at, 7, 5);
	g = &dom->gateways.v[0];
	expect_pos(g->at, 7, 7);
	expect_tstr(&g->name, "seg-a1", 7, 13);
	expect_taddr(&g->outside, "192.0.2.1", 8, 16);
	expect_taddr(&g->inside, "10.1.0.1", 9, 15);
	expect_tstr(&g->id, "seg-a1.operator-a.example", 10, 11);
	expect_tstr(&g->cert, "pki/seg-a1.pem", 11, 13);
	expect_tstr(&g->key, "pki/seg-a1.key", 12, 12);

	assert_int_equal(dom->elements.n, 2);
	expect_pos(dom->elements.at, 14, 5);
	e = &dom->elements.v[0];
	expect_pos(e->at, 14, 7);
	expect_tstr(&e->name, "pcscf-1", 14, 13);
	expect_taddr(&e->address, "10.1.1.10", 15, 16);
	expect_tstr(&e->gateway, "seg-a1", 16, 16);
	expect_tstr(&e->id, "pcscf-1.operator-a.example", 17, 11);
	expect_tstr(&e->cert, "pki/pcscf-1.pem", 18, 13);
	expect_tstr(&e->key, "pki/pcscf-1.key", 19, 12);
	assert_true(e->confidentiality);
	assert_int_equal(e->gw, 0);                     /* resolved by validation */
	e = &dom->elements.v[1];
	expect_tstr(&e->name, "icscf-1", 21, 13);
	expect_taddr(&e->address, "10.1.1.20", 22, 16);
	assert_false(e->confidentiality);               /* absent: false */
	assert_int_equal(e->gw, 0);

	assert_int_equal(t->partners.n, 1);
	expect_pos(t->partners.at, 28, 3);
	p = &t->partners.v[0];
	expect_pos(p->at, 28, 5);
	expect_tstr(&p->name, "operator-b", 28, 11);
	expect_tprefixes(&p->prefixes, "10.2.0.0/16 2001:db8:b::/48", 29, 15);
	expect_pos(p->prefixes.pos[1], 29, 29);
	expect_pos(p->trust.at, 30, 12);
	assert_null(p->trust.ca.s);
	expect_tstr(&p->trust.psk, "secrets/operator-b.psk", 30, 19);
	assert_int_equal(p->gateways.n, 2);
	expect_pos(p->gateways.at, 32, 7);
	expect_pos(p->gateways.v[0].at, 32, 9);
	expect_tstr(&p->gateways.v[0].name, "seg-b1", 32, 17);
	expect_taddr(&p->gateways.v[0].address, "198.51.100.2", 32, 34);
	expect_tstr(&p->gateways.v[0].id, "seg-b1.operator-b.example", 32, 52);
	expect_tstr(&p->gateways.v[1].name, "seg-b2", 33, 17);
	expect_taddr(&p->gateways.v[1].address, "198.51.100.3", 33, 34);
	assert_int_equal(p->links.n, 2);
	expect_pos(p->links.at, 34, 12);
	expect_pos(p->links.v[0].at, 34, 13);
	expect_tstr(&p->links.v[0].ours, "seg-a1", 34, 14);
	expect_tstr(&p->links.v[0].theirs, "seg-b1", 34, 22);
	expect_pos(p->links.v[1].at, 34, 31);
	expect_tstr(&p->links.v[1].ours, "seg-a1", 34, 32);
	expect_tstr(&p->links.v[1].theirs, "seg-b2", 34, 40);
	assert_int_equal(p->links.v[0].our_gw, 0);
	assert_int_equal(p->links.v[0].their_gw, 0);
	assert_int_equal(p->links.v[1].their_gw, 1);
	expect_tprefixes(&p->expose, "10.1.1.0/24", 35, 13);
	expect_pos(p->expose.pos[0], 35, 14);
	expect_tprefixes(&p->present_as, "172.16.1.0/24", 36, 17);
	expect_pos(p->present_as.pos[0], 36, 18);
	expect_pos(p->limits.at, 37, 13);
	assert_int_equal(p->limits.ike.per_sec, 10);
	assert_int_equal(p->limits.ike.burst, 0);
	expect_pos(p->limits.ike.pos, 37, 20);
	assert_int_equal(p->limits.packets.per_sec, 20000);
	assert_int_equal(p->limits.packets.burst, 5000);
	expect_pos(p->limits.packets.pos, 37, 35);
	assert_int_equal(p->limits.sip.per_sec, 500);
	assert_int_equal(p->limits.sip.burst, 0);
	expect_pos(p->limits.sip.pos, 37, 60);

	expect_pos(t->profiles.at, 39, 3);
	expect_pos(za->at, 39, 7);
	assert_int_equal(za->ike.n, 1);
	expect_pos(za->ike.at, 39, 14);
	expect_tstr(&za->ike.v[0], "aes256gcm16-prfsha384-ecp384", 39, 15);
	assert_int_equal(za->esp.n, 2);
	expect_tstr(&za->esp.v[0], "aes256gcm16-ecp384", 39, 52);
	expect_tstr(&za->esp.v[1], "chacha20poly1305-x25519", 39, 72);
	assert_int_equal(za->lifetime.v, 8 * 3600);
	expect_pos(za->lifetime.pos, 39, 108);
	assert_int_equal(za->ike_lifetime.v, 86400);
	expect_pos(za->ike_lifetime.pos, 39, 126);
	assert_int_equal(za->mode.v, ESP_TUNNEL);
	expect_pos(za->mode.pos, 39, 136);
	assert_int_equal(za->version.v, 2);
	expect_pos(za->version.pos, 39, 153);

	expect_pos(zb->at, 41, 5);
	expect_tstr(&zb->ike.v[0], "aes256-sha384-prfsha384-ecp384", 41, 11);
	assert_int_equal(zb->ike.n, 1);
	expect_tstr(&zb->esp.v[0], "null-sha256", 42, 11);
	assert_int_equal(zb->esp.n, 1);
	assert_int_equal(zb->lifetime.v, 1800);
	expect_pos(zb->lifetime.pos, 43, 15);
	assert_int_equal(zb->ike_lifetime.v, 90);
	expect_pos(zb->ike_lifetime.pos, 44, 19);
	assert_int_equal(zb->mode.v, ESP_TUNNEL);
	expect_pos(zb->mode.pos, 45, 11);
	assert_int_equal(zb->version.v, 2);
	expect_pos(zb->version.pos, 46, 14);

	topo_free(t);
	diags_free(&d);
}

static void expect_default_profile(const struct tprofile *p, const char *esp)
{
	assert_int_equal(p->ike.n, 1);
	assert_string_equal(p->ike.v[0].s, "aes256gcm16-prfsha384-ecp384");
	assert_int_equal(p->esp.n, 1);
	assert_string_equal(p->esp.v[0].s, esp);
	assert_int_equal(p->mode.v, ESP_TUNNEL);
	assert_int_equal(p->mode.pos.line, 0);
	assert_int_equal(p->version.v, 2);
	assert_int_equal(p->version.pos.line, 0);
}

static void test_default_profiles(void **state)
{
	struct topo *t = load_valid(operator_a_yaml());

	(void)state;
	assert_int_equal(t->profiles.at.line, 0);
	assert_int_equal(t->profiles.za.at.line, 0);
	assert_int_equal(t->profiles.zb.at.line, 0);
	expect_default_profile(&t->profiles.za, "aes256gcm16-ecp384");
	expect_default_profile(&t->profiles.zb, "null-sha256");
	/* no lifetime: strongSwan's defaults */
	assert_int_equal(t->profiles.za.lifetime.v, 0);
	assert_int_equal(t->profiles.za.lifetime.pos.line, 0);
	assert_int_equal(t->profiles.zb.ike_lifetime.v, 0);
	assert_int_equal(t->profiles.zb.ike_lifetime.pos.line, 0);
	topo_free(t);
}

static void test_default_profiles_partial(void **state)
{
	struct topo *t = load_valid(MINIMAL_YAML
	                            "profiles:\n"
	                            "  za: { lifetime: 1h }\n"
	                            "  zb: { esp: [aes256gcm16] }\n");

	(void)state;
	/* what is absent from a profile that is there still gets its default */
	expect_default_profile(&t->profiles.za, "aes256gcm16-ecp384");
	assert_int_equal(t->profiles.za.lifetime.v, 3600);
	assert_int_equal(t->profiles.zb.esp.n, 1);
	assert_string_equal(t->profiles.zb.esp.v[0].s, "aes256gcm16");
	assert_string_equal(t->profiles.zb.ike.v[0].s, "aes256gcm16-prfsha384-ecp384");
	assert_int_equal(t->profiles.zb.mode.v, ESP_TUNNEL);
	assert_int_equal(t->profiles.zb.version.v, 2);
	topo_free(t);
}

/* Loads MINIMAL_YAML with `profiles: { za: { <key>: <value> } }` on its
 * line MINIMAL_LINES + 1; the key starts at column 19. */
static struct topo *load_za(const char *key_value, struct diags *d)
{
	char *yaml = malloc(strlen(MINIMAL_YAML) + strlen(key_value) + 64);
	struct topo *t;

	assert_non_null(yaml);
	sprintf(yaml, MINIMAL_YAML "profiles: { za: { %s } }\n", key_value);
	t = load(yaml, d);
	free(yaml);
	return t;
}

static void expect_duration(const char *text, uint32_t want)
{
	char kv[128];
	struct diags d = { 0 };
	struct topo *t;

	snprintf(kv, sizeof(kv), "lifetime: %s", text);
	t = load_za(kv, &d);
	expect_errors(&d, 0);
	if (t->profiles.za.lifetime.v != want)
		fail_msg("lifetime %s: %u, expected %u", text, t->profiles.za.lifetime.v, want);
	expect_pos(t->profiles.za.lifetime.pos, MINIMAL_LINES + 1, 29);
	topo_free(t);
	diags_free(&d);
}

static void expect_duration_refused(const char *text, const char *msg)
{
	char kv[128];
	struct diags d = { 0 };
	struct topo *t;

	snprintf(kv, sizeof(kv), "lifetime: %s", text);
	t = load_za(kv, &d);
	expect_errors(&d, 1);
	expect_error_at(&d, MINIMAL_LINES + 1, 29, msg);
	assert_int_equal(t->profiles.za.lifetime.v, 0);
	assert_int_equal(t->profiles.za.lifetime.pos.line, 0);
	topo_free(t);
	diags_free(&d);
}

static void test_durations(void **state)
{
	char msg[256];
	static const char *const bad[] = {
		"8hh", "8 h", "h", "-1h", "1.5h", "8H", "8w", "1h30m", "''", "' 8h'", "'8h '", "0x10",
	};
	size_t i;

	(void)state;
	expect_duration("8h", 8 * 3600);
	expect_duration("30m", 1800);
	expect_duration("90s", 90);
	expect_duration("1d", 86400);
	expect_duration("3600", 3600);
	expect_duration("'45m'", 2700);               /* quoted is fine */
	expect_duration("0", 0);                      /* loads; validation refuses it */
	expect_duration("49710d", 49710u * 86400u);
	expect_duration("71582788m", 71582788u * 60u);
	expect_duration("4294967295", 4294967295u);
	expect_duration("4294967295s", 4294967295u);
	expect_duration("007s", 7);

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		const char *v = bad[i];
		char unq[32];

		/* the message shows the value as YAML gives it (unquoted) */
		if (v[0] == '\'') {
			snprintf(unq, sizeof(unq), "%.*s", (int)strlen(v) - 2, v + 1);
			v = unq;
		}
		snprintf(msg, sizeof(msg),
		         "'lifetime' must be a duration such as 8h, 30m, 90s or 1d, not '%s'", v);
		expect_duration_refused(bad[i], msg);
	}
	/* too long for 32 bits once multiplied */
	expect_duration_refused("49711d", "'lifetime' is too long: '49711d'");
	expect_duration_refused("71582789m", "'lifetime' is too long: '71582789m'");
	expect_duration_refused("1193047h", "'lifetime' is too long: '1193047h'");
}

/* A number too large for 32 bits is a duration that is too long, not one
 * that is malformed. */
static void test_duration_overflow_message(void **state)
{
	(void)state;
	expect_duration_refused("4294967296", "'lifetime' is too long: '4294967296'");
	expect_duration_refused("99999999999h", "'lifetime' is too long: '99999999999h'");
}

/* Loads a partner with `limits: { sip: <value> }`. */
static struct topo *load_limit(const char *value, struct diags *d)
{
	char *yaml = malloc(strlen(operator_a_yaml()) + strlen(value) + 64);
	char *edited;
	struct topo *t;

	assert_non_null(yaml);
	sprintf(yaml, "    limits: { sip: %s }\n", value);
	edited = edit(operator_a_yaml(), "    limits: { ike: 10/s, packets: 20000/s, sip: 500/s }\n", yaml);
	t = load(edited, d);
	free(edited);
	free(yaml);
	return t;
}

static void expect_rate(const char *text, uint32_t per_sec, uint32_t burst)
{
	struct diags d = { 0 };
	struct topo *t = load_limit(text, &d);
	const struct trate *r = &t->partners.v[0].limits.sip;

	expect_errors(&d, 0);
	assert_int_equal(r->per_sec, per_sec);
	assert_int_equal(r->burst, burst);
	expect_pos(r->pos, 57, 20);
	assert_int_equal(t->partners.v[0].limits.ike.pos.line, 0);      /* absent */
	assert_int_equal(t->partners.v[0].limits.ike.per_sec, 0);
	topo_free(t);
	diags_free(&d);
}

static void expect_rate_error(const char *text, const char *msg)
{
	struct diags d = { 0 };
	struct topo *t = load_limit(text, &d);
	const struct trate *r = &t->partners.v[0].limits.sip;

	expect_errors(&d, 1);
	expect_error_at(&d, 57, 20, msg);
	assert_int_equal(r->per_sec, 0);
	assert_int_equal(r->burst, 0);
	assert_int_equal(r->pos.line, 0);
	topo_free(t);
	diags_free(&d);
}

static void expect_rate_refused(const char *text, const char *shown)
{
	char msg[256];

	snprintf(msg, sizeof(msg),
	         "limit 'sip' must be a rate such as 500/s or 500/s burst 50, not '%s'", shown);
	expect_rate_error(text, msg);
}

static void test_rates(void **state)
{
	(void)state;
	expect_rate("500/s", 500, 0);
	expect_rate("500/s burst 50", 500, 50);
	expect_rate("0/s", 0, 0);                     /* loads; validation refuses it */
	expect_rate("4294967295/s", 4294967295u, 0);
	expect_rate("'20000/s burst 100'", 20000, 100);

	expect_rate_refused("500", "500");
	expect_rate_refused("500/m", "500/m");
	expect_rate_refused("500/sec", "500/sec");
	expect_rate_refused("/s", "/s");
	expect_rate_refused("500 /s", "500 /s");
	expect_rate_refused("-5/s", "-5/s");
	expect_rate_refused("500/s burst", "500/s burst");
	expect_rate_refused("'500/s burst '", "500/s burst ");
	expect_rate_refused("500/s burst x", "500/s burst x");
	expect_rate_refused("500/s burst 50x", "500/s burst 50x");
	expect_rate_refused("500/s  burst 50", "500/s  burst 50");
	expect_rate_refused("500/s burst -1", "500/s burst -1");
	expect_rate_error("1/s burst 0",
	                  "limit 'sip' has a burst of 0, which would drop everything: '1/s burst 0'");
	expect_rate_error("500/s burst 4294967296", "limit 'sip' is too large: '500/s burst 4294967296'");
	expect_rate_error("4294967296/s", "limit 'sip' is too large: '4294967296/s'");
	expect_rate_error("99999999999999999999999/s burst 1", "limit 'sip' is too large: "
	                  "'99999999999999999999999/s burst 1'");
	expect_rate_refused("'500/s '", "500/s ");
}

/* hss-1's confidentiality (line 48, value at column 24) set to text */
static void expect_bool(const char *text, bool want, const char *err)
{
	char line[128], *yaml;
	struct diags d = { 0 };
	struct topo *t;

	snprintf(line, sizeof(line), "      confidentiality: %s\n", text);
	yaml = edit(operator_a_yaml(),
	            "      confidentiality: true            # subscriber data: encrypt on Zb too\n", line);
	t = load(yaml, &d);
	if (err) {
		expect_errors(&d, 1);
		expect_error_at(&d, 48, 24, err);
	} else {
		expect_errors(&d, 0);
	}
	assert_int_equal(t->domain.elements.v[3].confidentiality, want);
	topo_free(t);
	diags_free(&d);
	free(yaml);
}

static void test_booleans(void **state)
{
	(void)state;
	expect_bool("true", true, NULL);
	expect_bool("false", false, NULL);
	expect_bool("yes", false, "'confidentiality' must be true or false, not 'yes'");
	expect_bool("True", false, "'confidentiality' must be true or false, not 'True'");
	expect_bool("on", false, "'confidentiality' must be true or false, not 'on'");
	expect_bool("1", false, "'confidentiality' must be true or false, not '1'");
	expect_bool("truee", false, "'confidentiality' must be true or false, not 'truee'");
	expect_bool("[true]", false, "confidentiality must be a value, not a list");
	expect_bool("~", false, "'confidentiality' in element has no value");
}

static void test_whole_numbers_and_modes(void **state)
{
	struct diags d = { 0 };
	struct topo *t;
	char *yaml;

	(void)state;
	yaml = edit(operator_a_yaml(), "zsec: 1\n", "zsec: \"1\"\n");
	t = load(yaml, &d);
	expect_errors(&d, 1);
	expect_error_at(&d, 5, 7, "'zsec' must be a whole number, not the quoted string '1'");
	assert_int_equal(t->version.pos.line, 0);
	topo_free(t);
	diags_free(&d);
	free(yaml);

	yaml = edit(operator_a_yaml(), "zsec: 1\n", "zsec: 1.0\n");
	t = load(yaml, &d);
	expect_errors(&d, 1);
	expect_error_at(&d, 5, 7, "'zsec' must be a whole number, not '1.0'");
	topo_free(t);
	diags_free(&d);
	free(yaml);

	yaml = edit(operator_a_yaml(), "zsec: 1\n", "zsec: -1\n");
	t = load(yaml, &d);
	expect_error_at(&d, 5, 7, "'zsec' must be a whole number, not '-1'");
	topo_free(t);
	diags_free(&d);
	free(yaml);

	yaml = edit(operator_a_yaml(), "zsec: 1\n", "zsec: 4294967297\n");
	t = load(yaml, &d);
	expect_errors(&d, 1);
	expect_error_at(&d, 5, 7, "'zsec' is too large: '4294967297'");
	assert_int_equal(t->version.pos.line, 0);
	topo_free(t);
	diags_free(&d);
	free(yaml);

	t = load_za("mode: transport", &d);
	expect_errors(&d, 0);
	assert_int_equal(t->profiles.za.mode.v, ESP_TRANSPORT);
	expect_pos(t->profiles.za.mode.pos, MINIMAL_LINES + 1, 25);
	topo_free(t);
	diags_free(&d);

	t = load_za("mode: TUNNEL", &d);
	expect_errors(&d, 1);
	expect_error_at(&d, MINIMAL_LINES + 1, 25, "'mode' must be tunnel or transport, not 'TUNNEL'");
	assert_int_equal(t->profiles.za.mode.pos.line, 0);
	assert_int_equal(t->profiles.za.mode.v, ESP_TUNNEL);
	topo_free(t);
	diags_free(&d);

	t = load_za("version: 2x", &d);
	expect_errors(&d, 1);
	expect_error_at(&d, MINIMAL_LINES + 1, 28, "'version' must be a whole number, not '2x'");
	topo_free(t);
	diags_free(&d);

	t = load_za("version: 1", &d);
	expect_errors(&d, 0);                   /* loads; validation refuses IKEv1 */
	assert_int_equal(t->profiles.za.version.v, 1);
	topo_free(t);
	diags_free(&d);
}

/* One edit of operator-a, then exactly these errors (msg at line:col each). */
struct expected {
	uint32_t line, col;
	const char *msg;
};

static void expect_load_errors(const char *from, const char *to, const struct expected *e, size_t n)
{
	struct diags d = { 0 };
	char *yaml = edit(operator_a_yaml(), from, to);
	struct topo *t = load(yaml, &d);
	size_t i;

	for (i = 0; i < n; i++)
		expect_error_at(&d, e[i].line, e[i].col, e[i].msg);
	expect_errors(&d, (unsigned)n);
	topo_free(t);
	diags_free(&d);
	free(yaml);
}

#define EXPECT_LOAD_ERRORS(from, to, ...) do { \
	const struct expected e_[] = { __VA_ARGS__ }; \
	expect_load_errors(from, to, e_, sizeof(e_) / sizeof(*e_)); \
} while (0)

static void test_shape_errors(void **state)
{
	(void)state;
	EXPECT_LOAD_ERRORS("      outside: 192.0.2.1\n", "      outsde: 192.0.2.1\n",
	                   { 12, 7, "unknown key 'outsde' in gateway (did you mean 'outside'?)" },
	                   { 11, 7, "missing key 'outside' in gateway" });
	EXPECT_LOAD_ERRORS("zsec: 1\n", "zsec: 1\ncolour: blue\n",
	                   { 6, 1, "unknown key 'colour' in the topology" });
	EXPECT_LOAD_ERRORS("  name: operator-a\n", "  name: operator-a\n  name: operator-x\n",
	                   { 8, 3, "duplicate key 'name' in domain (first at line 7)" });
	EXPECT_LOAD_ERRORS("      id: seg-a2.operator-a.example\n", "",
	                   { 17, 7, "missing key 'id' in gateway" });
	EXPECT_LOAD_ERRORS("zsec: 1\n", "",
	                   { 5, 1, "missing key 'zsec' in the topology" });
	EXPECT_LOAD_ERRORS("  prefixes: [10.1.0.0/16]\n", "  prefixes: 10.1.0.0/16\n",
	                   { 8, 13, "prefixes must be a list, not a scalar" });
	EXPECT_LOAD_ERRORS("  trust: { ca: pki/operator-a-ca.pem }\n", "  trust: pki/operator-a-ca.pem\n",
	                   { 9, 10, "trust must be a mapping, not a scalar" });
	EXPECT_LOAD_ERRORS("  name: operator-a\n", "  name:\n",
	                   { 7, 8, "'name' in domain has no value" });
	EXPECT_LOAD_ERRORS("  name: operator-a\n", "  name: [operator-a]\n",
	                   { 7, 9, "name must be a value, not a list" });
	EXPECT_LOAD_ERRORS("  name: operator-a\n", "  [name]: operator-a\n",
	                   { 7, 3, "a key must be a value, not a list" },
	                   { 7, 3, "missing key 'name' in domain" });
	EXPECT_LOAD_ERRORS("    - name: hss-1\n", "    - hss-1\n    - name: hss-1\n",
	                   { 42, 7, "element must be a mapping, not a scalar" });
	EXPECT_LOAD_ERRORS("    links: [[seg-a1, seg-b1]]\n", "    links: [[seg-a1, seg-b1, seg-b2], seg-a1]\n",
	                   { 55, 13, "a link must be a pair [our gateway, their gateway]" },
	                   { 55, 39, "a link must be a pair [our gateway, their gateway]" });
	EXPECT_LOAD_ERRORS("    links: [[seg-a1, seg-b1]]\n", "    links: []\n",
	                   { 55, 12, "'links' needs at least one link [our gateway, their gateway]" });
	EXPECT_LOAD_ERRORS("    expose: [10.1.1.0/24]", "    expose: []",
	                   { 56, 13, "'expose' needs at least one prefix" });
	EXPECT_LOAD_ERRORS("zsec: 1\n", "zsec: 1\nprofiles: { za: { esp: [] } }\n",
	                   { 6, 24, "'esp' needs at least one proposal" });
	EXPECT_LOAD_ERRORS("zsec: 1\n", "zsec: 1\nprofiles: { zc: {} }\n",
	                   { 6, 13, "unknown key 'zc' in profiles (did you mean 'za'?)" });
}

static void test_address_and_prefix_values(void **state)
{
	(void)state;
	EXPECT_LOAD_ERRORS("      outside: 192.0.2.1\n", "      outside: 192.0.2.1/32\n",
	                   { 12, 16, "'outside' must be an address, not a prefix: '192.0.2.1/32'" });
	EXPECT_LOAD_ERRORS("      outside: 192.0.2.1\n", "      outside: 192.0.2\n",
	                   { 12, 16, "'outside' is not an IPv4 or IPv6 address: '192.0.2'" });
	EXPECT_LOAD_ERRORS("      address: 10.1.1.10\n", "      address: fe80::1%eth0\n",
	                   { 25, 16, "'address' is not an IPv4 or IPv6 address: 'fe80::1%eth0'" });
	EXPECT_LOAD_ERRORS("  prefixes: [10.1.0.0/16]\n", "  prefixes: [10.1.2.3/16, 10.0.0.0/08, 10.9.0.0/16]\n",
	                   { 8, 14, "prefix '10.1.2.3/16' has host bits set (did you mean 10.1.0.0/16?)" },
	                   { 8, 27, "'10.0.0.0/08' is not an IPv4 or IPv6 prefix" });
	EXPECT_LOAD_ERRORS("    expose: [10.1.1.0/24]", "    expose: [10.1.1.0/24, [10.1.2.0/24]]",
	                   { 56, 27, "a prefix must be a value, not a list" });
}

static void test_prefix_list_keeps_valid_items(void **state)
{
	struct diags d = { 0 };
	char *yaml = edit(operator_a_yaml(), "  prefixes: [10.1.0.0/16]\n",
	                  "  prefixes: [bogus, 10.1.0.0/16, 10.9.9.9/8]\n");
	struct topo *t = load(yaml, &d);

	(void)state;
	expect_errors(&d, 2);
	/* the good item is kept, with its own position */
	expect_prefixes(t->domain.prefixes.v, t->domain.prefixes.n, "10.1.0.0/16");
	expect_pos(t->domain.prefixes.pos[0], 8, 21);
	topo_free(t);
	diags_free(&d);
	free(yaml);
}

static void test_string_length(void **state)
{
	char *value = malloc(1100), *line = malloc(1200), *yaml;
	struct diags d = { 0 };
	struct topo *t;

	(void)state;
	memset(value, 'a', 1024);
	strcpy(value + 1024, ".pem");           /* 1028 characters */
	snprintf(line, 1200, "      cert: %s\n", value);
	yaml = edit(operator_a_yaml(), "      cert: pki/seg-a1.pem\n", line);
	t = load(yaml, &d);
	expect_errors(&d, 1);
	expect_error_at(&d, 15, 13, "'cert' must be a single line of at most 1024 characters");
	assert_null(t->domain.gateways.v[0].cert.s);
	topo_free(t);
	diags_free(&d);
	free(yaml);

	value[1024] = '\0';                     /* exactly 1024: fine */
	snprintf(line, 1200, "      cert: %s\n", value);
	yaml = edit(operator_a_yaml(), "      cert: pki/seg-a1.pem\n", line);
	t = load(yaml, &d);
	expect_errors(&d, 0);
	assert_int_equal(strlen(t->domain.gateways.v[0].cert.s), 1024);
	topo_free(t);
	diags_free(&d);
	free(yaml);
	free(value);
	free(line);
}

/* "must be a single line": a string value holding a line break is refused. */
static void test_string_single_line(void **state)
{
	(void)state;
	EXPECT_LOAD_ERRORS("      cert: pki/seg-a1.pem\n", "      cert: \"pki/seg-a1\\n.pem\"\n",
	                   { 15, 13, "'cert' must be a single line of at most 1024 characters" });
	EXPECT_LOAD_ERRORS("  trust: { ca: pki/operator-a-ca.pem }\n", "  trust: { ca: \"pki/a\\r\\nb.pem\" }\n",
	                   { 9, 16, "'ca' must be a single line of at most 1024 characters" });
}

static void test_nul_escape_in_string(void **state)
{
	(void)state;
	/* YAML's "\0" escape puts a NUL inside a scalar: refused, not truncated */
	EXPECT_LOAD_ERRORS("  name: operator-a\n", "  name: \"operator-a\\0evil\"\n",
	                   { 7, 9, "'name' must not contain a NUL character" });
}

/* Loads operator-a with from replaced by to (which holds a "\0" escape);
 * the result must not be what the text before the NUL says. */
static unsigned errors_of(const char *from, const char *to)
{
	struct diags d = { 0 };
	char *yaml = edit(operator_a_yaml(), from, to);
	struct topo *t = load(yaml, &d);
	unsigned n = d.errors;

	topo_free(t);
	diags_free(&d);
	free(yaml);
	return n;
}

/* A NUL inside a value or key must not cut it short: "192.0.2.1\0junk" is
 * not the address 192.0.2.1, and "domain\0x" is not the key domain. */
static void test_nul_escape_in_other_values(void **state)
{
	static const struct { const char *from, *to; } cases[] = {
		{ "      outside: 192.0.2.1\n", "      outside: \"192.0.2.1\\0junk\"\n" },
		{ "  prefixes: [10.1.0.0/16]\n", "  prefixes: [\"10.1.0.0/16\\0junk\"]\n" },
		{ "      confidentiality: true ", "      confidentiality: \"true\\0junk\" " },
		{ "sip: 500/s", "sip: \"500/s\\0junk\"" },
		{ "zsec: 1\n", "zsec: 1\nprofiles: { za: { lifetime: \"8h\\0junk\" } }\n" },
		{ "zsec: 1\n", "zsec: 1\nprofiles: { za: { mode: \"tunnel\\0junk\" } }\n" },
		{ "\ndomain:\n", "\n\"domain\\0junk\":\n" },
		{ "      gateway: seg-a1\n", "      \"gateway\\0junk\": seg-a1\n" },
	};
	unsigned bad = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		unsigned n = errors_of(cases[i].from, cases[i].to);

		if (!n) {
			print_message("#   case %zu accepted without error\n", i);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* A raw NUL byte in the file */
static void test_nul_byte_in_file(void **state)
{
	static const char text[] = "zsec: 1\ndomain:\n  name: a\0b\n";
	struct diags d = { 0 };
	struct topo *t = topo_load_buffer(TEST_PATH, text, sizeof(text) - 1, &d);

	(void)state;
	assert_non_null(t);
	expect_errors(&d, 1);
	assert_non_null(diag_find(&d, DIAG_ERROR, "YAML syntax: control characters are not allowed"));
	/* the model holds the whole text, NUL included */
	assert_int_equal(t->src.len, sizeof(text) - 1);
	assert_memory_equal(t->src.text, text, sizeof(text) - 1);
	topo_free(t);
	diags_free(&d);
}

/* Reader errors (NUL bytes, bad UTF-8) point at the offending byte, as every
 * other diagnostic points at what it is about: the NUL of "  name: a\0b" on
 * line 3 is at column 10. */
static void test_reader_error_position(void **state)
{
	static const char nul[] = "zsec: 1\ndomain:\n  name: a\0b\n";
	static const char utf8[] = "zsec: 1\ndomain:\n  name: a\xff\xfe\n";
	struct diags d = { 0 }, e = { 0 };
	struct topo *t = topo_load_buffer(TEST_PATH, nul, sizeof(nul) - 1, &d);
	struct topo *u = topo_load_buffer(TEST_PATH, utf8, sizeof(utf8) - 1, &e);
	struct pos pd = d.n ? d.v[0].pos : (struct pos){ 0, 0 };
	struct pos pe = e.n ? e.v[0].pos : (struct pos){ 0, 0 };

	(void)state;
	topo_free(t);
	topo_free(u);
	diags_free(&d);
	diags_free(&e);
	expect_pos(pd, 3, 10);
	expect_pos(pe, 3, 10);
}

static void test_non_utf8(void **state)
{
	static const char text[] = "zsec: 1\ndomain:\n  name: op\xe9rator\n";
	struct diags d = { 0 };
	struct topo *t = topo_load_buffer(TEST_PATH, text, sizeof(text) - 1, &d);

	(void)state;
	expect_errors(&d, 1);
	assert_non_null(diag_find(&d, DIAG_ERROR, "YAML syntax: invalid trailing UTF-8 octet"));
	assert_null(t->domain.name.s);
	topo_free(t);
	diags_free(&d);

	/* valid UTF-8 (and a byte order mark) is fine */
	{
		char *yaml = concat("\xef\xbb\xbf", operator_a_yaml());
		char *yaml2 = edit(yaml, "# operator-a:", "# op\xc3\xa9rateur-a:");

		t = load(yaml2, &d);
		expect_errors(&d, 0);
		assert_string_equal(t->domain.name.s, "operator-a");
		topo_free(t);
		diags_free(&d);
		free(yaml);
		free(yaml2);
	}
}

static void expect_single_error(const char *text, uint32_t line, uint32_t col, const char *msg)
{
	struct diags d = { 0 };
	struct topo *t = load(text, &d);

	expect_errors(&d, 1);
	expect_error_at(&d, line, col, msg);
	topo_free(t);
	diags_free(&d);
}

static void test_yaml_syntax_errors(void **state)
{
	(void)state;
	expect_single_error("zsec: 1\ndomain:\n\tname: x\n", 3, 1,
	                    "YAML syntax: found character that cannot start any token "
	                    "while scanning for the next token (line 3)");
	expect_single_error("zsec: 1\ndomain:\n  name: [a\n", 4, 1,
	                    "YAML syntax: did not find expected ',' or ']' "
	                    "while parsing a flow sequence (line 3)");
	expect_single_error("zsec: 1\ndomain:\n  name: \"abc\n", 4, 1,
	                    "YAML syntax: found unexpected end of stream "
	                    "while scanning a quoted scalar (line 3)");
	expect_single_error("zsec: 1\n domain: 1\n", 2, 8,
	                    "YAML syntax: mapping values are not allowed in this context");
	expect_single_error("zsec: 1\ndomain: *nowhere\n", 2, 9, "YAML syntax: found undefined alias");
	/* an error deep in a real file */
	{
		char *yaml = edit(operator_a_yaml(), "    expose: [10.1.1.0/24]", "    expose: [10.1.1.0/24");

		expect_single_error(yaml, 57, 5, "YAML syntax: did not find expected ',' or ']' "
		                    "while parsing a flow sequence (line 56)");
		free(yaml);
	}
}

static void test_second_document(void **state)
{
	char *yaml = concat(operator_a_yaml(), "---\nzsec: 1\n");

	(void)state;
	expect_single_error(yaml, 58, 1, "a topology file holds one YAML document, this is a second");
	free(yaml);
	yaml = concat(operator_a_yaml(), "...\n");           /* an end marker alone is fine */
	{
		struct diags d = { 0 };
		struct topo *t = load(yaml, &d);

		expect_errors(&d, 0);
		topo_free(t);
		diags_free(&d);
	}
	free(yaml);
	yaml = concat(operator_a_yaml(), "---\n[\n");      /* a broken second document */
	expect_single_error(yaml, 60, 1, "YAML syntax: did not find expected node content "
	                    "while parsing a flow node (line 60)");
	free(yaml);
}

static void test_empty_document(void **state)
{
	static const char *const empty[] = { "", "\n", "# nothing but a comment\n", "   \n\n" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(empty) / sizeof(*empty); i++) {
		struct diags d = { 0 };
		struct topo *t = load(empty[i], &d);

		expect_errors(&d, 1);
		expect_error_at(&d, 0, 0, "the file is empty; a topology starts with 'zsec: 1'");
		/* a model all the same, with the default profiles */
		assert_null(t->domain.name.s);
		assert_int_equal(t->partners.n, 0);
		expect_default_profile(&t->profiles.za, "aes256gcm16-ecp384");
		topo_free(t);
		diags_free(&d);
	}
	expect_single_error("just a scalar\n", 1, 1, "the topology must be a mapping, not a scalar");
	expect_single_error("[zsec, 1]\n", 1, 1, "the topology must be a mapping, not a list");
}

/* Aliases nested through the schema (partners -> gateways): a few kilobytes
 * that the walk would expand into millions of nodes. */
static void test_alias_bomb(void **state)
{
	struct buf b = { 0 };
	struct diags d = { 0 };
	struct topo *t;
	double t0;
	int i;

	(void)state;
	buf_add(&b, MINIMAL_YAML "partners:\n  - &p\n    name: p\n    prefixes: [10.2.0.0/16]\n"
	        "    trust: { ca: ca.pem }\n"
	        "    gateways: [&g { name: x, address: 198.51.100.1, id: x.example }");
	for (i = 0; i < 3000; i++)
		buf_add(&b, ", *g");
	buf_add(&b, "]\n    links: [[g, x]]\n    expose: [10.1.0.0/16]\n");
	for (i = 0; i < 3000; i++)
		buf_add(&b, "  - *p\n");

	t0 = now_seconds();
	t = topo_load_buffer(TEST_PATH, b.s, b.len, &d);
	assert_non_null(t);
	/* the load reports that and nothing else */
	expect_errors(&d, 1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].pos.line, 1);
	assert_int_equal(d.v[0].pos.col, 1);
	assert_true(!strncmp(d.v[0].msg, "document too large: its aliases expand to more than ", 52));
	assert_true(arena_size(t->arena) < (4u << 20));
	/* validating what was read before the walk stopped is quick too */
	topo_validate(t, &d);
	if (now_seconds() - t0 > 2.0)
		fail_msg("took %.1f s", now_seconds() - t0);
	topo_free(t);
	diags_free(&d);
	free(b.s);
}

/* The classic "billion laughs": nine levels of ten aliases each.  The walk
 * never expands it (the schema has no nine levels of lists): refused at once,
 * with a handful of errors and little memory. */
static void test_billion_laughs(void **state)
{
	struct buf b = { 0 };
	struct diags d = { 0 };
	struct topo *t;
	double t0;
	int i;

	(void)state;
	buf_add(&b, "zsec: 1\nlol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (i = 1; i < 10; i++)
		buf_add(&b, "lol%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
		        i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	buf_add(&b, "domain: { name: d, prefixes: *a9, trust: *a9, gateways: *a9, elements: *a9 }\n"
	        "partners: *a9\nprofiles: { za: { ike: *a9, esp: *a9 } }\n");

	t0 = now_seconds();
	t = topo_load_buffer(TEST_PATH, b.s, b.len, &d);
	assert_non_null(t);
	topo_validate(t, &d);
	if (now_seconds() - t0 > 1.0)
		fail_msg("took %.1f s", now_seconds() - t0);
	assert_true(d.errors > 0);
	assert_true(d.n < 200);
	assert_true(arena_size(t->arena) < (1u << 20));
	expect_error_at(&d, 2, 1, "unknown key 'lol0' in the topology");
	topo_free(t);
	diags_free(&d);
	free(b.s);
}

/* Anchors used the way YAML means them, to share one list among partners,
 * are not a bomb: 200 partners exposing the same 100 prefixes (20,000
 * prefixes in all, from a 40 KB file) load and validate. */
static void test_shared_anchor_is_not_a_bomb(void **state)
{
	struct buf b = { 0 };
	struct diags d = { 0 };
	struct topo *t;
	int i, j;

	(void)state;
	buf_add(&b, MINIMAL_YAML "partners:\n");
	for (i = 0; i < 200; i++) {
		buf_add(&b, "  - name: p%d\n    prefixes: [11.0.%d.0/24]\n    trust: { ca: ca.pem }\n"
		        "    gateways: [{ name: x%d, address: 198.18.0.%d, id: x%d.example }]\n"
		        "    links: [[g, x%d]]\n", i, i, i, i, i, i);
		if (i)
			buf_add(&b, "    expose: *shared\n");
		else {
			buf_add(&b, "    expose: &shared [10.1.0.0/24");
			for (j = 1; j < 100; j++)
				buf_add(&b, ", 10.1.%d.0/24", j);
			buf_add(&b, "]\n");
		}
	}
	t = topo_load_buffer(TEST_PATH, b.s, b.len, &d);
	topo_validate(t, &d);
	{
		unsigned errors = d.errors;
		size_t partners = t->partners.n, exposed = partners ? t->partners.v[partners - 1].expose.n : 0;

		if (errors)
			diags_dump(&d);
		topo_free(t);
		diags_free(&d);
		free(b.s);
		assert_int_equal(errors, 0);
		assert_int_equal(partners, 200);
		assert_int_equal(exposed, 100);
	}
}

/* Errors on one long line (flow style) must not each hold a copy of the
 * whole line: 3,000 bad prefixes on one 9 KB line should not cost tens of
 * megabytes (it grows with errors x line length, i.e. quadratically). */
static void test_many_errors_on_one_line(void **state)
{
	struct buf b = { 0 };
	struct diags d = { 0 };
	struct topo *t;
	size_t i, held = 0;

	(void)state;
	buf_add(&b, "{zsec: 1, domain: {name: d, trust: {ca: c}, gateways: [], prefixes: [x");
	for (i = 1; i < 3000; i++)
		buf_add(&b, ", x");
	buf_add(&b, "]}}\n");
	t = topo_load_buffer(TEST_PATH, b.s, b.len, &d);
	assert_true(d.errors >= 3000);
	for (i = 0; i < d.n; i++)
		held += d.v[i].line ? strlen(d.v[i].line) + 1 : 0;
	topo_free(t);
	diags_free(&d);
	free(b.s);
	if (held > (4u << 20))
		fail_msg("%zu diagnostics hold %zu bytes of source lines for a %zu-byte file",
		         (size_t)3000, held, (size_t)9000);
}

static void test_topo_path(void **state)
{
	struct diags d = { 0 };
	struct topo *t;

	(void)state;
	t = load_at("/etc/zsec/op.yaml", operator_a_yaml(), &d);
	assert_string_equal(t->dir, "/etc/zsec");
	assert_string_equal(topo_path(t, "pki/ca.pem"), "/etc/zsec/pki/ca.pem");
	assert_string_equal(topo_path(t, "/abs/ca.pem"), "/abs/ca.pem");
	assert_null(topo_path(t, NULL));
	topo_free(t);

	t = load_at("op.yaml", operator_a_yaml(), &d);
	assert_string_equal(t->dir, ".");
	assert_string_equal(topo_path(t, "pki/ca.pem"), "pki/ca.pem");
	topo_free(t);

	t = load_at("lab/a/op.yaml", operator_a_yaml(), &d);
	assert_string_equal(t->dir, "lab/a");
	assert_string_equal(topo_path(t, "pki/ca.pem"), "lab/a/pki/ca.pem");
	topo_free(t);
	expect_errors(&d, 0);
	diags_free(&d);
}

/* A file in the root folder: its relative paths are "/pki/...", not
 * "//pki/..." (POSIX leaves the meaning of a leading "//" to the system). */
static void test_topo_path_root(void **state)
{
	struct diags d = { 0 };
	struct topo *t = load_at("/op.yaml", operator_a_yaml(), &d);
	char dir[16], path[64];

	(void)state;
	snprintf(dir, sizeof(dir), "%s", t->dir);
	snprintf(path, sizeof(path), "%s", topo_path(t, "pki/ca.pem"));
	topo_free(t);
	diags_free(&d);
	assert_string_equal(dir, "/");
	assert_string_equal(path, "/pki/ca.pem");
}

static void test_topo_load_files(void **state)
{
	char dir[] = "/tmp/zsec-test-load-XXXXXX", path[128];
	struct diags d = { 0 };
	struct topo *t;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/operator-a.yaml", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(operator_a_yaml(), fp);
	fclose(fp);

	t = topo_load(path, &d);
	assert_non_null(t);
	expect_errors(&d, 0);
	assert_string_equal(t->src.path, path);
	assert_string_equal(t->dir, dir);
	assert_int_equal(t->src.len, strlen(operator_a_yaml()));
	assert_string_equal(t->domain.name.s, "operator-a");
	topo_free(t);

	/* a folder is not a topology file */
	t = topo_load(dir, &d);
	assert_null(t);
	expect_errors(&d, 1);
	assert_non_null(diag_find(&d, DIAG_ERROR, "not a regular file"));
	diags_free(&d);

	unlink(path);
	rmdir(dir);
	t = topo_load(path, &d);
	assert_null(t);
	expect_errors(&d, 1);
	assert_string_equal(d.v[0].file, path);
	assert_int_equal(d.v[0].pos.line, 0);
	assert_string_equal(d.v[0].msg, "cannot read: No such file or directory");
	diags_free(&d);
}

/* What a load reports is a partial model, never a crash: every prefix of a
 * valid file (cut at each byte) loads and validates under the sanitizers. */
static void test_every_truncation_loads(void **state)
{
	const char *text = operator_a_yaml();
	size_t n = strlen(text), i;

	(void)state;
	for (i = 0; i <= n; i++) {
		struct diags d = { 0 };
		char *cut = malloc(i ? i : 1);
		struct topo *t;

		memcpy(cut, text, i);
		t = topo_load_buffer(TEST_PATH, cut, i, &d);
		assert_non_null(t);
		topo_validate(t, &d);
		if (i == n)
			expect_errors(&d, 0);
		topo_free(t);
		diags_free(&d);
		free(cut);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_model),
		cmocka_unit_test(test_default_profiles),
		cmocka_unit_test(test_default_profiles_partial),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_duration_overflow_message),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_whole_numbers_and_modes),
		cmocka_unit_test(test_shape_errors),
		cmocka_unit_test(test_address_and_prefix_values),
		cmocka_unit_test(test_prefix_list_keeps_valid_items),
		cmocka_unit_test(test_string_length),
		cmocka_unit_test(test_string_single_line),
		cmocka_unit_test(test_nul_escape_in_string),
		cmocka_unit_test(test_nul_escape_in_other_values),
		cmocka_unit_test(test_nul_byte_in_file),
		cmocka_unit_test(test_reader_error_position),
		cmocka_unit_test(test_non_utf8),
		cmocka_unit_test(test_yaml_syntax_errors),
		cmocka_unit_test(test_second_document),
		cmocka_unit_test(test_empty_document),
		cmocka_unit_test(test_alias_bomb),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_shared_anchor_is_not_a_bomb),
		cmocka_unit_test(test_many_errors_on_one_line),
		cmocka_unit_test(test_topo_path),
		cmocka_unit_test(test_topo_path_root),
		cmocka_unit_test(test_topo_load_files),
		cmocka_unit_test(test_every_truncation_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
