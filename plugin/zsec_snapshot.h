/*
 * zsec_snapshot: one plan as charon configuration, immutable (but for the
 * ESP side a change swaps into a kept link's zsec_child) and
 * reference-counted.
 *
 * The backend serves the current snapshot; a new plan builds a new one and
 * the pointer is swapped.  Hooks and lookups take a reference and never see
 * a snapshot change under them.  A link equal to the previous snapshot's
 * keeps its peer_cfg object, so charon keeps its security associations.
 */
#ifndef ZSEC_SNAPSHOT_H_
#define ZSEC_SNAPSHOT_H_

#include <config/peer_cfg.h>
#include <credentials/credential_set.h>

#include "policy.h"
#include "zsec_child.h"

typedef struct zsec_link_t zsec_link_t;

/**
 * Whether a peer_cfg or child_cfg name is one of zsec's links (and not,
 * say, a swanctl connection in the same charon)
 */
static inline bool zsec_link_name(const char *name)
{
	return name && (strpfx(name, "za:") || strpfx(name, "zb:"));
}
typedef struct zsec_snapshot_t zsec_snapshot_t;

/**
 * A link of the plan with its charon objects
 */
struct zsec_link_t {
	/** the plan's link, owned by the snapshot's plan */
	const struct plan_link *plan;
	/** its configuration */
	peer_cfg_t *peer;
	/** its one child_cfg, referenced: the same object for as long as the
	 * link exists (a rechild swaps the configuration inside) */
	zsec_child_t *child;
	/** remote identity, for the index and the enforcer: the peer_cfg's
	 * (its remote auth_cfg's), not a copy; the address is the plan's */
	identification_t *remote_id;
	/** hashes of the remote address and identity, for the indexes */
	u_int remote_hash, remote_id_hash;
	/** credentials, NULL where the link has none; the snapshot's credential
	 * set holds them (and the peer_cfg the certificates) */
	certificate_t *cert;
	certificate_t *ca;
	private_key_t *key;
	shared_key_t *psk;
	/** the link's reqid, kept from snapshot to snapshot while it exists */
	uint32_t reqid;
	/** TRUE if taken over from the previous snapshot unchanged */
	bool kept;
	/** TRUE if only its ESP SA changed: the peer_cfg (and so the IKE_SA)
	 * and the zsec_child are the previous ones, the configuration in the
	 * zsec_child is new; the CHILD_SAs are rekeyed to it */
	bool rechild;
	/** while building: the new ESP configuration, swapped into child only
	 * once every link has been built */
	child_cfg_t *next;
};

struct zsec_snapshot_t {

	/**
	 * The link of a name (a peer_cfg or child_cfg name), or NULL.
	 */
	zsec_link_t *(*get_link)(zsec_snapshot_t *this, const char *name);

	/**
	 * The link whose remote end has this address (port ignored), or NULL.
	 */
	zsec_link_t *(*get_link_by_host)(zsec_snapshot_t *this, host_t *host);

	/**
	 * The link whose remote end has this identity, or NULL.
	 */
	zsec_link_t *(*get_link_by_id)(zsec_snapshot_t *this, identification_t *id);

	/**
	 * Enumerate all links (zsec_link_t*), sorted by name.
	 */
	enumerator_t *(*create_link_enumerator)(zsec_snapshot_t *this);

	/**
	 * The number of links.
	 */
	size_t (*get_link_count)(zsec_snapshot_t *this);

	/**
	 * What this snapshot changed against the one it was built from: links
	 * new, changed (also those whose ESP side only changed), kept and
	 * removed.
	 */
	void (*get_changes)(zsec_snapshot_t *this, size_t *added, size_t *changed,
						size_t *kept, size_t *removed);

	/**
	 * The credentials of all links.
	 */
	credential_set_t *(*get_creds)(zsec_snapshot_t *this);

	/**
	 * The plan this snapshot serves.
	 */
	const struct plan *(*get_plan)(zsec_snapshot_t *this);

	/**
	 * Take a reference.
	 */
	zsec_snapshot_t *(*get_ref)(zsec_snapshot_t *this);

	/**
	 * Drop a reference, destroying the snapshot with the last one.
	 */
	void (*destroy)(zsec_snapshot_t *this);
};

/**
 * A host's address as the plan writes addresses (port ignored).
 *
 * @return			FALSE if not IPv4 or IPv6
 */
bool zsec_addr_from_host(host_t *host, struct ipaddr *addr);

/**
 * Build the snapshot of a plan.
 *
 * @param plan		decoded plan, owned by the snapshot (also on failure); it
 *					keeps a copy of its links only, and frees it at once
 * @param prev		the current snapshot whose equal links are kept, or NULL
 * @param err		reason on failure
 * @return			snapshot, NULL on failure (nothing changed)
 */
zsec_snapshot_t *zsec_snapshot_create(struct plan *plan, zsec_snapshot_t *prev,
									  char *err, size_t len);

#endif /** ZSEC_SNAPSHOT_H_ @}*/
