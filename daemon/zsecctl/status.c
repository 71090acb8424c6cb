/* zsecctl status [--json]: every link of the node: state, SPIs, bytes and
 * packets each way, the last event and the reason of a refusal. */
#include <string.h>

#include "common.h"
#include "zsecctl.h"

int cmd_status(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json")))
		return usage_error("status [--json]", "unknown argument");
	return zsecd_request(MSG_STATUS, argc == 2 ? "json" : "");
}
