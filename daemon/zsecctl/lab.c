/* zsecctl lab up FILE... | down | status | exec NODE -- CMD...
 *        | start NODE charon|zsecd | stop NODE charon|zsecd [-KILL]
 *
 * The lab builds every gateway and element of the files as a network
 * namespace running charon with the plugin and zsecd.  This file reads and
 * validates the files and describes the lab as plain lines; the script
 * topology/lab/lab does the namespaces, interfaces, PKI and processes. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zsecctl.h"

static const char use[] = "lab up FILE... | down | status | exec NODE -- CMD... | "
                          "start NODE charon|zsecd | stop NODE charon|zsecd [-KILL]";

/* The lab script beside the build tree, or where ZSEC_LAB_SCRIPT says. */
static char *lab_script(void)
{
	char exe[PATH_MAX], *slash, *path;
	ssize_t n;

	if (getenv("ZSEC_LAB_SCRIPT"))
		return strdup(getenv("ZSEC_LAB_SCRIPT"));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	/* build/zsecctl -> topology/lab/lab; installed: /usr/sbin -> /usr/lib/zsec */
	if (asprintf(&path, "%s/../topology/lab/lab", exe) < 0)
		return NULL;
	if (access(path, X_OK)) {
		free(path);
		if (asprintf(&path, "/usr/lib/zsec/lab") < 0)
			return NULL;
	}
	return path;
}

static void describe_gateway(FILE *fp, const struct topo *d, const struct tgateway *g)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN], pre[PREFIX_STRLEN], err[256];
	struct plan *p = plan_compile(d, g->name.s, err, sizeof(err));
	size_t i, j;

	fprintf(fp, "node %s gateway %s %s\n", g->name.s, d->domain.name.s, d->src.path);
	fprintf(fp, "addr %s out %s/%u\n", g->name.s, addr_str(&g->outside.a, a),
	        addr_bits(g->outside.a.family));
	for (i = 0; i < d->domain.prefixes.n; i++)
		if (prefix_contains(&d->domain.prefixes.v[i], &g->inside.a))
			fprintf(fp, "addr %s in %s/%u\n", g->name.s, addr_str(&g->inside.a, a),
			        d->domain.prefixes.v[i].len);
	/* every peer on the transit network; and, as a border router would, the
	 * partners' prefixes towards their gateways in clear: when no SA
	 * carries them, only the guard stands between them and the wire */
	for (i = 0; p && i < p->n_links; i++) {
		const struct plan_link *l = &p->links[i];

		if (l->kind != LINK_ZA)
			continue;
		fprintf(fp, "route %s %s/%u dev out\n", g->name.s, addr_str(&l->remote, b),
		        addr_bits(l->remote.family));
		for (j = 0; j < l->n_remote_ts; j++)
			if (l->remote_ts[j].addr.family == l->remote.family)
				fprintf(fp, "route %s %s via %s dev out onlink\n", g->name.s,
				        prefix_str(&l->remote_ts[j], pre), b);
	}
	plan_free(p);
}

static void describe_element(FILE *fp, const struct topo *d, const struct telement *e)
{
	const struct tgateway *g = &d->domain.gateways.v[e->gw];
	char a[ADDR_STRLEN], pre[PREFIX_STRLEN];
	size_t i, j;

	fprintf(fp, "node %s element %s %s\n", e->name.s, d->domain.name.s, d->src.path);
	for (i = 0; i < d->domain.prefixes.n; i++)
		if (prefix_contains(&d->domain.prefixes.v[i], &e->address.a))
			fprintf(fp, "addr %s in %s/%u\n", e->name.s, addr_str(&e->address.a, a),
			        d->domain.prefixes.v[i].len);
	/* partners only through the gateway */
	for (i = 0; i < d->partners.n; i++)
		for (j = 0; j < d->partners.v[i].prefixes.n; j++)
			if (d->partners.v[i].prefixes.v[j].addr.family == e->address.a.family)
				fprintf(fp, "route %s %s via %s\n", e->name.s,
				        prefix_str(&d->partners.v[i].prefixes.v[j], pre),
				        addr_str(&g->inside.a, a));
}

static void describe_pki(FILE *fp, struct topo **t, int n, const struct topo *d)
{
	size_t i;
	int f;

	fprintf(fp, "ca %s %s\n", d->domain.name.s, topo_path((struct topo *)d, d->domain.trust.ca.s));
	for (i = 0; i < d->domain.gateways.n; i++) {
		const struct tgateway *g = &d->domain.gateways.v[i];

		fprintf(fp, "cert %s %s %s %s %s\n", d->domain.name.s, g->name.s, g->id.s,
		        topo_path((struct topo *)d, g->cert.s), topo_path((struct topo *)d, g->key.s));
	}
	for (i = 0; i < d->domain.elements.n; i++) {
		const struct telement *e = &d->domain.elements.v[i];

		fprintf(fp, "cert %s %s %s %s %s\n", d->domain.name.s, e->name.s, e->id.s,
		        topo_path((struct topo *)d, e->cert.s), topo_path((struct topo *)d, e->key.s));
	}
	/* a partner's CA named here but kept by the partner's own file */
	for (i = 0; i < d->partners.n; i++) {
		const struct tpartner *p = &d->partners.v[i];

		for (f = 0; f < n; f++)
			if (p->trust.ca.s && !strcmp(t[f]->domain.name.s, p->name.s))
				fprintf(fp, "copyca %s %s\n", p->name.s,
				        topo_path((struct topo *)d, p->trust.ca.s));
	}
}

static int describe(FILE *fp, struct topo **t, int n)
{
	int f;
	size_t i;

	for (f = 0; f < n; f++) {
		const struct topo *d = t[f];

		fprintf(fp, "domain %s\n", d->domain.name.s);
		describe_pki(fp, t, n, d);
		for (i = 0; i < d->domain.gateways.n; i++)
			describe_gateway(fp, d, &d->domain.gateways.v[i]);
		for (i = 0; i < d->domain.elements.n; i++)
			describe_element(fp, d, &d->domain.elements.v[i]);
	}
	return ferror(fp) ? EXIT_RUNTIME : EXIT_OK;
}

static int lab_up(char *script, int argc, char **argv)
{
	struct topo **t = calloc((size_t)argc, sizeof(*t));
	char desc[] = "/tmp/zsec-lab-XXXXXX";
	int i, n = 0, rc = EXIT_OK, fd;
	FILE *fp;

	if (!t)
		return EXIT_RUNTIME;
	for (i = 0; i < argc; i++) {
		/* absolute, so that zsecd finds the file from any folder */
		char *abs = realpath(argv[i], NULL);

		if (!abs) {
			fprintf(stderr, "%s: %s: %s\n", prog, argv[i], strerror(errno));
			rc = EXIT_INVALID;
			continue;
		}
		if ((t[n] = topo_open_errors(abs)))
			n++;
		else
			rc = EXIT_INVALID;
		free(abs);
	}
	if (rc)
		goto out;
	fd = mkstemp(desc);
	fp = fd < 0 ? NULL : fdopen(fd, "w");
	if (!fp) {
		rc = EXIT_RUNTIME;
		goto out;
	}
	rc = describe(fp, t, n);
	if (fclose(fp) || rc) {
		unlink(desc);
		rc = EXIT_RUNTIME;
		goto out;
	}
	fflush(NULL);
	execl(script, script, "up", desc, (char *)NULL);
	fprintf(stderr, "%s: cannot run %s: %s\n", prog, script, strerror(errno));
	unlink(desc);
	rc = EXIT_RUNTIME;
out:
	for (i = 0; i < n; i++)
		topo_free(t[i]);
	free(t);
	return rc;
}

int cmd_lab(int argc, char **argv)
{
	char *script;
	int rc;

	if (argc < 2)
		return usage_error(use, "lab needs a subcommand");
	script = lab_script();
	if (!script || access(script, X_OK)) {
		fprintf(stderr, "%s: the lab script is missing (%s)\n", prog,
		        script ? script : "?");
		free(script);
		return EXIT_RUNTIME;
	}
	if (!strcmp(argv[1], "up")) {
		if (argc < 3) {
			free(script);
			return usage_error(use, "lab up needs topology files");
		}
		rc = lab_up(script, argc - 2, argv + 2);
		free(script);
		return rc;
	}
	if (strcmp(argv[1], "down") && strcmp(argv[1], "status") && strcmp(argv[1], "exec") &&
	    strcmp(argv[1], "start") && strcmp(argv[1], "stop")) {
		free(script);
		return usage_error(use, "unknown lab subcommand '%s'", argv[1]);
	}
	argv[0] = script;
	execv(script, argv);
	fprintf(stderr, "%s: cannot run %s: %s\n", prog, script, strerror(errno));
	free(script);
	return EXIT_RUNTIME;
}
