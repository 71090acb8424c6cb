/* yamlmap: the table-driven walk from a libyaml document into typed structs.
 * Every node keeps its line and column; unknown keys, duplicate keys, wrong
 * types and missing required keys are reported and the walk goes on, so one
 * pass shows every mistake. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct pos ym_pos(const yaml_node_t *n)
{
	struct pos p = { (uint32_t)n->start_mark.line + 1, (uint32_t)n->start_mark.column + 1 };

	return p;
}

const char *ym_kind(const yaml_node_t *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		return ym_is_null(n) ? "nothing" : "a scalar";
	default:
		return "nothing";
	}
}

bool ym_is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

yaml_node_t *ym_node(struct ym *y, int index)
{
	/* A budget on visited nodes: aliases may make a small document expand
	 * into an enormous one ("billion laughs"). */
	if (++y->visits > y->max_visits) {
		if (!y->over_budget)
			diag_error(y->d, y->src, (struct pos){ 1, 1 },
			           "document too large: its aliases expand to more than %zu nodes",
			           y->max_visits);
		y->over_budget = true;
		return NULL;
	}
	return yaml_document_get_node(y->doc, index);
}

bool ym_expect(struct ym *y, const yaml_node_t *n, yaml_node_type_t type, const char *what)
{
	static const char *names[] = {
		[YAML_SCALAR_NODE] = "a value",
		[YAML_SEQUENCE_NODE] = "a list",
		[YAML_MAPPING_NODE] = "a mapping",
	};

	if (n->type == type && !(type == YAML_SCALAR_NODE && ym_is_null(n)))
		return true;
	diag_error(y->d, y->src, ym_pos(n), "%s must be %s, not %s", what, names[type], ym_kind(n));
	return false;
}

const char *ym_scalar(struct ym *y, const yaml_node_t *n, const char *what)
{
	const char *v;

	if (!ym_expect(y, n, YAML_SCALAR_NODE, what))
		return NULL;
	v = (const char *)n->data.scalar.value;
	/* "\0" in a quoted scalar: C would read only what comes before it */
	if (strlen(v) != n->data.scalar.length) {
		diag_error(y->d, y->src, ym_pos(n), strncmp(what, "a ", 2) ?
		           "'%s' must not contain a NUL character" : "%s must not contain a NUL character",
		           what);
		return NULL;
	}
	return v;
}

/* Edit distance, for "did you mean" on a misspelt key. */
static unsigned distance(const char *a, const char *b)
{
	unsigned d[32][32], i, j, la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

	if (la >= 32 || lb >= 32)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			unsigned c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

static void unknown_key(struct ym *y, const yaml_node_t *k, const char *key, const char *ctx,
                        const struct ym_field *fields)
{
	const struct ym_field *f, *best = NULL;
	/* a short key is only a typo of a key one edit away */
	unsigned bd = strlen(key) <= 3 ? 2 : 3;

	for (f = fields; f->key; f++) {
		unsigned dd = distance(key, f->key);

		if (dd < bd) {
			bd = dd;
			best = f;
		}
	}
	if (best)
		diag_error(y->d, y->src, ym_pos(k), "unknown key '%s' in %s (did you mean '%s'?)",
		           key, ctx, best->key);
	else
		diag_error(y->d, y->src, ym_pos(k), "unknown key '%s' in %s", key, ctx);
}

void ym_map(struct ym *y, yaml_node_t *map, const char *ctx, const struct ym_field *fields,
            void *obj)
{
	yaml_node_pair_t *p;
	size_t nf = 0, i;
	struct pos seen[32];

	for (; fields[nf].key; nf++)
		;
	if (nf > 32)
		abort();
	memset(seen, 0, sizeof(seen));
	if (!ym_expect(y, map, YAML_MAPPING_NODE, ctx))
		return;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ym_node(y, p->key), *v = ym_node(y, p->value);
		const char *key;

		if (!k || !v)
			return;
		key = ym_scalar(y, k, "a key");
		if (!key)
			continue;
		for (i = 0; i < nf && strcmp(fields[i].key, key); i++)
			;
		if (i == nf) {
			unknown_key(y, k, key, ctx, fields);
			continue;
		}
		if (seen[i].line) {
			diag_error(y->d, y->src, ym_pos(k), "duplicate key '%s' in %s (first at line %u)",
			           key, ctx, seen[i].line);
			continue;
		}
		seen[i] = ym_pos(k);
		if (ym_is_null(v)) {
			diag_error(y->d, y->src, ym_pos(v), "'%s' in %s has no value", key, ctx);
			continue;
		}
		fields[i].handler(y, v, (char *)obj + fields[i].offset, key);
	}
	for (i = 0; i < nf; i++)
		if (fields[i].required && !seen[i].line)
			diag_error(y->d, y->src, ym_pos(map), "missing key '%s' in %s",
			           fields[i].key, ctx);
}

/* The item count of a list, or -1 with an error when n is not a list. */
long ym_list(struct ym *y, yaml_node_t *n, const char *what)
{
	if (!ym_expect(y, n, YAML_SEQUENCE_NODE, what))
		return -1;
	return (long)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *ym_item(struct ym *y, yaml_node_t *list, long i)
{
	return ym_node(y, list->data.sequence.items.start[i]);
}
