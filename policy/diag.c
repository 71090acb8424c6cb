/* diag: errors and warnings as FILE:LINE:COL: level: message, followed by
 * the source line and a caret under the column, the way compilers print them. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

#define LINE_MAX_SHOWN 512

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

/* The text of line `line` (1-based), or NULL; found from the line d found
 * last when that is in the same text and not after it. */
static char *source_line(struct diags *d, const struct source *src, uint32_t line)
{
	const char *p, *end, *eol;
	uint32_t n = 1;

	if (!src || !src->text || !line)
		return NULL;
	p = src->text;
	end = p + src->len;
	if (d->seek_text == src->text && d->seek_len == src->len && d->seek_line <= line) {
		p = d->seek_at;
		n = d->seek_line;
	}
	while (n < line) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			return NULL;
		p++;
		n++;
	}
	d->seek_text = src->text;
	d->seek_len = src->len;
	d->seek_line = line;
	d->seek_at = p;
	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	if (eol > p && eol[-1] == '\r')
		eol--;
	/* a line too long to read on a terminal is left out: the position
	 * says where */
	if (eol - p > LINE_MAX_SHOWN)
		return NULL;
	return xstrndup(p, (size_t)(eol - p));
}

void diag_add(struct diags *d, enum diag_level level, const struct source *src,
              struct pos pos, const char *fmt, ...)
{
	struct diag *g;
	va_list ap;
	char buf[2048];

	/* a file can hold thousands of mistakes; the first thousand tell the
	 * engineer enough, and keep the memory bounded */
	if (d->n >= DIAG_MAX) {
		if (level == DIAG_ERROR)
			d->errors++;
		else
			d->warnings++;
		d->dropped++;
		return;
	}
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
	g->line = source_line(d, src, pos.line);
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

/* The caret goes under the column, counted in characters as libyaml does;
 * tabs are kept so it lines up with what the terminal shows. */
static void print_caret(FILE *fp, const char *line, uint32_t col)
{
	const unsigned char *p = (const unsigned char *)line;
	uint32_t chars = 1;

	for (; *p && chars < col; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		fputc(*p == '\t' ? '\t' : ' ', fp);
		chars++;
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
	if (d->dropped)
		fprintf(fp, "(%u more not shown)\n", d->dropped);
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
