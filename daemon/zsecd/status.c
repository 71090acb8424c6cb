/* status: every link of the running plan with what charon says of its SAs
 * and what the last events said, as a table or as JSON. */
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

/* The plugin's line for a link: the newest installed CHILD_SA if several. */
static const char *sa_of(const char *sas, const char *name, char *buf, size_t len)
{
	const char *p = sas, *best = NULL;
	long best_age = -1;
	char key[300], v[64];

	snprintf(key, sizeof(key), "link=%s ", name);
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (!strncmp(p, key, strlen(key))) {
			char line[2048];
			long age;

			snprintf(line, sizeof(line), "%.*s", (int)n, p);
			age = kv(line, "age", v, sizeof(v)) ? atol(v) : -1;
			if (!best || (age >= 0 && (best_age < 0 || age < best_age))) {
				best = p;
				best_age = age;
			}
		}
		p = eol ? eol + 1 : NULL;
	}
	if (!best)
		return NULL;
	snprintf(buf, len, "%.*s", (int)(strchr(best, '\n') ? strchr(best, '\n') - best :
	                                 (long)strlen(best)), best);
	return buf;
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
 * it dropped, by reason; the border's own line (partner "") last. */
static void border_text(FILE *out, const struct border_counter *bc, size_t n)
{
	size_t i;
	int r;

	if (!n)
		return;
	fprintf(out, "\n%-16s %10s", "PARTNER", "ACCEPTED");
	for (r = 0; r < BORDER_REASONS; r++)
		fprintf(out, " %s", border_reason_key((enum border_reason)r));
	fputs("   (packets)\n", out);
	for (i = 0; i < n; i++) {
		fprintf(out, "%-16s %10llu", bc[i].partner[0] ? bc[i].partner : "(border)",
		        (unsigned long long)bc[i].accepted.packets);
		for (r = 0; r < BORDER_REASONS; r++)
			fprintf(out, " %*llu", (int)strlen(border_reason_key((enum border_reason)r)),
			        (unsigned long long)bc[i].dropped[r].packets);
		fputc('\n', out);
	}
}

static void border_json(FILE *out, const struct border_counter *bc, size_t n)
{
	size_t i;
	int r;

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
                   size_t n_bc, bool json, FILE *out)
{
	const struct plan *p = z->running;
	size_t i;
	char buf[2048];

	if (json) {
		fprintf(out, "{\n  \"node\": ");
		json_str(out, z->node);
		fprintf(out, ",\n  \"file\": ");
		json_str(out, z->file);
		fprintf(out, ",\n  \"charon\": \"%s\",\n  \"links\": [\n",
		        z->plugin_fd < 0 ? "unreachable" : z->plugin_synced ? "synced" : "connected");
		for (i = 0; p && i < p->n_links; i++)
			link_json(out, &p->links[i], sa_of(sas, p->links[i].name, buf, sizeof(buf)),
			          note_of(z, p->links[i].name), i + 1 == p->n_links);
		fprintf(out, "  ],\n  \"events\": [\n");
		for (i = z->n_recent > RECENT_EVENTS ? z->n_recent - RECENT_EVENTS : 0;
		     i < z->n_recent; i++) {
			fprintf(out, "    ");
			json_str(out, z->recent[i % RECENT_EVENTS]);
			fprintf(out, "%s\n", i + 1 == z->n_recent ? "" : ",");
		}
		fprintf(out, "  ]");
		border_json(out, bc, n_bc);
		fprintf(out, "\n}\n");
		return;
	}
	fprintf(out, "node %s: %s; charon %s\n", z->node, p ? z->file : "no plan applied",
	        z->plugin_fd < 0 ? "unreachable" : z->plugin_synced ? "synced" : "connected");
	fprintf(out, "%-28s %-10s %-9s %-9s %-15s %-13s %s\n", "LINK", "STATE", "SPI-IN",
	        "SPI-OUT", "BYTES IN/OUT", "PKTS IN/OUT", "LAST EVENT");
	for (i = 0; p && i < p->n_links; i++)
		link_text(out, &p->links[i], sa_of(sas, p->links[i].name, buf, sizeof(buf)),
		          note_of(z, p->links[i].name));
	border_text(out, bc, n_bc);
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
