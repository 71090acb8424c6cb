/* json: a small JSON reader for what `nft -j` prints, so that reading the
 * running table needs no library beyond libnftables.  Strict enough to
 * refuse what is not JSON; numbers are kept as text (counters are 64 bits,
 * more than a double holds exactly). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DEPTH_MAX 64

struct reader {
	struct arena *a;
	const char *s;
	char *err;
	size_t len;
	bool failed;
};

static void fail(struct reader *r, const char *what)
{
	if (!r->failed)
		snprintf(r->err, r->len, "JSON: %s near '%.20s'", what, r->s);
	r->failed = true;
}

static void skip_space(struct reader *r)
{
	while (*r->s == ' ' || *r->s == '\t' || *r->s == '\n' || *r->s == '\r')
		r->s++;
}

static void put_utf8(char **o, unsigned c)
{
	if (c < 0x80) {
		*(*o)++ = (char)c;
	} else if (c < 0x800) {
		*(*o)++ = (char)(0xc0 | c >> 6);
		*(*o)++ = (char)(0x80 | (c & 0x3f));
	} else {
		*(*o)++ = (char)(0xe0 | c >> 12);
		*(*o)++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*(*o)++ = (char)(0x80 | (c & 0x3f));
	}
}

/* A string after its opening quote; the decoded copy.  \u escapes outside
 * the basic plane (surrogates) are kept as they come: nft never writes them
 * for zsec's names. */
static const char *string(struct reader *r)
{
	const char *p = r->s;
	char *out, *o;

	while (*p && *p != '"')
		p += *p == '\\' && p[1] ? 2 : 1;
	if (*p != '"') {
		fail(r, "unterminated string");
		return NULL;
	}
	o = out = arena_alloc(r->a, (size_t)(p - r->s) + 1);
	while (*r->s != '"') {
		char c = *r->s++;
		unsigned u;

		if ((unsigned char)c < 0x20) {
			fail(r, "control character in a string");
			return NULL;
		}
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		switch ((c = *r->s++)) {
		case '"': case '\\': case '/': *o++ = c; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (sscanf(r->s, "%4x", &u) != 1 || strspn(r->s, "0123456789abcdefABCDEF") < 4) {
				fail(r, "bad \\u escape");
				return NULL;
			}
			r->s += 4;
			put_utf8(&o, u);
			break;
		default:
			fail(r, "bad escape");
			return NULL;
		}
	}
	r->s++;
	*o = '\0';
	return out;
}

static struct json *value(struct reader *r, int depth);

/* The members of an object or the items of an array, after the bracket. */
static struct json *members(struct reader *r, struct json *j, char close, int depth)
{
	struct json **tail = &j->child;

	skip_space(r);
	if (*r->s == close) {
		r->s++;
		return j;
	}
	for (;;) {
		const char *key = NULL;
		struct json *item;

		skip_space(r);
		if (close == '}') {
			if (*r->s != '"') {
				fail(r, "expected a member name");
				return NULL;
			}
			r->s++;
			if (!(key = string(r)))
				return NULL;
			skip_space(r);
			if (*r->s != ':') {
				fail(r, "expected ':'");
				return NULL;
			}
			r->s++;
		}
		if (!(item = value(r, depth + 1)))
			return NULL;
		item->key = key;
		*tail = item;
		tail = &item->next;
		skip_space(r);
		if (*r->s == ',') {
			r->s++;
			continue;
		}
		if (*r->s == close) {
			r->s++;
			return j;
		}
		fail(r, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
		return NULL;
	}
}

static struct json *value(struct reader *r, int depth)
{
	struct json *j;
	size_t n;

	if (depth > DEPTH_MAX) {
		fail(r, "nested too deeply");
		return NULL;
	}
	skip_space(r);
	j = arena_alloc(r->a, sizeof(*j));
	switch (*r->s) {
	case '{':
	case '[':
		j->type = *r->s == '{' ? JSON_OBJECT : JSON_ARRAY;
		r->s++;
		return members(r, j, j->type == JSON_OBJECT ? '}' : ']', depth);
	case '"':
		r->s++;
		j->type = JSON_STRING;
		return (j->str = string(r)) ? j : NULL;
	case 't':
	case 'f':
	case 'n':
		if (!strncmp(r->s, "true", 4) || !strncmp(r->s, "null", 4)) {
			j->type = *r->s == 'n' ? JSON_NULL : JSON_BOOL;
			j->b = *r->s == 't';
			r->s += 4;
			return j;
		}
		if (!strncmp(r->s, "false", 5)) {
			j->type = JSON_BOOL;
			r->s += 5;
			return j;
		}
		break;
	default:
		n = strspn(r->s, "-+0123456789.eE");
		if (n && (*r->s == '-' || (*r->s >= '0' && *r->s <= '9'))) {
			char *end;

			strtod(r->s, &end);
			if (end != r->s + n)
				break;
			j->type = JSON_NUMBER;
			j->str = arena_strndup(r->a, r->s, n);
			r->s += n;
			return j;
		}
	}
	fail(r, "unexpected character");
	return NULL;
}

struct json *json_parse(struct arena *a, const char *text, const char **end,
                        char *err, size_t len)
{
	struct reader r = { .a = a, .s = text, .err = err, .len = len };
	struct json *j = value(&r, 0);

	if (end)
		*end = r.s;
	return r.failed ? NULL : j;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	const struct json *c;

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (c = obj->child; c; c = c->next)
		if (!strcmp(c->key, key))
			return c;
	return NULL;
}

uint64_t json_u64(const struct json *obj, const char *key)
{
	const struct json *j = json_get(obj, key);
	char *end;
	unsigned long long v;

	if (!j || j->type != JSON_NUMBER || j->str[0] == '-')
		return 0;
	v = strtoull(j->str, &end, 10);
	return *end ? 0 : v;
}

const char *json_str(const struct json *obj, const char *key)
{
	const struct json *j = json_get(obj, key);

	return j && j->type == JSON_STRING ? j->str : NULL;
}
