/*
 * zsec_plugin: zsec in charon.  The plugin only registers its parts: the
 * backend (zsec_config), the enforcer and the events (two listeners), and
 * the socket zsecd talks to.
 */
#ifndef ZSEC_PLUGIN_H_
#define ZSEC_PLUGIN_H_

#include <plugins/plugin.h>

typedef struct zsec_plugin_t zsec_plugin_t;

struct zsec_plugin_t {

	/** Implements plugin_t */
	plugin_t plugin;
};

#endif /** ZSEC_PLUGIN_H_ @}*/
