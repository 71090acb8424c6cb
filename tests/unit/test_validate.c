/* validate: every rule of DESIGN.md, each error with its exact text at its
 * exact place in operator-a (line numbers as in topology/examples), all of
 * them in one pass, and a large generated file in reasonable time. */
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

struct expected {
	enum diag_level level;
	uint32_t line, col;
	const char *msg;
};

#define E(line, col, msg) { DIAG_ERROR, line, col, msg }
#define W(line, col, msg) { DIAG_WARNING, line, col, msg }

/* yaml loads and validates with exactly the errors of e (warnings in e must
 * be there too, other warnings are fine). */
static void expect_validation(const char *yaml, const struct expected *e, size_t n)
{
	struct diags d = { 0 };
	struct topo *t = load_validate(yaml, &d);
	unsigned errors = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		expect_diag_at(&d, e[i].level, e[i].line, e[i].col, e[i].msg);
		errors += e[i].level == DIAG_ERROR;
	}
	expect_errors(&d, errors);
	topo_free(t);
	diags_free(&d);
}

/* operator-a with one text replaced */
static void expect_edit(const char *from, const char *to, const struct expected *e, size_t n)
{
	char *yaml = edit(operator_a_yaml(), from, to);

	expect_validation(yaml, e, n);
	free(yaml);
}

#define EXPECT_EDIT(from, to, ...) do { \
	const struct expected e_[] = { __VA_ARGS__ }; \
	expect_edit(from, to, e_, sizeof(e_) / sizeof(*e_)); \
} while (0)

#define EXPECT_VALID_EDIT(from, to) expect_edit(from, to, NULL, 0)

/* operator-a with text appended (a partner, profiles) */
static void expect_append(const char *more, const struct expected *e, size_t n)
{
	char *yaml = concat(operator_a_yaml(), more);

	expect_validation(yaml, e, n);
	free(yaml);
}

#define EXPECT_APPEND(more, ...) do { \
	const struct expected e_[] = { __VA_ARGS__ }; \
	expect_append(more, e_, sizeof(e_) / sizeof(*e_)); \
} while (0)

#define EXPECT_VALID_APPEND(more) expect_append(more, NULL, 0)

/* operator-a's pieces that the tests edit */
#define PCSCF_NAME "    - name: pcscf-1\n"
#define ICSCF_NAME "    - name: icscf-1\n"
#define SEG_A1_ID "      id: seg-a1.operator-a.example\n"
#define SEG_A2_OUTSIDE "      outside: 192.0.2.2\n"
#define SEG_A2_INSIDE "      inside: 10.1.0.2\n"
#define DOMAIN_PREFIXES "  prefixes: [10.1.0.0/16]\n"
#define DOMAIN_TRUST "  trust: { ca: pki/operator-a-ca.pem }\n"
#define PARTNER_NAME "  - name: operator-b\n"
#define PARTNER_PREFIXES "    prefixes: [10.2.0.0/16]\n"
#define PARTNER_TRUST "    trust: { ca: pki/operator-b-ca.pem }\n"
#define PARTNER_GW "{ name: seg-b1, address: 198.51.100.2, id: seg-b1.operator-b.example }"
#define LINKS "    links: [[seg-a1, seg-b1]]\n"
#define EXPOSE "    expose: [10.1.1.0/24]"
#define LIMITS "    limits: { ike: 10/s, packets: 20000/s, sip: 500/s }\n"

/* operator-a with profiles appended: "profiles:" on line 58, za on 59, zb on 60 */
#define ZA(x) "profiles:\n  za: { " x " }\n"
#define ZB(x) "profiles:\n  zb: { " x " }\n"

static void test_valid_file(void **state)
{
	struct diags d = { 0 };
	struct topo *t = load_validate(operator_a_yaml(), &d);

	(void)state;
	expect_errors(&d, 0);
	/* only that none of its 14 files exists under /etc/zsec */
	assert_int_equal(d.warnings, 14);
	assert_int_equal(d.n, 14);
	expect_diag_at(&d, DIAG_WARNING, 9, 16, "CA certificate 'pki/operator-a-ca.pem' does not "
	               "exist (yet): zsecd will not apply the file without it");
	expect_diag_at(&d, DIAG_WARNING, 15, 13, "certificate 'pki/seg-a1.pem' does not exist (yet): "
	               "zsecd will not apply the file without it");
	expect_diag_at(&d, DIAG_WARNING, 47, 12, "private key 'pki/hss-1.key' does not exist (yet): "
	               "zsecd will not apply the file without it");
	expect_diag_at(&d, DIAG_WARNING, 52, 18, "CA certificate 'pki/operator-b-ca.pem' does not "
	               "exist (yet): zsecd will not apply the file without it");
	/* references resolved */
	assert_int_equal(t->domain.elements.v[0].gw, 0);
	assert_int_equal(t->domain.elements.v[2].gw, 1);
	assert_int_equal(t->partners.v[0].links.v[0].our_gw, 0);
	assert_int_equal(t->partners.v[0].links.v[0].their_gw, 0);
	topo_free(t);
	diags_free(&d);
}

static void touch(const char *dir, const char *rel)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
}

static void test_valid_file_with_its_files(void **state)
{
	static const char *const files[] = {
		"operator-a-ca.pem", "operator-b-ca.pem", "seg-a1.pem", "seg-a1.key", "seg-a2.pem",
		"seg-a2.key", "pcscf-1.pem", "pcscf-1.key", "icscf-1.pem", "icscf-1.key",
		"scscf-1.pem", "scscf-1.key", "hss-1.pem", "hss-1.key",
	};
	char dir[] = "/tmp/zsec-test-validate-XXXXXX", pki[128], path[128], rel[64];
	struct diags d = { 0 };
	struct topo *t;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(pki, sizeof(pki), "%s/pki", dir);
	assert_int_equal(mkdir(pki, 0700), 0);
	for (i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(rel, sizeof(rel), "pki/%s", files[i]);
		touch(dir, rel);
	}
	snprintf(path, sizeof(path), "%s/operator-a.yaml", dir);
	t = load_at(path, operator_a_yaml(), &d);
	topo_validate(t, &d);
	expect_errors(&d, 0);
	assert_int_equal(d.warnings, 0);
	topo_free(t);
	diags_free(&d);

	/* one file missing: one warning, at its reference */
	snprintf(path, sizeof(path), "%s/pki/hss-1.key", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/operator-a.yaml", dir);
	t = load_at(path, operator_a_yaml(), &d);
	topo_validate(t, &d);
	assert_int_equal(d.warnings, 1);
	expect_diag_at(&d, DIAG_WARNING, 47, 12, "private key 'pki/hss-1.key' does not exist (yet): "
	               "zsecd will not apply the file without it");
	topo_free(t);
	diags_free(&d);

	for (i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(path, sizeof(path), "%s/pki/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(pki);
	rmdir(dir);
}

static void test_schema_version(void **state)
{
	(void)state;
	EXPECT_EDIT("zsec: 1\n", "zsec: 2\n",
	            E(5, 7, "unsupported schema version 2: this zsec reads version 1"));
	EXPECT_EDIT("zsec: 1\n", "zsec: 0\n",
	            E(5, 7, "unsupported schema version 0: this zsec reads version 1"));
}

static void test_names(void **state)
{
	char name63[80], name64[80], line[128];

	(void)state;
	EXPECT_EDIT(PCSCF_NAME, "    - name: pcscf 1\n",
	            E(24, 13, "element name 'pcscf 1' must start with a letter or digit and hold only "
	              "letters, digits, '-' and '_' (63 at most)"));
	EXPECT_EDIT("  name: operator-a\n", "  name: _operator-a\n",
	            E(7, 9, "domain name '_operator-a' must start with a letter or digit and hold only "
	              "letters, digits, '-' and '_' (63 at most)"));
	EXPECT_EDIT("  name: operator-a\n", "  name: operator.a\n",
	            E(7, 9, "domain name 'operator.a' must start with a letter or digit and hold only "
	              "letters, digits, '-' and '_' (63 at most)"));
	EXPECT_EDIT("  name: operator-a\n", "  name: \"\"\n",
	            E(7, 9, "domain name '' must start with a letter or digit and hold only "
	              "letters, digits, '-' and '_' (63 at most)"));

	memset(name63, 'p', 63);
	name63[63] = '\0';
	snprintf(name64, sizeof(name64), "%.63sq", name63);
	snprintf(line, sizeof(line), "  - name: %s\n", name63);
	EXPECT_VALID_EDIT(PARTNER_NAME, line);
	snprintf(line, sizeof(line), "  - name: %s\n", name64);
	{
		char msg[256];
		struct expected e[1] = { E(50, 11, msg) };

		snprintf(msg, sizeof(msg), "partner name '%s' must start with a letter or digit and hold "
		         "only letters, digits, '-' and '_' (63 at most)", name64);
		expect_edit(PARTNER_NAME, line, e, 1);
	}
	EXPECT_EDIT("{ name: seg-b1,", "{ name: seg/b1,",
	            E(54, 17, "partner gateway name 'seg/b1' must start with a letter or digit and hold "
	              "only letters, digits, '-' and '_' (63 at most)"),
	            E(55, 22, "'seg-b1' is not a gateway of partner 'operator-b'"));
	EXPECT_EDIT("    - name: seg-a2\n", "    - name: Seg_A2\n",
	            E(38, 16, "gateway 'seg-a2' is not one of this domain's gateways"),
	            E(44, 16, "gateway 'seg-a2' is not one of this domain's gateways"));
}

static void test_identities(void **state)
{
	static const char *const good[] = {
		"seg-a1.operator-a.example", "seg-a1", "ops@seg-a1.operator-a.example",
		"\"C=DE, O=Operator A, CN=seg-a1\"", "\"CN=seg-a1\"",
	};
	static const char *const bad[] = {
		"seg-a1..operator-a.example", "seg-a1.operator-a.example.", ".seg-a1", "seg a1",
		"\"@operator-a.example\"", "ops@", "ops@bad..example", "\"=seg-a1\"", "seg-a1/x",
	};
	char line[128], msg[256], shown[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		snprintf(line, sizeof(line), "      id: %s\n", good[i]);
		EXPECT_VALID_EDIT(SEG_A1_ID, line);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct expected e[1] = { E(14, 11, msg) };
		const char *v = bad[i];

		if (v[0] == '"') {
			snprintf(shown, sizeof(shown), "%.*s", (int)strlen(v) - 2, v + 1);
			v = shown;
		}
		snprintf(line, sizeof(line), "      id: %s\n", bad[i]);
		snprintf(msg, sizeof(msg), "identity '%s' is neither an FQDN, an email address nor a "
		         "distinguished name", v);
		expect_edit(SEG_A1_ID, line, e, 1);
	}
	/* a label of 64 characters */
	{
		char label[65];
		struct expected e[1] = { E(14, 11, msg) };

		memset(label, 'a', 64);
		label[64] = '\0';
		snprintf(line, sizeof(line), "      id: %s.example\n", label);
		snprintf(msg, sizeof(msg), "identity '%s.example' is neither an FQDN, an email address "
		         "nor a distinguished name", label);
		expect_edit(SEG_A1_ID, line, e, 1);
		label[63] = '\0';
		snprintf(line, sizeof(line), "      id: %s.example\n", label);
		EXPECT_VALID_EDIT(SEG_A1_ID, line);
	}
}

static void test_trust(void **state)
{
	(void)state;
	EXPECT_EDIT(DOMAIN_TRUST, "  trust: { psk: secrets/a.psk }\n",
	            E(9, 17, "the domain's trust must be a CA certificate (ca: FILE); pre-shared keys "
	              "are for partners only"));
	EXPECT_EDIT(DOMAIN_TRUST, "  trust: { ca: pki/operator-a-ca.pem, psk: x.psk }\n",
	            E(9, 44, "trust takes either ca or psk, not both"));
	EXPECT_EDIT(DOMAIN_TRUST, "  trust: {}\n", E(9, 10, "trust needs ca: FILE"));
	EXPECT_EDIT(PARTNER_TRUST, "    trust: {}\n", E(52, 12, "trust needs ca: FILE or psk: FILE"));
	/* a partner may use a pre-shared key, with a warning */
	EXPECT_EDIT(PARTNER_TRUST, "    trust: { psk: secrets/operator-b.psk }\n",
	            W(52, 19, "partner 'operator-b' authenticates with a pre-shared key, weaker than "
	              "certificates (TS 33.310)"),
	            W(52, 19, "secret 'secrets/operator-b.psk' does not exist (yet): zsecd will not "
	              "apply the file without it"));
}

static void test_unique_names_identities_addresses(void **state)
{
	(void)state;
	EXPECT_EDIT(ICSCF_NAME, PCSCF_NAME,
	            E(30, 13, "name 'pcscf-1' is used twice (first at line 24)"));
	/* every name shares one namespace: the domain, partners, gateways,
	 * elements and partner gateways */
	EXPECT_EDIT(ICSCF_NAME, "    - name: seg-a2\n",
	            E(30, 13, "name 'seg-a2' is used twice (first at line 17)"));
	EXPECT_EDIT(PARTNER_NAME, "  - name: operator-a\n",
	            E(50, 11, "name 'operator-a' is used twice (first at line 7)"));
	EXPECT_EDIT(PARTNER_NAME, "  - name: seg-a1\n",
	            E(50, 11, "name 'seg-a1' is used twice (first at line 11)"));
	EXPECT_EDIT("{ name: seg-b1,", "{ name: hss-1,",
	            E(54, 17, "name 'hss-1' is used twice (first at line 42)"),
	            E(55, 22, "'seg-b1' is not a gateway of partner 'operator-b'"));
	EXPECT_EDIT("      id: icscf-1.operator-a.example\n", "      id: pcscf-1.operator-a.example\n",
	            E(33, 11, "identity 'pcscf-1.operator-a.example' is already used by pcscf-1 (line 27)"));
	EXPECT_EDIT("id: seg-b1.operator-b.example", "id: seg-a2.operator-a.example",
	            E(54, 52, "identity 'seg-a2.operator-a.example' is already used by seg-a2 (line 20)"));
	EXPECT_EDIT("      address: 10.1.1.20\n", "      address: 10.1.1.10\n",
	            E(31, 16, "address 10.1.1.10 is already used by pcscf-1 (line 25)"));
	EXPECT_EDIT("address: 198.51.100.2", "address: 192.0.2.1",
	            E(54, 34, "address 192.0.2.1 is already used by seg-a1 (line 12)"));
	EXPECT_EDIT(SEG_A2_INSIDE, "      inside: 10.1.3.40\n",
	            E(43, 16, "address 10.1.3.40 is already used by seg-a2 (line 19)"));
	/* three of a kind: both later ones point at the first */
	{
		char *yaml = edit(operator_a_yaml(), SEG_A2_OUTSIDE, "      outside: 192.0.2.1\n");
		const struct expected e[] = {
			E(18, 16, "address 192.0.2.1 is already used by seg-a1 (line 12)"),
			E(54, 34, "address 192.0.2.1 is already used by seg-a1 (line 12)"),
		};

		yaml = edit_free(yaml, "address: 198.51.100.2", "address: 192.0.2.1");
		expect_validation(yaml, e, 2);
		free(yaml);
	}
	{
		char *c = edit(OPERATOR_C_YAML, "  - name: operator-c\n", PARTNER_NAME);
		const struct expected e[] = {
			E(58, 11, "name 'operator-b' is used twice (first at line 50)"),
		};

		expect_append(c, e, 1);
		free(c);
	}
}

static void test_addresses_in_place(void **state)
{
	(void)state;
	EXPECT_EDIT(SEG_A2_OUTSIDE, "      outside: 10.1.0.200\n",
	            E(18, 16, "outside address 10.1.0.200 lies inside the domain's prefixes; the "
	              "Za-facing address must be outside them"));
	EXPECT_EDIT(SEG_A2_OUTSIDE, "      outside: 10.2.0.200\n",
	            E(18, 16, "outside address 10.2.0.200 lies inside the prefixes of partner 'operator-b'"));
	EXPECT_EDIT(SEG_A2_INSIDE, "      inside: 10.9.0.2\n",
	            E(19, 15, "inside address 10.9.0.2 lies outside the domain's prefixes"));
	EXPECT_EDIT("      address: 10.1.2.30\n", "      address: 10.9.2.30\n",
	            E(37, 16, "element address 10.9.2.30 lies outside the domain's prefixes"));
	EXPECT_EDIT("address: 198.51.100.2", "address: 10.1.200.2",
	            E(54, 34, "partner gateway address 10.1.200.2 lies inside our domain's prefixes"));
	EXPECT_EDIT("address: 198.51.100.2", "address: 10.2.0.2",
	            E(54, 34, "partner gateway address 10.2.0.2 lies inside the prefixes of partner "
	              "'operator-b'; a gateway's address must be outside what it protects"));
	{
		/* an IPv6 element behind a gateway whose inside address is IPv4 */
		char *yaml = edit(operator_a_yaml(), DOMAIN_PREFIXES, "  prefixes: [10.1.0.0/16, 2001:db8:a::/48]\n");
		const struct expected e[] = {
			E(37, 16, "element address 2001:db8:a::30 is IPv6 but the inside address of its "
			  "gateway 'seg-a2' is IPv4"),
		};

		yaml = edit_free(yaml, "      address: 10.1.2.30\n", "      address: 2001:db8:a::30\n");
		expect_validation(yaml, e, 1);
		free(yaml);
	}
}

static void test_references(void **state)
{
	struct diags d = { 0 };
	struct topo *t;
	char *yaml;

	(void)state;
	EXPECT_EDIT("      gateway: seg-a1\n", "      gateway: seg-a9\n",
	            E(26, 16, "gateway 'seg-a9' is not one of this domain's gateways"));
	EXPECT_EDIT(LINKS, "    links: [[seg-a9, seg-b1]]\n",
	            E(55, 14, "'seg-a9' is not one of our gateways"));
	EXPECT_EDIT(LINKS, "    links: [[seg-a1, seg-b9]]\n",
	            E(55, 22, "'seg-b9' is not a gateway of partner 'operator-b'"));
	/* their gateway is looked up among that partner's gateways only */
	EXPECT_EDIT(LINKS, "    links: [[seg-a1, seg-a2]]\n",
	            E(55, 22, "'seg-a2' is not a gateway of partner 'operator-b'"));
	EXPECT_EDIT(LINKS, "    links: [[seg-a1, seg-b1], [seg-a1, seg-b1]]\n",
	            E(55, 31, "link [seg-a1, seg-b1] is listed twice (line 55)"));
	EXPECT_EDIT("address: 198.51.100.2", "address: 2001:db8:ff::2",
	            E(55, 13, "link [seg-a1, seg-b1] joins an IPv4 outside address to an IPv6 one"));

	/* resolution is written back into the model */
	yaml = edit(operator_a_yaml(), "      gateway: seg-a1\n", "      gateway: seg-a9\n");
	yaml = edit_free(yaml, LINKS, "    links: [[seg-a1, seg-b1], [seg-a9, seg-b1]]\n");
	t = load_validate(yaml, &d);
	expect_errors(&d, 2);
	assert_int_equal(t->domain.elements.v[0].gw, -1);
	assert_int_equal(t->domain.elements.v[1].gw, 0);
	assert_int_equal(t->domain.elements.v[2].gw, 1);
	assert_int_equal(t->partners.v[0].links.v[0].our_gw, 0);
	assert_int_equal(t->partners.v[0].links.v[1].our_gw, -1);
	assert_int_equal(t->partners.v[0].links.v[1].their_gw, 0);
	topo_free(t);
	diags_free(&d);
	free(yaml);
}

static void test_empty_gateway_lists(void **state)
{
	char *yaml;
	const char *at = operator_a_yaml();
	const char *from = strstr(at, "  gateways:\n"), *to = strstr(at, "  elements:\n");
	char *cut;

	(void)state;
	/* the domain's gateways block (lines 10-22) replaced by [] */
	cut = malloc((size_t)(to - from) + 1);
	memcpy(cut, from, (size_t)(to - from));
	cut[to - from] = '\0';
	yaml = edit(at, cut, "  gateways: []\n");
	{
		const struct expected e[] = {
			E(10, 13, "the domain needs at least one gateway"),
			E(14, 16, "gateway 'seg-a1' is not one of this domain's gateways"),
			E(20, 16, "gateway 'seg-a1' is not one of this domain's gateways"),
			E(26, 16, "gateway 'seg-a2' is not one of this domain's gateways"),
			E(32, 16, "gateway 'seg-a2' is not one of this domain's gateways"),
			E(43, 14, "'seg-a1' is not one of our gateways"),
		};

		expect_validation(yaml, e, sizeof(e) / sizeof(*e));
	}
	free(yaml);
	free(cut);

	yaml = edit(at, "    gateways:\n      - " PARTNER_GW "\n", "    gateways: []\n");
	{
		const struct expected e[] = {
			E(53, 15, "partner 'operator-b' needs at least one gateway"),
			E(54, 22, "'seg-b1' is not a gateway of partner 'operator-b'"),
		};

		expect_validation(yaml, e, sizeof(e) / sizeof(*e));
	}
	free(yaml);
}

static void test_prefix_overlaps(void **state)
{
	(void)state;
	EXPECT_EDIT(PARTNER_PREFIXES, "    prefixes: [10.1.128.0/17]\n",
	            E(51, 16, "prefix 10.1.128.0/17 of partner 'operator-b' overlaps 10.1.0.0/16 of "
	              "the domain (line 8)"));
	/* reported where the later of the two is written, whichever is larger */
	EXPECT_EDIT(PARTNER_PREFIXES, "    prefixes: [10.0.0.0/8]\n",
	            E(51, 16, "prefix 10.0.0.0/8 of partner 'operator-b' overlaps 10.1.0.0/16 of the "
	              "domain (line 8)"));
	EXPECT_EDIT(DOMAIN_PREFIXES, "  prefixes: [10.1.0.0/16, 10.1.4.0/24]\n",
	            E(8, 27, "prefix 10.1.4.0/24 overlaps 10.1.0.0/16 of the same list (line 8)"));
	EXPECT_EDIT(DOMAIN_PREFIXES, "  prefixes: [10.1.0.0/16, 10.1.0.0/16]\n",
	            E(8, 27, "prefix 10.1.0.0/16 overlaps 10.1.0.0/16 of the same list (line 8)"));
	EXPECT_EDIT(PARTNER_PREFIXES, "    prefixes: [10.2.0.0/16, 10.2.0.0/24, 2001:db8:b::/48]\n",
	            E(51, 29, "prefix 10.2.0.0/24 overlaps 10.2.0.0/16 of the same list (line 51)"));
	/* families never overlap each other */
	EXPECT_VALID_EDIT(PARTNER_PREFIXES, "    prefixes: [10.2.0.0/16, '::/0']\n");
	{
		char *c = edit(OPERATOR_C_YAML, "    prefixes: [10.3.0.0/16]\n", "    prefixes: [10.2.128.0/17]\n");
		const struct expected e[] = {
			E(59, 16, "prefix 10.2.128.0/17 of partner 'operator-c' overlaps 10.2.0.0/16 of "
			  "partner 'operator-b' (line 51)"),
		};

		expect_append(c, e, 1);
		free(c);
	}
	EXPECT_VALID_APPEND(OPERATOR_C_YAML);
}

static void test_exposure(void **state)
{
	(void)state;
	EXPECT_EDIT(EXPOSE, "    expose: [10.9.1.0/24]",
	            E(56, 14, "expose 10.9.1.0/24 is not within the domain's prefixes"));
	EXPECT_EDIT(EXPOSE, "    expose: [11.0.0.0/8]",
	            E(56, 14, "expose 11.0.0.0/8 is not within the domain's prefixes"));
	EXPECT_EDIT(EXPOSE, "    expose: [10.1.1.0/24, 10.1.1.128/25]",
	            E(56, 27, "expose 10.1.1.128/25 overlaps 10.1.1.0/24 of the same list (line 56)"));
	EXPECT_VALID_EDIT(EXPOSE, "    expose: [10.1.1.0/25]");
	EXPECT_VALID_EDIT(EXPOSE "              # the P-CSCF and I-CSCF, nothing else\n",
	                  EXPOSE "\n    present-as: [172.16.1.0/24]\n");
	EXPECT_EDIT(EXPOSE "              # the P-CSCF and I-CSCF, nothing else\n",
	            EXPOSE "\n    present-as: [172.16.1.0/24, 172.16.2.0/24]\n",
	            E(57, 17, "present-as has 2 prefixes but expose has 1; they map 1:1 in order"));
	EXPECT_EDIT(EXPOSE "              # the P-CSCF and I-CSCF, nothing else\n",
	            EXPOSE "\n    present-as: [172.16.0.0/23]\n",
	            E(57, 18, "present-as 172.16.0.0/23 does not match expose 10.1.1.0/24 in size; "
	              "they map 1:1"));
	EXPECT_EDIT(EXPOSE "              # the P-CSCF and I-CSCF, nothing else\n",
	            EXPOSE "\n    present-as: ['2001:db8:ff::/120']\n",
	            E(57, 18, "present-as 2001:db8:ff::/120 is IPv6 but expose 10.1.1.0/24 is IPv4; "
	              "they map 1:1"));
	EXPECT_EDIT(EXPOSE "              # the P-CSCF and I-CSCF, nothing else\n",
	            EXPOSE "\n    present-as: [10.2.1.0/24]\n",
	            E(57, 18, "present-as 10.2.1.0/24 overlaps the prefix 10.2.0.0/16 of partner "
	              "'operator-b' itself"));
	EXPECT_EDIT(EXPOSE "              # the P-CSCF and I-CSCF, nothing else\n",
	            "    expose: [10.1.1.0/25, 10.1.1.128/25]\n    present-as: [172.16.1.0/25, 172.16.1.0/25]\n",
	            E(57, 33, "present-as 172.16.1.0/25 overlaps 172.16.1.0/25 of the same list (line 57)"));
}

/* Partner traffic reaches an element in ESP only through the element's own
 * gateway and a Zb tunnel: anything else would cross the inside in clear. */
static void test_exposed_elements_stay_protected(void **state)
{
	(void)state;
	EXPECT_EDIT(LINKS, "    links: [[seg-a2, seg-b1]]\n",
	            E(55, 13, "link [seg-a2, seg-b1] would carry operator-b's traffic for pcscf-1 (behind "
	              "seg-a1) across the inside network unprotected; link through seg-a1 or narrow expose"));
	EXPECT_EDIT(EXPOSE, "    expose: [10.1.0.0/16]",
	            E(55, 13, "link [seg-a1, seg-b1] would carry operator-b's traffic for scscf-1 (behind "
	              "seg-a2) across the inside network unprotected; link through seg-a2 or narrow expose"));
	/* one error per link, however many elements */
	EXPECT_EDIT(LINKS, "    links: [[seg-a1, seg-b1], [seg-a2, seg-b1]]\n",
	            E(55, 31, "link [seg-a2, seg-b1] would carry operator-b's traffic for pcscf-1 (behind "
	              "seg-a1) across the inside network unprotected; link through seg-a1 or narrow expose"));
	/* and once for transport mode, which leaves the gateway-element leg in clear */
	EXPECT_APPEND(ZB("mode: transport"),
	              E(59, 15, "Zb transport mode cannot carry operator-b's traffic to element pcscf-1, "
	                "which it may reach: use tunnel mode"));
	/* an exposed subnet without elements may go through any gateway */
	{
		char *yaml = edit(operator_a_yaml(), EXPOSE, "    expose: [10.1.9.0/24]");

		yaml = edit_free(yaml, LINKS, "    links: [[seg-a1, seg-b1], [seg-a2, seg-b1]]\n");
		expect_validation(yaml, NULL, 0);
		free(yaml);
	}
}

static void test_limits(void **state)
{
	(void)state;
	EXPECT_EDIT("sip: 500/s }", "sip: 0/s }",
	            E(57, 49, "limit 'sip' of 0/s would drop everything; leave it out for no limit"));
	EXPECT_EDIT("ike: 10/s,", "ike: 0/s burst 5,",
	            E(57, 20, "limit 'ike' of 0/s would drop everything; leave it out for no limit"));
	EXPECT_EDIT("sip: 500/s }", "sip: 500/s burst 50001 }",
	            E(57, 49, "a burst of 50001 is more than 1000 and more than 100 seconds' worth of the sip limit"));
	EXPECT_VALID_EDIT("sip: 500/s }", "sip: 500/s burst 50000 }");
	EXPECT_VALID_EDIT("ike: 10/s,", "ike: 1/s burst 1000,");
	EXPECT_EDIT("ike: 10/s,", "ike: 1/s burst 1001,",
	            E(57, 20, "a burst of 1001 is more than 1000 and more than 100 seconds' worth of the ike limit"));
	EXPECT_VALID_EDIT(LIMITS, "");
}

static void test_profiles_version_mode_lifetime(void **state)
{
	(void)state;
	/* "  za: { " is 8 columns: the first key's value starts at 9 + strlen(key) + 2 */
	EXPECT_APPEND(ZA("version: 1"), E(59, 18, "IKEv1 is forbidden: NDS/IP requires IKEv2 (TS 33.210)"));
	EXPECT_APPEND(ZB("version: 1"), E(59, 18, "IKEv1 is forbidden: NDS/IP requires IKEv2 (TS 33.210)"));
	EXPECT_APPEND(ZA("version: 3"), E(59, 18, "IKE version must be 2, not 3"));
	EXPECT_VALID_APPEND(ZA("version: 2"));
	EXPECT_APPEND(ZA("mode: transport"), E(59, 15, "Za requires ESP tunnel mode (TS 33.210)"));
	EXPECT_VALID_APPEND(ZA("mode: tunnel"));
	/* Zb transport mode is fine where no partner reaches an element ... */
	{
		char *yaml = edit(operator_a_yaml(), EXPOSE, "    expose: [10.1.9.0/24]");
		char *all = concat(yaml, ZB("mode: transport"));

		expect_validation(all, NULL, 0);
		free(all);
		free(yaml);
	}
	EXPECT_APPEND(ZA("lifetime: 59s"), E(59, 19, "a lifetime under 1m would rekey without pause"));
	EXPECT_APPEND(ZB("lifetime: 0"), E(59, 19, "a lifetime under 1m would rekey without pause"));
	EXPECT_APPEND(ZA("ike-lifetime: 30"), E(59, 23, "a lifetime under 1m would rekey without pause"));
	EXPECT_VALID_APPEND(ZA("lifetime: 1m, ike-lifetime: 60"));
}

static void test_profiles_algorithms(void **state)
{
	(void)state;
	/* "  za: { esp: [" puts the first proposal at column 15, "ike: [" too */
	EXPECT_APPEND(ZA("esp: [null-sha256]"),
	              E(59, 15, "Za requires confidentiality: ESP proposal 'null-sha256' does not encrypt "
	                "(TS 33.210)"));
	EXPECT_APPEND(ZA("esp: [aes256gcm16, aes256gmac]"),
	              E(59, 28, "Za requires confidentiality: ESP proposal 'aes256gmac' does not encrypt "
	                "(TS 33.210)"));
	EXPECT_APPEND(ZA("esp: [3des-sha1]"),
	              E(59, 15, "Za ESP: 3DES is forbidden (64-bit block, Sweet32) ('3des'); SHA-1 "
	                "integrity is forbidden ('sha1') in proposal '3des-sha1'"));
	EXPECT_APPEND(ZA("ike: [aes256-sha256-modp1024]"),
	              E(59, 15, "Za IKE: MODP groups below 2048 bits are forbidden ('modp1024') in "
	                "proposal 'aes256-sha256-modp1024'"));
	EXPECT_APPEND(ZB("esp: [aes256]"),
	              E(59, 15, "Zb ESP: proposal 'aes256' has no integrity protection (NULL integrity "
	                "is forbidden)"));
	EXPECT_APPEND(ZB("ike: [aes256-sha256-foo]"),
	              E(59, 15, "Zb IKE: unknown algorithm 'foo' in proposal 'aes256-sha256-foo'"));
	EXPECT_APPEND(ZB("esp: [aes256-md5]"),
	              E(59, 15, "Zb ESP: MD5 is forbidden ('md5') in proposal 'aes256-md5'"));
	EXPECT_APPEND(ZB("ike: [aes256gcm16-prfsha384]"),
	              E(59, 15, "Zb IKE: IKE proposal 'aes256gcm16-prfsha384' needs a key exchange "
	                "method (e.g. ecp384)"));
	/* integrity without confidentiality is Zb's default; encryption is fine too */
	EXPECT_VALID_APPEND(ZB("esp: [null-sha256, aes256gmac, aes256gcm16, aes128-sha256]"));
	EXPECT_VALID_APPEND(ZA("esp: [aes256gcm16-ecp384, chacha20poly1305, aes256-sha384-modp3072]"));
	/* every proposal of a list is checked */
	EXPECT_APPEND(ZB("esp: [null-sha256, null-sha1, 'null']"),
	              E(59, 28, "Zb ESP: SHA-1 integrity is forbidden ('sha1') in proposal 'null-sha1'"),
	              E(59, 39, "Zb ESP: proposal 'null' has no integrity protection (NULL integrity is "
	                "forbidden)"));
}

/* Many mistakes at once: every one reported, in one pass. */
static void test_all_errors_in_one_pass(void **state)
{
	char *yaml = edit(operator_a_yaml(), "zsec: 1\n", "zsec: 2\n");
	const struct expected e[] = {
		E(5, 7, "unsupported schema version 2: this zsec reads version 1"),
		E(14, 11, "identity 'seg-a1..operator-a.example' is neither an FQDN, an email address nor "
		  "a distinguished name"),
		E(18, 16, "outside address 10.1.0.200 lies inside the domain's prefixes; the Za-facing "
		  "address must be outside them"),
		E(24, 13, "element name 'pcscf 1' must start with a letter or digit and hold only letters, "
		  "digits, '-' and '_' (63 at most)"),
		E(31, 16, "address 10.1.1.10 is already used by pcscf 1 (line 25)"),
		E(38, 16, "gateway 'seg-a9' is not one of this domain's gateways"),
		E(51, 16, "prefix 10.1.128.0/17 of partner 'operator-b' overlaps 10.1.0.0/16 of the domain "
		  "(line 8)"),
		E(55, 22, "'seg-b9' is not a gateway of partner 'operator-b'"),
		E(56, 14, "expose 10.9.1.0/24 is not within the domain's prefixes"),
		E(57, 49, "limit 'sip' of 0/s would drop everything; leave it out for no limit"),
		E(59, 15, "Za requires confidentiality: ESP proposal 'null-sha256' does not encrypt (TS 33.210)"),
		E(59, 35, "Za requires ESP tunnel mode (TS 33.210)"),
		E(60, 18, "IKEv1 is forbidden: NDS/IP requires IKEv2 (TS 33.210)"),
	};

	(void)state;
	yaml = edit_free(yaml, SEG_A1_ID, "      id: seg-a1..operator-a.example\n");
	yaml = edit_free(yaml, SEG_A2_OUTSIDE, "      outside: 10.1.0.200\n");
	yaml = edit_free(yaml, PCSCF_NAME, "    - name: pcscf 1\n");
	yaml = edit_free(yaml, "      address: 10.1.1.20\n", "      address: 10.1.1.10\n");
	yaml = edit_free(yaml, "      gateway: seg-a2\n", "      gateway: seg-a9\n");
	yaml = edit_free(yaml, PARTNER_PREFIXES, "    prefixes: [10.1.128.0/17]\n");
	yaml = edit_free(yaml, LINKS, "    links: [[seg-a1, seg-b9]]\n");
	yaml = edit_free(yaml, EXPOSE, "    expose: [10.9.1.0/24]");
	yaml = edit_free(yaml, "sip: 500/s }", "sip: 0/s }");
	{
		char *all = concat(yaml, "profiles:\n  za: { esp: [null-sha256], mode: transport }\n"
		                   "  zb: { version: 1 }\n");

		expect_validation(all, e, sizeof(e) / sizeof(*e));
		free(all);
	}
	free(yaml);
}

/* What diags_print writes, as a malloc'ed string. */
static char *print_diags(struct diags *d)
{
	FILE *fp = tmpfile();
	char *text;
	long len;

	assert_non_null(fp);
	diags_print(fp, d);
	len = ftell(fp);
	assert_true(len >= 0);
	rewind(fp);
	text = malloc((size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, fp), (size_t)len);
	text[len] = '\0';
	fclose(fp);
	return text;
}

/* FILE:LINE:COL: level: message, the source line, a caret under the column;
 * sorted by position. */
static void test_diags_print(void **state)
{
	struct diags d = { 0 };
	char *yaml = edit(operator_a_yaml(), LINKS, "    links: [[seg-a1, seg-b1], [seg-a1, seg-b1]]\n");
	struct topo *t;
	char *text;

	(void)state;
	yaml = edit_free(yaml, DOMAIN_PREFIXES, "  prefixes: [10.1.0.0/16,\t10.1.4.0/24]\n");
	yaml = edit_free(yaml, DOMAIN_TRUST, "  trust: { ca: pki/operator-a-ca.pem, psk: x.psk }\n");
	t = load_validate(yaml, &d);
	expect_errors(&d, 3);
	/* warnings left out: only the errors */
	{
		size_t i, k = 0;

		for (i = 0; i < d.n; i++)
			if (d.v[i].level == DIAG_ERROR)
				d.v[k++] = d.v[i];
			else {
				free(d.v[i].file);
				free(d.v[i].msg);
				free(d.v[i].line);
			}
		d.n = k;
	}
	text = print_diags(&d);
	assert_string_equal(text,
		"/etc/zsec/operator-a.yaml:8:27: error: prefix 10.1.4.0/24 overlaps 10.1.0.0/16 of the "
		"same list (line 8)\n"
		"  prefixes: [10.1.0.0/16,\t10.1.4.0/24]\n"
		"                         \t^\n"
		"/etc/zsec/operator-a.yaml:9:44: error: trust takes either ca or psk, not both\n"
		"  trust: { ca: pki/operator-a-ca.pem, psk: x.psk }\n"
		"                                           ^\n"
		"/etc/zsec/operator-a.yaml:55:31: error: link [seg-a1, seg-b1] is listed twice (line 55)\n"
		"    links: [[seg-a1, seg-b1], [seg-a1, seg-b1]]\n"
		"                              ^\n");
	free(text);
	topo_free(t);
	diags_free(&d);
	free(yaml);

	/* a diagnostic without a position: no line, no caret */
	diag_error(&d, &(struct source){ .path = "x.yaml" }, (struct pos){ 0, 0 }, "cannot read: %s", "nope");
	diag_warn(&d, NULL, (struct pos){ 0, 0 }, "no file at all");
	text = print_diags(&d);
	assert_string_equal(text, "-: warning: no file at all\nx.yaml: error: cannot read: nope\n");
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.warnings, 1);
	free(text);
	diags_free(&d);
	assert_int_equal(d.n, 0);
	assert_null(d.v);
}

/* Each diagnostic quotes its own line, in whatever order they come (the
 * line found last is where the next search starts, when it can), and a
 * second text at another place is read from its own top. */
static void test_diags_lines_in_any_order(void **state)
{
	static const char text[] = "one\ntwo\nthree\nfour\nfive";
	static const char other[] = "uno\ndos\ntres\n";
	static const uint32_t lines[] = { 3, 3, 5, 1, 4, 2, 6 };
	static const char *const want[] = { "three", "three", "five", "one", "four", "two", NULL };
	const struct source a = { "a.yaml", text, sizeof(text) - 1 };
	const struct source b = { "b.yaml", other, sizeof(other) - 1 };
	struct diags d = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		diag_warn(&d, &a, (struct pos){ lines[i], 1 }, "line %u", lines[i]);
	diag_warn(&d, &b, (struct pos){ 2, 1 }, "line 2 of b");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (want[i])
			assert_string_equal(d.v[i].line, want[i]);
		else
			assert_null(d.v[i].line);
	}
	assert_string_equal(d.v[i].line, "dos");
	diags_free(&d);
}

/* The caret stands under the character the column names, also when the
 * line holds multi-byte UTF-8 before it: under the x of "psk: x" here. */
static void test_diags_caret_after_utf8(void **state)
{
	struct diags d = { 0 };
	char *yaml = edit(operator_a_yaml(), DOMAIN_TRUST, "  trust: { ca: \"pki/\xc3\xa9.pem\", psk: x }\n");
	struct topo *t = load_validate(yaml, &d);
	const char *src, *x;
	char *text, *caret, *nl;
	size_t i, under_x = 0, caret_col;

	(void)state;
	expect_errors(&d, 1);
	for (i = 0; i < d.n; i++)
		if (d.v[i].level == DIAG_WARNING) {
			free(d.v[i].file);
			free(d.v[i].msg);
			free(d.v[i].line);
			d.v[i] = d.v[--d.n];
			i--;
		}
	text = print_diags(&d);
	/* the second line is the source, the third the caret */
	src = strchr(text, '\n') + 1;
	caret = strchr(src, '\n') + 1;
	nl = strchr(caret, '\n');
	x = strstr(src, "psk: x") + 5;
	for (i = 0; src + i < x; i++)         /* characters, as the terminal shows them */
		under_x += ((unsigned char)src[i] & 0xc0) != 0x80;
	caret_col = (size_t)(strchr(caret, '^') - caret);
	assert_non_null(nl);
	topo_free(t);
	diags_free(&d);
	free(yaml);
	if (caret_col != under_x) {
		print_message("%s", text);
		free(text);
		fail_msg("caret at display column %zu, the x at %zu", caret_col + 1, under_x + 1);
	}
	free(text);
}

/* Every line of operator-a removed in turn: whatever the model is left with,
 * validation runs to its end (the sanitizer build checks the memory). */
static void test_each_line_removed(void **state)
{
	const char *text = operator_a_yaml(), *p;

	(void)state;
	for (p = text; *p; p = strchr(p, '\n') + 1) {
		const char *eol = strchr(p, '\n');
		size_t before = (size_t)(p - text), n = strlen(text);
		char *cut = malloc(n + 1);
		struct diags d = { 0 };
		struct topo *t;

		memcpy(cut, text, before);
		memcpy(cut + before, eol + 1, n - before - (size_t)(eol + 1 - p) + 1);
		t = load_validate(cut, &d);
		topo_free(t);
		diags_free(&d);
		free(cut);
	}
}

/* A generated file of 2,000 partners, each with its own prefix, gateway,
 * link, exposure and limits, validates without errors and quickly. */
static void test_two_thousand_partners(void **state)
{
	struct buf b = { 0 };
	struct diags d = { 0 };
	struct topo *t;
	double t0, t1;
	int i;

	(void)state;
	buf_add(&b, "zsec: 1\ndomain:\n  name: operator-a\n  prefixes: [10.1.0.0/16, 2001:db8:a::/48]\n"
	        "  trust: { ca: pki/ca.pem }\n  gateways:\n"
	        "    - { name: seg-a1, outside: 192.0.2.1, inside: 10.1.0.1, id: seg-a1.operator-a.example, "
	        "cert: pki/seg-a1.pem, key: pki/seg-a1.key }\n"
	        "  elements:\n"
	        "    - { name: pcscf-1, address: 10.1.1.10, gateway: seg-a1, id: pcscf-1.operator-a.example, "
	        "cert: pki/pcscf-1.pem, key: pki/pcscf-1.key }\n"
	        "partners:\n");
	for (i = 0; i < 2000; i++)
		buf_add(&b,
		        "  - name: partner-%04d\n"
		        "    prefixes: [11.%d.%d.0/24, 2001:db8:%x::/48]\n"
		        "    trust: { ca: pki/partner-%04d-ca.pem }\n"
		        "    gateways:\n"
		        "      - { name: seg-p%04d, address: 198.18.%d.%d, id: seg.partner-%04d.example }\n"
		        "    links: [[seg-a1, seg-p%04d]]\n"
		        "    expose: [10.1.1.0/24]\n"
		        "    present-as: [172.16.%d.0/24]\n"
		        "    limits: { ike: 10/s, packets: 20000/s burst 40000, sip: 500/s }\n",
		        i, i / 256, i % 256, 0x1000 + i, i, i, i / 256, i % 256, i, i, i % 256);

	t0 = now_seconds();
	t = load(b.s, &d);
	t1 = now_seconds();
	topo_validate(t, &d);
	print_message("# 2,000 partners (%zu bytes): load %.3f s, validate %.3f s\n", b.len, t1 - t0,
	              now_seconds() - t1);
	expect_errors(&d, 0);
	assert_int_equal(t->partners.n, 2000);
	assert_string_equal(t->partners.v[1999].name.s, "partner-1999");
	assert_int_equal(t->partners.v[1999].links.v[0].our_gw, 0);
	/* generous: sanitizers make it several times slower */
	if (now_seconds() - t0 > 10.0)
		fail_msg("2,000 partners took %.1f s", now_seconds() - t0);
	topo_free(t);
	diags_free(&d);
	free(b.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_file),
		cmocka_unit_test(test_valid_file_with_its_files),
		cmocka_unit_test(test_schema_version),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_identities),
		cmocka_unit_test(test_trust),
		cmocka_unit_test(test_unique_names_identities_addresses),
		cmocka_unit_test(test_addresses_in_place),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_empty_gateway_lists),
		cmocka_unit_test(test_prefix_overlaps),
		cmocka_unit_test(test_exposure),
		cmocka_unit_test(test_exposed_elements_stay_protected),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_profiles_version_mode_lifetime),
		cmocka_unit_test(test_profiles_algorithms),
		cmocka_unit_test(test_all_errors_in_one_pass),
		cmocka_unit_test(test_diags_print),
		cmocka_unit_test(test_diags_lines_in_any_order),
		cmocka_unit_test(test_diags_caret_after_utf8),
		cmocka_unit_test(test_each_line_removed),
		cmocka_unit_test(test_two_thousand_partners),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
