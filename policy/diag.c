/* diag: errors and warnings as FILE:LINE:COL: level: message, followed by
 * the source line and a caret under the column, the way compilers print them. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static char *xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p) {
		fputs("zsec: out of memory\n", stderr);
		abort();
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* The text of line `line` (1-based), or NULL. */
static char *source_line(const struct source *src, uint32_t line)
{
	const char *p, *end, *eol;
	uint32_t n = 1;

	if (!src || !src->text || !line)
		return NULL;
	p = src->text;
	end = p + src->len;
	while (n < line) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			return NULL;
		p++;
		n++;
	}
	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	if (eol > p && eol[-1] == '\r')
		eol--;
	return xstrndup(p, (size_t)(eol - p));
}

void diag_add(struct diags *d, enum diag_level level, const struct source *src,
              struct pos pos, const char *fmt, ...)
{
	struct diag *g;
	va_list ap;
	char buf[2048];

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			fputs("zsec: out of memory\n", stderr);
			abort();
		}
		d->v = v;
		d->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	g = &d->v[d->n++];
	g->level = level;
	g->file = src && src->path ? xstrndup(src->path, strlen(src->path)) : NULL;
	g->pos = pos;
	g->msg = xstrndup(buf, strlen(buf));
	g->line = source_line(src, pos.line);
	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

static int diag_cmp(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;
	int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");

	if (c)
		return c;
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.col != y->pos.col)
		return x->pos.col < y->pos.col ? -1 : 1;
	return strcmp(x->msg, y->msg);
}

/* The caret goes under the column (a byte offset); tabs are kept and UTF-8
 * continuation bytes skipped so it lines up with what the terminal shows. */
static void print_caret(FILE *fp, const char *line, uint32_t col)
{
	uint32_t i;

	for (i = 1; i < col && line[i - 1]; i++) {
		unsigned char c = (unsigned char)line[i - 1];

		if ((c & 0xc0) != 0x80)
			fputc(c == '\t' ? '\t' : ' ', fp);
	}
	fputs("^\n", fp);
}

void diags_print(FILE *fp, struct diags *d)
{
	size_t i;

	if (d->n)
		qsort(d->v, d->n, sizeof(*d->v), diag_cmp);
	for (i = 0; i < d->n; i++) {
		const struct diag *g = &d->v[i];
		const char *level = g->level == DIAG_ERROR ? "error" : "warning";

		if (g->pos.line)
			fprintf(fp, "%s:%u:%u: %s: %s\n", g->file ? g->file : "-",
			        g->pos.line, g->pos.col, level, g->msg);
		else
			fprintf(fp, "%s: %s: %s\n", g->file ? g->file : "-", level, g->msg);
		if (g->line) {
			fprintf(fp, "%s\n", g->line);
			print_caret(fp, g->line, g->pos.col);
		}
	}
}

void diags_free(struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
		free(d->v[i].line);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}
