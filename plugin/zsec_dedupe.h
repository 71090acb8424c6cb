/*
 * zsec_dedupe: one IKE_SA per link.
 *
 * Both ends start every link; the end that starts second waits, but two
 * IKE_SAs may still open when both come up at once.  When an IKE_SA of a
 * link comes up and another of the same link is established already, the
 * end that starts second deletes the one it initiated itself: both ends
 * agree on which one goes, and traffic keeps the other.
 */
#ifndef ZSEC_DEDUPE_H_
#define ZSEC_DEDUPE_H_

#include <bus/listeners/listener.h>

#include "zsec_config.h"

typedef struct zsec_dedupe_t zsec_dedupe_t;

struct zsec_dedupe_t {

	/** Implements listener_t: ike_updown */
	listener_t listener;

	void (*destroy)(zsec_dedupe_t *this);
};

zsec_dedupe_t *zsec_dedupe_create(zsec_config_t *config);

#endif /** ZSEC_DEDUPE_H_ @}*/
