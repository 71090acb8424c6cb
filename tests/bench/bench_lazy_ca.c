/*
 * bench_lazy_ca PKI N MODE: the memory N partner CA certificates take in a
 * process, MODE "lazy" (zsec_load_ca, plugin/zsec_lazy_ca.h) or "eager"
 * (zsec_load_cert, the x509 plugin at once).  Prints the growth of VmRSS
 * per certificate once loaded and once every certificate has been used
 * (its public key asked for, as the first authentication through it does):
 *
 *   loaded_b=B used_b=B
 *
 * tests/bench/plugin.sh runs it once per mode, each a fresh process, on
 * $PKI/partner-NNNNN-ca.pem (gen_plugin.py pki).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <library.h>

#include "zsec_creds.h"

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
	{
		if (strncmp(line, "VmRSS:", 6) == 0)
		{
			kb = atol(line + 6);
		}
	}
	if (f)
	{
		fclose(f);
	}
	return kb;
}

int main(int argc, char *argv[])
{
	certificate_t **cas;
	public_key_t *key;
	char path[4096], err[256];
	long before, loaded, used;
	bool lazy;
	int n, i;

	if (argc != 4 || (n = atoi(argv[2])) <= 0 ||
		(strcmp(argv[3], "lazy") && strcmp(argv[3], "eager")))
	{
		fprintf(stderr, "usage: bench_lazy_ca PKI N lazy|eager\n");
		return 2;
	}
	lazy = strcmp(argv[3], "lazy") == 0;
	if (!library_init(NULL, "bench_lazy_ca") ||
		!lib->plugins->load(lib->plugins,
							"random nonce x509 pem pkcs1 pkcs8 openssl sha1 sha2"))
	{
		fprintf(stderr, "bench_lazy_ca: cannot load strongSwan's plugins\n");
		return 1;
	}
	dbg_default_set_level(-1);
	cas = calloc(n, sizeof(*cas));
	before = rss_kb();
	for (i = 0; i < n; i++)
	{
		snprintf(path, sizeof(path), "%s/partner-%05d-ca.pem", argv[1], i + 1);
		cas[i] = lazy ? zsec_load_ca(path, err, sizeof(err)) :
						zsec_load_cert(path, err, sizeof(err));
		if (!cas[i])
		{
			fprintf(stderr, "bench_lazy_ca: %s: %s\n", path, err);
			return 1;
		}
	}
	loaded = rss_kb();
	for (i = 0; i < n; i++)
	{
		key = cas[i]->get_public_key(cas[i]);
		if (!key)
		{
			fprintf(stderr, "bench_lazy_ca: partner %d: no public key\n", i + 1);
			return 1;
		}
		key->destroy(key);
	}
	used = rss_kb();
	printf("loaded_b=%.0f used_b=%.0f\n", (loaded - before) * 1024.0 / n,
		   (used - before) * 1024.0 / n);
	for (i = 0; i < n; i++)
	{
		cas[i]->destroy(cas[i]);
	}
	free(cas);
	library_deinit();
	return 0;
}
