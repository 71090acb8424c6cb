/* zsecctl graph FILE... [-o OUT.svg]: the topology as Graphviz dot.
 * One cluster per domain with its gateways and elements (Zb edges); Za
 * edges to partner gateways.  A partner whose own file is given too is drawn
 * as that domain, so two files make one picture of the interconnect. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "zsecctl.h"

static const char use[] = "graph FILE... [-o OUT.svg|OUT.png|OUT.pdf]";

static const struct topo *domain_named(struct topo **t, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(t[i]->domain.name.s, name))
			return t[i];
	return NULL;
}

static void draw_domain(FILE *fp, const struct topo *t)
{
	const struct tdomain *d = &t->domain;
	char a[ADDR_STRLEN], b[ADDR_STRLEN], pre[PREFIX_STRLEN];
	size_t i;

	fprintf(fp, "  subgraph \"cluster_%s\" {\n    label=\"%s", d->name.s, d->name.s);
	for (i = 0; i < d->prefixes.n; i++)
		fprintf(fp, "%s%s", i ? " " : "\\n", prefix_str(&d->prefixes.v[i], pre));
	fprintf(fp, "\"; style=rounded; color=\"#3b6ea5\";\n");
	for (i = 0; i < d->gateways.n; i++) {
		const struct tgateway *g = &d->gateways.v[i];

		fprintf(fp, "    \"%s/%s\" [shape=box, style=\"bold,filled\", fillcolor=\"#dde8f4\", "
		        "label=\"%s\\nSEG\\nout %s\\nin %s\"];\n", d->name.s, g->name.s, g->name.s,
		        addr_str(&g->outside.a, a), addr_str(&g->inside.a, b));
	}
	for (i = 0; i < d->elements.n; i++) {
		const struct telement *e = &d->elements.v[i];

		fprintf(fp, "    \"%s/%s\" [shape=ellipse, label=\"%s\\n%s\"];\n", d->name.s,
		        e->name.s, e->name.s, addr_str(&e->address.a, a));
		fprintf(fp, "    \"%s/%s\" -- \"%s/%s\" [style=dashed, label=\"Zb%s\"];\n",
		        d->name.s, e->name.s, d->name.s, e->gateway.s,
		        e->confidentiality ? " (enc)" : "");
	}
	fprintf(fp, "  }\n");
}

/* a partner with no file of its own: its gateways and prefixes only */
static void draw_partner(FILE *fp, const struct tpartner *p)
{
	char a[ADDR_STRLEN], pre[PREFIX_STRLEN];
	size_t i;

	fprintf(fp, "  subgraph \"cluster_%s\" {\n    label=\"%s (partner)", p->name.s, p->name.s);
	for (i = 0; i < p->prefixes.n; i++)
		fprintf(fp, "%s%s", i ? " " : "\\n", prefix_str(&p->prefixes.v[i], pre));
	fprintf(fp, "\"; style=\"rounded,dashed\"; color=\"#888888\";\n");
	for (i = 0; i < p->gateways.n; i++)
		fprintf(fp, "    \"%s/%s\" [shape=box, style=bold, label=\"%s\\nSEG\\n%s\"];\n",
		        p->name.s, p->gateways.v[i].name.s, p->gateways.v[i].name.s,
		        addr_str(&p->gateways.v[i].address.a, a));
	fprintf(fp, "  }\n");
}

/* The partner's own file's entry for domain `of`, if that file is given. */
static const struct tpartner *reverse(struct topo **t, int n, const char *partner, const char *of)
{
	const struct topo *o = domain_named(t, n, partner);
	size_t j;

	for (j = 0; o && j < o->partners.n; j++)
		if (!strcmp(o->partners.v[j].name.s, of))
			return &o->partners.v[j];
	return NULL;
}

static bool has_link(const struct tpartner *p, const char *ours, const char *theirs)
{
	size_t k;

	for (k = 0; p && k < p->links.n; k++)
		if (!strcmp(p->links.v[k].ours.s, ours) && !strcmp(p->links.v[k].theirs.s, theirs))
			return true;
	return false;
}

static void exposure(FILE *fp, const char *who, const struct tpartner *p)
{
	char pre[PREFIX_STRLEN], pre2[PREFIX_STRLEN];
	size_t e;

	fprintf(fp, "\\n%s exposes", who);
	for (e = 0; e < p->expose.n; e++) {
		fprintf(fp, " %s", prefix_str(&p->expose.v[e], pre));
		if (p->present_as.n > e)
			fprintf(fp, " as %s", prefix_str(&p->present_as.v[e], pre2));
	}
}

/* A Za link both files describe is drawn once, from the file given first,
 * with what each side exposes to the other. */
static void draw(FILE *fp, struct topo **t, int n)
{
	int i;
	size_t j, k;

	fprintf(fp, "graph zsec {\n  rankdir=LR; compound=true; fontname=\"Helvetica\";\n"
	        "  node [fontname=\"Helvetica\"]; edge [fontname=\"Helvetica\", fontsize=10];\n");
	for (i = 0; i < n; i++)
		draw_domain(fp, t[i]);
	for (i = 0; i < n; i++)
		for (j = 0; j < t[i]->partners.n; j++)
			if (!domain_named(t, n, t[i]->partners.v[j].name.s))
				draw_partner(fp, &t[i]->partners.v[j]);
	for (i = 0; i < n; i++)
		for (j = 0; j < t[i]->partners.n; j++) {
			const struct tpartner *p = &t[i]->partners.v[j];
			const char *us = t[i]->domain.name.s;

			for (k = 0; k < p->links.n; k++) {
				const struct tlink *l = &p->links.v[k];
				const struct tpartner *back = reverse(t, n, p->name.s, us);

				if (has_link(back, l->theirs.s, l->ours.s) &&
				    domain_named(t, i, p->name.s))
					continue;       /* drawn from the partner's file */
				fprintf(fp, "  \"%s/%s\" -- \"%s/%s\" [style=bold, color=\"#b03a2e\", "
				        "label=\"Za", us, l->ours.s, p->name.s, l->theirs.s);
				exposure(fp, us, p);
				if (has_link(back, l->theirs.s, l->ours.s))
					exposure(fp, p->name.s, back);
				fprintf(fp, "\"];\n");
			}
		}
	fprintf(fp, "}\n");
}

/* dot's output format from the file name's extension */
static const char *format_of(const char *out)
{
	const char *dot = strrchr(out, '.');

	if (dot && (!strcmp(dot, ".svg") || !strcmp(dot, ".png") || !strcmp(dot, ".pdf")))
		return dot + 1;
	return NULL;
}

int cmd_graph(int argc, char **argv)
{
	const char *out = NULL, *fmt = NULL;
	struct topo **t;
	int c, i, n = 0, rc = EXIT_OK;
	FILE *fp = stdout;

	optind = 1;
	while ((c = getopt(argc, argv, "o:")) != -1) {
		if (c != 'o')
			return usage_error(use, "unknown option");
		out = optarg;
	}
	if (optind == argc)
		return usage_error(use, "no topology file given");
	if (out && !(fmt = format_of(out)))
		return usage_error(use, "-o takes a .svg, .png or .pdf file");
	t = calloc((size_t)(argc - optind), sizeof(*t));
	if (!t)
		return EXIT_RUNTIME;
	for (i = optind; i < argc; i++) {
		if (!(t[n] = topo_open(argv[i])))
			rc = EXIT_INVALID;
		else
			n++;
	}
	if (rc)
		goto out;
	if (out) {
		char cmd[4096];

		snprintf(cmd, sizeof(cmd), "dot -T%s -o '%s'", fmt, out);
		if (strchr(out, '\'') || system("command -v dot >/dev/null 2>&1")) {
			fprintf(stderr, "%s: cannot draw %s: %s\n", prog, out, strchr(out, '\'') ?
			        "quote in file name" : "dot (Graphviz) is not installed");
			rc = EXIT_RUNTIME;
			goto out;
		}
		fp = popen(cmd, "w");
		if (!fp) {
			rc = EXIT_RUNTIME;
			goto out;
		}
	}
	draw(fp, t, n);
	if (out) {
		int st = pclose(fp);

		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "%s: dot failed to write %s\n", prog, out);
			rc = EXIT_RUNTIME;
		}
	}
out:
	for (i = 0; i < n; i++)
		topo_free(t[i]);
	free(t);
	return rc;
}
