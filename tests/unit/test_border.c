/* border: the pure parts of the Border Element module (daemon/border/):
 * the JSON reader, partner ids and exposure profiles, default bursts, the
 * script's invariants, and reading the running table back from what nft -j
 * prints.  Golden scripts are tests/border/run's; the kernel is
 * tests/border/kernel.sh's. */
#include "unit.h"
#include "border.h"
#include "../../daemon/border/internal.h"

/* ---- JSON ---- */

static void test_json_nft_output(void **state)
{
	struct arena *a = arena_new();
	char err[256] = "";
	const char *text =
		"{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}, {\"set\": {\"name\": \"accepted\","
		" \"elem\": [{\"elem\": {\"val\": 1, \"counter\": {\"packets\": 18446744073709551615,"
		" \"bytes\": 42}}}, 7], \"flags\": [\"dynamic\"], \"x\": [true, false, null, -1.5e3,"
		" \"a\\\"b\\\\c\\u00e9\\n\"]}}]}  trailing";
	const char *end;
	const struct json *j = json_parse(a, text, &end, err, sizeof(err)), *set, *e;

	assert_non_null(j);
	assert_string_equal(end, "  trailing");
	set = json_get(j, "nftables")->child->next;
	set = json_get(set, "set");
	assert_string_equal(json_str(set, "name"), "accepted");
	e = json_get(json_get(set, "elem")->child, "elem");
	assert_true(json_u64(e, "val") == 1);
	assert_true(json_u64(json_get(e, "counter"), "packets") == UINT64_MAX);
	assert_true(json_u64(json_get(e, "counter"), "bytes") == 42);
	assert_true(json_u64(e, "missing") == 0);
	e = json_get(set, "x")->child;
	assert_true(e->type == JSON_BOOL && e->b);
	assert_true(e->next->type == JSON_BOOL && !e->next->b);
	assert_true(e->next->next->type == JSON_NULL);
	assert_string_equal(e->next->next->next->str, "-1.5e3");
	assert_string_equal(e->next->next->next->next->str, "a\"b\\c\xc3\xa9\n");
	arena_free(a);
}

static void test_json_refuses(void **state)
{
	static const char *bad[] = {
		"", "{", "[1,", "{\"a\" 1}", "{\"a\": }", "\"open", "\"\\x\"", "\"\\u12\"",
		"tru", "{1: 2}", "[1 2]", "\"a\x01b\"", "-", "{\"a\": 1,}",
		"{\"a\"",     /* read past its end (fuzz_border_state) */
	};
	char deep[300];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct arena *a = arena_new();
		char err[256] = "", *text = strdup(bad[i]);    /* on the heap: the
		                                                 * sanitizers see its end */

		assert_non_null(text);
		if (json_parse(a, text, NULL, err, sizeof(err)))
			fail_msg("'%s' parsed", bad[i]);
		assert_non_null(strstr(err, "JSON: "));
		free(text);
		arena_free(a);
	}
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	{
		struct arena *a = arena_new();
		char err[256] = "";

		assert_null(json_parse(a, deep, NULL, err, sizeof(err)));
		assert_non_null(strstr(err, "nested too deeply"));
		arena_free(a);
	}
}

/* ---- layout ---- */

static const char *SEVERAL =
	"zsec: 1\n"
	"domain:\n"
	"  name: operator-a\n"
	"  prefixes: [10.1.0.0/16]\n"
	"  trust: { ca: pki/a-ca.pem }\n"
	"  gateways:\n"
	"    - { name: seg-a1, outside: 192.0.2.1, inside: 10.1.0.1, id: seg-a1.a.example,"
	" cert: pki/a.pem, key: pki/a.key }\n"
	"partners:\n"
	"  - name: bravo\n"
	"    prefixes: [10.3.0.0/16]\n"
	"    trust: { ca: pki/b.pem }\n"
	"    gateways: [{ name: gb, address: 198.51.100.3, id: gb.example }]\n"
	"    links: [[seg-a1, gb]]\n"
	"    expose: [10.1.2.0/24, 10.1.1.0/24]\n"
	"  - name: alpha\n"
	"    prefixes: [10.2.0.0/16]\n"
	"    trust: { ca: pki/b.pem }\n"
	"    gateways: [{ name: ga, address: 198.51.100.2, id: ga.example }]\n"
	"    links: [[seg-a1, ga]]\n"
	"    expose: [10.1.1.0/24, 10.1.2.0/24]\n"
	"    limits: { sip: 7/s, packets: \"100/s burst 3\" }\n"
	"  - name: charlie\n"
	"    prefixes: [10.4.0.0/16]\n"
	"    trust: { ca: pki/b.pem }\n"
	"    gateways: [{ name: gc, address: 198.51.100.4, id: gc.example }]\n"
	"    links: [[seg-a1, gc]]\n"
	"    expose: [10.1.1.0/24]\n"
	"    present-as: [172.16.1.0/24]\n";

static void test_profiles_shared(void **state)
{
	struct plan *p = plan_of(SEVERAL, "seg-a1");
	struct layout l;
	char err[256];

	assert_true(layout_make(p, NULL, &l, err, sizeof(err)));
	/* partners sorted by name: alpha, bravo, charlie; fresh ids in order */
	assert_string_equal(p->partners[0].name, "alpha");
	assert_int_equal(l.id[0], 1);
	assert_int_equal(l.id[1], 2);
	assert_int_equal(l.id[2], 3);
	/* alpha and bravo list the same prefixes in another order: one profile */
	assert_int_equal(l.n_profiles, 2);
	assert_int_equal(l.profile[0], l.profile[1]);
	assert_int_not_equal(l.profile[0], l.profile[2]);
	assert_int_equal(l.n_presented[l.profile[0] - 1], 2);
	expect_prefix(&l.presented[l.profile[0] - 1][0], "10.1.1.0/24");
	expect_prefix(&l.presented[l.profile[2] - 1][0], "172.16.1.0/24");
	assert_int_equal(l.added, 3);
	layout_free(&l);
	plan_free(p);
}

static void test_ids_stay(void **state)
{
	struct plan *old = plan_of(SEVERAL, "seg-a1"), *p;
	char *yaml, err[256];
	struct border_state *s = border_state_of(old, err, sizeof(err));
	struct layout l;

	assert_non_null(s);
	/* bravo goes, aaron comes: aaron sorts first but takes bravo's id 2;
	 * alpha and charlie keep 1 and 3 */
	yaml = edit(SEVERAL, "  - name: bravo\n    prefixes: [10.3.0.0/16]",
	            "  - name: aaron\n    prefixes: [10.3.0.0/16]");
	p = plan_of(yaml, "seg-a1");
	assert_true(layout_make(p, s, &l, err, sizeof(err)));
	assert_string_equal(p->partners[0].name, "aaron");
	assert_int_equal(l.id[0], 2);
	assert_null(l.kept_from[0]);
	assert_int_equal(l.id[1], 1);
	assert_string_equal(l.kept_from[1]->name, "alpha");
	assert_int_equal(l.id[2], 3);
	assert_int_equal(l.kept, 2);
	assert_int_equal(l.added, 1);
	assert_int_equal(l.removed, 1);
	/* by_id: alpha (1), aaron (2), charlie (3) */
	assert_int_equal(l.by_id[0], 1);
	assert_int_equal(l.by_id[1], 0);
	assert_int_equal(l.by_id[2], 2);
	layout_free(&l);
	plan_free(p);
	free(yaml);
	border_state_free(s);
	plan_free(old);
}

static void test_outermost(void **state)
{
	struct prefix v[] = { P("10.1.1.0/24"), P("10.1.0.0/16"), P("10.1.1.10/32"), P("10.2.0.0/16"),
	                      P("2001:db8::/32"), P("10.1.0.0/16"), P("2001:db8:1::/48") };
	size_t n = prefixes_outermost(v, sizeof(v) / sizeof(v[0]));

	assert_int_equal(n, 3);
	expect_prefix(&v[0], "10.1.0.0/16");
	expect_prefix(&v[1], "10.2.0.0/16");
	expect_prefix(&v[2], "2001:db8::/32");
}

static void test_default_burst(void **state)
{
	struct plan_rate r = { 500, 0 };

	assert_int_equal(limit_of(1, &r).burst, 50);    /* a tenth of a second */
	r = (struct plan_rate){ 10, 0 };
	assert_int_equal(limit_of(1, &r).burst, 5);     /* at least nftables' 5 */
	r = (struct plan_rate){ 10, 2 };
	assert_int_equal(limit_of(1, &r).burst, 2);     /* as written */
}

/* ---- the script ---- */

static char *render(const struct plan *p, const struct border_state *s)
{
	char err[256] = "", *script = border_render(p, s, NULL, err, sizeof(err));

	if (!script)
		fail_msg("border_render: %s", err);
	return script;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static void test_script_invariants(void **state)
{
	struct plan *p = plan_of(SEVERAL, "seg-a1");
	char *a = render(p, NULL), *b = render(p, NULL);

	assert_string_equal(a, b);                      /* deterministic */
	/* the rules do not depend on the partners: one lookup per length of
	 * their prefixes, all /16 here, and none for IPv6 */
	assert_int_equal(count(a, "goto partner_in"), 1);
	assert_non_null(strstr(a, "ip saddr & 255.255.0.0 map @src4_16_a goto partner_in"));
	assert_non_null(strstr(a, "10.4.0.0 : 0x"));
	assert_int_equal(count(a, "flush table inet zsec\n"), 1);
	assert_non_null(strstr(a, "198.51.100.2 comment \"alpha\" : 0x00000001"));
	assert_non_null(strstr(a, "0x00000001 limit rate over 7/second burst 5 packets"));
	assert_non_null(strstr(a, "0x00000001 limit rate over 100/second burst 3 packets"));
	assert_non_null(strstr(a, "10.4.0.0/16 . 172.16.1.0/24 : 10.1.1.0/24"));
	/* a fresh table zeroes nothing */
	assert_null(strstr(a, "delete element"));
	free(a);
	free(b);
	plan_free(p);
}

static void test_script_no_partners(void **state)
{
	struct plan *p = plan_of(SEVERAL, "seg-a1");
	struct border_state *s;
	char err[256], *script;

	s = border_state_of(p, err, sizeof(err));
	script = render(NULL, NULL);
	assert_string_equal(script, "");                /* no table, none wanted */
	free(script);
	script = render(NULL, s);
	assert_string_equal(script, "delete table inet zsec\n");
	free(script);
	border_state_free(s);
	plan_free(p);
}

static void test_script_refuses_names(void **state)
{
	struct plan *p = plan_of(SEVERAL, "seg-a1");
	char err[256] = "";

	p->partners[1].name = "bra\"vo";                /* a plan from elsewhere */
	assert_null(border_render(p, NULL, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot be written into nftables"));
	plan_free(p);
}

/* Every replacement is the next generation: its parity names the staged
 * sets, its number tags the connections it lets in; after GEN_MAX comes 1,
 * whose sets are not the ones GEN_MAX's rules use. */
static void test_script_generations(void **state)
{
	static const struct {
		unsigned running, next;
		const char *tag, *made, *gone;
	} cases[] = {
		{ 0, 1, "0x00010000", "exposed4_a", "exposed4_b" },     /* no table */
		{ 1, 2, "0x00020000", "exposed4_b", "exposed4_a" },
		{ 7, 8, "0x00080000", "exposed4_b", "exposed4_a" },
		{ GEN_MAX, 1, "0x00010000", "exposed4_a", "exposed4_b" },
	};
	struct plan *p = plan_of(SEVERAL, "seg-a1");
	struct border_state *s;
	char err[256], want[128], *script;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = border_state_of(p, err, sizeof(err));
		s->gen = cases[i].running;
		script = render(p, s);
		snprintf(want, sizeof(want), "comment \"generation %u\"", cases[i].next);
		assert_non_null(strstr(script, want));
		snprintf(want, sizeof(want), "ct mark & 0xffff0000 == %s meta mark set", cases[i].tag);
		assert_non_null(strstr(script, want));
		snprintf(want, sizeof(want), "ct mark set meta mark & 0x0000ffff | %s\n", cases[i].tag);
		assert_non_null(strstr(script, want));
		snprintf(want, sizeof(want), "@%s goto not_exposed", cases[i].made);
		assert_int_equal(count(script, want), 2);       /* in and out */
		snprintf(want, sizeof(want), "delete set inet zsec %s\n", cases[i].gone);
		assert_non_null(strstr(strstr(script, BORDER_SWAP_MARK), want));
		free(script);
		border_state_free(s);
	}
	plan_free(p);
}

/* Whether part (up to end) declares set or map name. */
static bool declares(const char *part, const char *end, const char *name)
{
	char set[80], map[80];
	const char *hit;

	snprintf(set, sizeof(set), "\tset %s {", name);
	snprintf(map, sizeof(map), "\tmap %s {", name);
	return ((hit = strstr(part, set)) && hit < end) || ((hit = strstr(part, map)) && hit < end);
}

/* The staging transactions run at the same time: no set is made by two of
 * them; and every set the rules use is made either by one of them or by
 * the replacement itself.  The staged ones are declared between the two
 * too, for the dry run of the replacement alone. */
static void test_script_stages(void **state)
{
	struct plan *p = plan_of(SEVERAL, "seg-a1");
	char *script = render(p, NULL), name[64];
	const char *swap = strstr(script, BORDER_SWAP_MARK), *check, *mid, *at;
	size_t n, used = 0;

	assert_non_null(swap);
	assert_int_equal(count(script, BORDER_STAGE_MARK), 1);
	assert_int_equal(count(script, BORDER_CHECK_MARK), 1);
	mid = strstr(script, BORDER_STAGE_MARK);
	check = strstr(script, BORDER_CHECK_MARK);
	assert_true(mid < check && check < swap);
	for (at = swap; (at = strchr(at, '@')); at += n) {
		n = strspn(++at, "abcdefghijklmnopqrstuvwxyz0123456789_");
		assert_true(n > 0 && n < sizeof(name));
		memcpy(name, at, n);
		name[n] = '\0';
		if (at[n] == ',' || declares(swap, swap + strlen(swap), name))
			continue;       /* a raw payload (@th,64,32), or made here */
		/* staged: by exactly one of the two, and declared for the check */
		assert_true(declares(script, mid, name) != declares(mid, check, name));
		assert_true(declares(check, swap, name));
		assert_true(name[n - 2] == '_');
		used++;
	}
	assert_true(used >= 12);        /* src, gateways, exposed, nat, limits, both families */
	free(script);
	plan_free(p);
}

/* ---- reading the table back ---- */

static void test_state_from_listings(void **state)
{
	struct border_state *s = state_new();
	struct border_counter *v;
	size_t n;
	char err[256] = "";

	assert_true(state_add(s, "gateways4_a",
		"{\"nftables\": [{\"metainfo\": {}}, {\"map\": {\"name\": \"gateways4_a\", \"elem\": ["
		"[{\"elem\": {\"val\": \"198.51.100.2\", \"comment\": \"bravo\"}}, 2],"
		"[{\"elem\": {\"val\": \"198.51.100.3\", \"comment\": \"bravo\"}}, 2],"
		"[{\"elem\": {\"val\": \"198.51.100.9\", \"comment\": \"alpha\"}}, 65537]]}}]}",
		err, sizeof(err)));
	assert_true(state_add(s, "gateways6_a",
		"{\"nftables\": [{\"metainfo\": {}}, {\"map\": {\"name\": \"gateways6_a\", \"elem\": ["
		"[{\"elem\": {\"val\": \"2001:db8::1\", \"comment\": \"delta\"}}, 4]]}}]}",
		err, sizeof(err)));
	assert_true(state_add(s, "not_exposed",
		"{\"nftables\": [{\"set\": {\"name\": \"not_exposed\", \"elem\": ["
		"{\"elem\": {\"val\": 2, \"counter\": {\"packets\": 5, \"bytes\": 500}}},"
		"{\"elem\": {\"val\": 0, \"counter\": {\"packets\": 1, \"bytes\": 60}}}]}}]}",
		err, sizeof(err)));
	assert_true(state_add(s, "accepted",
		"{\"nftables\": [{\"set\": {\"name\": \"accepted\"}}]}", err, sizeof(err)));
	/* the other generation's map (when the running one is unknown): each
	 * gateway once, or a replacement would delete its count twice */
	assert_true(state_add(s, "gateways4_b",
		"{\"nftables\": [{\"map\": {\"name\": \"gateways4_b\", \"elem\": ["
		"[{\"elem\": {\"val\": \"198.51.100.2\", \"comment\": \"bravo\"}}, 2]]}}]}",
		err, sizeof(err)));
	assert_int_equal(s->n_gateways, 4);
	assert_int_equal(state_gateway_id(s, "198.51.100.3"), 2);
	assert_int_equal(state_gateway_id(s, "2001:db8::1"), 4);
	assert_int_equal(state_gateway_id(s, "203.0.113.9"), 0);
	/* through the SAs of bravo's second gateway, of delta's, of no partner's */
	assert_true(state_add(s, "spoofed_sa4",
		"{\"nftables\": [{\"set\": {\"name\": \"spoofed_sa4\", \"elem\": ["
		"{\"elem\": {\"val\": \"198.51.100.3\", \"counter\": {\"packets\": 7, \"bytes\": 700}}},"
		"{\"elem\": {\"val\": \"203.0.113.9\", \"counter\": {\"packets\": 2, \"bytes\": 200}}}]}}]}",
		err, sizeof(err)));
	assert_true(state_add(s, "spoofed_sa6",
		"{\"nftables\": [{\"set\": {\"name\": \"spoofed_sa6\", \"elem\": ["
		"{\"elem\": {\"val\": \"2001:db8::1\", \"counter\": {\"packets\": 3, \"bytes\": 300}}}]}}]}",
		err, sizeof(err)));
	assert_false(state_add(s, "bogus", "{\"nftables\": [{\"set\": {}}]}", err, sizeof(err)));
	assert_false(state_add(s, "accepted", "{\"nftables\": []}", err, sizeof(err)));
	assert_int_equal(s->n_names, 3);                /* bravo once */
	assert_int_equal(state_name_find(s, "alpha")->id, 1); /* 1 << 16: the usual IKE limit */
	assert_int_equal(state_name_find(s, "bravo")->id, 2);
	assert_int_equal(state_name_find(s, "delta")->id, 4);
	assert_null(state_name_find(s, "echo"));

	assert_true(counters_of(s, &v, &n, err, sizeof(err)));
	assert_int_equal(n, 4);
	assert_string_equal(v[0].partner, "alpha");
	assert_string_equal(v[1].partner, "bravo");
	assert_true(v[1].dropped[BORDER_NOT_EXPOSED].packets == 5);
	assert_true(v[1].dropped[BORDER_NOT_EXPOSED].bytes == 500);
	assert_true(v[0].dropped[BORDER_NOT_EXPOSED].packets == 0);
	assert_string_equal(v[3].partner, "");          /* the border, last */
	assert_true(v[3].dropped[BORDER_NOT_EXPOSED].packets == 1);
	/* what spoofed through a gateway's SAs: its partner's */
	assert_true(v[1].dropped[BORDER_SPOOFED].packets == 7);
	assert_true(v[1].dropped[BORDER_SPOOFED].bytes == 700);
	assert_string_equal(v[2].partner, "delta");
	assert_true(v[2].dropped[BORDER_SPOOFED].packets == 3);
	assert_true(v[0].dropped[BORDER_SPOOFED].packets == 0);
	assert_true(v[3].dropped[BORDER_SPOOFED].packets == 2);
	free(v);
	border_state_free(s);
}

/* The generation in set generation's comment; 0 for anything else */
static void test_state_generation(void **state)
{
	static const struct {
		const char *comment;
		unsigned gen;
	} cases[] = {
		{ "generation 7", 7 }, { "generation 65534", GEN_MAX }, { "generation 65535", 0 },
		{ "generation a", 0 }, { "generation 7x", 0 }, { "generation ", 0 },
		{ "generation -1", 0 }, { "another comment", 0 },
	};
	struct border_state *s;
	char err[256] = "", json[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = state_new();
		snprintf(json, sizeof(json), "{\"nftables\": [{\"set\": {\"name\": \"generation\", "
		         "\"comment\": \"%s\"}}]}", cases[i].comment);
		assert_true(state_add(s, "generation", json, err, sizeof(err)));
		assert_int_equal(s->gen, cases[i].gen);
		border_state_free(s);
	}
}

static void test_reason_names(void **state)
{
	int r;

	for (r = 0; r < BORDER_REASONS; r++) {
		assert_non_null(border_reason_name(r));
		assert_non_null(count_set[r]);
		/* JSON keys are the counting sets' names */
		assert_string_equal(border_reason_key(r), count_set[r]);
	}
	assert_string_equal(border_reason_name(BORDER_SPOOFED), "spoofed source");
	assert_string_equal(border_reason_name(BORDER_REASONS), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_nft_output),
		cmocka_unit_test(test_json_refuses),
		cmocka_unit_test(test_profiles_shared),
		cmocka_unit_test(test_ids_stay),
		cmocka_unit_test(test_outermost),
		cmocka_unit_test(test_default_burst),
		cmocka_unit_test(test_script_invariants),
		cmocka_unit_test(test_script_no_partners),
		cmocka_unit_test(test_script_refuses_names),
		cmocka_unit_test(test_script_generations),
		cmocka_unit_test(test_script_stages),
		cmocka_unit_test(test_state_from_listings),
		cmocka_unit_test(test_state_generation),
		cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
