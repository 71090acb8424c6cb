/*
 * zsec_enforcer: narrow and authorize hooks.
 *
 * Hooks run under charon's bus lock with the IKE_SA checked out: they take
 * a snapshot reference (a short mutex), decide, queue an event, and return.
 * Returning FALSE would unregister the listener, so they always return TRUE
 * and refuse through the lists (narrow) or *success (authorize).
 */
#include "zsec_enforcer.h"
#include "zsec_rules.h"

#include <daemon.h>

typedef struct private_zsec_enforcer_t private_zsec_enforcer_t;

struct private_zsec_enforcer_t {

	/** Public interface */
	zsec_enforcer_t public;

	zsec_config_t *config;

	zsec_events_t *events;
};

static void flush(linked_list_t *list)
{
	traffic_selector_t *ts;

	while (list->remove_first(list, (void**)&ts) == SUCCESS)
	{
		ts->destroy(ts);
	}
}

/**
 * Keep the selectors within the link's own; returns how many were dropped
 */
static int keep_within(linked_list_t *list, child_cfg_t *child, bool local)
{
	linked_list_t *allowed;
	enumerator_t *enumerator, *inner;
	traffic_selector_t *ts, *ok;
	int dropped = 0;
	bool inside;

	allowed = child->get_traffic_selectors(child, local, NULL, NULL, FALSE);
	enumerator = list->create_enumerator(list);
	while (enumerator->enumerate(enumerator, &ts))
	{
		inside = FALSE;
		inner = allowed->create_enumerator(allowed);
		while (!inside && inner->enumerate(inner, &ok))
		{
			inside = ts->is_contained_in(ts, ok);
		}
		inner->destroy(inner);
		if (!inside)
		{
			list->remove_at(list, enumerator);
			ts->destroy(ts);
			dropped++;
		}
	}
	enumerator->destroy(enumerator);
	allowed->destroy_offset(allowed, offsetof(traffic_selector_t, destroy));
	return dropped;
}

METHOD(listener_t, narrow, bool,
	private_zsec_enforcer_t *this, ike_sa_t *ike_sa, child_sa_t *child_sa,
	narrow_hook_t type, linked_list_t *local, linked_list_t *remote)
{
	zsec_snapshot_t *snapshot;
	zsec_link_t *link;
	proposal_t *proposal;
	char reason[512];
	const char *name = child_sa->get_name(child_sa);

	if ((type != NARROW_RESPONDER && type != NARROW_INITIATOR_POST_AUTH &&
		 type != NARROW_INITIATOR_POST_NOAUTH) || !zsec_link_name(name))
	{
		return TRUE;
	}
	snapshot = this->config->get_snapshot(this->config);
	link = snapshot ? snapshot->get_link(snapshot, name) : NULL;
	proposal = child_sa->get_proposal(child_sa);
	if (!link)
	{
		snprintf(reason, sizeof(reason), "the link is no longer configured");
	}
	else if (!proposal)
	{
		snprintf(reason, sizeof(reason), "no proposal negotiated");
	}
	else if (zsec_rules_check(proposal, link->plan->confidentiality, reason,
							  sizeof(reason)))
	{
		reason[0] = '\0';
		if (keep_within(local, &link->child->cfg, TRUE) +
			keep_within(remote, &link->child->cfg, FALSE))
		{
			this->events->emit(this->events, "narrowed link=%s reason=\"selectors "
							   "outside the link's prefixes dropped\"", name);
		}
		if (!local->get_count(local) || !remote->get_count(remote))
		{
			snprintf(reason, sizeof(reason), "no traffic selector inside the "
					 "link's prefixes");
		}
	}
	if (reason[0])
	{
		/* empty lists refuse the CHILD_SA: TS_UNACCEPTABLE to the peer */
		flush(local);
		flush(remote);
		DBG1(DBG_CFG, "zsec: refusing CHILD_SA %s: %s", name, reason);
		this->events->refuse_child(this->events, ike_sa, name, reason);
	}
	DESTROY_IF(snapshot);
	return TRUE;
}

/**
 * Whether the peer's completed authentication matches the link
 */
static bool peer_matches(ike_sa_t *ike_sa, zsec_link_t *link, char *reason,
						 size_t len)
{
	enumerator_t *enumerator;
	auth_cfg_t *auth;
	certificate_t *ca;
	identification_t *id = ike_sa->get_other_id(ike_sa);
	host_t *other = ike_sa->get_other_host(ike_sa);
	struct ipaddr addr;
	char buf[ADDR_STRLEN];
	bool ca_ok = FALSE;
	uintptr_t class;

	if (!id || !id->equals(id, link->remote_id))
	{
		snprintf(reason, len, "identity %Y is not %s", id, link->plan->remote_id);
		return FALSE;
	}
	if (!zsec_addr_from_host(other, &addr) || addr_cmp(&addr, &link->plan->remote))
	{
		snprintf(reason, len, "address %H is not the link's %s", other,
				 addr_str(&link->plan->remote, buf));
		return FALSE;
	}
	enumerator = ike_sa->create_auth_cfg_enumerator(ike_sa, FALSE);
	while (enumerator->enumerate(enumerator, &auth))
	{
		class = (uintptr_t)auth->get(auth, AUTH_RULE_AUTH_CLASS);
		if (link->plan->auth == AUTH_BY_PSK)
		{
			ca_ok = class == AUTH_CLASS_PSK;
			continue;
		}
		ca = auth->get(auth, AUTH_RULE_CA_CERT);
		ca_ok = class == AUTH_CLASS_PUBKEY && ca && link->ca &&
				ca->equals(ca, link->ca);
	}
	enumerator->destroy(enumerator);
	if (!ca_ok)
	{
		snprintf(reason, len, link->plan->auth == AUTH_BY_PSK ?
				 "not authenticated with the partner's pre-shared key" :
				 "certificate does not chain to the partner's CA");
		return FALSE;
	}
	return TRUE;
}

METHOD(listener_t, authorize, bool,
	private_zsec_enforcer_t *this, ike_sa_t *ike_sa, bool final, bool *success)
{
	zsec_snapshot_t *snapshot;
	zsec_link_t *link;
	peer_cfg_t *peer = ike_sa->get_peer_cfg(ike_sa);
	const char *name = peer ? peer->get_name(peer) : NULL;
	proposal_t *proposal = ike_sa->get_proposal(ike_sa);
	char reason[512] = "";

	if (!final || !zsec_link_name(name))
	{
		return TRUE;
	}
	snapshot = this->config->get_snapshot(this->config);
	link = snapshot ? snapshot->get_link(snapshot, name) : NULL;
	if (!link)
	{
		snprintf(reason, sizeof(reason), "the link is no longer configured");
	}
	else if (!proposal ||
			 zsec_rules_check(proposal, TRUE, reason, sizeof(reason)))
	{
		if (peer_matches(ike_sa, link, reason, sizeof(reason)))
		{
			reason[0] = '\0';
		}
	}
	if (reason[0])
	{
		*success = FALSE;
		DBG1(DBG_CFG, "zsec: refusing peer of %s: %s", name, reason);
		this->events->emit(this->events, "refused link=%s peer=%H reason=\"%s\"",
						   name, ike_sa->get_other_host(ike_sa), reason);
	}
	DESTROY_IF(snapshot);
	return TRUE;
}

METHOD(zsec_enforcer_t, destroy, void,
	private_zsec_enforcer_t *this)
{
	free(this);
}

/*
 * Described in header
 */
zsec_enforcer_t *zsec_enforcer_create(zsec_config_t *config, zsec_events_t *events)
{
	private_zsec_enforcer_t *this;

	INIT(this,
		.public = {
			.listener = {
				.narrow = _narrow,
				.authorize = _authorize,
			},
			.destroy = _destroy,
		},
		.config = config,
		.events = events,
	);
	return &this->public;
}
