/* diff: the kernel's zsec entries against the wanted ones.  Both are sorted
 * by key, so one merge walk finds what to add, to update in place and to
 * remove, as `wg syncconf` does: O(n) after the sort. */
#include <stdlib.h>
#include <string.h>

#include "guard.h"

static bool grow(struct guard_entry **v, size_t n)
{
	struct guard_entry *w = realloc(*v, (n ? n : 1) * sizeof(*w));

	if (!w)
		return false;
	*v = w;
	return true;
}

bool guard_diff(const struct guard_entry *have, size_t n_have,
                const struct guard_entry *want, size_t n_want, struct guard_diff *out)
{
	size_t i = 0, j = 0;

	memset(out, 0, sizeof(*out));
	/* at most every wanted entry added or updated, every present one removed */
	if (!grow(&out->add, n_want) || !grow(&out->update, n_want) ||
	    !grow(&out->update_old, n_want) || !grow(&out->remove, n_have)) {
		guard_diff_free(out);
		return false;
	}
	while (i < n_have || j < n_want) {
		int c = i == n_have ? 1 : j == n_want ? -1 : guard_key_cmp(&have[i].key, &want[j].key);

		if (c < 0) {
			out->remove[out->n_remove++] = have[i++];
		} else if (c > 0) {
			out->add[out->n_add++] = want[j++];
		} else if (guard_entry_same(&have[i], &want[j])) {
			out->n_keep++;
			i++, j++;
		} else {
			out->update[out->n_update] = want[j++];
			out->update_old[out->n_update++] = have[i++];
		}
		/* the kernel holds one entry per key; a second one with the same
		 * key (another security context) is not what zsec wrote */
		while (i && i < n_have && !guard_key_cmp(&have[i - 1].key, &have[i].key))
			out->remove[out->n_remove++] = have[i++];
	}
	return true;
}

void guard_diff_free(struct guard_diff *d)
{
	free(d->add);
	free(d->update);
	free(d->update_old);
	free(d->remove);
	memset(d, 0, sizeof(*d));
}
