/* shadow: another process's passes in clear that beat a DISCARD of zsec's.
 * zsec leaves others' entries alone (it cannot know why they are there),
 * so it can only find such an entry and say so: zsecd logs it and
 * `zsecctl status` shows it until it is gone. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

bool guard_shadows(struct guard *g, const struct plan *p, struct guard_shadow *out,
                   char *err, size_t len)
{
	struct xfrm_pass *passes = NULL;
	struct guard_entry *want = NULL;
	size_t n_passes, n_want, i, j;

	out->n = 0;
	out->first[0] = '\0';
	if (!xfrm_dump_passes(g, &passes, &n_passes, err, len))
		return false;
	if (n_passes && !guard_expand(p, &want, &n_want)) {
		free(passes);
		snprintf(err, len, "out of memory");
		return false;
	}
	/* others' passes are few (charon's carry templates): each against
	 * every wanted entry, the first it beats is enough */
	for (i = 0; i < n_passes; i++)
		for (j = 0; j < n_want; j++) {
			char a[GUARD_ENTRY_STRLEN], b[GUARD_ENTRY_STRLEN];

			if (!guard_beats(&passes[i].e, passes[i].mark_mask, &want[j]))
				continue;
			if (!out->n++)
				snprintf(out->first, sizeof(out->first), "%s beats %s",
				         entry_str_masked(&passes[i].e, passes[i].mark_mask, a),
				         guard_entry_str(&want[j], b));
			break;
		}
	free(passes);
	free(want);
	return true;
}
