/* guard: the pure parts of the kernel guard (daemon/guard/): a plan's
 * entries as kernel policies, two marks each, one per key; the key order;
 * which kernel entries are zsec's; the diff that turns the kernel's entries
 * into the wanted ones.  The kernel itself is tests/guard/run's. */
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "unit.h"
#include "guard.h"

static const char *str(const struct guard_entry *e)
{
	static char buf[2][GUARD_ENTRY_STRLEN];
	static int k;

	return guard_entry_str(e, buf[k++ & 1]);  /* two in one message */
}

static struct guard_entry *expand(const struct plan *p, size_t *n)
{
	struct guard_entry *v;

	assert_true(guard_expand(p, &v, n));
	return v;
}

/* strictly increasing keys: sorted, one entry per key */
static void expect_sorted_unique(const struct guard_entry *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (guard_key_cmp(&v[i - 1].key, &v[i].key) >= 0)
			fail_msg("entries %zu and %zu out of order or equal:\n  %s\n  %s", i - 1, i,
			         str(&v[i - 1]), str(&v[i]));
}

static bool has(const struct guard_entry *v, size_t n, const char *want)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(str(&v[i]), want))
			return true;
	return false;
}

static void expect_has(const struct guard_entry *v, size_t n, const char *want)
{
	if (!has(v, n, want))
		fail_msg("no entry '%s'", want);
}

static void test_expand_gateway(void **state)
{
	struct plan *p = plan_of(operator_a_yaml(), "seg-a1");
	struct guard_entry *v;
	size_t n, i, marked = 0;

	(void)state;
	v = expand(p, &n);
	/* no two plan entries of seg-a1 share a selector: two marks each */
	assert_int_equal(n, 2 * p->n_guards);
	expect_sorted_unique(v, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(v[i].key.type, XFRM_POLICY_TYPE_MAIN);
		assert_int_equal(v[i].key.family, AF_INET);
		assert_int_equal(v[i].index, 0);
		assert_false(v[i].extra);
		assert_true(guard_owns(v[i].priority, ZSEC_GUARD_MARK));
		marked += ntohl(v[i].key.mark) == ZSEC_GUARD_MARK;
	}
	assert_int_equal(marked, p->n_guards);
	/* the Za link: IKE, NAT-T and ESP bypassed between the gateways ... */
	expect_has(v, n, "out 192.0.2.1/32 -> 198.51.100.2/32 udp dport 500 mark 0/0x100000 allow prio 700000");
	expect_has(v, n, "out 192.0.2.1/32 -> 198.51.100.2/32 udp dport 500 mark 0x100000/0x100000 allow prio 700000");
	expect_has(v, n, "in 198.51.100.2/32 -> 192.0.2.1/32 udp dport 4500 mark 0/0x100000 allow prio 700000");
	expect_has(v, n, "in 198.51.100.2/32 -> 192.0.2.1/32 esp mark 0x100000/0x100000 allow prio 700000");
	/* ... and the protected flows dropped on every path, both marks */
	expect_has(v, n, "out 10.1.1.0/24 -> 10.2.0.0/16 any mark 0/0x100000 block prio 710000");
	expect_has(v, n, "out 10.1.1.0/24 -> 10.2.0.0/16 any mark 0x100000/0x100000 block prio 710000");
	expect_has(v, n, "in 10.2.0.0/16 -> 10.1.1.0/24 any mark 0/0x100000 block prio 710000");
	expect_has(v, n, "fwd 10.1.1.0/24 -> 10.2.0.0/16 any mark 0/0x100000 block prio 710000");
	expect_has(v, n, "fwd 10.2.0.0/16 -> 10.1.1.0/24 any mark 0x100000/0x100000 block prio 710000");
	free(v);
	plan_free(p);
}

static void test_expand_fields(void **state)
{
	struct plan *p = plan_of(operator_a_yaml(), "seg-a1");
	struct guard_entry *v;
	size_t n, i;

	(void)state;
	v = expand(p, &n);
	for (i = 0; i < n; i++) {
		const struct guard_key *k = &v[i].key;

		if (k->proto == IPPROTO_UDP) {
			/* ports in network order, matched exactly */
			assert_true(ntohs(k->dport) == 500 || ntohs(k->dport) == 4500);
			assert_int_equal(k->dport_mask, 0xffff);
			assert_int_equal(v[i].action, XFRM_POLICY_ALLOW);
			assert_int_equal(v[i].priority, GUARD_PRIO_BYPASS);
		} else {
			assert_int_equal(k->dport_mask, 0);
			assert_int_equal(k->dport, 0);
		}
		if (!k->proto) {
			assert_int_equal(v[i].action, XFRM_POLICY_BLOCK);
			assert_int_equal(v[i].priority, GUARD_PRIO_DISCARD);
		}
		assert_int_equal(k->sport_mask, 0);
		assert_int_equal(k->ifindex, 0);
		assert_int_equal(k->if_id, 0);
		assert_int_equal(k->zero, 0);
		/* an IPv4 address leaves the rest of the kernel's field zero */
		assert_memory_equal(k->src + 4, (uint8_t[12]){ 0 }, 12);
		assert_memory_equal(k->dst + 4, (uint8_t[12]){ 0 }, 12);
	}
	free(v);
	plan_free(p);
}

static void test_expand_element(void **state)
{
	struct plan *p = plan_of(operator_a_yaml(), "pcscf-1");
	struct guard_entry *v;
	size_t n;

	(void)state;
	v = expand(p, &n);
	assert_int_equal(n, 2 * p->n_guards);
	expect_sorted_unique(v, n);
	/* an element forwards nothing: no forward entries */
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(v[i].key.dir, XFRM_POLICY_FWD);
	expect_has(v, n, "out 10.1.1.10/32 -> 10.2.0.0/16 any mark 0/0x100000 block prio 710000");
	expect_has(v, n, "in 10.2.0.0/16 -> 10.1.1.10/32 any mark 0x100000/0x100000 block prio 710000");
	free(v);
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
	"partners:\n"
	"  - name: peer6\n"
	"    prefixes: ['2001:db8:b::/48']\n"
	"    trust: { ca: pki/peer6-ca.pem }\n"
	"    gateways: [{ name: seg-p1, address: '2001:db8:fe::2', id: seg-p1.peer6.example }]\n"
	"    links: [[seg-1, seg-p1]]\n"
	"    expose: ['2001:db8:a:1::/64']\n";

static void test_expand_ipv6(void **state)
{
	struct plan *p = plan_of(ipv6_yaml, "seg-1");
	struct guard_entry *v;
	size_t n, i;

	(void)state;
	v = expand(p, &n);
	assert_int_equal(n, 2 * p->n_guards);
	for (i = 0; i < n; i++)
		assert_int_equal(v[i].key.family, AF_INET6);
	expect_has(v, n, "out 2001:db8:a:1::/64 -> 2001:db8:b::/48 any mark 0/0x100000 block prio 710000");
	expect_has(v, n, "in 2001:db8:fe::2/128 -> 2001:db8:ff::1/128 udp dport 500 mark 0x100000/0x100000 allow prio 700000");
	free(v);
	plan_free(p);
}

static void test_expand_nothing(void **state)
{
	struct guard_entry *v;
	size_t n = 99;

	(void)state;
	v = expand(NULL, &n);
	assert_int_equal(n, 0);
	free(v);
}

/* ---- one entry per key ---- */

static struct plan *hand_plan(const struct plan_guard *g, size_t n)
{
	struct arena *a = arena_new();
	struct plan *p = arena_alloc(a, sizeof(*p));

	p->arena = a;
	p->guards = arena_array(a, n, sizeof(*g));
	memcpy(p->guards, g, n * sizeof(*g));
	p->n_guards = n;
	return p;
}

static void test_shared_selector_fails_closed(void **state)
{
	/* two links name one selector: one BYPASS, one DISCARD */
	struct plan_guard g[] = {
		{ "za:x:a", GUARD_OUT, GUARD_BYPASS, P("10.1.1.0/24"), P("10.2.0.0/16"), 0, 0,
		  GUARD_PRIO_BYPASS },
		{ "za:x:b", GUARD_OUT, GUARD_DISCARD, P("10.1.1.0/24"), P("10.2.0.0/16"), 0, 0,
		  GUARD_PRIO_DISCARD },
		{ "za:x:c", GUARD_OUT, GUARD_BYPASS, P("10.1.1.0/24"), P("10.2.0.0/16"), 0, 0,
		  GUARD_PRIO_BYPASS },
		/* same action, two priorities: the stronger one */
		{ "za:y:a", GUARD_IN, GUARD_DISCARD, P("10.3.0.0/16"), P("10.1.1.0/24"), 0, 0,
		  GUARD_PRIO_DISCARD + 5 },
		{ "za:y:b", GUARD_IN, GUARD_DISCARD, P("10.3.0.0/16"), P("10.1.1.0/24"), 0, 0,
		  GUARD_PRIO_DISCARD },
	};
	struct plan *p = hand_plan(g, 5);
	struct guard_entry *v;
	size_t n;

	(void)state;
	v = expand(p, &n);
	assert_int_equal(n, 4);
	expect_sorted_unique(v, n);
	assert_string_equal(str(&v[0]), "in 10.3.0.0/16 -> 10.1.1.0/24 any mark 0/0x100000 block prio 710000");
	assert_string_equal(str(&v[1]), "in 10.3.0.0/16 -> 10.1.1.0/24 any mark 0x100000/0x100000 block prio 710000");
	assert_string_equal(str(&v[2]), "out 10.1.1.0/24 -> 10.2.0.0/16 any mark 0/0x100000 block prio 710000");
	assert_string_equal(str(&v[3]), "out 10.1.1.0/24 -> 10.2.0.0/16 any mark 0x100000/0x100000 block prio 710000");
	free(v);
	plan_free(p);
}

/* ---- keys ---- */

static struct guard_entry entry(uint8_t dir, const char *src, const char *dst, uint8_t proto,
                                uint16_t dport, uint32_t mark)
{
	struct plan_guard g = { "l", GUARD_IN, GUARD_DISCARD, P(src), P(dst), proto, dport,
	                        GUARD_PRIO_DISCARD };
	struct plan *p = hand_plan(&g, 1);
	struct guard_entry *v, e;
	size_t n;

	v = expand(p, &n);
	assert_int_equal(n, 2);
	e = v[mark ? 1 : 0];
	e.key.dir = dir;
	free(v);
	plan_free(p);
	return e;
}

static void test_key_order(void **state)
{
	/* each later than the one before: direction, then family, type and
	 * protocol, addresses, lengths, ports, the mark last */
	struct guard_entry v[] = {
		entry(XFRM_POLICY_IN, "10.9.0.0/16", "10.9.0.0/16", 50, 0, ZSEC_GUARD_MARK),
		entry(XFRM_POLICY_OUT, "10.0.0.0/16", "10.0.0.0/16", 0, 0, 0),
		entry(XFRM_POLICY_OUT, "2001:db8::/32", "2001:db8::/32", 0, 0, 0),
		entry(XFRM_POLICY_FWD, "10.0.0.0/8", "10.0.0.0/8", 0, 0, 0),
		entry(XFRM_POLICY_FWD, "10.1.0.0/16", "10.0.0.0/8", 0, 0, 0),
		entry(XFRM_POLICY_FWD, "10.1.0.0/24", "10.0.0.0/8", 0, 0, 0),
		entry(XFRM_POLICY_FWD, "10.1.0.0/24", "10.0.0.0/8", 0, 0, ZSEC_GUARD_MARK),
		entry(XFRM_POLICY_FWD, "10.0.0.0/8", "10.0.0.0/8", 17, 500, 0),
		entry(XFRM_POLICY_FWD, "10.0.0.0/8", "10.0.0.0/8", 17, 4500, 0),
	};
	size_t n = sizeof(v) / sizeof(*v), i;
	struct guard_entry w[sizeof(v) / sizeof(*v)];

	(void)state;
	expect_sorted_unique(v, n);
	/* guard_sort gives the same order from any other */
	for (i = 0; i < n; i++)
		w[i] = v[(i * 4 + 3) % n];
	guard_sort(w, n);
	for (i = 0; i < n; i++)
		assert_int_equal(guard_key_cmp(&v[i].key, &w[i].key), 0);
	/* the mark alone makes two keys */
	assert_true(guard_key_cmp(&v[5].key, &v[6].key) < 0);
	/* priority and action are no part of the key */
	w[0] = v[1];
	w[0].priority = GUARD_PRIO_BYPASS;
	w[0].action = XFRM_POLICY_ALLOW;
	assert_int_equal(guard_key_cmp(&w[0].key, &v[1].key), 0);
	assert_false(guard_entry_same(&w[0], &v[1]));
}

static void test_owns(void **state)
{
	(void)state;
	assert_true(guard_owns(GUARD_PRIO_BYPASS, ZSEC_GUARD_MARK));
	assert_true(guard_owns(GUARD_PRIO_DISCARD, ZSEC_GUARD_MARK));
	assert_true(guard_owns(GUARD_PRIO_DISCARD + 9999, ZSEC_GUARD_MARK));
	assert_false(guard_owns(GUARD_PRIO_BYPASS - 1, ZSEC_GUARD_MARK));
	assert_false(guard_owns(GUARD_PRIO_DISCARD + 10000, ZSEC_GUARD_MARK));
	/* charon's entries: any priority up to 600000, mark 0/0 */
	assert_false(guard_owns(300000, 0));
	assert_false(guard_owns(GUARD_PRIO_DISCARD, 0));
	/* a mask with the bit and more, or another bit: someone else's */
	assert_false(guard_owns(GUARD_PRIO_DISCARD, ZSEC_GUARD_MARK | 1));
	assert_false(guard_owns(GUARD_PRIO_DISCARD, 1));
	/* the band lies wholly below charon's, whose numbers end at 600000 */
	assert_true(GUARD_BAND_LOW > 600000);
}

/* ---- the diff ---- */

static void test_diff(void **state)
{
	struct guard_entry want[] = {
		entry(XFRM_POLICY_IN, "10.2.0.0/16", "10.1.1.0/24", 0, 0, 0),     /* kept */
		entry(XFRM_POLICY_IN, "10.2.0.0/16", "10.1.1.0/24", 0, 0, ZSEC_GUARD_MARK), /* added */
		entry(XFRM_POLICY_OUT, "10.1.1.0/24", "10.2.0.0/16", 0, 0, 0),    /* updated: action */
		entry(XFRM_POLICY_OUT, "10.1.1.0/24", "10.3.0.0/16", 0, 0, 0),    /* updated: extra */
		entry(XFRM_POLICY_FWD, "10.1.1.0/24", "10.2.0.0/16", 0, 0, 0),    /* added */
	};
	struct guard_entry have[] = {
		want[0],
		want[2],
		want[3],
		entry(XFRM_POLICY_OUT, "10.1.1.0/24", "10.9.0.0/16", 0, 0, 0),    /* removed */
		entry(XFRM_POLICY_OUT, "10.1.1.0/24", "10.9.0.0/16", 0, 0, 0),    /* a second one: removed */
	};
	struct guard_diff d;
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++)
		have[i].index = 8 * (uint32_t)i + 1;
	have[1].action = XFRM_POLICY_ALLOW;
	have[2].extra = true;
	assert_true(guard_diff(have, 5, want, 5, &d));
	assert_int_equal(d.n_keep, 1);
	assert_int_equal(d.n_add, 2);
	assert_int_equal(guard_key_cmp(&d.add[0].key, &want[1].key), 0);
	assert_int_equal(guard_key_cmp(&d.add[1].key, &want[4].key), 0);
	assert_int_equal(d.n_update, 2);
	assert_int_equal(d.update[0].action, XFRM_POLICY_BLOCK);
	assert_int_equal(d.update_old[0].action, XFRM_POLICY_ALLOW);
	assert_int_equal(d.update_old[0].index, 9);
	assert_false(d.update[1].extra);
	assert_true(d.update_old[1].extra);
	/* removals carry the kernel's index: the exact entries dumped */
	assert_int_equal(d.n_remove, 2);
	assert_int_equal(d.remove[0].index, 25);
	assert_int_equal(d.remove[1].index, 33);
	guard_diff_free(&d);

	/* nothing to change */
	assert_true(guard_diff(want, 5, want, 5, &d));
	assert_int_equal(d.n_keep, 5);
	assert_int_equal(d.n_add + d.n_update + d.n_remove, 0);
	guard_diff_free(&d);

	/* from nothing, and to nothing */
	assert_true(guard_diff(NULL, 0, want, 5, &d));
	assert_int_equal(d.n_add, 5);
	guard_diff_free(&d);
	assert_true(guard_diff(want, 5, NULL, 0, &d));
	assert_int_equal(d.n_remove, 5);
	guard_diff_free(&d);
}

/* A partner added or removed changes that partner's entries and no other. */
static void test_diff_one_partner(void **state)
{
	char *yaml = concat(operator_a_yaml(), OPERATOR_C_YAML);
	struct plan *a = plan_of(operator_a_yaml(), "seg-a1"), *b = plan_of(yaml, "seg-a1");
	struct guard_entry *va, *vb;
	size_t na, nb, i, of_c = 0;
	struct guard_diff d;

	(void)state;
	va = expand(a, &na);
	vb = expand(b, &nb);
	for (i = 0; i < b->n_guards; i++)
		of_c += !strcmp(b->guards[i].link, "za:operator-c:seg-c1");
	assert_true(of_c > 0);
	assert_true(guard_diff(va, na, vb, nb, &d));
	assert_int_equal(d.n_add, 2 * of_c);
	assert_int_equal(d.n_update + d.n_remove, 0);
	assert_int_equal(d.n_keep, na);
	for (i = 0; i < d.n_add; i++) {
		const char *s = str(&d.add[i]);

		/* operator-c's gateway, its prefix or what it sees of us */
		if (!strstr(s, "203.0.113.3") && !strstr(s, "10.3.0.0/16"))
			fail_msg("an addition that is not operator-c's: %s", s);
	}
	guard_diff_free(&d);
	assert_true(guard_diff(vb, nb, va, na, &d));
	assert_int_equal(d.n_remove, 2 * of_c);
	assert_int_equal(d.n_add + d.n_update, 0);
	guard_diff_free(&d);
	free(va);
	free(vb);
	plan_free(a);
	plan_free(b);
	free(yaml);
}

static void test_entry_str(void **state)
{
	struct guard_entry e = entry(XFRM_POLICY_FWD, "10.1.1.0/24", "10.2.0.0/16", 17, 4500,
	                             ZSEC_GUARD_MARK);

	(void)state;
	assert_string_equal(str(&e), "fwd 10.1.1.0/24 -> 10.2.0.0/16 udp dport 4500 "
	                    "mark 0x100000/0x100000 block prio 710000");
	e.key.if_id = htonl(7);
	e.extra = true;
	assert_string_equal(str(&e), "fwd 10.1.1.0/24 -> 10.2.0.0/16 udp dport 4500 "
	                    "mark 0x100000/0x100000 block prio 710000 if_id 7 +extra");
}

/* another process's pass in clear: an ALLOW of priority prio, mark 0 */
static struct guard_entry pass(uint8_t dir, const char *src, const char *dst, uint8_t proto,
                               uint16_t dport, uint32_t prio)
{
	struct guard_entry e = entry(dir, src, dst, proto, dport, 0);

	e.action = XFRM_POLICY_ALLOW;
	e.priority = prio;
	return e;
}

/* does such a pass, mark 0/0, beat ours? */
static bool beats(uint8_t dir, const char *src, const char *dst, uint8_t proto, uint16_t dport,
                  uint32_t prio, const struct guard_entry *ours)
{
	struct guard_entry o = pass(dir, src, dst, proto, dport, prio);

	return guard_beats(&o, 0, ours);
}

static void test_beats(void **state)
{
	const uint8_t F = XFRM_POLICY_FWD;
	struct guard_entry ours = entry(F, "10.2.0.0/16", "10.1.1.0/24", 0, 0, 0);
	struct guard_entry ours_m = entry(F, "10.2.0.0/16", "10.1.1.0/24", 0, 0, ZSEC_GUARD_MARK);
	struct guard_entry udp = entry(F, "10.2.0.0/16", "10.1.1.0/24", 17, 5060, 0);
	struct guard_entry o;

	(void)state;
	/* narrower, broader, equal selectors; a lower number or the same */
	assert_true(beats(F, "10.2.5.0/24", "10.1.1.0/25", 0, 0, 100, &ours));
	assert_true(beats(F, "0.0.0.0/0", "10.0.0.0/8", 0, 0, 100, &ours));
	assert_true(beats(F, "10.2.0.0/15", "10.1.1.128/25", 0, 0, 100, &ours));
	assert_true(beats(F, "10.2.0.0/16", "10.1.1.0/24", 0, 0, GUARD_PRIO_DISCARD, &ours));
	/* a higher number loses, unless it is a sub policy (looked up first) */
	assert_false(beats(F, "10.2.0.0/16", "10.1.1.0/24", 0, 0, GUARD_PRIO_DISCARD + 1, &ours));
	o = pass(F, "10.2.0.0/16", "10.1.1.0/24", 0, 0, GUARD_PRIO_DISCARD + 1);
	o.key.type = XFRM_POLICY_TYPE_SUB;
	assert_true(guard_beats(&o, 0, &ours));
	/* another direction, family, address or interface id: apart */
	assert_false(beats(XFRM_POLICY_OUT, "10.2.0.0/16", "10.1.1.0/24", 0, 0, 100, &ours));
	assert_false(beats(F, "10.3.0.0/16", "10.1.1.0/24", 0, 0, 100, &ours));
	assert_false(beats(F, "10.2.0.0/16", "10.1.2.0/24", 0, 0, 100, &ours));
	assert_false(beats(F, "2001:db8::/32", "2001:db8::/32", 0, 0, 100, &ours));
	o = pass(F, "10.2.0.0/16", "10.1.1.0/24", 0, 0, 100);
	o.key.if_id = htonl(3);
	assert_false(guard_beats(&o, 0, &ours));
	/* prefix boundaries inside a byte */
	assert_true(beats(F, "10.2.0.0/17", "10.1.1.64/26", 0, 0, 100, &ours));
	assert_false(beats(F, "10.2.0.0/16", "10.1.0.0/24", 0, 0, 100, &ours));
	assert_true(beats(F, "10.2.0.0/16", "10.1.0.0/23", 0, 0, 100, &ours));
	/* protocols and ports: any meets all, else they must agree */
	assert_true(beats(F, "10.2.0.0/16", "10.1.1.0/24", 6, 80, 100, &ours));
	assert_true(beats(F, "10.2.0.0/16", "10.1.1.0/24", 0, 0, 100, &udp));
	assert_true(beats(F, "10.2.0.0/16", "10.1.1.0/24", 17, 5060, 100, &udp));
	assert_false(beats(F, "10.2.0.0/16", "10.1.1.0/24", 6, 0, 100, &udp));
	assert_false(beats(F, "10.2.0.0/16", "10.1.1.0/24", 17, 5061, 100, &udp));
	/* marks: 0/0 meets both of zsec's; a value on zsec's bit only one */
	o = pass(F, "10.2.0.0/16", "10.1.1.0/24", 0, 0, 100);
	assert_true(guard_beats(&o, 0, &ours) && guard_beats(&o, 0, &ours_m));
	o.key.mark = htonl(ZSEC_GUARD_MARK | 5);
	assert_false(guard_beats(&o, ZSEC_GUARD_MARK | 0xff, &ours));
	assert_true(guard_beats(&o, ZSEC_GUARD_MARK | 0xff, &ours_m));
	assert_true(guard_beats(&o, 0xff, &ours));
	/* a BLOCK of another's is no pass; zsec's BYPASS is nothing to beat */
	o = pass(F, "10.2.0.0/16", "10.1.1.0/24", 0, 0, 100);
	o.action = XFRM_POLICY_BLOCK;
	assert_false(guard_beats(&o, 0, &ours));
	o.action = XFRM_POLICY_ALLOW;
	ours.action = XFRM_POLICY_ALLOW;
	assert_false(guard_beats(&o, 0, &ours));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand_gateway),
		cmocka_unit_test(test_expand_fields),
		cmocka_unit_test(test_expand_element),
		cmocka_unit_test(test_expand_ipv6),
		cmocka_unit_test(test_expand_nothing),
		cmocka_unit_test(test_shared_selector_fails_closed),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_owns),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_diff_one_partner),
		cmocka_unit_test(test_entry_str),
		cmocka_unit_test(test_beats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
