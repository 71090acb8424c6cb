/* diff: the change set between the running plan and a new one: nothing for
 * equal plans, exactly what changed otherwise, in the order zsecd applies
 * it (guard additions, Border Element rules, links new/changed/removed,
 * guard removals). */
#include "unit.h"

/* A third partner, like operator-c (unit.h): seen by nobody inside. */
#define OPERATOR_D_YAML \
	"  - name: operator-d\n" \
	"    prefixes: [10.4.0.0/16]\n" \
	"    trust: { ca: pki/operator-d-ca.pem }\n" \
	"    gateways:\n" \
	"      - { name: seg-d1, address: 203.0.113.4, id: seg-d1.operator-d.example }\n" \
	"    links: [[seg-a1, seg-d1]]\n" \
	"    expose: [10.1.8.0/24]\n"

#define B_LIMITS "    limits: { ike: 10/s, packets: 20000/s, sip: 500/s }\n"

/* Plan of node for operator-a plus `more` (partners appended), with edits
 * (from, to pairs, NULL-terminated) applied. */
static struct plan *plan_with(const char *node, const char *more, ...)
{
	va_list ap;
	const char *from;
	char *yaml = concat(operator_a_yaml(), more);
	struct plan *p;

	va_start(ap, more);
	while ((from = va_arg(ap, const char *)))
		yaml = edit_free(yaml, from, va_arg(ap, const char *));
	va_end(ap);
	p = plan_of(yaml, node);
	free(yaml);
	return p;
}

/* A run of n changes of one op and kind about one name (a link's, a
 * partner's, or the link of a guard entry). */
struct run {
	enum change_op op;
	enum change_kind kind;
	const char *name;
	size_t n;
};

static const char *op_name(enum change_op op)
{
	return op == CHANGE_ADD ? "add" : op == CHANGE_MODIFY ? "modify" : op == CHANGE_REMOVE ? "remove" : "?";
}

static const char *kind_name(enum change_kind k)
{
	return k == CHANGE_GUARD ? "guard" : k == CHANGE_PARTNER ? "partner" :
	       k == CHANGE_DOMAIN ? "domain" : k == CHANGE_LINK ? "link" : "?";
}

static bool within(const void *x, const void *base, size_t n, size_t size)
{
	return n && (const char *)x >= (const char *)base &&
	       (const char *)x < (const char *)base + n * size &&
	       ((size_t)((const char *)x - (const char *)base)) % size == 0;
}

/* x points at an element of the right array of plan p */
static void expect_into(const void *x, const struct plan *p, enum change_kind kind)
{
	bool ok = kind == CHANGE_GUARD ? within(x, p->guards, p->n_guards, sizeof(*p->guards)) :
	          kind == CHANGE_PARTNER ? within(x, p->partners, p->n_partners, sizeof(*p->partners)) :
	          kind == CHANGE_DOMAIN ? x == p :
	          within(x, p->links, p->n_links, sizeof(*p->links));

	if (!ok)
		fail_msg("a %s change points outside its plan", kind_name(kind));
}

static const char *change_name(const struct change *c)
{
	const void *x = c->new ? c->new : c->old;

	switch (c->kind) {
	case CHANGE_GUARD:
		return ((const struct plan_guard *)x)->link;
	case CHANGE_PARTNER:
		return ((const struct plan_partner *)x)->name;
	case CHANGE_DOMAIN:
		return ((const struct plan *)x)->domain;
	case CHANGE_LINK:
		return ((const struct plan_link *)x)->name;
	}
	return "?";
}

static void dump_diff(const struct plan_diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		print_message("#   %zu: %s %s %s\n", i, op_name(d->v[i].op), kind_name(d->v[i].kind),
		              change_name(&d->v[i]));
}

/* The change set of old -> new is exactly the runs, in order; every change
 * points into the right plan (old for what goes, new for what comes). */
static void expect_diff(const struct plan *old, const struct plan *new, const struct run *runs, size_t nr)
{
	struct plan_diff d = { 0 };
	size_t i, k = 0, total = 0;

	plan_diff(old, new, &d);
	for (i = 0; i < nr; i++)
		total += runs[i].n;
	if (d.n != total) {
		dump_diff(&d);
		fail_msg("%zu changes, expected %zu", d.n, total);
	}
	for (i = 0; i < nr; i++) {
		size_t j;

		for (j = 0; j < runs[i].n; j++, k++) {
			const struct change *c = &d.v[k];

			if (c->op != runs[i].op || c->kind != runs[i].kind || strcmp(change_name(c), runs[i].name)) {
				dump_diff(&d);
				fail_msg("change %zu: %s %s %s, expected %s %s %s", k, op_name(c->op),
				         kind_name(c->kind), change_name(c), op_name(runs[i].op),
				         kind_name(runs[i].kind), runs[i].name);
			}
			if (c->op == CHANGE_ADD) {
				assert_null(c->old);
				expect_into(c->new, new, c->kind);
			} else if (c->op == CHANGE_REMOVE) {
				assert_null(c->new);
				expect_into(c->old, old, c->kind);
			} else {
				expect_into(c->old, old, c->kind);
				expect_into(c->new, new, c->kind);
			}
		}
	}
	plan_diff_free(&d);
	assert_null(d.v);
	assert_int_equal(d.n, 0);
}

#define EXPECT_DIFF(old, new, ...) do { \
	const struct run r_[] = { __VA_ARGS__ }; \
	expect_diff(old, new, r_, sizeof(r_) / sizeof(*r_)); \
} while (0)

#define EXPECT_NO_DIFF(old, new) expect_diff(old, new, NULL, 0)

static void test_identical_plans(void **state)
{
	struct plan *a = plan_with("seg-a1", OPERATOR_C_YAML, NULL);
	struct plan *b = plan_with("seg-a1", OPERATOR_C_YAML, NULL);
	struct plan *e = plan_of(operator_a_yaml(), "pcscf-1"), *f = plan_of(operator_a_yaml(), "pcscf-1");

	(void)state;
	EXPECT_NO_DIFF(a, b);
	EXPECT_NO_DIFF(a, a);
	EXPECT_NO_DIFF(e, f);
	plan_free(a);
	plan_free(b);
	plan_free(e);
	plan_free(f);
}

/* Order in the file is not a change: the plans are sorted. */
static void test_reordered_file_is_no_change(void **state)
{
	struct plan *a = plan_with("seg-a1", OPERATOR_C_YAML OPERATOR_D_YAML, NULL);
	char *yaml = concat(operator_a_yaml(), OPERATOR_D_YAML OPERATOR_C_YAML);
	struct plan *b;

	(void)state;
	yaml = edit_free(yaml, "    - name: pcscf-1\n      address: 10.1.1.10\n      gateway: seg-a1\n"
	                 "      id: pcscf-1.operator-a.example\n      cert: pki/pcscf-1.pem\n"
	                 "      key: pki/pcscf-1.key\n", "");
	yaml = edit_free(yaml, "partners:\n", "    - name: pcscf-1\n      address: 10.1.1.10\n"
	                 "      gateway: seg-a1\n      id: pcscf-1.operator-a.example\n"
	                 "      cert: pki/pcscf-1.pem\n      key: pki/pcscf-1.key\npartners:\n");
	b = plan_of(yaml, "seg-a1");
	EXPECT_NO_DIFF(a, b);
	free(yaml);
	plan_free(a);
	plan_free(b);
}

static void test_partner_limits_changed(void **state)
{
	struct plan *old = plan_with("seg-a1", OPERATOR_C_YAML, NULL);
	struct plan *new = plan_with("seg-a1", OPERATOR_C_YAML, B_LIMITS,
	                             "    limits: { ike: 10/s, packets: 20000/s, sip: 600/s burst 50 }\n", NULL);
	struct plan_diff d = { 0 };

	(void)state;
	EXPECT_DIFF(old, new, { CHANGE_MODIFY, CHANGE_PARTNER, "operator-b", 1 });
	plan_diff(old, new, &d);
	assert_ptr_equal(d.v[0].old, &old->partners[0]);
	assert_ptr_equal(d.v[0].new, &new->partners[0]);
	assert_int_equal(((const struct plan_partner *)d.v[0].old)->sip.per_sec, 500);
	assert_int_equal(((const struct plan_partner *)d.v[0].new)->sip.per_sec, 600);
	assert_int_equal(((const struct plan_partner *)d.v[0].new)->sip.burst, 50);
	plan_diff_free(&d);
	/* a limit dropped altogether is a change too, and the elements see nothing */
	plan_free(new);
	new = plan_with("seg-a1", OPERATOR_C_YAML, B_LIMITS, "", NULL);
	EXPECT_DIFF(old, new, { CHANGE_MODIFY, CHANGE_PARTNER, "operator-b", 1 });
	plan_free(new);
	new = plan_with("pcscf-1", OPERATOR_C_YAML, B_LIMITS, "", NULL);
	plan_free(old);
	old = plan_with("pcscf-1", OPERATOR_C_YAML, NULL);
	EXPECT_NO_DIFF(old, new);
	plan_free(old);
	plan_free(new);
}

static void test_partner_removed(void **state)
{
	struct plan *old = plan_with("seg-a1", OPERATOR_C_YAML, NULL);
	struct plan *new = plan_with("seg-a1", "", NULL);

	(void)state;
	assert_int_equal(old->n_guards, new->n_guards + 10);
	EXPECT_DIFF(old, new,
	            { CHANGE_REMOVE, CHANGE_PARTNER, "operator-c", 1 },
	            { CHANGE_REMOVE, CHANGE_LINK, "za:operator-c:seg-c1", 1 },
	            { CHANGE_REMOVE, CHANGE_GUARD, "za:operator-c:seg-c1", 10 });
	plan_free(old);
	plan_free(new);
}

static void test_partner_added(void **state)
{
	struct plan *old = plan_with("seg-a1", "", NULL);
	struct plan *new = plan_with("seg-a1", OPERATOR_C_YAML, NULL);

	(void)state;
	EXPECT_DIFF(old, new,
	            { CHANGE_ADD, CHANGE_GUARD, "za:operator-c:seg-c1", 10 },
	            { CHANGE_ADD, CHANGE_PARTNER, "operator-c", 1 },
	            { CHANGE_ADD, CHANGE_LINK, "za:operator-c:seg-c1", 1 });
	plan_free(old);
	plan_free(new);
}

/* Everything at once, in apply order: guard additions first (fail closed
 * before anything else changes), then the Border Element rules, then links
 * new, changed, removed (make before break), guard removals last. */
static void test_change_order(void **state)
{
	struct plan *old = plan_with("seg-a1", OPERATOR_C_YAML, NULL);
	struct plan *new = plan_with("seg-a1", OPERATOR_D_YAML, B_LIMITS,
	                             "    limits: { ike: 20/s, packets: 20000/s, sip: 500/s }\n",
	                             "      key: pki/pcscf-1.key\n",
	                             "      key: pki/pcscf-1.key\n      confidentiality: true\n", NULL);

	(void)state;
	EXPECT_DIFF(old, new,
	            { CHANGE_ADD, CHANGE_GUARD, "za:operator-d:seg-d1", 10 },
	            { CHANGE_MODIFY, CHANGE_PARTNER, "operator-b", 1 },
	            { CHANGE_REMOVE, CHANGE_PARTNER, "operator-c", 1 },
	            { CHANGE_ADD, CHANGE_PARTNER, "operator-d", 1 },
	            { CHANGE_ADD, CHANGE_LINK, "za:operator-d:seg-d1", 1 },
	            { CHANGE_MODIFY, CHANGE_LINK, "zb:pcscf-1", 1 },
	            { CHANGE_REMOVE, CHANGE_LINK, "za:operator-c:seg-c1", 1 },
	            { CHANGE_REMOVE, CHANGE_GUARD, "za:operator-c:seg-c1", 10 });
	plan_free(old);
	plan_free(new);
}

/* A changed exposure changes the Za link, the partner's rules and the guard
 * entries of the old and new selectors, and the Zb links of the elements it
 * takes in or leaves out. */
static void test_exposure_changed(void **state)
{
	struct plan *old = plan_with("seg-a1", "", NULL);
	struct plan *new = plan_with("seg-a1", "", "    expose: [10.1.1.0/24]", "    expose: [10.1.1.0/28]", NULL);

	(void)state;
	/* pcscf-1 (10.1.1.10) stays exposed, icscf-1 (10.1.1.20) no longer is:
	 * its link now reaches the gateway only */
	EXPECT_DIFF(old, new,
	            { CHANGE_ADD, CHANGE_GUARD, "za:operator-b:seg-b1", 4 },
	            { CHANGE_ADD, CHANGE_GUARD, "zb:icscf-1", 4 },
	            { CHANGE_MODIFY, CHANGE_PARTNER, "operator-b", 1 },
	            { CHANGE_MODIFY, CHANGE_LINK, "za:operator-b:seg-b1", 1 },
	            { CHANGE_MODIFY, CHANGE_LINK, "zb:icscf-1", 1 },
	            { CHANGE_REMOVE, CHANGE_GUARD, "za:operator-b:seg-b1", 4 },
	            { CHANGE_REMOVE, CHANGE_GUARD, "zb:icscf-1", 4 });
	plan_free(old);
	plan_free(new);
}

/* The domain's prefixes: the Border Element rules change, nothing else of
 * a gateway; an element's plan has none. */
static void test_domain_prefixes_changed(void **state)
{
	static const char *const from = "  prefixes: [10.1.0.0/16]\n";
	static const char *const to = "  prefixes: [10.1.0.0/16, 10.9.0.0/16]\n";
	struct plan *old = plan_with("seg-a1", "", NULL);
	struct plan *new = plan_with("seg-a1", "", from, to, NULL);
	char *text = NULL;
	size_t len;
	FILE *fp = open_memstream(&text, &len);
	struct plan_diff d;

	(void)state;
	EXPECT_DIFF(old, new, { CHANGE_MODIFY, CHANGE_DOMAIN, "operator-a", 1 });
	assert_non_null(fp);
	plan_diff(old, new, &d);
	plan_diff_render(fp, &d);
	fclose(fp);
	assert_string_equal(text, "~ domain prefixes\n"
	                          "\t- 10.1.0.0/16\n"
	                          "\t+ 10.1.0.0/16 10.9.0.0/16\n"
	                          "1 change: 0 to add, 1 to change, 0 to remove\n");
	free(text);
	plan_diff_free(&d);
	plan_free(old);
	plan_free(new);
	old = plan_with("pcscf-1", "", NULL);
	new = plan_with("pcscf-1", "", from, to, NULL);
	plan_diff(old, new, &d);
	assert_int_equal(d.n, 0);
	plan_diff_free(&d);
	plan_free(old);
	plan_free(new);
}

/* An element's plan when its gateway's inside address moves: the link and
 * its six bypass entries change, the discard entries stay. */
static void test_element_gateway_moved(void **state)
{
	struct plan *old = plan_with("pcscf-1", "", NULL);
	struct plan *new = plan_with("pcscf-1", "", "      inside: 10.1.0.1\n", "      inside: 10.1.0.5\n", NULL);

	(void)state;
	EXPECT_DIFF(old, new,
	            { CHANGE_ADD, CHANGE_GUARD, "zb:seg-a1", 6 },
	            { CHANGE_MODIFY, CHANGE_LINK, "zb:seg-a1", 1 },
	            { CHANGE_REMOVE, CHANGE_GUARD, "zb:seg-a1", 6 });
	plan_free(old);
	plan_free(new);
}

static void test_diff_from_nothing(void **state)
{
	struct plan *p = plan_with("seg-a1", OPERATOR_C_YAML, NULL);
	struct plan_diff d = { 0 };
	size_t i, k = 0;

	(void)state;
	plan_diff(NULL, p, &d);
	assert_int_equal(d.n, p->n_guards + p->n_partners + 1 + p->n_links);
	assert_int_equal(d.n, 40 + 2 + 1 + 4);
	for (i = 0; i < p->n_guards; i++, k++) {
		assert_int_equal(d.v[k].op, CHANGE_ADD);
		assert_int_equal(d.v[k].kind, CHANGE_GUARD);
		assert_null(d.v[k].old);
		assert_ptr_equal(d.v[k].new, &p->guards[i]);
	}
	for (i = 0; i < p->n_partners; i++, k++) {
		assert_int_equal(d.v[k].op, CHANGE_ADD);
		assert_int_equal(d.v[k].kind, CHANGE_PARTNER);
		assert_ptr_equal(d.v[k].new, &p->partners[i]);
	}
	assert_int_equal(d.v[k].op, CHANGE_ADD);
	assert_int_equal(d.v[k].kind, CHANGE_DOMAIN);
	assert_null(d.v[k].old);
	assert_ptr_equal(d.v[k++].new, p);
	for (i = 0; i < p->n_links; i++, k++) {
		assert_int_equal(d.v[k].op, CHANGE_ADD);
		assert_int_equal(d.v[k].kind, CHANGE_LINK);
		assert_ptr_equal(d.v[k].new, &p->links[i]);
	}
	plan_diff_free(&d);

	/* and back: the empty plan removes everything */
	{
		static const struct plan empty;

		plan_diff(p, &empty, &d);
		assert_int_equal(d.n, 47);
		assert_int_equal(d.v[0].op, CHANGE_REMOVE);
		assert_int_equal(d.v[0].kind, CHANGE_PARTNER);
		assert_int_equal(d.v[2].kind, CHANGE_DOMAIN);
		assert_ptr_equal(d.v[2].old, p);
		assert_null(d.v[2].new);
		assert_int_equal(d.v[3].kind, CHANGE_LINK);
		assert_int_equal(d.v[46].kind, CHANGE_GUARD);
		assert_ptr_equal(d.v[46].old, &p->guards[39]);
		plan_diff_free(&d);
	}
	plan_free(p);
}

/* A plan from a different node: nothing in common but the names it shares. */
static void test_diff_between_nodes(void **state)
{
	struct plan *a = plan_with("seg-a1", "", NULL), *b = plan_with("seg-a2", "", NULL);

	(void)state;
	EXPECT_DIFF(a, b,
	            { CHANGE_ADD, CHANGE_GUARD, "zb:hss-1", 10 },
	            { CHANGE_ADD, CHANGE_GUARD, "zb:scscf-1", 10 },
	            { CHANGE_REMOVE, CHANGE_PARTNER, "operator-b", 1 },
	            { CHANGE_ADD, CHANGE_LINK, "zb:hss-1", 1 },
	            { CHANGE_ADD, CHANGE_LINK, "zb:scscf-1", 1 },
	            { CHANGE_REMOVE, CHANGE_LINK, "za:operator-b:seg-b1", 1 },
	            { CHANGE_REMOVE, CHANGE_LINK, "zb:icscf-1", 1 },
	            { CHANGE_REMOVE, CHANGE_LINK, "zb:pcscf-1", 1 },
	            { CHANGE_REMOVE, CHANGE_GUARD, "za:operator-b:seg-b1", 10 },
	            { CHANGE_REMOVE, CHANGE_GUARD, "zb:icscf-1", 10 },
	            { CHANGE_REMOVE, CHANGE_GUARD, "zb:pcscf-1", 10 });
	plan_free(a);
	plan_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical_plans),
		cmocka_unit_test(test_reordered_file_is_no_change),
		cmocka_unit_test(test_partner_limits_changed),
		cmocka_unit_test(test_partner_removed),
		cmocka_unit_test(test_partner_added),
		cmocka_unit_test(test_change_order),
		cmocka_unit_test(test_exposure_changed),
		cmocka_unit_test(test_domain_prefixes_changed),
		cmocka_unit_test(test_element_gateway_moved),
		cmocka_unit_test(test_diff_from_nothing),
		cmocka_unit_test(test_diff_between_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
