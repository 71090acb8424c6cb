/*
 * zsec_enforcer: the Za/Zb rules on every negotiated SA, independent of the
 * validator (enforcement in depth).
 *
 * narrow: after proposal selection, and on every rekey, refuse a CHILD_SA
 * whose proposal breaks its link's rule, and keep only selectors inside the
 * link's prefixes.  authorize: refuse a peer whose identity, address,
 * certificate authority or IKE proposal is not its link's.
 */
#ifndef ZSEC_ENFORCER_H_
#define ZSEC_ENFORCER_H_

#include <bus/listeners/listener.h>

#include "zsec_config.h"
#include "zsec_events.h"

typedef struct zsec_enforcer_t zsec_enforcer_t;

struct zsec_enforcer_t {

	/** Implements listener_t: narrow and authorize */
	listener_t listener;

	void (*destroy)(zsec_enforcer_t *this);
};

zsec_enforcer_t *zsec_enforcer_create(zsec_config_t *config, zsec_events_t *events);

#endif /** ZSEC_ENFORCER_H_ @}*/
