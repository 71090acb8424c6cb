/* zsecd: the policy daemon of one node (a gateway or an element).
 *
 * It owns the lifecycle: load -> validate -> compile -> diff -> apply, on
 * start, on SIGHUP and on `zsecctl apply`; it feeds the plan to the charon
 * plugin and pushes it again whenever charon comes back; it keeps the status
 * of every link from the plugin's events. */
#ifndef ZSECD_H
#define ZSECD_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "border.h"
#include "common.h"
#include "guard.h"
#include "policy.h"

#define MAX_CONTROL_CLIENTS 16
#define RECENT_EVENTS 64
#define RETRY_MAX_S 8

/* A put-back the kernel refused, to be tried again (retry.c). */
struct retry {
	long at_ms;                     /* when; 0: not needed */
	int backoff_s;                  /* the wait after that one */
};

/* What the plugin's events said last about one link. */
struct link_note {
	char *name;
	char *event;                    /* the last event line */
	char *reason;                   /* of the last refusal or failure, or NULL */
};

struct zsecd {
	char *file;                     /* the topology file, absolute */
	const char *node;
	const char *plugin_path;
	const char *control_path;

	struct plan *running;           /* applied, NULL before the first apply */
	struct guard *guard;            /* the kernel's XFRM guard, watched:
	                                 * put back when another process
	                                 * deletes or changes its entries */
	bool guard_down;                /* zsecctl teardown took it away, on
	                                 * purpose, until the next apply */
	struct retry guard_retry;       /* putting its entries back failed */
	char guard_error[1024];         /* why, while guard_retry is set */
	struct guard_shadow shadow;     /* others' passes in clear that beat
	                                 * the guard (zsec leaves them alone) */
	struct border_watch watch;      /* on table inet zsec, put back when
	                                 * another process deletes it */
	struct retry border_retry;      /* the running plan's table was not
	                                 * there after a load: load it again */

	int plugin_fd;                  /* -1 while charon is not reachable */
	bool plugin_synced;             /* the plugin holds the running plan */
	char *plugin_refusal;           /* why charon refused the running plan
	                                 * when it was pushed on connecting (a
	                                 * credential gone since the apply, say);
	                                 * NULL: it did not */
	long next_connect_ms;

	int control_fd;
	int signal_fd;

	struct link_note *notes;
	size_t n_notes;
	char *recent[RECENT_EVENTS];    /* a ring of the last event lines */
	size_t n_recent;

	bool stop;
	bool libipsec;          /* --libipsec */
};

/* how the log, zsecctl apply and zsecctl status say the guard is shadowed
 * (guard_shadow: n, first) */
#define SHADOWED_FMT "guard: shadowed: %zu entries of another process's let traffic " \
	"pass in clear text where zsec's would drop it: %s"

/* apply.c */
int zsecd_apply(struct zsecd *z, const char *file, FILE *out);
int zsecd_check(struct zsecd *z, const char *file, FILE *out);
int zsecd_diff_running(struct zsecd *z, const char *file, FILE *out);
int zsecd_teardown(struct zsecd *z, FILE *out);
/* the watch's socket is readable: puts table inet zsec back if another
 * process deleted it */
void zsecd_border_event(struct zsecd *z);
/* the guard's watch is readable: puts zsec's XFRM entries back if another
 * process deleted or changed them */
void zsecd_guard_event(struct zsecd *z);
/* charon confirmed the running plan: the guard becomes exactly its */
void zsecd_guard_settle(struct zsecd *z);
/* runs each put-back whose retry has come (border_retry, guard_retry) */
void zsecd_retry(struct zsecd *z);
/* poll's timeout, shortened to the next retry */
int zsecd_retry_timeout(const struct zsecd *z, int timeout);

/* plugin.c */
void plugin_connect(struct zsecd *z);
void plugin_disconnect(struct zsecd *z);
/* OK: charon runs the plan; REFUSED: charon kept the previous one (why:
 * in said); LOST: charon went away, the plan may or may not have been
 * applied */
enum push { PUSH_OK, PUSH_REFUSED, PUSH_LOST };
enum push plugin_push(struct zsecd *z, FILE *out, char *said, size_t len);
char *plugin_status(struct zsecd *z);
void plugin_read(struct zsecd *z);

/* control.c */
int control_open(const char *path);
void control_accept(struct zsecd *z);

/* status.c */
void status_event(struct zsecd *z, const char *line);
struct border_counter;
/* bc: the Border Element's counters, or why they could not be read
 * (border_err, else NULL) */
void status_render(struct zsecd *z, const char *sas, const struct border_counter *bc,
                   size_t n_bc, const char *border_err, bool json, FILE *out);
void status_free(struct zsecd *z);

/* sources.c: kernel-libipsec's source addresses; prune: remove unneeded */
bool sources_apply(const struct plan *p, bool prune);

/* privs.c: keep CAP_NET_ADMIN only */
bool privs_drop(void);

/* retry.c: schedule returns the wait (s); timeout: poll's (ms, -1: none),
 * shortened to when r is due, or to deadline (now_ms()) by until */
int retry_schedule(struct retry *r);
void retry_clear(struct retry *r);
bool retry_due(const struct retry *r);
int retry_timeout(const struct retry *r, int timeout);
long retry_left_ms(const struct retry *r);
int until(long deadline, int timeout);

/* log.c */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long now_ms(void);

#endif
