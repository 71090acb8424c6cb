/*
 * zsec_plugin: registers zsec's backend, listeners and socket with charon.
 */
#include "zsec_plugin.h"
#include "zsec_config.h"
#include "zsec_dedupe.h"
#include "zsec_enforcer.h"
#include "zsec_events.h"
#include "zsec_socket.h"

#include <daemon.h>

typedef struct private_zsec_plugin_t private_zsec_plugin_t;

struct private_zsec_plugin_t {

	/** Public interface */
	zsec_plugin_t public;

	zsec_config_t *config;

	zsec_events_t *events;

	zsec_enforcer_t *enforcer;

	zsec_dedupe_t *dedupe;

	zsec_socket_t *socket;
};

METHOD(plugin_t, get_name, char*,
	private_zsec_plugin_t *this)
{
	return "zsec";
}

static bool register_zsec(private_zsec_plugin_t *this, plugin_feature_t *feature,
						  bool reg, void *data)
{
	if (reg)
	{
		this->config = zsec_config_create();
		this->events = zsec_events_create();
		this->enforcer = zsec_enforcer_create(this->config, this->events);
		this->dedupe = zsec_dedupe_create(this->config);
		this->socket = zsec_socket_create(this->config, this->events);
		if (!this->socket)
		{
			this->enforcer->destroy(this->enforcer);
			this->dedupe->destroy(this->dedupe);
			this->events->destroy(this->events);
			this->config->destroy(this->config);
			this->enforcer = NULL;
			this->events = NULL;
			this->config = NULL;
			return FALSE;
		}
		charon->backends->add_backend(charon->backends, &this->config->backend);
		charon->bus->add_listener(charon->bus, &this->enforcer->listener);
		charon->bus->add_listener(charon->bus, &this->events->listener);
		charon->bus->add_listener(charon->bus, &this->dedupe->listener);
	}
	else
	{
		/* the socket first: it calls into the others */
		DESTROY_IF(this->socket);
		if (this->enforcer)
		{
			charon->bus->remove_listener(charon->bus, &this->enforcer->listener);
			charon->bus->remove_listener(charon->bus, &this->events->listener);
			charon->bus->remove_listener(charon->bus, &this->dedupe->listener);
			charon->backends->remove_backend(charon->backends,
											 &this->config->backend);
			this->enforcer->destroy(this->enforcer);
			this->dedupe->destroy(this->dedupe);
		}
		DESTROY_IF(this->events);
		DESTROY_IF(this->config);
	}
	return TRUE;
}

METHOD(plugin_t, get_features, int,
	private_zsec_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK((plugin_feature_callback_t)register_zsec, NULL),
			PLUGIN_PROVIDE(CUSTOM, "zsec"),
				PLUGIN_DEPENDS(CUSTOM, "kernel-ipsec"),
				PLUGIN_DEPENDS(CUSTOM, "socket"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_zsec_plugin_t *this)
{
	free(this);
}

/*
 * Described in header
 */
plugin_t *zsec_plugin_create()
{
	private_zsec_plugin_t *this;

	INIT(this,
		.public = {
			.plugin = {
				.get_name = _get_name,
				.get_features = _get_features,
				.destroy = _destroy,
			},
		},
	);
	return &this->public.plugin;
}
