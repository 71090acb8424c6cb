/* render: plans and change sets as text.  Stable and sorted (golden tests
 * compare it byte for byte) and meant to be read by the engineer who reviews
 * a change before applying it. */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "policy.h"

static void prefixes(FILE *fp, const struct prefix *v, size_t n)
{
	char buf[PREFIX_STRLEN];
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(fp, "%s%s", i ? " " : "", prefix_str(&v[i], buf));
}

static void strings(FILE *fp, const char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(fp, "%s%s", i ? " " : "", v[i]);
}

static void duration(FILE *fp, uint32_t s)
{
	if (!s)
		fputs("default", fp);
	else if (s % 86400 == 0)
		fprintf(fp, "%ud", s / 86400);
	else if (s % 3600 == 0)
		fprintf(fp, "%uh", s / 3600);
	else if (s % 60 == 0)
		fprintf(fp, "%um", s / 60);
	else
		fprintf(fp, "%us", s);
}

void plan_link_render(FILE *fp, const struct plan_link *l, const char *in)
{
	char a[ADDR_STRLEN];

	fprintf(fp, "%speer %s of %s\n", in, l->peer, l->partner);
	fprintf(fp, "%slocal %s id %s\n", in, addr_str(&l->local, a), l->local_id);
	fprintf(fp, "%sremote %s id %s\n", in, addr_str(&l->remote, a), l->remote_id);
	if (l->auth == AUTH_BY_CERT)
		fprintf(fp, "%sauth cert %s key %s ca %s\n", in, l->cert, l->key, l->ca);
	else
		fprintf(fp, "%sauth psk %s\n", in, l->psk);
	fprintf(fp, "%scredentials %016llx\n", in, (unsigned long long)l->creds);
	fprintf(fp, "%sike ", in);
	strings(fp, l->ike, l->n_ike);
	fprintf(fp, "\n%sesp ", in);
	strings(fp, l->esp, l->n_esp);
	fprintf(fp, "\n%smode %s, %s, %s\n", in, l->mode == ESP_TUNNEL ? "tunnel" : "transport",
	        l->confidentiality ? "confidentiality required" : "integrity only",
	        l->initiate ? "starts first" : "starts if the peer has not");
	fprintf(fp, "%slifetime ike ", in);
	duration(fp, l->ike_lifetime);
	fputs(" esp ", fp);
	duration(fp, l->esp_lifetime);
	fprintf(fp, "\n%sts ", in);
	prefixes(fp, l->local_ts, l->n_local_ts);
	fputs(" <=> ", fp);
	prefixes(fp, l->remote_ts, l->n_remote_ts);
	fputc('\n', fp);
}

static void rate(FILE *fp, const char *name, const struct plan_rate *r)
{
	if (!r->per_sec)
		fprintf(fp, " %s none", name);
	else if (r->burst)
		fprintf(fp, " %s %u/s burst %u", name, r->per_sec, r->burst);
	else
		fprintf(fp, " %s %u/s", name, r->per_sec);
}

static void partner_render(FILE *fp, const struct plan_partner *b, const char *in)
{
	char x[PREFIX_STRLEN], y[PREFIX_STRLEN], a[ADDR_STRLEN];
	size_t i;

	fprintf(fp, "%sprefixes ", in);
	prefixes(fp, b->prefixes, b->n_prefixes);
	fprintf(fp, "\n%sgateways", in);
	for (i = 0; i < b->n_gateways; i++)
		fprintf(fp, " %s", addr_str(&b->gateways[i], a));
	fprintf(fp, "\n%sexpose", in);
	for (i = 0; i < b->n_expose; i++) {
		if (prefix_cmp(&b->expose[i], &b->present_as[i]))
			fprintf(fp, " %s as %s", prefix_str(&b->expose[i], x), prefix_str(&b->present_as[i], y));
		else
			fprintf(fp, " %s", prefix_str(&b->expose[i], x));
	}
	fprintf(fp, "\n%slimits", in);
	rate(fp, "ike", &b->ike);
	rate(fp, "packets", &b->packets);
	rate(fp, "sip", &b->sip);
	fputc('\n', fp);
}

static void domain_fn(FILE *fp, const void *obj)
{
	const struct plan *p = obj;

	if (!p)
		return;
	prefixes(fp, p->domain_prefixes, p->n_domain_prefixes);
	fputc('\n', fp);
}

static void guard_render(FILE *fp, const struct plan_guard *g)
{
	char s[PREFIX_STRLEN], d[PREFIX_STRLEN];

	fprintf(fp, "guard %s %s %s %s -> %s", g->link, guard_dir_name(g->dir),
	        g->action == GUARD_BYPASS ? "bypass" :
	        g->action == GUARD_DISCARD ? "discard" : "discard-unmarked", prefix_str(&g->src, s),
	        prefix_str(&g->dst, d));
	if (g->proto == IPPROTO_UDP)
		fprintf(fp, " udp/%u", g->dport);
	else if (g->proto == IPPROTO_ESP)
		fputs(" esp", fp);
	else if (g->proto)
		fprintf(fp, " proto %u", g->proto);
	fprintf(fp, " priority %u\n", g->priority);
}

void plan_render(FILE *fp, const struct plan *p)
{
	size_t i;

	fprintf(fp, "plan %u for %s %s of %s: %zu link%s, %zu partner%s, %zu guard entr%s\n",
	        p->version, p->kind == NODE_GATEWAY ? "gateway" : "element", p->node, p->domain,
	        p->n_links, p->n_links == 1 ? "" : "s", p->n_partners, p->n_partners == 1 ? "" : "s",
	        p->n_guards, p->n_guards == 1 ? "y" : "ies");
	for (i = 0; i < p->n_links; i++) {
		fprintf(fp, "link %s\n", p->links[i].name);
		plan_link_render(fp, &p->links[i], "\t");
	}
	for (i = 0; i < p->n_partners; i++) {
		fprintf(fp, "partner %s\n", p->partners[i].name);
		partner_render(fp, &p->partners[i], "\t");
	}
	if (p->n_domain_prefixes) {
		fputs("domain prefixes ", fp);
		domain_fn(fp, p);
	}
	for (i = 0; i < p->n_guards; i++)
		guard_render(fp, &p->guards[i]);
}

/* The lines of an object's rendering that differ, as - old / + new. */
static void changed_lines(FILE *fp, const char *old, const char *new)
{
	const char *a = old, *b = new;

	while (*a || *b) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);

		if (la != lb || memcmp(a, b, la)) {
			if (la)
				fprintf(fp, "\t- %.*s\n", (int)la, a);
			if (lb)
				fprintf(fp, "\t+ %.*s\n", (int)lb, b);
		}
		a += la + (ea != NULL);
		b += lb + (eb != NULL);
	}
}

typedef void render_fn(FILE *fp, const void *obj);

static void link_fn(FILE *fp, const void *obj)
{
	plan_link_render(fp, obj, "");
}

static void partner_fn(FILE *fp, const void *obj)
{
	partner_render(fp, obj, "");
}

static void modified(FILE *fp, render_fn *fn, const void *old, const void *new)
{
	char *a = NULL, *b = NULL;
	size_t la, lb;
	FILE *fa = open_memstream(&a, &la), *fb = open_memstream(&b, &lb);

	if (!fa || !fb)
		abort();
	fn(fa, old);
	fn(fb, new);
	fclose(fa);
	fclose(fb);
	changed_lines(fp, a, b);
	free(a);
	free(b);
}

void plan_diff_render(FILE *fp, const struct plan_diff *d)
{
	static const char op[] = { [CHANGE_ADD] = '+', [CHANGE_MODIFY] = '~', [CHANGE_REMOVE] = '-' };
	size_t i, count[3] = { 0 };

	for (i = 0; i < d->n; i++) {
		const struct change *c = &d->v[i];
		const void *obj = c->new ? c->new : c->old;

		count[c->op]++;
		fprintf(fp, "%c ", op[c->op]);
		switch (c->kind) {
		case CHANGE_GUARD:
			guard_render(fp, obj);
			break;
		case CHANGE_PARTNER:
			fprintf(fp, "partner %s\n", ((const struct plan_partner *)obj)->name);
			if (c->op == CHANGE_MODIFY)
				modified(fp, partner_fn, c->old, c->new);
			break;
		case CHANGE_DOMAIN:
			fputs("domain prefixes\n", fp);
			modified(fp, domain_fn, c->old, c->new);
			break;
		case CHANGE_LINK:
			fprintf(fp, "link %s\n", ((const struct plan_link *)obj)->name);
			if (c->op == CHANGE_MODIFY)
				modified(fp, link_fn, c->old, c->new);
			break;
		}
	}
	if (!d->n)
		fputs("no changes\n", fp);
	else
		fprintf(fp, "%zu change%s: %zu to add, %zu to change, %zu to remove\n", d->n,
		        d->n == 1 ? "" : "s", count[CHANGE_ADD], count[CHANGE_MODIFY],
		        count[CHANGE_REMOVE]);
}
