/* tamper_plan FILE NODE ESP-PROPOSAL [PLUGIN-SOCKET]: a test tool.
 *
 * Compiles NODE's plan from a valid FILE, then gives every Za link the ESP
 * proposal ESP-PROPOSAL (say "null-sha256", which the validator would
 * refuse) and pushes it straight to the plugin, past zsecd and the
 * validator: what the plugin's enforcer must catch on its own. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"
#include "policy.h"

int main(int argc, char **argv)
{
	struct plan *p;
	struct msg m;
	uint8_t *buf;
	size_t len, i;
	int fd;

	if (argc < 4) {
		fprintf(stderr, "usage: tamper_plan FILE NODE ESP-PROPOSAL [PLUGIN-SOCKET]\n");
		return 2;
	}
	if (!(p = plan_load(argv[1], argv[2], stderr, false)))
		return 1;
	for (i = 0; i < p->n_links; i++)
		if (p->links[i].kind == LINK_ZA) {
			p->links[i].esp = arena_alloc(p->arena, sizeof(*p->links[i].esp));
			p->links[i].esp[0] = argv[3];
			p->links[i].n_esp = 1;
		}
	buf = plan_encode_links(p, &len);     /* as zsecd sends it */
	fd = unix_connect(argc > 4 ? argv[4] : PLUGIN_SOCKET);
	if (!buf || fd < 0 || !msg_send(fd, MSG_PLAN, buf, len) || msg_recv(fd, &m, 10000) != 1 ||
	    m.type != MSG_RESULT || m.len < 1) {
		fprintf(stderr, "tamper_plan: no answer from the plugin\n");
		return 3;
	}
	printf("plugin: %s\n", (char *)m.data + 1);
	return m.data[0];
}
