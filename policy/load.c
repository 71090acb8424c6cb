/* load: a topology file (schema version 1, DESIGN.md) into the typed model.
 * This file is the schema: one table of keys per mapping.  Only the shape
 * and the syntax of values are checked here; the rules are in validate.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define TOPO_MAX_BYTES (64u << 20)
#define ALIAS_BUDGET 100000

static struct pos no_pos;

/* ---- scalars ---- */

static void h_str(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tstr *s = field;
	const char *v = ym_scalar(y, n, key);

	if (!v)
		return;
	if (memchr(v, '\0', n->data.scalar.length)) {
		diag_error(y->d, y->src, ym_pos(n), "'%s' must not contain a NUL character", key);
		return;
	}
	if (strpbrk(v, "\r\n") || n->data.scalar.length > 1024) {
		diag_error(y->d, y->src, ym_pos(n), "'%s' must be a single line of at most 1024 characters", key);
		return;
	}
	s->s = arena_strndup(y->arena, v, n->data.scalar.length);
	s->pos = ym_pos(n);
}

static void h_addr(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct taddr *a = field;
	const char *v = ym_scalar(y, n, key), *why;
	struct prefix p;
	bool host_bits;

	if (!v)
		return;
	if (!addr_parse(v, &a->a)) {
		if (prefix_parse(v, &p, &host_bits))
			diag_error(y->d, y->src, ym_pos(n), "'%s' must be an address, not a prefix: '%s'", key, v);
		else
			diag_error(y->d, y->src, ym_pos(n), "'%s' is not an IPv4 or IPv6 address: '%s'", key, v);
		return;
	}
	if ((why = addr_special(&a->a))) {
		diag_error(y->d, y->src, ym_pos(n), "'%s' cannot be %s: '%s'", key, why, v);
		return;
	}
	a->pos = ym_pos(n);
	a->set = true;
}

/* Digits into *out; false if there are none.  *overflow tells a number
 * past 2^32-1 (its digits are consumed all the same). */
static bool parse_uint(const char *s, uint32_t *out, const char **end, bool *overflow)
{
	unsigned long long v = 0;

	*overflow = false;
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned)(*s++ - '0');
		if (v > UINT32_MAX) {
			*overflow = true;
			v = UINT32_MAX;
		}
	}
	*out = (uint32_t)v;
	*end = s;
	return true;
}

static void h_bool(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	const char *v = ym_scalar(y, n, key);

	if (!v)
		return;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		diag_error(y->d, y->src, ym_pos(n), "'%s' must be true or false, not the quoted string '%s'",
		           key, v);
	else if (!strcmp(v, "true"))
		*(bool *)field = true;
	else if (!strcmp(v, "false"))
		*(bool *)field = false;
	else
		diag_error(y->d, y->src, ym_pos(n), "'%s' must be true or false, not '%s'", key, v);
}

/* zsec: 1, and profiles' version: 2 (plain integers, not strings) */
static void h_int(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tnum *t = field;
	const char *v = ym_scalar(y, n, key), *end;
	bool overflow;

	if (!v)
		return;
	if (!parse_uint(v, &t->v, &end, &overflow) || *end) {
		diag_error(y->d, y->src, ym_pos(n), "'%s' must be a whole number, not '%s'", key, v);
		return;
	}
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		diag_error(y->d, y->src, ym_pos(n), "'%s' must be a whole number, not the quoted string '%s'",
		           key, v);
		return;
	}
	if (overflow) {
		diag_error(y->d, y->src, ym_pos(n), "'%s' is too large: '%s'", key, v);
		return;
	}
	t->pos = ym_pos(n);
}

/* "8h", "30m", "3600s", "1d" or a number of seconds */
static void h_duration(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tnum *t = field;
	const char *v = ym_scalar(y, n, key), *end;
	uint32_t num, mul = 1;
	bool overflow;

	if (!v)
		return;
	if (!parse_uint(v, &num, &end, &overflow))
		goto bad;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mul = 60;
		break;
	case 'h':
		mul = 3600;
		break;
	case 'd':
		mul = 86400;
		break;
	default:
		goto bad;
	}
	if (*end && end[1])
		goto bad;
	if (overflow || num > UINT32_MAX / mul) {
		diag_error(y->d, y->src, ym_pos(n), "'%s' is too long: '%s'", key, v);
		return;
	}
	t->v = num * mul;
	t->pos = ym_pos(n);
	return;
bad:
	diag_error(y->d, y->src, ym_pos(n),
	           "'%s' must be a duration such as 8h, 30m, 90s or 1d, not '%s'", key, v);
}

static void h_mode(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tnum *t = field;
	const char *v = ym_scalar(y, n, key);

	if (!v)
		return;
	if (!strcmp(v, "tunnel"))
		t->v = ESP_TUNNEL;
	else if (!strcmp(v, "transport"))
		t->v = ESP_TRANSPORT;
	else {
		diag_error(y->d, y->src, ym_pos(n), "'%s' must be tunnel or transport, not '%s'", key, v);
		return;
	}
	t->pos = ym_pos(n);
}

/* "500/s" or "500/s burst 50" */
static void h_rate(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct trate *r = field;
	const char *v = ym_scalar(y, n, key), *end;
	bool overflow, too_large;

	if (!v)
		return;
	if (!parse_uint(v, &r->per_sec, &end, &too_large) || strncmp(end, "/s", 2))
		goto bad;
	end += 2;
	if (!strncmp(end, " burst ", 7)) {
		if (!parse_uint(end + 7, &r->burst, &end, &overflow))
			goto bad;
		too_large |= overflow;
		if (!r->burst && !*end) {
			r->per_sec = 0;
			diag_error(y->d, y->src, ym_pos(n),
			           "limit '%s' has a burst of 0, which would drop everything: '%s'", key, v);
			return;
		}
	}
	if (*end)
		goto bad;
	if (too_large) {
		r->per_sec = r->burst = 0;
		diag_error(y->d, y->src, ym_pos(n), "limit '%s' is too large: '%s'", key, v);
		return;
	}
	r->pos = ym_pos(n);
	return;
bad:
	r->per_sec = r->burst = 0;
	diag_error(y->d, y->src, ym_pos(n),
	           "limit '%s' must be a rate such as 500/s or 500/s burst 50, not '%s'", key, v);
}

/* ---- lists ---- */

static void h_prefixes(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tprefixes *p = field;
	long i, count = ym_list(y, n, key);

	if (count < 0)
		return;
	p->at = ym_pos(n);
	p->items = (size_t)count;
	if (!count)
		diag_error(y->d, y->src, ym_pos(n), "'%s' needs at least one prefix", key);
	p->v = arena_array(y->arena, (size_t)count, sizeof(*p->v));
	p->pos = arena_array(y->arena, (size_t)count, sizeof(*p->pos));
	for (i = 0; i < count; i++) {
		yaml_node_t *item = ym_item(y, n, i);
		const char *v;
		bool host_bits;

		if (!item)
			return;
		v = ym_scalar(y, item, "a prefix");
		if (!v)
			continue;
		if (!prefix_parse(v, &p->v[p->n], &host_bits)) {
			diag_error(y->d, y->src, ym_pos(item), "'%s' is not an IPv4 or IPv6 prefix", v);
			continue;
		}
		/* a length left out is a mistake more often than a host */
		if (!strchr(v, '/')) {
			diag_error(y->d, y->src, ym_pos(item),
			           "prefix '%s' has no length (for one host: %s/%u)", v, v,
			           (unsigned)p->v[p->n].len);
			continue;
		}
		if (host_bits) {
			char buf[PREFIX_STRLEN];

			diag_error(y->d, y->src, ym_pos(item),
			           "prefix '%s' has host bits set (did you mean %s?)", v,
			           prefix_str(&p->v[p->n], buf));
			continue;
		}
		p->pos[p->n++] = ym_pos(item);
	}
}

static void h_proposals(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tstrs *p = field;
	long i, count = ym_list(y, n, key);

	if (count < 0)
		return;
	p->at = ym_pos(n);
	p->v = arena_array(y->arena, (size_t)count, sizeof(*p->v));
	for (i = 0; i < count; i++) {
		yaml_node_t *item = ym_item(y, n, i);

		if (!item)
			return;
		if (ym_is_null(item) && !strcmp((const char *)item->data.scalar.value, "null")) {
			/* the integrity-only ESP proposal, read by YAML as nothing */
			diag_error(y->d, y->src, ym_pos(item),
			           "write 'null' in quotes: unquoted, YAML reads it as no value");
			continue;
		}
		h_str(y, item, &p->v[p->n], "a proposal");
		if (p->v[p->n].s)
			p->n++;
	}
	if (!count)
		diag_error(y->d, y->src, ym_pos(n), "'%s' needs at least one proposal", key);
}

/* A list of mappings, each read by `fields` into an array of `size`-byte objects. */
static void *map_list(struct ym *y, yaml_node_t *n, const char *key, const char *ctx,
                      const struct ym_field *fields, size_t size, size_t *count,
                      void (*init)(void *))
{
	long i, len = ym_list(y, n, key);
	char *v;

	*count = 0;
	if (len < 0)
		return NULL;
	v = arena_array(y->arena, (size_t)len, size);
	for (i = 0; i < len; i++) {
		yaml_node_t *item = ym_item(y, n, i);
		void *obj = v + (size_t)i * size;

		if (!item)
			break;
		if (init)
			init(obj);
		*(struct pos *)obj = ym_pos(item);      /* every object starts with `at` */
		ym_map(y, item, ctx, fields, obj);
	}
	*count = (size_t)i;
	return v;
}

/* ---- mappings ---- */

static const struct ym_field trust_fields[] = {
	YM_FIELD("ca", false, h_str, struct ttrust, ca),
	YM_FIELD("psk", false, h_str, struct ttrust, psk),
	{ 0 }
};

static void h_trust(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct ttrust *t = field;
	unsigned errors = y->d->errors;

	(void)key;
	ym_map(y, n, "trust", trust_fields, t);
	/* a trust whose own keys are wrong gets no second error for being empty */
	if (y->d->errors == errors)
		t->at = ym_pos(n);
}

static const struct ym_field gateway_fields[] = {
	YM_FIELD("name", true, h_str, struct tgateway, name),
	YM_FIELD("outside", true, h_addr, struct tgateway, outside),
	YM_FIELD("inside", true, h_addr, struct tgateway, inside),
	YM_FIELD("id", true, h_str, struct tgateway, id),
	YM_FIELD("cert", true, h_str, struct tgateway, cert),
	YM_FIELD("key", true, h_str, struct tgateway, key),
	{ 0 }
};

static void h_gateways(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tgateways *g = field;

	g->v = map_list(y, n, key, "gateway", gateway_fields, sizeof(*g->v), &g->n, NULL);
	if (g->v)
		g->at = ym_pos(n);
}

static const struct ym_field element_fields[] = {
	YM_FIELD("name", true, h_str, struct telement, name),
	YM_FIELD("address", true, h_addr, struct telement, address),
	YM_FIELD("gateway", true, h_str, struct telement, gateway),
	YM_FIELD("id", true, h_str, struct telement, id),
	YM_FIELD("cert", true, h_str, struct telement, cert),
	YM_FIELD("key", true, h_str, struct telement, key),
	YM_FIELD("confidentiality", false, h_bool, struct telement, confidentiality),
	{ 0 }
};

static void element_init(void *obj)
{
	((struct telement *)obj)->gw = -1;
}

static void h_elements(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct telements *e = field;

	e->at = ym_pos(n);
	e->v = map_list(y, n, key, "element", element_fields, sizeof(*e->v), &e->n, element_init);
}

static const struct ym_field domain_fields[] = {
	YM_FIELD("name", true, h_str, struct tdomain, name),
	YM_FIELD("prefixes", true, h_prefixes, struct tdomain, prefixes),
	YM_FIELD("trust", true, h_trust, struct tdomain, trust),
	YM_FIELD("gateways", true, h_gateways, struct tdomain, gateways),
	YM_FIELD("elements", false, h_elements, struct tdomain, elements),
	{ 0 }
};

static void h_domain(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tdomain *d = field;

	(void)key;
	d->at = ym_pos(n);
	ym_map(y, n, "domain", domain_fields, d);
}

static const struct ym_field peer_fields[] = {
	YM_FIELD("name", true, h_str, struct tpeer, name),
	YM_FIELD("address", true, h_addr, struct tpeer, address),
	YM_FIELD("id", true, h_str, struct tpeer, id),
	{ 0 }
};

static void h_peers(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tpeers *p = field;

	p->v = map_list(y, n, key, "partner gateway", peer_fields, sizeof(*p->v), &p->n, NULL);
	if (p->v)
		p->at = ym_pos(n);
}

/* links: [[our gateway, their gateway], ...] */
static void h_links(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tlinks *l = field;
	long i, count = ym_list(y, n, key);

	if (count < 0)
		return;
	l->at = ym_pos(n);
	if (!count)
		diag_error(y->d, y->src, ym_pos(n), "'%s' needs at least one link [our gateway, their gateway]", key);
	l->v = arena_array(y->arena, (size_t)count, sizeof(*l->v));
	for (i = 0; i < count; i++) {
		yaml_node_t *item = ym_item(y, n, i), *a, *b;
		struct tlink *k = &l->v[l->n];

		if (!item)
			return;
		if (item->type != YAML_SEQUENCE_NODE || ym_list(y, item, "a link") != 2) {
			diag_error(y->d, y->src, ym_pos(item),
			           "a link must be a pair [our gateway, their gateway]");
			continue;
		}
		a = ym_item(y, item, 0);
		b = ym_item(y, item, 1);
		if (!a || !b)
			return;
		k->at = ym_pos(item);
		k->our_gw = k->their_gw = -1;
		h_str(y, a, &k->ours, "our gateway");
		h_str(y, b, &k->theirs, "their gateway");
		if (k->ours.s && k->theirs.s)
			l->n++;
	}
}

static const struct ym_field limits_fields[] = {
	YM_FIELD("ike", false, h_rate, struct tlimits, ike),
	YM_FIELD("packets", false, h_rate, struct tlimits, packets),
	YM_FIELD("sip", false, h_rate, struct tlimits, sip),
	{ 0 }
};

static void h_limits(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tlimits *l = field;

	(void)key;
	l->at = ym_pos(n);
	ym_map(y, n, "limits", limits_fields, l);
}

static const struct ym_field partner_fields[] = {
	YM_FIELD("name", true, h_str, struct tpartner, name),
	YM_FIELD("prefixes", true, h_prefixes, struct tpartner, prefixes),
	YM_FIELD("trust", true, h_trust, struct tpartner, trust),
	YM_FIELD("gateways", true, h_peers, struct tpartner, gateways),
	YM_FIELD("links", true, h_links, struct tpartner, links),
	YM_FIELD("expose", true, h_prefixes, struct tpartner, expose),
	YM_FIELD("present-as", false, h_prefixes, struct tpartner, present_as),
	YM_FIELD("limits", false, h_limits, struct tpartner, limits),
	{ 0 }
};

static void h_partners(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tpartners *p = field;

	p->at = ym_pos(n);
	p->v = map_list(y, n, key, "partner", partner_fields, sizeof(*p->v), &p->n, NULL);
}

static const struct ym_field profile_fields[] = {
	YM_FIELD("ike", false, h_proposals, struct tprofile, ike),
	YM_FIELD("esp", false, h_proposals, struct tprofile, esp),
	YM_FIELD("lifetime", false, h_duration, struct tprofile, lifetime),
	YM_FIELD("ike-lifetime", false, h_duration, struct tprofile, ike_lifetime),
	YM_FIELD("mode", false, h_mode, struct tprofile, mode),
	YM_FIELD("version", false, h_int, struct tprofile, version),
	{ 0 }
};

static void h_profile(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tprofile *p = field;
	char ctx[32];

	snprintf(ctx, sizeof(ctx), "profile %s", key);
	p->at = ym_pos(n);
	ym_map(y, n, ctx, profile_fields, p);
}

static const struct ym_field profiles_fields[] = {
	YM_FIELD("za", false, h_profile, struct tprofiles, za),
	YM_FIELD("zb", false, h_profile, struct tprofiles, zb),
	{ 0 }
};

static void h_profiles(struct ym *y, yaml_node_t *n, void *field, const char *key)
{
	struct tprofiles *p = field;

	(void)key;
	p->at = ym_pos(n);
	ym_map(y, n, "profiles", profiles_fields, p);
}

static const struct ym_field top_fields[] = {
	YM_FIELD("zsec", true, h_int, struct topo, version),
	YM_FIELD("domain", true, h_domain, struct topo, domain),
	YM_FIELD("partners", false, h_partners, struct topo, partners),
	YM_FIELD("profiles", false, h_profiles, struct topo, profiles),
	{ 0 }
};

/* ---- the document ---- */

/* The line and column of a byte offset, for libyaml's reader errors. */
static struct pos pos_of_offset(const struct source *src, size_t offset)
{
	struct pos pos = { 1, 1 };
	size_t i;

	/* columns count characters, as libyaml's marks do: UTF-8
	 * continuation bytes do not advance them */
	for (i = 0; i < offset && i < src->len; i++) {
		if (src->text[i] == '\n') {
			pos.line++;
			pos.col = 1;
		} else if (((unsigned char)src->text[i] & 0xc0) != 0x80) {
			pos.col++;
		}
	}
	return pos;
}

static void yaml_problem(struct diags *d, const struct source *src, const yaml_parser_t *p)
{
	const yaml_mark_t *m = p->context ? &p->context_mark : &p->problem_mark;
	struct pos pos = { (uint32_t)p->problem_mark.line + 1, (uint32_t)p->problem_mark.column + 1 };

	/* the reader (bad UTF-8, control characters) gives an offset, no mark */
	if (p->error == YAML_READER_ERROR) {
		diag_error(d, src, pos_of_offset(src, p->problem_offset), "YAML syntax: %s",
		           p->problem ? p->problem : "error");
		return;
	}

	if (p->context)
		diag_error(d, src, pos, "YAML syntax: %s %s (line %zu)", p->problem ? p->problem : "error",
		           p->context, m->line + 1);
	else
		diag_error(d, src, pos, "YAML syntax: %s", p->problem ? p->problem : "error");
}

static const char *dir_of(struct arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return ".";
	if (slash == path)
		return "/";
	return arena_strndup(a, path, (size_t)(slash - path));
}

struct topo *topo_load_buffer(const char *path, const char *text, size_t len, struct diags *d)
{
	struct arena *a = arena_new();
	struct topo *t = arena_alloc(a, sizeof(*t));
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct ym y = { .d = d, .arena = a };

	t->arena = a;
	t->src.path = arena_strdup(a, path);
	t->src.text = arena_strndup(a, text, len);
	t->src.len = len;
	t->dir = dir_of(a, path);
	y.src = &t->src;

	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)t->src.text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_problem(d, &t->src, &parser);
		yaml_parser_delete(&parser);
		goto defaults;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		diag_error(d, &t->src, no_pos, "the file is empty; a topology starts with 'zsec: 1'");
	} else {
		yaml_document_t next;

		y.doc = &doc;
		/* anchors shared by many partners are fine; exponential expansion
		 * is not: a budget far above any real file, far below a bomb */
		y.max_visits = (size_t)(doc.nodes.top - doc.nodes.start) * 4 + ALIAS_BUDGET;
		ym_map(&y, root, "the topology", top_fields, t);
		t->incomplete = y.over_budget;
		if (!yaml_parser_load(&parser, &next))
			yaml_problem(d, &t->src, &parser);
		else {
			if (yaml_document_get_root_node(&next))
				diag_error(d, &t->src,
				           (struct pos){ (uint32_t)next.start_mark.line + 1,
				                         (uint32_t)next.start_mark.column + 1 },
				           "a topology file holds one YAML document, this is a second");
			yaml_document_delete(&next);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
defaults:
	profile_defaults(a, &t->profiles.za, &t->profiles.zb);
	return t;
}

struct topo *topo_load(const char *path, struct diags *d)
{
	struct topo *t = NULL;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		diag_error(d, &(struct source){ .path = path }, no_pos, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		diag_error(d, &(struct source){ .path = path }, no_pos, "not a regular file");
		goto out;
	}
	if (st.st_size > TOPO_MAX_BYTES) {
		diag_error(d, &(struct source){ .path = path }, no_pos, "larger than %u MiB",
		           TOPO_MAX_BYTES >> 20);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	while (len < (size_t)st.st_size && (r = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)r;
	if (len != (size_t)st.st_size) {
		diag_error(d, &(struct source){ .path = path }, no_pos, "cannot read: %s",
		           strerror(errno ? errno : EIO));
		goto out;
	}
	t = topo_load_buffer(path, buf, len, d);
out:
	free(buf);
	close(fd);
	return t;
}

const char *topo_path(struct topo *t, const char *rel)
{
	if (!rel || rel[0] == '/' || !strcmp(t->dir, "."))
		return rel;
	return arena_printf(t->arena, "%s/%s", strcmp(t->dir, "/") ? t->dir : "", rel);
}

void topo_free(struct topo *t)
{
	if (t)
		arena_free(t->arena);
}
