/* compile: the plans of the two-operator example (operator-a's file, under
 * /etc/zsec so every path is predictable): links, Border Element rules and
 * the fail-closed guard of a gateway and of an element, then the variants:
 * present-as, confidentiality on Zb, transport mode, PSK, IPv6. */
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

static const struct plan_link *link_of(const struct plan *p, const char *name)
{
	const struct plan_link *l = plan_link_find(p, name);

	if (!l)
		fail_msg("plan of %s has no link %s", p->node, name);
	return l;
}

static void expect_str(const char *got, const char *want)
{
	if (!want) {
		if (got)
			fail_msg("'%s', expected NULL", got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
}

static const char *guard_text(const struct plan_guard *g, char buf[160])
{
	char s[PREFIX_STRLEN], d[PREFIX_STRLEN], proto[32] = "";

	if (g->proto == IPPROTO_UDP)
		snprintf(proto, sizeof(proto), " udp/%u", g->dport);
	else if (g->proto == IPPROTO_ESP)
		snprintf(proto, sizeof(proto), " esp%s", g->dport ? " port?" : "");
	else if (g->proto || g->dport)
		snprintf(proto, sizeof(proto), " proto %u/%u", g->proto, g->dport);
	snprintf(buf, 160, "%s %s %s -> %s%s %u", guard_dir_name(g->dir),
	         g->action == GUARD_BYPASS ? "bypass" : g->action == GUARD_DISCARD ? "discard" :
	         g->action == GUARD_DISCARD_UNMARKED ? "discard-unmarked" : "?",
	         prefix_str(&g->src, s), prefix_str(&g->dst, d), proto, g->priority);
	return buf;
}

/* The guard entries of one link, in plan order, are exactly want. */
static void expect_guards(const struct plan *p, const char *link, const char *const *want, size_t n)
{
	char buf[160];
	size_t i, k = 0;

	for (i = 0; i < p->n_guards; i++) {
		if (strcmp(p->guards[i].link, link))
			continue;
		guard_text(&p->guards[i], buf);
		if (k >= n)
			fail_msg("%s: extra guard '%s'", link, buf);
		if (strcmp(buf, want[k]))
			fail_msg("%s guard %zu:\n  got      %s\n  expected %s", link, k, buf, want[k]);
		k++;
	}
	if (k != n)
		fail_msg("%s: %zu guards, expected %zu", link, k, n);
}

#define EXPECT_GUARDS(p, link, ...) do { \
	static const char *const w_[] = { __VA_ARGS__ }; \
	expect_guards(p, link, w_, sizeof(w_) / sizeof(*w_)); \
} while (0)

static size_t guards_of(const struct plan *p, const char *link)
{
	size_t i, n = 0;

	for (i = 0; i < p->n_guards; i++)
		n += !strcmp(p->guards[i].link, link);
	return n;
}

/* What every plan owes: links sorted by name and unique, guards sorted and
 * unique, each naming a link of the plan, priorities by action, selectors of
 * one family; partners sorted. */
static void expect_well_formed(const struct plan *p)
{
	size_t i;

	assert_int_equal(p->version, PLAN_VERSION);
	for (i = 1; i < p->n_links; i++)
		assert_true(strcmp(p->links[i - 1].name, p->links[i].name) < 0);
	for (i = 0; i < p->n_guards; i++) {
		const struct plan_guard *g = &p->guards[i];

		if (i)
			assert_true(plan_guard_cmp(&p->guards[i - 1], g) < 0);
		assert_non_null(plan_link_find(p, g->link));
		assert_int_equal(g->priority, g->action == GUARD_BYPASS ? GUARD_PRIO_BYPASS : GUARD_PRIO_DISCARD);
		assert_int_equal(g->src.addr.family, g->dst.addr.family);
		assert_true(prefix_valid(&g->src));
		assert_true(prefix_valid(&g->dst));
	}
	for (i = 1; i < p->n_partners; i++)
		assert_true(strcmp(p->partners[i - 1].name, p->partners[i].name) < 0);
	for (i = 0; i < p->n_links; i++) {
		const struct plan_link *l = &p->links[i];

		assert_true(l->n_ike > 0);
		assert_true(l->n_esp > 0);
		assert_true(l->n_local_ts > 0);
		assert_true(l->n_remote_ts > 0);
		if (l->kind == LINK_ZA)
			assert_true(l->confidentiality);
	}
}

static struct plan *operator_a_plan(const char *node)
{
	struct plan *p = plan_of(operator_a_yaml(), node);

	expect_well_formed(p);
	return p;
}

/* operator-a with edits from/to pairs applied in turn (NULL-terminated) */
static struct plan *edited_plan(const char *node, ...)
{
	va_list ap;
	const char *from;
	char *yaml = concat(operator_a_yaml(), "");
	struct plan *p;

	va_start(ap, node);
	while ((from = va_arg(ap, const char *))) {
		const char *to = va_arg(ap, const char *);

		yaml = edit_free(yaml, from, to);
	}
	va_end(ap);
	p = plan_of(yaml, node);
	free(yaml);
	expect_well_formed(p);
	return p;
}

static void test_gateway_plan(void **state)
{
	struct plan *p = operator_a_plan("seg-a1");

	(void)state;
	assert_string_equal(p->domain, "operator-a");
	assert_string_equal(p->node, "seg-a1");
	assert_int_equal(p->kind, NODE_GATEWAY);
	assert_int_equal(p->n_links, 3);
	assert_string_equal(p->links[0].name, "za:operator-b:seg-b1");
	assert_string_equal(p->links[1].name, "zb:icscf-1");
	assert_string_equal(p->links[2].name, "zb:pcscf-1");
	assert_int_equal(p->n_partners, 1);
	assert_int_equal(p->n_domain_prefixes, 1);
	{
		struct prefix domain = P("10.1.0.0/16");

		assert_int_equal(prefix_cmp(&p->domain_prefixes[0], &domain), 0);
	}
	assert_int_equal(p->n_guards, 30);
	assert_int_equal(guards_of(p, "za:operator-b:seg-b1"), 10);
	assert_int_equal(guards_of(p, "zb:icscf-1"), 10);
	assert_int_equal(guards_of(p, "zb:pcscf-1"), 10);
	plan_free(p);
}

static void test_za_link(void **state)
{
	struct plan *p = operator_a_plan("seg-a1");
	const struct plan_link *l = link_of(p, "za:operator-b:seg-b1");

	(void)state;
	assert_int_equal(l->kind, LINK_ZA);
	assert_string_equal(link_kind_name(l->kind), "za");
	assert_string_equal(l->partner, "operator-b");
	assert_string_equal(l->peer, "seg-b1");
	expect_addr(&l->local, "192.0.2.1");
	expect_addr(&l->remote, "198.51.100.2");
	assert_string_equal(l->local_id, "seg-a1.operator-a.example");
	assert_string_equal(l->remote_id, "seg-b1.operator-b.example");
	assert_int_equal(l->auth, AUTH_BY_CERT);
	expect_str(l->cert, "/etc/zsec/pki/seg-a1.pem");
	expect_str(l->key, "/etc/zsec/pki/seg-a1.key");
	expect_str(l->ca, "/etc/zsec/pki/operator-b-ca.pem");      /* the partner's CA */
	expect_str(l->psk, NULL);
	expect_strs(l->ike, l->n_ike, "aes256gcm16-prfsha384-ecp384");
	expect_strs(l->esp, l->n_esp, "aes256gcm16-ecp384");
	assert_int_equal(l->mode, ESP_TUNNEL);
	assert_int_equal(l->ike_lifetime, 0);
	assert_int_equal(l->esp_lifetime, 0);
	assert_true(l->confidentiality);
	assert_true(l->initiate);                           /* the smaller identity starts first */
	/* what we expose, towards the partner's prefixes */
	expect_prefixes(l->local_ts, l->n_local_ts, "10.1.1.0/24");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "10.2.0.0/16");
	plan_free(p);
}

static void test_zb_links_at_gateway(void **state)
{
	struct plan *p = operator_a_plan("seg-a1");
	const struct plan_link *l = link_of(p, "zb:pcscf-1");

	(void)state;
	assert_int_equal(l->kind, LINK_ZB);
	assert_string_equal(l->partner, "operator-a");
	assert_string_equal(l->peer, "pcscf-1");
	expect_addr(&l->local, "10.1.0.1");                 /* the inside address */
	expect_addr(&l->remote, "10.1.1.10");
	assert_string_equal(l->local_id, "seg-a1.operator-a.example");
	assert_string_equal(l->remote_id, "pcscf-1.operator-a.example");
	assert_int_equal(l->auth, AUTH_BY_CERT);
	expect_str(l->cert, "/etc/zsec/pki/seg-a1.pem");
	expect_str(l->key, "/etc/zsec/pki/seg-a1.key");
	expect_str(l->ca, "/etc/zsec/pki/operator-a-ca.pem");      /* our own CA */
	expect_str(l->psk, NULL);
	expect_strs(l->ike, l->n_ike, "aes256gcm16-prfsha384-ecp384");
	expect_strs(l->esp, l->n_esp, "null-sha256");
	assert_int_equal(l->mode, ESP_TUNNEL);
	assert_false(l->confidentiality);
	assert_false(l->initiate);                          /* the element starts it */
	/* the partners that see the element, towards the element */
	expect_prefixes(l->local_ts, l->n_local_ts, "10.2.0.0/16");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "10.1.1.10/32");

	l = link_of(p, "zb:icscf-1");
	assert_string_equal(l->peer, "icscf-1");
	expect_addr(&l->remote, "10.1.1.20");
	assert_string_equal(l->remote_id, "icscf-1.operator-a.example");
	expect_prefixes(l->local_ts, l->n_local_ts, "10.2.0.0/16");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "10.1.1.20/32");
	plan_free(p);
}

static void test_partner_rules(void **state)
{
	struct plan *p = operator_a_plan("seg-a1");
	const struct plan_partner *b = &p->partners[0];

	(void)state;
	assert_string_equal(b->name, "operator-b");
	expect_prefixes(b->prefixes, b->n_prefixes, "10.2.0.0/16");
	assert_int_equal(b->n_gateways, 1);
	expect_addr(&b->gateways[0], "198.51.100.2");
	assert_int_equal(b->n_expose, 1);
	expect_prefixes(b->expose, b->n_expose, "10.1.1.0/24");
	expect_prefixes(b->present_as, b->n_expose, "10.1.1.0/24");       /* no renumbering */
	assert_int_equal(b->ike.per_sec, 10);
	assert_int_equal(b->ike.burst, 0);
	assert_int_equal(b->packets.per_sec, 20000);
	assert_int_equal(b->packets.burst, 0);
	assert_int_equal(b->sip.per_sec, 500);
	assert_int_equal(b->sip.burst, 0);
	assert_true(plan_partner_equal(b, b));
	plan_free(p);
}

static void test_gateway_guard(void **state)
{
	struct plan *p = operator_a_plan("seg-a1");

	(void)state;
	assert_int_equal(GUARD_PRIO_BYPASS, 700000);
	assert_int_equal(GUARD_PRIO_DISCARD, 710000);
	/* IKE and ESP between the two gateways pass; every protected flow is
	 * dropped if no SA takes it, both ways and forwarded */
	EXPECT_GUARDS(p, "za:operator-b:seg-b1",
	              "in bypass 198.51.100.2/32 -> 192.0.2.1/32 udp/500 700000",
	              "in bypass 198.51.100.2/32 -> 192.0.2.1/32 udp/4500 700000",
	              "in bypass 198.51.100.2/32 -> 192.0.2.1/32 esp 700000",
	              "in discard 10.2.0.0/16 -> 10.1.1.0/24 710000",
	              "out bypass 192.0.2.1/32 -> 198.51.100.2/32 udp/500 700000",
	              "out bypass 192.0.2.1/32 -> 198.51.100.2/32 udp/4500 700000",
	              "out bypass 192.0.2.1/32 -> 198.51.100.2/32 esp 700000",
	              "out discard 10.1.1.0/24 -> 10.2.0.0/16 710000",
	              "fwd discard 10.1.1.0/24 -> 10.2.0.0/16 710000",
	              "fwd discard 10.2.0.0/16 -> 10.1.1.0/24 710000");
	EXPECT_GUARDS(p, "zb:pcscf-1",
	              "in bypass 10.1.1.10/32 -> 10.1.0.1/32 udp/500 700000",
	              "in bypass 10.1.1.10/32 -> 10.1.0.1/32 udp/4500 700000",
	              "in bypass 10.1.1.10/32 -> 10.1.0.1/32 esp 700000",
	              "in discard 10.1.1.10/32 -> 10.2.0.0/16 710000",
	              "out bypass 10.1.0.1/32 -> 10.1.1.10/32 udp/500 700000",
	              "out bypass 10.1.0.1/32 -> 10.1.1.10/32 udp/4500 700000",
	              "out bypass 10.1.0.1/32 -> 10.1.1.10/32 esp 700000",
	              "out discard 10.2.0.0/16 -> 10.1.1.10/32 710000",
	              "fwd discard 10.1.1.10/32 -> 10.2.0.0/16 710000",
	              "fwd discard 10.2.0.0/16 -> 10.1.1.10/32 710000");
	/* the guard is sorted by link: the za link's entries come first */
	assert_string_equal(p->guards[0].link, "za:operator-b:seg-b1");
	assert_int_equal(p->guards[0].dir, GUARD_IN);
	assert_int_equal(p->guards[0].action, GUARD_BYPASS);
	assert_int_equal(p->guards[0].proto, IPPROTO_UDP);
	assert_int_equal(p->guards[0].dport, 500);
	assert_string_equal(p->guards[29].link, "zb:pcscf-1");
	assert_int_equal(p->guards[29].dir, GUARD_FWD);
	assert_string_equal(guard_dir_name(GUARD_IN), "in");
	assert_string_equal(guard_dir_name(GUARD_OUT), "out");
	assert_string_equal(guard_dir_name(GUARD_FWD), "fwd");
	plan_free(p);
}

static void test_core_gateway(void **state)
{
	struct plan *p = operator_a_plan("seg-a2");
	const struct plan_link *l;

	(void)state;
	assert_int_equal(p->kind, NODE_GATEWAY);
	assert_int_equal(p->n_links, 2);
	assert_string_equal(p->links[0].name, "zb:hss-1");
	assert_string_equal(p->links[1].name, "zb:scscf-1");
	assert_int_equal(p->n_partners, 0);                 /* no partner links to seg-a2 */
	assert_int_equal(p->n_guards, 20);

	/* an element no partner sees: a link to its gateway's inside address */
	l = link_of(p, "zb:scscf-1");
	expect_addr(&l->local, "10.1.0.2");
	expect_addr(&l->remote, "10.1.2.30");
	assert_string_equal(l->local_id, "seg-a2.operator-a.example");
	expect_str(l->cert, "/etc/zsec/pki/seg-a2.pem");
	expect_prefixes(l->local_ts, l->n_local_ts, "10.1.0.2/32");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "10.1.2.30/32");
	expect_strs(l->esp, l->n_esp, "null-sha256");
	assert_false(l->confidentiality);
	EXPECT_GUARDS(p, "zb:scscf-1",
	              "in bypass 10.1.2.30/32 -> 10.1.0.2/32 udp/500 700000",
	              "in bypass 10.1.2.30/32 -> 10.1.0.2/32 udp/4500 700000",
	              "in bypass 10.1.2.30/32 -> 10.1.0.2/32 esp 700000",
	              "in discard 10.1.2.30/32 -> 10.1.0.2/32 710000",
	              "out bypass 10.1.0.2/32 -> 10.1.2.30/32 udp/500 700000",
	              "out bypass 10.1.0.2/32 -> 10.1.2.30/32 udp/4500 700000",
	              "out bypass 10.1.0.2/32 -> 10.1.2.30/32 esp 700000",
	              "out discard 10.1.0.2/32 -> 10.1.2.30/32 710000",
	              "fwd discard 10.1.0.2/32 -> 10.1.2.30/32 710000",
	              "fwd discard 10.1.2.30/32 -> 10.1.0.2/32 710000");

	/* confidentiality: true takes the Za ESP proposals (Zb's only one does not encrypt) */
	l = link_of(p, "zb:hss-1");
	assert_true(l->confidentiality);
	expect_strs(l->esp, l->n_esp, "aes256gcm16-ecp384");
	expect_strs(l->ike, l->n_ike, "aes256gcm16-prfsha384-ecp384");
	assert_int_equal(l->kind, LINK_ZB);
	plan_free(p);
}

static void test_element_plan(void **state)
{
	struct plan *p = operator_a_plan("pcscf-1");
	const struct plan_link *l;

	(void)state;
	assert_string_equal(p->domain, "operator-a");
	assert_string_equal(p->node, "pcscf-1");
	assert_int_equal(p->kind, NODE_ELEMENT);
	assert_int_equal(p->n_links, 1);
	assert_int_equal(p->n_partners, 0);
	assert_int_equal(p->n_domain_prefixes, 0);
	assert_int_equal(p->n_guards, 8);
	l = link_of(p, "zb:seg-a1");
	assert_int_equal(l->kind, LINK_ZB);
	assert_string_equal(l->partner, "operator-a");
	assert_string_equal(l->peer, "seg-a1");
	expect_addr(&l->local, "10.1.1.10");
	expect_addr(&l->remote, "10.1.0.1");
	assert_string_equal(l->local_id, "pcscf-1.operator-a.example");
	assert_string_equal(l->remote_id, "seg-a1.operator-a.example");
	assert_int_equal(l->auth, AUTH_BY_CERT);
	expect_str(l->cert, "/etc/zsec/pki/pcscf-1.pem");
	expect_str(l->key, "/etc/zsec/pki/pcscf-1.key");
	expect_str(l->ca, "/etc/zsec/pki/operator-a-ca.pem");
	expect_str(l->psk, NULL);
	expect_strs(l->esp, l->n_esp, "null-sha256");
	assert_false(l->confidentiality);
	assert_true(l->initiate);                           /* the element starts its link */
	expect_prefixes(l->local_ts, l->n_local_ts, "10.1.1.10/32");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "10.2.0.0/16");
	/* an element forwards nothing: no fwd entries */
	EXPECT_GUARDS(p, "zb:seg-a1",
	              "in bypass 10.1.0.1/32 -> 10.1.1.10/32 udp/500 700000",
	              "in bypass 10.1.0.1/32 -> 10.1.1.10/32 udp/4500 700000",
	              "in bypass 10.1.0.1/32 -> 10.1.1.10/32 esp 700000",
	              "in discard 10.2.0.0/16 -> 10.1.1.10/32 710000",
	              "out bypass 10.1.1.10/32 -> 10.1.0.1/32 udp/500 700000",
	              "out bypass 10.1.1.10/32 -> 10.1.0.1/32 udp/4500 700000",
	              "out bypass 10.1.1.10/32 -> 10.1.0.1/32 esp 700000",
	              "out discard 10.1.1.10/32 -> 10.2.0.0/16 710000");
	plan_free(p);

	/* the two ends agree: the element's link mirrors the gateway's */
	{
		struct plan *g = operator_a_plan("seg-a1"), *e = operator_a_plan("icscf-1");
		const struct plan_link *gl = link_of(g, "zb:icscf-1"), *el = link_of(e, "zb:seg-a1");

		assert_int_equal(addr_cmp(&gl->local, &el->remote), 0);
		assert_int_equal(addr_cmp(&gl->remote, &el->local), 0);
		assert_string_equal(gl->local_id, el->remote_id);
		assert_string_equal(gl->remote_id, el->local_id);
		expect_prefixes(el->local_ts, el->n_local_ts, "10.1.1.20/32");
		expect_prefixes(el->remote_ts, el->n_remote_ts, "10.2.0.0/16");
		assert_true(gl->initiate != el->initiate);
		plan_free(g);
		plan_free(e);
	}
	p = operator_a_plan("scscf-1");
	l = link_of(p, "zb:seg-a2");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "10.1.0.2/32");
	plan_free(p);
}

static void test_element_confidentiality(void **state)
{
	struct plan *p = operator_a_plan("hss-1");
	const struct plan_link *l = link_of(p, "zb:seg-a2");

	(void)state;
	assert_true(l->confidentiality);
	expect_strs(l->esp, l->n_esp, "aes256gcm16-ecp384");
	plan_free(p);

	/* with Zb proposals that encrypt, it keeps those (in file order) and only those */
	p = edited_plan("hss-1", "zsec: 1\n",
	                "zsec: 1\nprofiles:\n  zb: { esp: [null-sha256, aes128gcm16, aes256gmac, aes256-sha256] }\n",
	                NULL);
	l = link_of(p, "zb:seg-a2");
	assert_true(l->confidentiality);
	expect_strs(l->esp, l->n_esp, "aes128gcm16 aes256-sha256");
	plan_free(p);

	/* the others keep all of Zb's */
	p = edited_plan("scscf-1", "zsec: 1\n",
	                "zsec: 1\nprofiles:\n  zb: { esp: [null-sha256, aes128gcm16, aes256gmac, aes256-sha256] }\n",
	                NULL);
	l = link_of(p, "zb:seg-a2");
	assert_false(l->confidentiality);
	expect_strs(l->esp, l->n_esp, "null-sha256 aes128gcm16 aes256gmac aes256-sha256");
	plan_free(p);

	/* and so does the gateway's end of the link */
	p = edited_plan("seg-a2", "      confidentiality: true ", "      confidentiality: false ", NULL);
	l = link_of(p, "zb:hss-1");
	assert_false(l->confidentiality);
	expect_strs(l->esp, l->n_esp, "null-sha256");
	plan_free(p);
}

static void test_unknown_node(void **state)
{
	struct topo *t = load_valid(operator_a_yaml());
	char err[256] = "";

	(void)state;
	assert_null(plan_compile(t, "seg-a3", err, sizeof(err)));
	assert_string_equal(err, "/etc/zsec/operator-a.yaml names no gateway or element 'seg-a3'");
	/* a partner's gateway, or the partner, is no node of this file */
	assert_null(plan_compile(t, "seg-b1", err, sizeof(err)));
	assert_string_equal(err, "/etc/zsec/operator-a.yaml names no gateway or element 'seg-b1'");
	assert_null(plan_compile(t, "operator-b", err, sizeof(err)));
	assert_null(plan_compile(t, "", err, sizeof(err)));
	assert_string_equal(err, "/etc/zsec/operator-a.yaml names no gateway or element ''");
	topo_free(t);
}

/* plan_load prints what it returns NULL for, and warnings only if asked */
static void test_plan_load(void **state)
{
	char dir[] = "/tmp/zsec-test-plan-load.XXXXXX", path[64], *text = NULL;
	size_t len;
	FILE *f, *out;
	struct plan *p;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/operator-a.yaml", dir);

	assert_non_null(out = open_memstream(&text, &len));
	assert_null(plan_load(path, "seg-a1", out, true));
	fclose(out);
	assert_non_null(strstr(text, "cannot read: No such file or directory\n"));
	assert_non_null(strstr(text, "operator-a.yaml: 1 error\n"));
	free(text);

	assert_non_null(f = fopen(path, "w"));
	fputs(operator_a_yaml(), f);
	fclose(f);
	assert_non_null(out = open_memstream(&text, &len));
	assert_null(plan_load(path, "seg-a3", out, false));
	fclose(out);
	assert_true(!strncmp(text, path, strlen(path)));
	assert_string_equal(text + strlen(path), " names no gateway or element 'seg-a3'\n");
	free(text);

	/* the certificates the file names do not exist: warnings */
	assert_non_null(out = open_memstream(&text, &len));
	assert_non_null(p = plan_load(path, "seg-a1", out, false));
	plan_free(p);
	fclose(out);
	assert_string_equal(text, "");
	free(text);
	assert_non_null(out = open_memstream(&text, &len));
	assert_non_null(p = plan_load(path, "seg-a1", out, true));
	plan_free(p);
	fclose(out);
	assert_non_null(strstr(text, ": warning: "));
	free(text);

	unlink(path);
	rmdir(dir);
}

static void test_present_as(void **state)
{
	struct plan *p = edited_plan("seg-a1", "    expose: [10.1.1.0/24]", "    expose: [10.1.1.0/24]\n"
	                             "    present-as: [172.16.1.0/24]", NULL);
	const struct plan_link *l = link_of(p, "za:operator-b:seg-b1");
	const struct plan_partner *b = &p->partners[0];
	struct ipaddr pcscf = A("10.1.1.10"), seen;

	(void)state;
	/* the partner negotiates the presented prefix */
	expect_prefixes(l->local_ts, l->n_local_ts, "172.16.1.0/24");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "10.2.0.0/16");
	/* the Border Element rules map inside to presented, 1:1 */
	expect_prefixes(b->expose, b->n_expose, "10.1.1.0/24");
	expect_prefixes(b->present_as, b->n_expose, "172.16.1.0/24");
	seen = prefix_map(&pcscf, &b->present_as[0]);
	expect_addr(&seen, "172.16.1.10");
	/* arriving traffic is guarded for both the inside and the presented
	 * prefix; leaving traffic for the presented one (after the NAT), and
	 * for the inside one before it: dropped unless the Border Element
	 * marked it (so, without the table, dropped), and in clear forwarded */
	EXPECT_GUARDS(p, "za:operator-b:seg-b1",
	              "in bypass 198.51.100.2/32 -> 192.0.2.1/32 udp/500 700000",
	              "in bypass 198.51.100.2/32 -> 192.0.2.1/32 udp/4500 700000",
	              "in bypass 198.51.100.2/32 -> 192.0.2.1/32 esp 700000",
	              "in discard 10.2.0.0/16 -> 10.1.1.0/24 710000",
	              "in discard 10.2.0.0/16 -> 172.16.1.0/24 710000",
	              "out bypass 192.0.2.1/32 -> 198.51.100.2/32 udp/500 700000",
	              "out bypass 192.0.2.1/32 -> 198.51.100.2/32 udp/4500 700000",
	              "out bypass 192.0.2.1/32 -> 198.51.100.2/32 esp 700000",
	              "out discard 172.16.1.0/24 -> 10.2.0.0/16 710000",
	              "out discard-unmarked 10.1.1.0/24 -> 10.2.0.0/16 710000",
	              "fwd discard 10.1.1.0/24 -> 10.2.0.0/16 710000",
	              "fwd discard 10.2.0.0/16 -> 10.1.1.0/24 710000",
	              "fwd discard 10.2.0.0/16 -> 172.16.1.0/24 710000",
	              "fwd discard 172.16.1.0/24 -> 10.2.0.0/16 710000");
	/* inside, the element's Zb link is unchanged: renumbering is the gateway's */
	l = link_of(p, "zb:pcscf-1");
	expect_prefixes(l->local_ts, l->n_local_ts, "10.2.0.0/16");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "10.1.1.10/32");
	plan_free(p);

	/* several: pairs kept in file order, the selectors sorted */
	p = edited_plan("seg-a1", "    expose: [10.1.1.0/24]", "    expose: [10.1.1.128/25, 10.1.1.0/25]\n"
	                "    present-as: [172.16.9.0/25, 172.16.1.0/25]", NULL);
	l = link_of(p, "za:operator-b:seg-b1");
	b = &p->partners[0];
	expect_prefixes(b->expose, b->n_expose, "10.1.1.128/25 10.1.1.0/25");
	expect_prefixes(b->present_as, b->n_expose, "172.16.9.0/25 172.16.1.0/25");
	expect_prefixes(l->local_ts, l->n_local_ts, "172.16.1.0/25 172.16.9.0/25");
	/* bypass, out and fwd out for the presented, in and fwd in for all four,
	 * out unmarked and fwd out for the two inside */
	assert_int_equal(guards_of(p, "za:operator-b:seg-b1"), 6 + 2 * 2 + 4 * 2 + 2 * 2);
	plan_free(p);
}

/* Zb transport mode (valid only where no partner reaches an element) */
static void test_transport_mode(void **state)
{
	struct plan *p = edited_plan("seg-a1", "zsec: 1\n", "zsec: 1\nprofiles: { zb: { mode: transport } }\n",
	                             "    expose: [10.1.1.0/24]", "    expose: [10.1.9.0/24]", NULL);
	const struct plan_link *l = link_of(p, "zb:pcscf-1");

	(void)state;
	assert_int_equal(l->mode, ESP_TRANSPORT);
	/* transport mode protects the two hosts themselves */
	expect_prefixes(l->local_ts, l->n_local_ts, "10.1.0.1/32");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "10.1.1.10/32");
	/* Za stays in tunnel mode */
	assert_int_equal(link_of(p, "za:operator-b:seg-b1")->mode, ESP_TUNNEL);
	plan_free(p);

	p = edited_plan("pcscf-1", "zsec: 1\n", "zsec: 1\nprofiles: { zb: { mode: transport } }\n",
	                "    expose: [10.1.1.0/24]", "    expose: [10.1.9.0/24]", NULL);
	l = link_of(p, "zb:seg-a1");
	assert_int_equal(l->mode, ESP_TRANSPORT);
	expect_prefixes(l->local_ts, l->n_local_ts, "10.1.1.10/32");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "10.1.0.1/32");
	plan_free(p);
}

static void test_psk_partner(void **state)
{
	struct plan *p = edited_plan("seg-a1", "    trust: { ca: pki/operator-b-ca.pem }",
	                             "    trust: { psk: secrets/operator-b.psk }", NULL);
	const struct plan_link *l = link_of(p, "za:operator-b:seg-b1");

	(void)state;
	assert_int_equal(l->auth, AUTH_BY_PSK);
	expect_str(l->psk, "/etc/zsec/secrets/operator-b.psk");
	expect_str(l->cert, NULL);
	expect_str(l->key, NULL);
	expect_str(l->ca, NULL);
	/* Zb keeps certificates */
	assert_int_equal(link_of(p, "zb:pcscf-1")->auth, AUTH_BY_CERT);
	plan_free(p);
}

static void test_profiles_carried(void **state)
{
	struct plan *p = edited_plan("seg-a1", "zsec: 1\n", "zsec: 1\nprofiles:\n"
	                             "  za: { ike: [aes256-sha384-ecp384, aes256gcm16-prfsha512-ecp521], "
	                             "esp: [chacha20poly1305, aes256gcm16], lifetime: 8h, ike-lifetime: 1d }\n"
	                             "  zb: { esp: [aes256gmac], lifetime: 30m }\n", NULL);
	const struct plan_link *za = link_of(p, "za:operator-b:seg-b1"), *zb = link_of(p, "zb:pcscf-1");

	(void)state;
	expect_strs(za->ike, za->n_ike, "aes256-sha384-ecp384 aes256gcm16-prfsha512-ecp521");
	expect_strs(za->esp, za->n_esp, "chacha20poly1305 aes256gcm16");
	assert_int_equal(za->esp_lifetime, 8 * 3600);
	assert_int_equal(za->ike_lifetime, 86400);
	expect_strs(zb->ike, zb->n_ike, "aes256gcm16-prfsha384-ecp384");
	expect_strs(zb->esp, zb->n_esp, "aes256gmac");
	assert_int_equal(zb->esp_lifetime, 1800);
	assert_int_equal(zb->ike_lifetime, 0);
	plan_free(p);
}

static const char ipv6_yaml[] =
	"zsec: 1\n"
	"domain:\n"
	"  name: op6\n"
	"  prefixes: ['2001:db8:a::/48']\n"
	"  trust: { ca: pki/ca.pem }\n"
	"  gateways:\n"
	"    - { name: seg-1, outside: '2001:db8:ff::1', inside: '2001:db8:a::1', id: seg-1.op6.example, "
	"cert: pki/seg-1.pem, key: pki/seg-1.key }\n"
	"  elements:\n"
	"    - { name: pcscf-1, address: '2001:db8:a:1::10', gateway: seg-1, id: pcscf-1.op6.example, "
	"cert: pki/pcscf-1.pem, key: pki/pcscf-1.key }\n"
	"partners:\n"
	"  - name: peer6\n"
	"    prefixes: ['2001:db8:b::/48']\n"
	"    trust: { ca: pki/peer6-ca.pem }\n"
	"    gateways: [{ name: seg-p1, address: '2001:db8:fe::2', id: seg-p1.peer6.example }]\n"
	"    links: [[seg-1, seg-p1]]\n"
	"    expose: ['2001:db8:a:1::/64']\n"
	"    present-as: ['2001:db8:c:1::/64']\n";

static void test_ipv6(void **state)
{
	struct plan *p = plan_of(ipv6_yaml, "seg-1");
	const struct plan_link *l;

	(void)state;
	expect_well_formed(p);
	assert_int_equal(p->n_links, 2);
	l = link_of(p, "za:peer6:seg-p1");
	assert_int_equal(l->local.family, AF_INET6);
	expect_addr(&l->local, "2001:db8:ff::1");
	expect_addr(&l->remote, "2001:db8:fe::2");
	expect_prefixes(l->local_ts, l->n_local_ts, "2001:db8:c:1::/64");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "2001:db8:b::/48");
	EXPECT_GUARDS(p, "za:peer6:seg-p1",
	              "in bypass 2001:db8:fe::2/128 -> 2001:db8:ff::1/128 udp/500 700000",
	              "in bypass 2001:db8:fe::2/128 -> 2001:db8:ff::1/128 udp/4500 700000",
	              "in bypass 2001:db8:fe::2/128 -> 2001:db8:ff::1/128 esp 700000",
	              "in discard 2001:db8:b::/48 -> 2001:db8:a:1::/64 710000",
	              "in discard 2001:db8:b::/48 -> 2001:db8:c:1::/64 710000",
	              "out bypass 2001:db8:ff::1/128 -> 2001:db8:fe::2/128 udp/500 700000",
	              "out bypass 2001:db8:ff::1/128 -> 2001:db8:fe::2/128 udp/4500 700000",
	              "out bypass 2001:db8:ff::1/128 -> 2001:db8:fe::2/128 esp 700000",
	              "out discard 2001:db8:c:1::/64 -> 2001:db8:b::/48 710000",
	              "out discard-unmarked 2001:db8:a:1::/64 -> 2001:db8:b::/48 710000",
	              "fwd discard 2001:db8:a:1::/64 -> 2001:db8:b::/48 710000",
	              "fwd discard 2001:db8:b::/48 -> 2001:db8:a:1::/64 710000",
	              "fwd discard 2001:db8:b::/48 -> 2001:db8:c:1::/64 710000",
	              "fwd discard 2001:db8:c:1::/64 -> 2001:db8:b::/48 710000");
	l = link_of(p, "zb:pcscf-1");
	expect_addr(&l->local, "2001:db8:a::1");
	expect_addr(&l->remote, "2001:db8:a:1::10");
	expect_prefixes(l->local_ts, l->n_local_ts, "2001:db8:b::/48");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "2001:db8:a:1::10/128");
	expect_addr(&p->partners[0].gateways[0], "2001:db8:fe::2");
	{
		struct ipaddr a = A("2001:db8:a:1::10"), seen = prefix_map(&a, &p->partners[0].present_as[0]);

		expect_addr(&seen, "2001:db8:c:1::10");
	}
	plan_free(p);

	p = plan_of(ipv6_yaml, "pcscf-1");
	l = link_of(p, "zb:seg-1");
	expect_prefixes(l->local_ts, l->n_local_ts, "2001:db8:a:1::10/128");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "2001:db8:b::/48");
	plan_free(p);
}

static void test_dual_stack(void **state)
{
	struct plan *p = edited_plan("seg-a1",
	                             "  prefixes: [10.1.0.0/16]\n", "  prefixes: [10.1.0.0/16, '2001:db8:a::/48']\n",
	                             "    prefixes: [10.2.0.0/16]\n", "    prefixes: ['2001:db8:b::/48', 10.2.0.0/16]\n",
	                             "    expose: [10.1.1.0/24]", "    expose: ['2001:db8:a:1::/64', 10.1.1.0/24]",
	                             NULL);
	const struct plan_link *l = link_of(p, "za:operator-b:seg-b1");

	(void)state;
	expect_prefixes(l->local_ts, l->n_local_ts, "10.1.1.0/24 2001:db8:a:1::/64");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "10.2.0.0/16 2001:db8:b::/48");
	/* discard entries pair prefixes of one family only: 2 pairs x 4 */
	assert_int_equal(guards_of(p, "za:operator-b:seg-b1"), 6 + 2 * 4);
	expect_prefixes(p->partners[0].prefixes, p->partners[0].n_prefixes, "10.2.0.0/16 2001:db8:b::/48");
	/* the IPv4 element reaches the partner's IPv4 prefix only */
	l = link_of(p, "zb:pcscf-1");
	expect_prefixes(l->local_ts, l->n_local_ts, "10.2.0.0/16");
	plan_free(p);
}

#define TWO_PEERS \
	"      - " "{ name: seg-b1, address: 198.51.100.2, id: seg-b1.operator-b.example }\n", \
	"      - { name: seg-b2, address: 198.51.100.9, id: seg-b2.operator-b.example }\n" \
	"      - { name: seg-b1, address: 198.51.100.2, id: seg-b1.operator-b.example }\n", \
	"    links: [[seg-a1, seg-b1]]", "    links: [[seg-a1, seg-b2], [seg-a2, seg-b1], [seg-a1, seg-b1]]", \
	"    expose: [10.1.1.0/24]", "    expose: [10.1.9.0/24]"

/* Two partner gateways, three links from both our gateways (the exposed
 * subnet holds no element, so any gateway may carry it). */
static void test_several_links(void **state)
{
	struct plan *p = edited_plan("seg-a1", TWO_PEERS, NULL);
	const struct plan_partner *b;

	(void)state;
	assert_int_equal(p->n_links, 4);
	assert_string_equal(p->links[0].name, "za:operator-b:seg-b1");
	assert_string_equal(p->links[1].name, "za:operator-b:seg-b2");
	expect_addr(&link_of(p, "za:operator-b:seg-b2")->remote, "198.51.100.9");
	expect_prefixes(link_of(p, "za:operator-b:seg-b2")->local_ts, 1, "10.1.9.0/24");
	assert_int_equal(p->n_partners, 1);
	b = &p->partners[0];
	assert_int_equal(b->n_gateways, 2);
	expect_addr(&b->gateways[0], "198.51.100.2");       /* sorted */
	expect_addr(&b->gateways[1], "198.51.100.9");
	assert_int_equal(p->n_guards, 40);
	/* no element is exposed: their links reach the gateway only */
	expect_prefixes(link_of(p, "zb:pcscf-1")->local_ts, 1, "10.1.0.1/32");
	plan_free(p);

	/* seg-a2 has a Za link too, and the partner's rules with only its gateway */
	p = edited_plan("seg-a2", TWO_PEERS, NULL);
	assert_int_equal(p->n_links, 3);
	assert_string_equal(p->links[0].name, "za:operator-b:seg-b1");
	expect_addr(&p->links[0].local, "192.0.2.2");
	assert_string_equal(p->links[0].local_id, "seg-a2.operator-a.example");
	assert_int_equal(p->n_partners, 1);
	assert_int_equal(p->partners[0].n_gateways, 1);
	expect_addr(&p->partners[0].gateways[0], "198.51.100.2");
	plan_free(p);
}

static void test_element_seen_by_two_partners(void **state)
{
	char *yaml = concat(operator_a_yaml(), OPERATOR_C_YAML);
	struct plan *p;
	const struct plan_link *l;

	(void)state;
	yaml = edit_free(yaml, "    expose: [10.1.9.0/24]\n", "    expose: [10.1.1.0/25]\n");
	p = plan_of(yaml, "seg-a1");
	expect_well_formed(p);
	assert_int_equal(p->n_partners, 2);
	assert_string_equal(p->partners[0].name, "operator-b");
	assert_string_equal(p->partners[1].name, "operator-c");
	assert_int_equal(p->partners[1].ike.per_sec, 5);
	assert_int_equal(p->partners[1].sip.per_sec, 0);    /* no limit */
	l = link_of(p, "zb:pcscf-1");                       /* 10.1.1.10: both see it */
	expect_prefixes(l->local_ts, l->n_local_ts, "10.2.0.0/16 10.3.0.0/16");
	assert_int_equal(guards_of(p, "zb:pcscf-1"), 6 + 2 * 4);
	l = link_of(p, "zb:icscf-1");                       /* 10.1.1.20: both too */
	expect_prefixes(l->local_ts, l->n_local_ts, "10.2.0.0/16 10.3.0.0/16");
	plan_free(p);
	p = plan_of(yaml, "pcscf-1");
	l = link_of(p, "zb:seg-a1");
	expect_prefixes(l->remote_ts, l->n_remote_ts, "10.2.0.0/16 10.3.0.0/16");
	plan_free(p);
	free(yaml);
}

static void test_plan_outlives_topology(void **state)
{
	struct topo *t = load_valid(operator_a_yaml());
	struct plan *p = compile_node(t, "seg-a1");
	const struct plan_link *l;

	(void)state;
	topo_free(t);
	/* under ASan, any pointer into the model would be a use after free */
	l = link_of(p, "za:operator-b:seg-b1");
	assert_string_equal(l->local_id, "seg-a1.operator-a.example");
	assert_string_equal(l->cert, "/etc/zsec/pki/seg-a1.pem");
	assert_string_equal(l->ike[0], "aes256gcm16-prfsha384-ecp384");
	assert_string_equal(p->partners[0].name, "operator-b");
	assert_string_equal(p->domain, "operator-a");
	plan_free(p);
	plan_free(NULL);
}

/* The credentials digest, as compile.c defines it, from scratch: FNV-1a 64
 * over each file's bytes, 0xff before each file, a missing file empty. */
static uint64_t digest_of(const char *const paths[4])
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;
	int ch;

	for (i = 0; i < 4; i++) {
		FILE *fp = paths[i] ? fopen(paths[i], "rb") : NULL;

		h = (h ^ 0xff) * 0x100000001b3ull;
		while (fp && (ch = getc(fp)) != EOF)
			h = (h ^ (unsigned char)ch) * 0x100000001b3ull;
		if (fp)
			fclose(fp);
	}
	return h;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

/* seg-a1's plan, its topology in dir, with operator-b on two gateways,
 * operator-c on a CA of its own and operator-d on a pre-shared key: links
 * in a row that share the first two files, all three, or none */
static struct plan *creds_plan(const char *dir)
{
	char path[512], *yaml = concat(operator_a_yaml(), OPERATOR_C_YAML);
	struct diags d = { 0 };
	struct topo *t;
	struct plan *p;

	yaml = edit_free(yaml, "      - { name: seg-b1, address: 198.51.100.2, id: seg-b1.operator-b.example }\n",
	                 "      - { name: seg-b1, address: 198.51.100.2, id: seg-b1.operator-b.example }\n"
	                 "      - { name: seg-b2, address: 198.51.100.9, id: seg-b2.operator-b.example }\n");
	yaml = edit_free(yaml, "    links: [[seg-a1, seg-b1]]", "    links: [[seg-a1, seg-b1], [seg-a1, seg-b2]]");
	yaml = edit_free(yaml, "    limits: { ike: 5/s }\n", "    limits: { ike: 5/s }\n"
	                 "  - name: operator-d\n"
	                 "    prefixes: [10.4.0.0/16]\n"
	                 "    trust: { psk: pki/operator-d.psk }\n"
	                 "    gateways:\n"
	                 "      - { name: seg-d1, address: 203.0.113.4, id: seg-d1.operator-d.example }\n"
	                 "    links: [[seg-a1, seg-d1]]\n"
	                 "    expose: [10.1.9.0/24]\n");
	snprintf(path, sizeof(path), "%s/operator-a.yaml", dir);
	t = load_at(path, yaml, &d);
	topo_validate(t, &d);
	expect_errors(&d, 0);
	p = compile_node(t, "seg-a1");
	diags_free(&d);
	topo_free(t);
	free(yaml);
	return p;
}

/* compile.c reads a file once for the links in a row that share it: every
 * link's digest is still that of its own files, and a changed file changes
 * only the digests of the links that have it. */
static void test_creds_digest(void **state)
{
	static const char *const files[] = {
		"seg-a1.pem", "seg-a1.key", "operator-a-ca.pem", "operator-b-ca.pem", "operator-c-ca.pem",
		"operator-d.psk",
		"pcscf-1.pem", "pcscf-1.key", "icscf-1.pem", "icscf-1.key",
	};
	char dir[] = "/tmp/zsec-test-creds.XXXXXX", pki[64], path[128];
	struct plan *a, *b;
	size_t i, n_za = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(pki, sizeof(pki), "%s/pki", dir);
	assert_int_equal(mkdir(pki, 0700), 0);
	for (i = 0; i < sizeof(files) / sizeof(*files); i++)
		write_file(pki, files[i], files[i]);    /* each its own contents */

	a = creds_plan(dir);
	assert_int_equal(a->n_links, 6);
	for (i = 0; i < a->n_links; i++) {
		const struct plan_link *l = &a->links[i];
		const char *const paths[4] = { l->cert, l->key, l->ca, l->psk };

		if (l->creds != digest_of(paths))
			fail_msg("%s: digest %016llx, its files' %016llx", l->name,
			         (unsigned long long)l->creds, (unsigned long long)digest_of(paths));
		n_za += l->kind == LINK_ZA;
	}
	assert_int_equal(n_za, 4);
	/* the two links to operator-b's gateways: the same files */
	assert_true(link_of(a, "za:operator-b:seg-b1")->creds == link_of(a, "za:operator-b:seg-b2")->creds);
	assert_true(link_of(a, "za:operator-b:seg-b1")->creds != link_of(a, "za:operator-c:seg-c1")->creds);

	write_file(pki, "operator-b-ca.pem", "renewed");
	b = creds_plan(dir);
	for (i = 0; i < a->n_links; i++) {
		const struct plan_link *l = &b->links[i];

		assert_string_equal(l->name, a->links[i].name);
		if (!strncmp(l->name, "za:operator-b:", 14))
			assert_true(l->creds != a->links[i].creds);
		else
			assert_true(l->creds == a->links[i].creds);
	}
	plan_free(a);
	plan_free(b);

	for (i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(path, sizeof(path), "%s/%s", pki, files[i]);
		unlink(path);
	}
	rmdir(pki);
	rmdir(dir);
}

static void test_link_find_and_equal(void **state)
{
	struct plan *a = operator_a_plan("seg-a1"), *b = operator_a_plan("seg-a1");
	struct plan_link l;
	size_t i;

	(void)state;
	for (i = 0; i < a->n_links; i++) {
		assert_ptr_equal(plan_link_find(a, a->links[i].name), &a->links[i]);
		assert_true(plan_link_equal(&a->links[i], &b->links[i]));
		if (i)
			assert_false(plan_link_equal(&a->links[i], &a->links[i - 1]));
	}
	assert_null(plan_link_find(a, "za:operator-b"));
	assert_null(plan_link_find(a, "zb:pcscf-2"));
	assert_null(plan_link_find(a, ""));
	assert_true(plan_partner_equal(&a->partners[0], &b->partners[0]));
	/* any one field differs: not equal */
	l = a->links[0];
	l.initiate = !l.initiate;
	assert_false(plan_link_equal(&l, &b->links[0]));
	l = a->links[0];
	l.esp_lifetime = 1;
	assert_false(plan_link_equal(&l, &b->links[0]));
	l = a->links[0];
	l.n_remote_ts = 0;
	assert_false(plan_link_equal(&l, &b->links[0]));
	l = a->links[0];
	l.remote_id = "seg-b2.operator-b.example";
	assert_false(plan_link_equal(&l, &b->links[0]));
	/* credentials by contents: moved, the same link; changed, not */
	l = a->links[0];
	l.cert = "/elsewhere/seg-a1.pem";
	l.key = "/elsewhere/seg-a1.key";
	assert_true(plan_link_equal(&l, &b->links[0]));
	l.creds ^= 1;
	assert_false(plan_link_equal(&l, &b->links[0]));
	assert_false(plan_link_ike_equal(&l, &b->links[0]));
	l = a->links[0];
	l.auth = l.auth == AUTH_BY_PSK ? AUTH_BY_CERT : AUTH_BY_PSK;
	assert_false(plan_link_equal(&l, &b->links[0]));
	plan_free(a);
	plan_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gateway_plan),
		cmocka_unit_test(test_za_link),
		cmocka_unit_test(test_zb_links_at_gateway),
		cmocka_unit_test(test_partner_rules),
		cmocka_unit_test(test_gateway_guard),
		cmocka_unit_test(test_core_gateway),
		cmocka_unit_test(test_element_plan),
		cmocka_unit_test(test_element_confidentiality),
		cmocka_unit_test(test_unknown_node),
		cmocka_unit_test(test_present_as),
		cmocka_unit_test(test_transport_mode),
		cmocka_unit_test(test_psk_partner),
		cmocka_unit_test(test_profiles_carried),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_dual_stack),
		cmocka_unit_test(test_several_links),
		cmocka_unit_test(test_element_seen_by_two_partners),
		cmocka_unit_test(test_plan_outlives_topology),
		cmocka_unit_test(test_creds_digest),
		cmocka_unit_test(test_link_find_and_equal),
		cmocka_unit_test(test_plan_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
