/*
 * zsec_config: the backend serving the plan's links to charon.
 *
 * Lookups go through the snapshot's indexes on remote address and remote
 * identity, never a scan of all links and never DNS.  A new plan swaps the
 * snapshot atomically; a job then terminates the SAs of removed and changed
 * links and brings up the new ones.
 */
#ifndef ZSEC_CONFIG_H_
#define ZSEC_CONFIG_H_

#include <config/backend.h>

#include "zsec_snapshot.h"

typedef struct zsec_config_t zsec_config_t;

struct zsec_config_t {

	/** Implements backend_t */
	backend_t backend;

	/**
	 * Apply a plan: unchanged links keep their SAs.
	 *
	 * @param plan		decoded plan, owned by the config (also on failure)
	 * @param msg		summary, or the reason of a failure
	 * @return			TRUE if applied; on failure nothing changed
	 */
	bool (*apply)(zsec_config_t *this, struct plan *plan, char *msg, size_t len);

	/**
	 * The current snapshot, referenced, or NULL before the first plan.
	 */
	zsec_snapshot_t *(*get_snapshot)(zsec_config_t *this);

	/**
	 * Destroy the backend.
	 */
	void (*destroy)(zsec_config_t *this);
};

zsec_config_t *zsec_config_create();

/** How long the end that starts second waits before it starts a link the
 * other end has not started, milliseconds: longer than charon's first
 * retransmission (4 s), so that a peer whose charon came up late has
 * received the other end's IKE_SA_INIT by then */
#define ZSEC_INITIATE_DEFER_MS 5000

/** How long after an apply the memory it freed is given back, ms */
#define ZSEC_TRIM_DELAY_MS 500

#endif /** ZSEC_CONFIG_H_ @}*/
