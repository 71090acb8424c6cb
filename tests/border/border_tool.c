/* border_tool: the Border Element module driven from tests/border/run,
 * tests/border/kernel.sh and tests/bench/border.sh, in whatever network
 * namespace it is started in.
 *
 *   border_tool render FILE NODE [--running OLD]   the script for NODE's plan,
 *                                 against no table or the one OLD's plan
 *                                 leaves; pure
 *   border_tool check FILE NODE   dry run against the running table
 *   border_tool apply FILE NODE   apply; prints the figures of border_stats
 *   border_tool remove            remove the table
 *   border_tool counters          one line per partner: name, then
 *                                 accepted and each reason as packets/bytes
 *   border_tool dry-run SCRIPT    a script of render through the module's dry run
 *   border_tool together SCRIPT...  nft scripts run side by side, as the
 *                                 staging transactions are
 *   border_tool batch SET MARK... [-- SET MARK...]...  elements (marks,
 *                                 or FIRST-LAST) of a set of marks through
 *                                 the module's netlink batch; after each
 *                                 --, another batch, in the same process
 *
 * Failures go to stderr: exit status 1 for an invalid input, 3 for a
 * refusal or a runtime failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "border.h"
#include "../../daemon/border/internal.h"  /* script_check, nft_run_together */

static void print_stats(const struct border_stats *s)
{
	printf("partners %zu kept %zu added %zu removed %zu bytes %zu read %.4f render %.4f "
	       "check %.4f load %.4f load_cpu %.4f\n", s->partners, s->kept, s->added, s->removed,
	       s->script_bytes, s->read_s, s->render_s, s->check_s, s->load_s, s->load_cpu_s);
}

static int render(int argc, char **argv)
{
	struct border_state *s = NULL;
	struct plan *p, *old = NULL;
	char err[1024], *script;

	if (!(p = plan_load(argv[2], argv[3], stderr, false)))
		return 1;
	if (argc == 6 && !strcmp(argv[4], "--running")) {
		if (!(old = plan_load(argv[5], argv[3], stderr, false)))
			return 1;
		if (!(s = border_state_of(old, err, sizeof(err)))) {
			fprintf(stderr, "border_tool: %s\n", err);
			return 3;
		}
	}
	script = border_render(p, s, NULL, err, sizeof(err));
	border_state_free(s);
	plan_free(old);
	plan_free(p);
	if (!script) {
		fprintf(stderr, "border_tool: %s\n", err);
		return 3;
	}
	fputs(script, stdout);
	free(script);
	return 0;
}

static int counters(void)
{
	struct border_counter *v;
	char err[1024];
	size_t n, i, r;

	if (!border_counters(&v, &n, err, sizeof(err))) {
		fprintf(stderr, "border_tool: %s\n", err);
		return 3;
	}
	for (i = 0; i < n; i++) {
		printf("%s accepted %llu/%llu", v[i].partner[0] ? v[i].partner : "-",
		       (unsigned long long)v[i].accepted.packets,
		       (unsigned long long)v[i].accepted.bytes);
		for (r = 0; r < BORDER_REASONS; r++)
			printf(" %s %llu/%llu", border_reason_key(r),
			       (unsigned long long)v[i].dropped[r].packets,
			       (unsigned long long)v[i].dropped[r].bytes);
		putchar('\n');
	}
	free(v);
	return 0;
}

/* The text of a file, malloc'ed; NULL after telling why. */
static char *slurp(const char *file)
{
	FILE *f = fopen(file, "r");
	char *text = NULL;
	size_t n = 0;

	if (!f || getdelim(&text, &n, '\0', f) < 0) {
		perror(file);
		free(text);
		text = NULL;
	}
	if (f)
		fclose(f);
	return text;
}

static int dry_run(const char *file)
{
	char *text = slurp(file), err[2048];
	int rc;

	if (!text)
		return 1;
	rc = script_check(text, err, sizeof(err)) ? 0 : 3;
	if (rc)
		fprintf(stderr, "border_tool: %s\n", err);
	free(text);
	return rc;
}

static int together(int n, char **files)
{
	char **text = calloc((size_t)n, sizeof(*text)), err[2048];
	int i, rc = 0;

	for (i = 0; text && i < n && !rc; i++)
		rc = (text[i] = slurp(files[i])) ? 0 : 1;
	if (!text)
		rc = 1;
	else if (!rc && !nft_run_together(text, (size_t)n, false, NULL, err, sizeof(err))) {
		fprintf(stderr, "border_tool: %s\n", err);
		rc = 3;
	}
	for (i = 0; text && i < n; i++)
		free(text[i]);
	free(text);
	return rc;
}

/* One batch: SET MARK..., up to "--" or the end; how many arguments it
 * took in *used */
static int one_batch(int n, char **args, int *used)
{
	struct elem_batch *b = batch_new();
	char err[2048];
	uint32_t mark;
	int i, rc = 0;

	batch_set(b, args[0]);
	for (i = 1; i < n && strcmp(args[i], "--"); i++) {
		char *end;
		uint32_t last;

		mark = (uint32_t)strtoul(args[i], &end, 0);
		last = *end == '-' ? (uint32_t)strtoul(end + 1, NULL, 0) : mark;
		for (; mark <= last && mark; mark++)
			batch_add(b, &mark, NULL, sizeof(mark), NULL, 0, NULL, NULL);
	}
	*used = i;
	if (!batch_send(b, err, sizeof(err))) {
		fprintf(stderr, "border_tool: %s\n", err);
		rc = 3;
	}
	batch_free(b);
	return rc;
}

/* Batches one after the other, in this process (as zsecd sends one per
 * apply, on the socket it keeps): 3 if any failed */
static int batch(int n, char **args)
{
	int i = 0, used, rc = 0;

	while (i < n) {
		if (one_batch(n - i, args + i, &used))
			rc = 3;
		i += used + 1;
	}
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: border_tool render FILE NODE [--running OLD] | check FILE NODE |"
	        " apply FILE NODE | remove | counters | dry-run SCRIPT | together SCRIPT... |"
	        " batch SET MARK... [-- SET MARK...]...\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct border_stats st = { 0 };
	struct plan *p = NULL;
	char err[2048];
	bool ok;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "render") && (argc == 4 || argc == 6))
		return render(argc, argv);
	if (!strcmp(argv[1], "counters") && argc == 2)
		return counters();
	if (!strcmp(argv[1], "dry-run") && argc == 3)
		return dry_run(argv[2]);
	if (!strcmp(argv[1], "together") && argc >= 3)
		return together(argc - 2, argv + 2);
	if (!strcmp(argv[1], "batch") && argc >= 4)
		return batch(argc - 2, argv + 2);
	if ((!strcmp(argv[1], "check") || !strcmp(argv[1], "apply")) && argc == 4) {
		if (!(p = plan_load(argv[2], argv[3], stderr, false)))
			return 1;
	} else if (strcmp(argv[1], "remove") || argc != 2) {
		return usage();
	}
	ok = !strcmp(argv[1], "check") ? border_check(p, &st, err, sizeof(err)) :
		border_apply(p, &st, err, sizeof(err));
	plan_free(p);
	if (!ok) {
		fprintf(stderr, "border_tool: %s\n", err);
		return 3;
	}
	print_stats(&st);
	return 0;
}
