/* zsecctl: the command line of zsec, one file per command. */
#ifndef ZSECCTL_H
#define ZSECCTL_H

#include "policy.h"

/* Exit codes, DESIGN.md */
#define EXIT_OK 0
#define EXIT_INVALID 1                  /* invalid input or refused change */
#define EXIT_USAGE 2
#define EXIT_RUNTIME 3

extern const char *prog;

int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_teardown(int argc, char **argv);

/* One request to zsecd; prints the reply and returns the exit code. */
int zsecd_request(enum msg_type type, const char *payload);
/* zsecd's control socket: ZSEC_SOCKET, or ZSECD_SOCKET */
const char *zsecd_socket(void);

/* Loads and validates a topology file, printing every diagnostic to stderr
 * (warnings only if asked).  NULL if it could not be read or has errors. */
struct topo *topo_open(const char *path);
struct topo *topo_open_errors(const char *path);
int usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
