/*
 * zsec_peer: one plan link as charon configuration (ike_cfg, peer_cfg and
 * child_cfg), with swanctl's defaults wherever the plan is silent.
 */
#ifndef ZSEC_PEER_H_
#define ZSEC_PEER_H_

#include <config/peer_cfg.h>
#include <credentials/certificates/certificate.h>

#include "policy.h"

/**
 * Build the ESP side of a link: its child_cfg, named after the link.
 *
 * @param link		the plan's link
 * @param reqid		the link's reqid, the same for as long as the link exists
 * @param err		reason on failure
 * @return			the child_cfg, NULL on failure
 */
child_cfg_t *zsec_peer_build_child(const struct plan_link *link, uint32_t reqid,
								   char *err, size_t len);

/**
 * Build the peer_cfg of a link around its child_cfg.
 *
 * @param link		the plan's link
 * @param child		its one child_cfg, owned (also on failure)
 * @param cert		our certificate (AUTH_BY_CERT), a reference is taken
 * @param ca		the remote's trust anchor (AUTH_BY_CERT), a reference is taken
 * @param err		reason on failure
 * @return			the peer_cfg, NULL on failure
 */
peer_cfg_t *zsec_peer_build(const struct plan_link *link, child_cfg_t *child,
							certificate_t *cert, certificate_t *ca, char *err,
							size_t len);

/** Dead peer detection interval of every link, seconds */
#define ZSEC_DPD_DELAY 30

#endif /** ZSEC_PEER_H_ @}*/
