/* status: every link of the running plan with what charon says of its SAs
 * and what the last events said, as a table or as JSON. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "border.h"
#include "zsecd.h"

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		abort();
	return p;
}

/* The value of key= in a "k=v k2="v 2"" line, into buf; NULL if absent. */
static const char *kv(const char *line, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			const char *v = p + klen + 1, *end;
			size_t n;

			if (*v == '"') {
				v++;
				end = strchr(v, '"');
			} else {
				end = strchr(v, ' ');
			}
			n = end ? (size_t)(end - v) : strlen(v);
			if (n >= len)
				n = len - 1;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return buf;
		}
		p += klen;
	}
	return NULL;
}

static struct link_note *note_of(struct zsecd *z, const char *name)
{
	struct link_note *n;
	size_t i;

	for (i = 0; i < z->n_notes; i++)
		if (!strcmp(z->notes[i].name, name))
			return &z->notes[i];
	n = realloc(z->notes, (z->n_notes + 1) * sizeof(*n));
	if (!n)
		abort();
	z->notes = n;
	n = &z->notes[z->n_notes++];
	memset(n, 0, sizeof(*n));
	n->name = xstrdup(name);
	return n;
}

/* The link a refusal is about when charon had no config for it yet: the
 * one whose remote end is the peer's address. */
static const char *link_of_peer(struct zsecd *z, const char *peer)
{
	struct ipaddr a;
	char host[256], *bracket;
	size_t i;

	snprintf(host, sizeof(host), "%s", peer);
	bracket = strchr(host, '[');    /* %H prints "addr[port]" */
	if (bracket)
		*bracket = '\0';
	if (!z->running || !addr_parse(host, &a))
		return NULL;
	for (i = 0; i < z->running->n_links; i++)
		if (!addr_cmp(&z->running->links[i].remote, &a))
			return z->running->links[i].name;
	return NULL;
}

void status_event(struct zsecd *z, const char *line)
{
	char name[256], peer[128], reason[1024], event[32] = "";
	const char *link = kv(line, "link", name, sizeof(name));
	struct link_note *n;

	log_msg("event: %s", line);
	free(z->recent[z->n_recent % RECENT_EVENTS]);
	z->recent[z->n_recent++ % RECENT_EVENTS] = xstrdup(line);
	if ((!link || !strcmp(link, "-")) && kv(line, "peer", peer, sizeof(peer)))
		link = link_of_peer(z, peer);
	if (!link || !strcmp(link, "-"))
		return;
	n = note_of(z, link);
	free(n->event);
	n->event = xstrdup(line);
	sscanf(line, "%31s", event);
	if (!strcmp(event, "refused") || !strcmp(event, "failed") ||
	    !strcmp(event, "unreachable")) {
		free(n->reason);
		n->reason = xstrdup(kv(line, "reason", reason, sizeof(reason)) ?
		                    reason : event);
	} else if (!strcmp(event, "child-up")) {
		free(n->reason);
		n->reason = NULL;
	}
}

/* The plugin's SA lines (one per CHILD_SA, "link=NAME ..."), indexed once
 * per status: a status of 10,000 links looks each one up, it does not
 * read the whole answer again for each. */
struct sa_line {
	const char *name;               /* up to the first space */
	size_t name_len;
	const char *line;               /* NUL-terminated, in the index's copy */
	long rank;                      /* the newest first: its age; no age, last */
	size_t order;                   /* then the plugin's order */
};
struct sa_index {
	char *text;                     /* the answer, one line a string */
	struct sa_line *v;
	size_t n;
};

static int sa_cmp_name(const char *name, size_t len, const struct sa_line *l)
{
	int c = strncmp(name, l->name, len < l->name_len ? len : l->name_len);

	return c ? c : (len > l->name_len) - (len < l->name_len);
}

static int sa_qcmp(const void *a, const void *b)
{
	const struct sa_line *x = a, *y = b;
	int c = sa_cmp_name(x->name, x->name_len, y);

	if (c)
		return c;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

static void sa_index(struct sa_index *ix, const char *sas)
{
	char *p, *eol, v[64];
	size_t cap = 0;

	memset(ix, 0, sizeof(*ix));
	ix->text = xstrdup(sas ? sas : "");
	for (p = ix->text; *p; p = eol ? eol + 1 : p + strlen(p)) {
		struct sa_line *l;
		const char *age;

		if ((eol = strchr(p, '\n')))
			*eol = '\0';
		if (strncmp(p, "link=", 5))
			continue;
		if (ix->n == cap) {
			cap = cap ? 2 * cap : 64;
			if (!(l = realloc(ix->v, cap * sizeof(*l))))
				abort();
			ix->v = l;
		}
		l = &ix->v[ix->n];
		l->name = p + 5;
		l->name_len = strcspn(l->name, " ");
		l->line = p;
		age = kv(p, "age", v, sizeof(v));
		l->rank = age && atol(age) >= 0 ? atol(age) : LONG_MAX;
		l->order = ix->n++;
		if (!eol)
			break;
	}
	if (ix->n > 1)          /* no lines (charon away): ix->v is NULL */
		qsort(ix->v, ix->n, sizeof(*ix->v), sa_qcmp);
}

/* The line of a link: its newest CHILD_SA's; NULL if it has none. */
static const char *sa_of(const struct sa_index *ix, const char *name)
{
	size_t lo = 0, hi = ix->n, len = strlen(name);

	while (lo < hi) {               /* the first line of that name */
		size_t mid = lo + (hi - lo) / 2;

		if (sa_cmp_name(name, len, &ix->v[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && !sa_cmp_name(name, len, &ix->v[lo]) ? ix->v[lo].line : NULL;
}

static void sa_index_free(struct sa_index *ix)
{
	free(ix->v);
	free(ix->text);
}

/* The notes of links that had events, by name, for the same reason. */
static int note_qcmp(const void *a, const void *b)
{
	return strcmp((*(struct link_note *const *)a)->name,
	              (*(struct link_note *const *)b)->name);
}

static struct link_note **notes_sorted(struct zsecd *z)
{
	struct link_note **v = calloc(z->n_notes + 1, sizeof(*v));
	size_t i;

	if (!v)
		abort();
	for (i = 0; i < z->n_notes; i++)
		v[i] = &z->notes[i];
	qsort(v, z->n_notes, sizeof(*v), note_qcmp);
	return v;
}

static struct link_note *note_find(struct link_note **v, size_t n, const char *name)
{
	struct link_note key = { .name = (char *)name }, *k = &key, **hit;

	hit = bsearch(&k, v, n, sizeof(*v), note_qcmp);
	return hit ? *hit : NULL;
}

static const char *state_of(const char *sa)
{
	char ike[32], child[32];

	if (!sa || !kv(sa, "ike", ike, sizeof(ike)) || !strcmp(ike, "NONE"))
		return "down";
	if (!strcmp(ike, "ESTABLISHED") && kv(sa, "child", child, sizeof(child)) &&
	    !strcmp(child, "INSTALLED"))
		return "up";
	return "connecting";
}

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

#define FIELD(key) (kv(sa ? sa : "", key, v, sizeof(v)) ? v : "-")

static void link_json(FILE *out, const struct plan_link *l, const char *sa,
                      struct link_note *n, bool last)
{
	static const char *const nums[] = { "reqid", "bytes_in", "packets_in",
	                                    "bytes_out", "packets_out", "age" };
	char v[256];
	size_t i;

	fprintf(out, "    {\"name\": ");
	json_str(out, l->name);
	fprintf(out, ", \"kind\": \"%s\", \"peer\": ", link_kind_name(l->kind));
	json_str(out, l->peer);
	fprintf(out, ", \"state\": \"%s\"", state_of(sa));
	/* one FIELD per printf: they share the buffer v */
	fprintf(out, ", \"ike\": \"%s\"", FIELD("ike"));
	fprintf(out, ", \"child\": \"%s\"", FIELD("child"));
	fprintf(out, ", \"spi_in\": \"%s\"", FIELD("spi_in"));
	fprintf(out, ", \"spi_out\": \"%s\"", FIELD("spi_out"));
	fprintf(out, ", \"ts\": \"%s\"", FIELD("ts"));
	for (i = 0; i < sizeof(nums) / sizeof(*nums); i++)
		fprintf(out, ", \"%s\": %s", nums[i], sa && kv(sa, nums[i], v, sizeof(v)) ? v : "null");
	fprintf(out, ", \"last_event\": ");
	if (n && n->event)
		json_str(out, n->event);
	else
		fputs("null", out);
	fprintf(out, ", \"reason\": ");
	if (n && n->reason)
		json_str(out, n->reason);
	else
		fputs("null", out);
	fprintf(out, "}%s\n", last ? "" : ",");
}

static const char *field(const char *sa, const char *key, char *buf, size_t len)
{
	return kv(sa ? sa : "", key, buf, len) ? buf : "-";
}

static void link_text(FILE *out, const struct plan_link *l, const char *sa,
                      struct link_note *n)
{
	char a[64], b[64], io[160], pk[160], ev[32] = "-";

	snprintf(io, sizeof(io), "%s/%s", field(sa, "bytes_in", a, sizeof(a)),
	         field(sa, "bytes_out", b, sizeof(b)));
	snprintf(pk, sizeof(pk), "%s/%s", field(sa, "packets_in", a, sizeof(a)),
	         field(sa, "packets_out", b, sizeof(b)));
	if (n && n->event)
		sscanf(n->event, "%31s", ev);
	fprintf(out, "%-28s %-10s %-9s %-9s %-15s %-13s %s\n", l->name, state_of(sa),
	        field(sa, "spi_in", a, sizeof(a)), field(sa, "spi_out", b, sizeof(b)), io, pk, ev);
	if (n && n->reason)
		fprintf(out, "%-28s reason: %s\n", "", n->reason);
}

/* The Border Element's counters: per partner what it let through and what
 * it dropped, by reason (only the reasons it dropped for); the border's own
 * line (partner "") last. */
static void border_text(FILE *out, const struct border_counter *bc, size_t n,
                        const char *err)
{
	const char *sep;
	size_t i;
	int r;

	if (err) {
		fprintf(out, "\nborder: counters unavailable: %s\n", err);
		return;
	}
	if (!n)
		return;
	fputs("\nborder (packets):\n", out);
	for (i = 0; i < n; i++) {
		fprintf(out, "  %-16s accepted %llu; dropped:",
		        bc[i].partner[0] ? bc[i].partner : "(border)",
		        (unsigned long long)bc[i].accepted.packets);
		sep = " ";
		for (r = 0; r < BORDER_REASONS; r++)
			if (bc[i].dropped[r].packets) {
				fprintf(out, "%s%s %llu", sep, border_reason_name((enum border_reason)r),
				        (unsigned long long)bc[i].dropped[r].packets);
				sep = ", ";
			}
		fputs(*sep == ' ' ? " none\n" : "\n", out);
	}
}

static void border_json(FILE *out, const struct border_counter *bc, size_t n,
                        const char *err)
{
	size_t i;
	int r;

	if (err) {
		fprintf(out, ",\n  \"border_error\": ");
		json_str(out, err);
	}
	fprintf(out, ",\n  \"border\": [\n");
	for (i = 0; i < n; i++) {
		fprintf(out, "    {\"partner\": ");
		json_str(out, bc[i].partner);
		fprintf(out, ", \"accepted\": {\"packets\": %llu, \"bytes\": %llu}, \"dropped\": {",
		        (unsigned long long)bc[i].accepted.packets,
		        (unsigned long long)bc[i].accepted.bytes);
		for (r = 0; r < BORDER_REASONS; r++)
			fprintf(out, "%s\"%s\": %llu", r ? ", " : "",
			        border_reason_key((enum border_reason)r),
			        (unsigned long long)bc[i].dropped[r].packets);
		fprintf(out, "}}%s\n", i + 1 == n ? "" : ",");
	}
	fprintf(out, "  ]");
}

void status_render(struct zsecd *z, const char *sas, const struct border_counter *bc,
                   size_t n_bc, const char *border_err, bool json, FILE *out)
{
	const struct plan *p = z->running;
	struct link_note **notes = notes_sorted(z);
	struct sa_index ix;
	size_t i;

	sa_index(&ix, sas);
	if (json) {
		fprintf(out, "{\n  \"node\": ");
		json_str(out, z->node);
		fprintf(out, ",\n  \"file\": ");
		json_str(out, z->file);
		fprintf(out, ",\n  \"charon\": \"%s\",\n",
		        z->plugin_fd < 0 ? "unreachable" : z->plugin_synced ? "synced" : "connected");
		if (z->plugin_refusal) {
			fprintf(out, "  \"charon_refused\": ");
			json_str(out, z->plugin_refusal);
			fprintf(out, ",\n");
		}
		if (z->guard_retry.at_ms) {
			fprintf(out, "  \"guard_error\": ");
			json_str(out, z->guard_error);
			fprintf(out, ",\n");
		}
		if (z->shadow.n) {
			fprintf(out, "  \"guard_shadowed\": {\"entries\": %zu, \"first\": ",
			        z->shadow.n);
			json_str(out, z->shadow.first);
			fprintf(out, "},\n");
		}
		fprintf(out, "  \"links\": [\n");
		for (i = 0; p && i < p->n_links; i++)
			link_json(out, &p->links[i], sa_of(&ix, p->links[i].name),
			          note_find(notes, z->n_notes, p->links[i].name),
			          i + 1 == p->n_links);
		fprintf(out, "  ],\n  \"events\": [\n");
		for (i = z->n_recent > RECENT_EVENTS ? z->n_recent - RECENT_EVENTS : 0;
		     i < z->n_recent; i++) {
			fprintf(out, "    ");
			json_str(out, z->recent[i % RECENT_EVENTS]);
			fprintf(out, "%s\n", i + 1 == z->n_recent ? "" : ",");
		}
		fprintf(out, "  ]");
		border_json(out, bc, n_bc, border_err);
		fprintf(out, "\n}\n");
	} else {
		fprintf(out, "node %s: %s; charon %s", z->node, p ? z->file : "no plan applied",
		        z->plugin_fd < 0 ? "unreachable" : z->plugin_synced ? "synced" : "connected");
		if (z->plugin_refusal)
			fprintf(out, ", refused the plan: %s", z->plugin_refusal);
		fputc('\n', out);
		if (z->guard_retry.at_ms)
			fprintf(out, "guard: differs from the plan: %s; the next try in %ld ms\n",
			        z->guard_error, retry_left_ms(&z->guard_retry));
		if (z->shadow.n)
			fprintf(out, SHADOWED_FMT "\n", z->shadow.n, z->shadow.first);
		fprintf(out, "%-28s %-10s %-9s %-9s %-15s %-13s %s\n", "LINK", "STATE", "SPI-IN",
		        "SPI-OUT", "BYTES IN/OUT", "PKTS IN/OUT", "LAST EVENT");
		for (i = 0; p && i < p->n_links; i++)
			link_text(out, &p->links[i], sa_of(&ix, p->links[i].name),
			          note_find(notes, z->n_notes, p->links[i].name));
		border_text(out, bc, n_bc, border_err);
	}
	sa_index_free(&ix);
	free(notes);
}

void status_free(struct zsecd *z)
{
	size_t i;

	for (i = 0; i < z->n_notes; i++) {
		free(z->notes[i].name);
		free(z->notes[i].event);
		free(z->notes[i].reason);
	}
	free(z->notes);
	for (i = 0; i < RECENT_EVENTS; i++)
		free(z->recent[i]);
}
