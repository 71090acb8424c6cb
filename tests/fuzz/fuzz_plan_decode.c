/* fuzz_plan_decode: any bytes as a wire plan, the plugin's side of the codec.
 * The decoder is strict, so whatever it accepts must be exactly what the
 * encoder writes for the decoded plan (abort() otherwise), and must render,
 * diff and re-render without crashing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	struct plan *p;
	struct plan_diff d;
	uint8_t *wire;
	size_t len = 0;

	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	p = plan_decode(data, size, err, sizeof(err));
	if (!p) {
		if (!err[0]) {
			fputs("fuzz_plan_decode: refused without a reason\n", stderr);
			abort();
		}
		return 0;
	}
	wire = plan_encode(p, &len);
	if (!wire || len != size || memcmp(wire, data, size)) {
		fprintf(stderr, "fuzz_plan_decode: accepted %zu bytes that re-encode to %s%zu\n",
		        size, wire ? "different bytes, " : "nothing, ", wire ? len : 0);
		abort();
	}
	free(wire);
	plan_render(devnull, p);
	plan_diff(p, p, &d);
	if (d.n) {
		fputs("fuzz_plan_decode: a plan differs from itself\n", stderr);
		abort();
	}
	plan_diff_free(&d);
	plan_diff(NULL, p, &d);
	plan_diff_render(devnull, &d);
	plan_diff_free(&d);
	plan_free(p);
	return 0;
}
