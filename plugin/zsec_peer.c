/*
 * zsec_peer: plan link -> ike_cfg + peer_cfg, and its child_cfg.
 */
#include "zsec_peer.h"

#include <daemon.h>

/** swanctl's default rekey times (vici_config.c) */
#define LFT_DEFAULT_IKE_REKEY_TIME (4 * 60 * 60)
#define LFT_DEFAULT_CHILD_REKEY_TIME (1 * 60 * 60)

/**
 * IKE SA lifetimes as swanctl computes them (vici_config.c): rekey time,
 * over time 10 % of it, jitter the over time but at most half the rekey time
 */
static void ike_lifetimes(peer_cfg_create_t *peer, uint32_t rekey)
{
	peer->rekey_time = rekey ? rekey : LFT_DEFAULT_IKE_REKEY_TIME;
	peer->over_time = peer->rekey_time / 10;
	peer->jitter_time = min(peer->over_time, peer->rekey_time / 2);
}

/**
 * CHILD SA lifetimes as swanctl computes them: hard lifetime 10 % above the
 * rekey time, jitter the difference; volume limits unset
 */
static void child_lifetimes(lifetime_cfg_t *lft, uint32_t rekey)
{
	lft->time.rekey = rekey ? rekey : LFT_DEFAULT_CHILD_REKEY_TIME;
	lft->time.life = lft->time.rekey * 110 / 100;
	lft->time.jitter = lft->time.life - lft->time.rekey;
}

static bool add_proposals(const char **v, size_t n, protocol_id_t proto,
						  void (*add)(void *cfg, proposal_t *p), void *cfg,
						  char *err, size_t len)
{
	proposal_t *proposal;
	size_t i;

	for (i = 0; i < n; i++)
	{
		proposal = proposal_create_from_string(proto, (char*)v[i]);
		if (!proposal)
		{
			snprintf(err, len, "invalid %s proposal '%s'",
					 proto == PROTO_IKE ? "IKE" : "ESP", v[i]);
			return FALSE;
		}
		add(cfg, proposal);
	}
	return TRUE;
}

static void add_ike_proposal(void *cfg, proposal_t *p)
{
	((ike_cfg_t*)cfg)->add_proposal(cfg, p);
}

static void add_esp_proposal(void *cfg, proposal_t *p)
{
	((child_cfg_t*)cfg)->add_proposal(cfg, p);
}

static void add_ts(child_cfg_t *child, bool local, const struct prefix *v,
				   size_t n)
{
	traffic_selector_t *ts;
	host_t *net;
	size_t i;

	for (i = 0; i < n; i++)
	{
		net = host_create_from_chunk(v[i].addr.family,
					chunk_create((u_char*)v[i].addr.bytes,
								 addr_bits(v[i].addr.family) / 8), 0);
		ts = traffic_selector_create_from_subnet(net, v[i].len, 0, 0, 65535);
		if (ts)
		{
			child->add_traffic_selector(child, local, ts);
		}
	}
}

static auth_cfg_t *auth(const struct plan_link *l, const char *id,
						certificate_t *cert, bool ca)
{
	auth_cfg_t *cfg = auth_cfg_create();

	cfg->add(cfg, AUTH_RULE_AUTH_CLASS,
			 l->auth == AUTH_BY_PSK ? AUTH_CLASS_PSK : AUTH_CLASS_PUBKEY);
	cfg->add(cfg, AUTH_RULE_IDENTITY, identification_create_from_string((char*)id));
	if (cert)
	{
		/* the remote end must chain to exactly this CA: another partner's
		 * CA, trusted for that partner, does not do */
		cfg->add(cfg, ca ? AUTH_RULE_CA_CERT : AUTH_RULE_SUBJECT_CERT,
				 cert->get_ref(cert));
	}
	return cfg;
}

/*
 * Described in header
 */
child_cfg_t *zsec_peer_build_child(const struct plan_link *l, uint32_t reqid,
								   char *err, size_t len)
{
	child_cfg_t *child_cfg;
	child_cfg_create_t child = {
		.mode = l->mode == ESP_TRANSPORT ? MODE_TRANSPORT : MODE_TUNNEL,
		/* No forward policies for the outbound direction: traffic a gateway
		 * forwards into a tunnel arrived through another SA, whose inbound
		 * forward policy admits it (and beats the guard); an outbound one
		 * without a template would win over a less specific inbound one of
		 * another link and refuse what that link decrypted. */
		/* the link's own reqid: the CHILD_SA of a changed ESP side, a
		 * rekey, takes over the policies of the one it replaces */
		.reqid = reqid,
		.dpd_action = ACTION_START,
		.close_action = ACTION_NONE,
	};

	child_lifetimes(&child.lifetime, l->esp_lifetime);
	child_cfg = child_cfg_create((char*)l->name, &child);
	if (!add_proposals(l->esp, l->n_esp, PROTO_ESP, add_esp_proposal, child_cfg,
					   err, len))
	{
		child_cfg->destroy(child_cfg);
		return NULL;
	}
	add_ts(child_cfg, TRUE, l->local_ts, l->n_local_ts);
	add_ts(child_cfg, FALSE, l->remote_ts, l->n_remote_ts);
	return child_cfg;
}

/*
 * Described in header
 */
peer_cfg_t *zsec_peer_build(const struct plan_link *l, child_cfg_t *child,
							certificate_t *cert, certificate_t *ca, char *err,
							size_t len)
{
	char local[ADDR_STRLEN], remote[ADDR_STRLEN];
	ike_cfg_t *ike_cfg;
	peer_cfg_t *peer_cfg;
	ike_cfg_create_t ike = {
		.version = IKEV2,
		.local = (char*)addr_str(&l->local, local),
		.local_port = charon->socket->get_port(charon->socket, FALSE),
		.remote = (char*)addr_str(&l->remote, remote),
		.remote_port = IKEV2_UDP_PORT,
		.fragmentation = FRAGMENTATION_YES,
		.childless = CHILDLESS_ALLOW,
	};
	peer_cfg_create_t peer = {
		.cert_policy = CERT_SEND_IF_ASKED,
		.unique = UNIQUE_NO,
		.keyingtries = 1,
		.dpd = ZSEC_DPD_DELAY,
	};

	ike_cfg = ike_cfg_create(&ike);
	if (!add_proposals(l->ike, l->n_ike, PROTO_IKE, add_ike_proposal, ike_cfg,
					   err, len))
	{
		ike_cfg->destroy(ike_cfg);
		child->destroy(child);
		return NULL;
	}
	ike_lifetimes(&peer, l->ike_lifetime);
	peer_cfg = peer_cfg_create((char*)l->name, ike_cfg, &peer);
	peer_cfg->add_auth_cfg(peer_cfg, auth(l, l->local_id, cert, FALSE), TRUE);
	peer_cfg->add_auth_cfg(peer_cfg, auth(l, l->remote_id, ca, TRUE), FALSE);
	peer_cfg->add_child_cfg(peer_cfg, child);
	return peer_cfg;
}
