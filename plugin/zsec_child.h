/*
 * zsec_child: the child_cfg of a link for as long as the link exists.
 *
 * charon's CHILD_SAs keep the child_cfg they were made from, and a rekey
 * negotiates from it again.  When an apply changes only the ESP side of a
 * link (its selectors, proposals, mode or lifetimes), this one object takes
 * the new configuration in place of the old, and rekeying the link's
 * CHILD_SAs brings them to it: charon's rekey installs the new SA on both
 * ends before either sends on it and keeps the old inbound SA for packets
 * still on their way, where a second CHILD_SA next to the old one would
 * let one end send before the other could receive.
 */
#ifndef ZSEC_CHILD_H_
#define ZSEC_CHILD_H_

#include <config/child_cfg.h>

typedef struct zsec_child_t zsec_child_t;

struct zsec_child_t {

	/** Implements child_cfg_t, forwarding to the configuration of now */
	child_cfg_t cfg;

	/**
	 * Take a new configuration of the link (same name) from now on.
	 *
	 * @param next		the new configuration, owned from now on
	 */
	void (*swap)(zsec_child_t *this, child_cfg_t *next);
};

/**
 * @param first		the link's configuration, owned from now on
 */
zsec_child_t *zsec_child_create(child_cfg_t *first);

#endif /** ZSEC_CHILD_H_ @}*/
