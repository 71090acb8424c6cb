/* arena: every model and plan is allocated from one arena and freed at once,
 * so a failed load or a half-built plan never leaks. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

#define CHUNK (64 * 1024)

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct arena {
	struct chunk *head;
	size_t total;
};

static void out_of_memory(void)
{
	/* Nothing sensible survives here: the daemon would rather stop than
	 * apply half a plan. */
	fputs("zsec: out of memory\n", stderr);
	abort();
}

struct arena *arena_new(void)
{
	struct arena *a = calloc(1, sizeof(*a));

	if (!a)
		out_of_memory();
	return a;
}

void arena_free(struct arena *a)
{
	struct chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t size)
{
	struct chunk *c = a->head;
	size_t need = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	void *p;

	if (need < size)
		out_of_memory();
	if (!c || c->size - c->used < need) {
		size_t sz = need > CHUNK / 4 ? need : CHUNK;

		c = malloc(sizeof(*c) + sz);
		if (!c)
			out_of_memory();
		c->size = sz;
		c->used = 0;
		if (need > CHUNK / 4 && a->head) {
			/* a big block gets its own chunk behind the current one */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
		a->total += sz;
	}
	p = (char *)c->data + c->used;
	c->used += need;
	memset(p, 0, size);
	return p;
}

void *arena_array(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		out_of_memory();
	return arena_alloc(a, n * size);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

size_t arena_size(const struct arena *a)
{
	return a->total;
}
