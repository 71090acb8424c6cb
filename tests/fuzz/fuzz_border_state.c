/* fuzz_border_state: any bytes as what `nft -j list set|map` prints, read
 * back the way zsecd reads the running table before a replacement and for
 * zsecctl status (daemon/border/state.c, json.c, counters.c).  The first
 * byte picks the listing the text claims to be, read after a fixed listing
 * of two partners' gateways; whatever is read must give counters without
 * crashing, and a refusal must say why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/border/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char GATEWAYS[] =
	"{\"nftables\": [{\"map\": {\"name\": \"gateways4_b\", \"elem\": ["
	"[{\"elem\": {\"val\": \"198.51.100.2\", \"comment\": \"operator-b\"}}, 65537],"
	"[{\"elem\": {\"val\": \"198.51.100.3\", \"comment\": \"operator-c\"}}, 2]]}}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "generation", "gateways4_a", "gateways6_b",
	                                     "gateways4", "accepted", "not_exposed", "spoofed_sa4",
	                                     "spoofed_sa6", "bogus" };
	struct border_state *s;
	struct border_counter *v;
	char err[256] = "", *json;
	size_t n, i;

	if (!size)
		return 0;
	if (!(json = malloc(size)))
		abort();
	memcpy(json, data + 1, size - 1);
	json[size - 1] = '\0';
	s = state_new();
	/* partners with gateways, for counters by a gateway's address */
	if (!state_add(s, "gateways4_b", GATEWAYS, err, sizeof(err))) {
		fprintf(stderr, "fuzz_border_state: %s\n", err);
		abort();
	}
	/* the same text twice, as two listings add up in one state */
	for (i = 0; i < 2; i++)
		if (!state_add(s, names[data[0] % (sizeof(names) / sizeof(names[0]))], json, err,
		               sizeof(err)) && !err[0]) {
			fputs("fuzz_border_state: refused without a reason\n", stderr);
			abort();
		}
	if (counters_of(s, &v, &n, err, sizeof(err)))
		free(v);
	border_state_free(s);
	free(json);
	return 0;
}
