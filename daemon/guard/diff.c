/* diff: the kernel's zsec entries against the wanted ones.  Both are sorted
 * by key, so one merge walk finds what to add, to update in place and to
 * remove, as `wg syncconf` does: O(n) after the sort.  The walk runs twice,
 * counting first, so the lists take no more memory than they hold (at
 * 200,000 entries a list sized for the worst case would be 16 MB each). */
#include <stdlib.h>
#include <string.h>

#include "guard.h"

/* One walk; with out->add and the others NULL it only counts. */
static void walk(const struct guard_entry *have, size_t n_have, const struct guard_entry *want,
                 size_t n_want, struct guard_diff *out)
{
	size_t i = 0, j = 0;
	bool fill = out->add != NULL;

	out->n_add = out->n_update = out->n_remove = out->n_keep = 0;
	while (i < n_have || j < n_want) {
		int c = i == n_have ? 1 : j == n_want ? -1 : guard_key_cmp(&have[i].key, &want[j].key);

		if (c < 0) {
			if (fill)
				out->remove[out->n_remove] = have[i];
			out->n_remove++, i++;
		} else if (c > 0) {
			if (fill)
				out->add[out->n_add] = want[j];
			out->n_add++, j++;
		} else if (guard_entry_same(&have[i], &want[j])) {
			out->n_keep++;
			i++, j++;
		} else {
			if (fill) {
				out->update[out->n_update] = want[j];
				out->update_old[out->n_update] = have[i];
			}
			out->n_update++, i++, j++;
		}
		/* the kernel holds one entry per key; a second one with the same
		 * key (another security context) is not what zsec wrote */
		while (i && i < n_have && !guard_key_cmp(&have[i - 1].key, &have[i].key)) {
			if (fill)
				out->remove[out->n_remove] = have[i];
			out->n_remove++, i++;
		}
	}
}

static struct guard_entry *array(size_t n)
{
	return malloc((n ? n : 1) * sizeof(struct guard_entry));
}

bool guard_diff(const struct guard_entry *have, size_t n_have,
                const struct guard_entry *want, size_t n_want, struct guard_diff *out)
{
	memset(out, 0, sizeof(*out));
	walk(have, n_have, want, n_want, out);
	out->add = array(out->n_add);
	out->update = array(out->n_update);
	out->update_old = array(out->n_update);
	out->remove = array(out->n_remove);
	if (!out->add || !out->update || !out->update_old || !out->remove) {
		guard_diff_free(out);
		return false;
	}
	walk(have, n_have, want, n_want, out);
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
