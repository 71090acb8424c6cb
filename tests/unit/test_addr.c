/* addr: strict parsing of IPv4/IPv6 addresses and prefixes, host bits,
 * containment, ordering, 1:1 renumbering and the text forms. */
#include "unit.h"

static void expect_addr_bytes(const char *s, uint8_t family, const uint8_t *bytes, size_t n)
{
	struct ipaddr a;
	uint8_t want[16] = { 0 };

	memcpy(want, bytes, n);
	memset(&a, 0xaa, sizeof(a));
	if (!addr_parse(s, &a))
		fail_msg("addr_parse(\"%s\") refused", s);
	assert_int_equal(a.family, family);
	/* all 16 bytes: an IPv4 address leaves bytes 4..15 zero */
	assert_memory_equal(a.bytes, want, 16);
}

static void expect_addr_refused(const char *s)
{
	struct ipaddr a;

	if (addr_parse(s, &a))
		fail_msg("addr_parse(\"%s\") accepted", s);
}

static void expect_prefix_refused(const char *s)
{
	struct prefix p;
	bool host_bits;

	if (prefix_parse(s, &p, &host_bits))
		fail_msg("prefix_parse(\"%s\") accepted", s);
}

/* prefix_parse(s) must give want (as text), with host_bits as given. */
static void expect_prefix_parse(const char *s, const char *want, bool want_host_bits)
{
	struct prefix p;
	bool host_bits = !want_host_bits;

	if (!prefix_parse(s, &p, &host_bits))
		fail_msg("prefix_parse(\"%s\") refused", s);
	expect_prefix(&p, want);
	if (host_bits != want_host_bits)
		fail_msg("prefix_parse(\"%s\"): host_bits %d", s, host_bits);
	assert_true(prefix_valid(&p));
}

static void test_addr_parse_ipv4(void **state)
{
	(void)state;
	expect_addr_bytes("192.0.2.1", AF_INET, (const uint8_t[]){ 192, 0, 2, 1 }, 4);
	expect_addr_bytes("0.0.0.0", AF_INET, (const uint8_t[]){ 0, 0, 0, 0 }, 4);
	expect_addr_bytes("255.255.255.255", AF_INET, (const uint8_t[]){ 255, 255, 255, 255 }, 4);
	expect_addr_bytes("10.1.0.1", AF_INET, (const uint8_t[]){ 10, 1, 0, 1 }, 4);
}

static void test_addr_parse_ipv4_strict(void **state)
{
	static const char *const bad[] = {
		"10.1", "10.1.2", "10", "1.2.3.4.5", "256.0.0.1", "1.2.3.256", "010.0.0.1",
		"1.2.3.04", "0x0a.0.0.1", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4\n", "", ".", "1..2.3",
		"a.b.c.d", "1.2.3.4/32", "1.2.3.-4", "+1.2.3.4", "1.2.3.4:500",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		expect_addr_refused(bad[i]);
}

static void test_addr_parse_ipv6(void **state)
{
	(void)state;
	expect_addr_bytes("2001:db8::1", AF_INET6,
	                  (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 16);
	expect_addr_bytes("::", AF_INET6, (const uint8_t[]){ 0 }, 1);
	expect_addr_bytes("::1", AF_INET6,
	                  (const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 16);
	expect_addr_bytes("fe80::1:2", AF_INET6,
	                  (const uint8_t[]){ 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2 }, 16);
	/* IPv4-mapped is an IPv6 address, not an IPv4 one */
	expect_addr_bytes("::ffff:192.0.2.1", AF_INET6,
	                  (const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 }, 16);
	expect_addr_bytes("2001:DB8:0:0:0:0:0:FFFF", AF_INET6,
	                  (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 16);
}

static void test_addr_parse_ipv6_strict(void **state)
{
	static const char *const bad[] = {
		"fe80::1%eth0", "fe80::1%1", "fe80::%lo", "2001:db8:::1", "2001::db8::1",
		"1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "2001:db8::g", "[2001:db8::1]", ":", ":::",
		"2001:db8::1/128", "12345::", " ::1", "::1 ", "::ffff:1.2.3", "::ffff:256.1.2.3",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		expect_addr_refused(bad[i]);
}

static void test_prefix_parse(void **state)
{
	(void)state;
	expect_prefix_parse("10.1.0.0/16", "10.1.0.0/16", false);
	expect_prefix_parse("0.0.0.0/0", "0.0.0.0/0", false);
	expect_prefix_parse("10.1.1.0/24", "10.1.1.0/24", false);
	expect_prefix_parse("10.0.0.128/25", "10.0.0.128/25", false);
	expect_prefix_parse("10.1.2.3/32", "10.1.2.3/32", false);
	/* a bare address is a host prefix */
	expect_prefix_parse("10.1.2.3", "10.1.2.3/32", false);
	expect_prefix_parse("2001:db8::1", "2001:db8::1/128", false);
	expect_prefix_parse("2001:db8::/32", "2001:db8::/32", false);
	expect_prefix_parse("::/0", "::/0", false);
	expect_prefix_parse("2001:db8:a::/48", "2001:db8:a::/48", false);
	expect_prefix_parse("2001:db8::/128", "2001:db8::/128", false);
}

static void test_prefix_parse_strict(void **state)
{
	static const char *const bad[] = {
		"1.2.3.4/33", "::1/129", "/24", "/", "10.0.0.0/08", "10.0.0.0/00", "::/0128",
		"10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8 ", "10.0.0.0/ 8",
		" 10.0.0.0/8", "10.0.0.0/8/8", "10.0.0.0/8a", "10.0.0.0/0x8", "10.1/16", "10/8",
		"10.0.0.0/99999999999999999999999", "10.0.0.0/4294967304", "fe80::%eth0/64",
		"fe80::1%eth0", "fe80::1%eth0/128", "", "10.0.0.0\\8",
		/* longer than any address: refused, not truncated */
		"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb/64",
		"0000000000000000000000000000000000000000000000000000000010.0.0.0/8",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		expect_prefix_refused(bad[i]);
}

static void test_prefix_host_bits(void **state)
{
	(void)state;
	/* host bits are reported and cleared */
	expect_prefix_parse("10.1.2.3/16", "10.1.0.0/16", true);
	expect_prefix_parse("10.0.0.1/31", "10.0.0.0/31", true);
	expect_prefix_parse("10.0.0.64/25", "10.0.0.0/25", true);
	expect_prefix_parse("10.0.0.129/25", "10.0.0.128/25", true);
	expect_prefix_parse("255.255.255.255/0", "0.0.0.0/0", true);
	expect_prefix_parse("10.1.1.255/24", "10.1.1.0/24", true);
	expect_prefix_parse("2001:db8::1/64", "2001:db8::/64", true);
	expect_prefix_parse("2001:db8:ffff::/33", "2001:db8:8000::/33", true);
	expect_prefix_parse("::1/127", "::/127", true);
	/* and only then */
	expect_prefix_parse("10.0.0.1/32", "10.0.0.1/32", false);
	expect_prefix_parse("10.0.0.2/31", "10.0.0.2/31", false);
	expect_prefix_parse("2001:db8:8000::/33", "2001:db8:8000::/33", false);
}

static void test_prefix_valid(void **state)
{
	struct prefix p;

	(void)state;
	p = P("10.1.0.0/16");
	assert_true(prefix_valid(&p));
	p = P("::/0");
	assert_true(prefix_valid(&p));
	p = P("2001:db8::1");
	assert_true(prefix_valid(&p));

	p = P("10.1.0.0/16");
	p.addr.bytes[3] = 1;                    /* a host bit */
	assert_false(prefix_valid(&p));
	p = P("10.0.0.0/15");
	p.addr.bytes[1] = 1;                    /* bit 15: beyond a /15 */
	assert_false(prefix_valid(&p));
	p = P("10.0.0.0/16");
	p.addr.bytes[1] = 1;                    /* bit 15: inside a /16 */
	assert_true(prefix_valid(&p));
	p = P("10.0.0.0/8");
	p.len = 33;
	assert_false(prefix_valid(&p));
	p = P("::/0");
	p.len = 129;
	assert_false(prefix_valid(&p));
	p = P("::/0");
	p.len = 128;
	assert_true(prefix_valid(&p));
	p = P("2001:db8::/64");
	p.addr.bytes[15] = 1;
	assert_false(prefix_valid(&p));
	p = P("10.0.0.0/8");
	p.addr.family = 0;
	assert_false(prefix_valid(&p));
	p.addr.family = 99;
	assert_false(prefix_valid(&p));
}

static void test_prefix_host(void **state)
{
	struct ipaddr a4 = A("10.1.1.10"), a6 = A("2001:db8::10");
	struct prefix p4 = prefix_host(&a4), p6 = prefix_host(&a6);

	(void)state;
	expect_prefix(&p4, "10.1.1.10/32");
	expect_prefix(&p6, "2001:db8::10/128");
	assert_true(prefix_valid(&p4));
	assert_true(prefix_valid(&p6));
	assert_int_equal(addr_bits(AF_INET), 32);
	assert_int_equal(addr_bits(AF_INET6), 128);
}

static bool contains(const char *prefix, const char *addr)
{
	struct prefix p = P(prefix);
	struct ipaddr a = A(addr);

	return prefix_contains(&p, &a);
}

static bool within(const char *inner, const char *outer)
{
	struct prefix i = P(inner), o = P(outer);

	return prefix_within(&i, &o);
}

static bool overlaps(const char *x, const char *y)
{
	struct prefix a = P(x), b = P(y);
	bool r = prefix_overlaps(&a, &b);

	if (r != prefix_overlaps(&b, &a))
		fail_msg("prefix_overlaps(%s, %s) is not symmetric", x, y);
	return r;
}

static void test_prefix_contains(void **state)
{
	(void)state;
	assert_true(contains("10.1.0.0/16", "10.1.0.0"));
	assert_true(contains("10.1.0.0/16", "10.1.255.255"));
	assert_false(contains("10.1.0.0/16", "10.2.0.0"));
	assert_false(contains("10.1.0.0/16", "10.0.255.255"));
	assert_true(contains("10.0.0.0/25", "10.0.0.127"));
	assert_false(contains("10.0.0.0/25", "10.0.0.128"));
	assert_true(contains("10.0.0.128/25", "10.0.0.128"));
	assert_true(contains("10.1.1.10/32", "10.1.1.10"));
	assert_false(contains("10.1.1.10/32", "10.1.1.11"));
	assert_true(contains("0.0.0.0/0", "255.255.255.255"));
	assert_true(contains("2001:db8::/32", "2001:db8:ffff:ffff::1"));
	assert_false(contains("2001:db8::/32", "2001:db9::"));
	assert_true(contains("2001:db8::/33", "2001:db8:7fff::1"));
	assert_false(contains("2001:db8::/33", "2001:db8:8000::"));
	assert_true(contains("::/0", "2001:db8::1"));
	/* never across families, not even for /0 or IPv4-mapped addresses */
	assert_false(contains("0.0.0.0/0", "::"));
	assert_false(contains("::/0", "10.0.0.1"));
	assert_false(contains("10.0.0.0/8", "::ffff:10.0.0.1"));
	assert_false(contains("::ffff:10.0.0.0/104", "10.0.0.1"));
}

static void test_prefix_within(void **state)
{
	(void)state;
	assert_true(within("10.1.1.0/24", "10.1.0.0/16"));
	assert_false(within("10.1.0.0/16", "10.1.1.0/24"));
	assert_true(within("10.1.0.0/16", "10.1.0.0/16"));
	assert_false(within("10.2.0.0/16", "10.1.0.0/16"));
	assert_true(within("10.1.0.0/16", "0.0.0.0/0"));
	assert_true(within("10.0.0.128/25", "10.0.0.0/24"));
	assert_false(within("10.0.0.0/24", "10.0.0.128/25"));
	assert_false(within("10.0.1.0/25", "10.0.0.0/24"));
	assert_true(within("10.1.1.10/32", "10.1.1.0/24"));
	assert_true(within("2001:db8:1::/48", "2001:db8::/32"));
	assert_false(within("2001:db8::/32", "2001:db8:1::/48"));
	assert_true(within("2001:db9::/32", "2001:db8::/31"));     /* a /31 holds db8 and db9 */
	assert_false(within("2001:dba::/32", "2001:db8::/31"));
	/* mixed families: never */
	assert_false(within("10.0.0.0/8", "::/0"));
	assert_false(within("::/0", "0.0.0.0/0"));
	assert_false(within("::ffff:10.0.0.0/104", "10.0.0.0/8"));
}

static void test_prefix_overlaps(void **state)
{
	(void)state;
	assert_true(overlaps("10.0.0.0/8", "10.1.0.0/16"));
	assert_true(overlaps("10.1.0.0/16", "10.1.0.0/16"));
	assert_false(overlaps("10.1.0.0/16", "10.2.0.0/16"));
	assert_false(overlaps("10.0.0.0/25", "10.0.0.128/25"));        /* adjacent */
	assert_true(overlaps("0.0.0.0/0", "192.0.2.1/32"));
	assert_true(overlaps("2001:db8::/32", "2001:db8:a::/48"));
	assert_false(overlaps("2001:db8::/32", "2001:db9::/32"));
	assert_false(overlaps("0.0.0.0/0", "::/0"));
	assert_false(overlaps("10.0.0.0/8", "::ffff:10.0.0.0/104"));
	assert_false(overlaps("::/0", "10.0.0.0/8"));
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void expect_addr_order(const char *x, const char *y)
{
	struct ipaddr a = A(x), b = A(y);

	if (sign(addr_cmp(&a, &b)) != -1 || sign(addr_cmp(&b, &a)) != 1)
		fail_msg("expected %s < %s", x, y);
	assert_int_equal(addr_cmp(&a, &a), 0);
}

static void expect_prefix_order(const char *x, const char *y)
{
	struct prefix a = P(x), b = P(y);

	if (sign(prefix_cmp(&a, &b)) != -1 || sign(prefix_cmp(&b, &a)) != 1)
		fail_msg("expected %s < %s", x, y);
	assert_int_equal(prefix_cmp(&a, &a), 0);
}

static int prefix_qcmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

static void test_cmp_order(void **state)
{
	static const char *const sorted[] = {
		"0.0.0.0/0", "9.255.255.255/32", "10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/32",
		"10.0.0.128/25", "10.1.0.0/16", "192.0.2.0/24", "255.255.255.255/32",
		"::/0", "::1/128", "2001:db8::/32", "2001:db8::/64", "2001:db8:a::/48", "fe80::/10",
	};
	enum { N = sizeof(sorted) / sizeof(*sorted) };
	struct prefix v[N];
	struct ipaddr a = A("10.0.0.1"), b = A("10.0.0.1");
	size_t i;

	(void)state;
	/* IPv4 before IPv6, then bytewise (big-endian), then the shorter prefix first */
	expect_addr_order("10.0.0.1", "10.0.0.2");
	expect_addr_order("9.255.255.255", "10.0.0.0");
	expect_addr_order("10.0.0.255", "10.0.1.0");
	expect_addr_order("255.255.255.255", "::");
	expect_addr_order("::ffff", "::1:0");
	expect_addr_order("2001:db8::1", "2001:db8::1:0");
	expect_prefix_order("10.0.0.0/8", "10.0.0.0/16");
	expect_prefix_order("10.0.0.0/16", "11.0.0.0/8");
	expect_prefix_order("255.0.0.0/8", "::/0");
	/* IPv4 compares 4 bytes only */
	a.bytes[8] = 0x55;
	assert_int_equal(addr_cmp(&a, &b), 0);

	for (i = 0; i < N; i++)
		v[N - 1 - i] = P(sorted[i]);
	qsort(v, N, sizeof(*v), prefix_qcmp);
	for (i = 0; i < N; i++)
		expect_prefix(&v[i], sorted[i]);
}

static void expect_map(const char *addr, const char *to, const char *want)
{
	struct ipaddr a = A(addr), r;
	struct prefix p = P(to);

	r = prefix_map(&a, &p);
	assert_int_equal(r.family, a.family);
	expect_addr(&r, want);
}

static void test_prefix_map(void **state)
{
	(void)state;
	/* the network bits come from `to`, the host bits stay */
	expect_map("10.1.1.10", "172.16.1.0/24", "172.16.1.10");
	expect_map("10.1.1.255", "172.16.1.0/24", "172.16.1.255");
	expect_map("10.1.2.3", "172.16.0.0/16", "172.16.2.3");
	expect_map("10.1.17.5", "172.16.32.0/20", "172.16.33.5");
	expect_map("10.1.1.200", "172.16.1.128/25", "172.16.1.200");
	expect_map("10.1.1.72", "172.16.1.128/25", "172.16.1.200");
	expect_map("10.1.1.5", "172.16.1.0/25", "172.16.1.5");
	expect_map("10.1.1.10", "172.16.9.9/32", "172.16.9.9");
	expect_map("10.1.1.10", "0.0.0.0/0", "10.1.1.10");
	expect_map("2001:db8:a:b::42", "fd00:1:2::/48", "fd00:1:2:b::42");
	expect_map("2001:db8:a:ffff:1:2:3:4", "fd00::/64", "fd00::1:2:3:4");
	expect_map("2001:db8::1", "fd00::/127", "fd00::1");

	/* 1:1: every address of 10.1.1.0/24 maps to its own address in 172.16.1.0/24 */
	{
		struct prefix from = P("10.1.1.0/24"), to = P("172.16.1.0/24");
		unsigned i;

		for (i = 0; i < 256; i++) {
			struct ipaddr a = from.addr, r;

			a.bytes[3] = (uint8_t)i;
			r = prefix_map(&a, &to);
			assert_true(prefix_contains(&to, &r));
			assert_int_equal(r.bytes[3], i);
			assert_memory_equal(r.bytes, to.addr.bytes, 3);
		}
	}
}

/* text -> address -> text gives canonical, and parsing that gives the same address */
static void expect_addr_round_trip(const char *s, const char *canonical)
{
	char buf[ADDR_STRLEN];
	struct ipaddr a, b;

	assert_true(addr_parse(s, &a));
	assert_string_equal(addr_str(&a, buf), canonical);
	assert_true(addr_parse(buf, &b));
	assert_int_equal(addr_cmp(&a, &b), 0);
}

static void expect_prefix_round_trip(const char *s, const char *canonical)
{
	char buf[PREFIX_STRLEN];
	struct prefix p, q;
	bool hb;

	assert_true(prefix_parse(s, &p, &hb));
	assert_string_equal(prefix_str(&p, buf), canonical);
	assert_true(prefix_parse(buf, &q, &hb));
	assert_false(hb);
	assert_int_equal(prefix_cmp(&p, &q), 0);
}

static void test_str_round_trip(void **state)
{
	char buf[PREFIX_STRLEN];
	struct prefix p;

	(void)state;
	expect_addr_round_trip("192.0.2.1", "192.0.2.1");
	expect_addr_round_trip("0.0.0.0", "0.0.0.0");
	expect_addr_round_trip("2001:db8::1", "2001:db8::1");
	expect_addr_round_trip("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
	expect_addr_round_trip("2001:DB8::A", "2001:db8::a");
	expect_addr_round_trip("::", "::");
	expect_addr_round_trip("::ffff:192.0.2.1", "::ffff:192.0.2.1");
	expect_addr_round_trip("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1");
	expect_prefix_round_trip("10.1.0.0/16", "10.1.0.0/16");
	expect_prefix_round_trip("0.0.0.0/0", "0.0.0.0/0");
	expect_prefix_round_trip("2001:db8::/32", "2001:db8::/32");
	expect_prefix_round_trip("::/0", "::/0");
	expect_prefix_round_trip("2001:0db8::/32", "2001:db8::/32");
	expect_prefix_round_trip("10.1.1.1", "10.1.1.1/32");
	expect_prefix_round_trip("2001:db8::1", "2001:db8::1/128");

	/* the longest forms fit the buffers */
	p = P("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
	p.len = 128;
	assert_string_equal(prefix_str(&p, buf), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	p = P("::ffff:255.255.255.255");
	assert_string_equal(prefix_str(&p, buf), "::ffff:255.255.255.255/128");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_parse_ipv4),
		cmocka_unit_test(test_addr_parse_ipv4_strict),
		cmocka_unit_test(test_addr_parse_ipv6),
		cmocka_unit_test(test_addr_parse_ipv6_strict),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_prefix_parse_strict),
		cmocka_unit_test(test_prefix_host_bits),
		cmocka_unit_test(test_prefix_valid),
		cmocka_unit_test(test_prefix_host),
		cmocka_unit_test(test_prefix_contains),
		cmocka_unit_test(test_prefix_within),
		cmocka_unit_test(test_prefix_overlaps),
		cmocka_unit_test(test_cmp_order),
		cmocka_unit_test(test_prefix_map),
		cmocka_unit_test(test_str_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
