/*
 * zsec_dedupe: delete our own duplicate IKE_SA of a link, from a job.
 */
#include "zsec_dedupe.h"

#include <daemon.h>
#include <collections/array.h>
#include <processing/jobs/callback_job.h>

typedef struct private_zsec_dedupe_t private_zsec_dedupe_t;

struct private_zsec_dedupe_t {

	/** Public interface */
	zsec_dedupe_t public;

	zsec_config_t *config;
};

typedef struct {
	private_zsec_dedupe_t *this;
	char *name;
} check_t;

CALLBACK(check_destroy, void,
	check_t *c)
{
	free(c->name);
	free(c);
}

/**
 * With two or more established IKE_SAs of the link, delete the ones this
 * end initiated, if this end is the one that starts second
 */
CALLBACK(check, job_requeue_t,
	check_t *c)
{
	zsec_snapshot_t *snapshot = c->this->config->get_snapshot(c->this->config);
	array_t *ours = array_create(sizeof(uint32_t), 0);
	enumerator_t *enumerator;
	zsec_link_t *link;
	ike_sa_t *ike_sa;
	u_int established = 0;
	uint32_t id;

	link = snapshot ? snapshot->get_link(snapshot, c->name) : NULL;
	if (link && !link->plan->initiate)
	{
		enumerator = charon->ike_sa_manager->create_enumerator(
											charon->ike_sa_manager, TRUE);
		while (enumerator->enumerate(enumerator, &ike_sa))
		{
			if (ike_sa->get_peer_cfg(ike_sa) != link->peer ||
				ike_sa->get_state(ike_sa) != IKE_ESTABLISHED)
			{
				continue;
			}
			established++;
			if (ike_sa->has_condition(ike_sa, COND_ORIGINAL_INITIATOR))
			{
				id = ike_sa->get_unique_id(ike_sa);
				array_insert(ours, ARRAY_TAIL, &id);
			}
		}
		enumerator->destroy(enumerator);
		while (established > 1 && array_remove(ours, ARRAY_HEAD, &id))
		{
			DBG1(DBG_CFG, "zsec: deleting duplicate IKE_SA of %s", c->name);
			charon->controller->terminate_ike(charon->controller, id, FALSE,
											  NULL, NULL, 0);
			established--;
		}
	}
	array_destroy(ours);
	DESTROY_IF(snapshot);
	return JOB_REQUEUE_NONE;
}

METHOD(listener_t, ike_updown, bool,
	private_zsec_dedupe_t *this, ike_sa_t *ike_sa, bool up)
{
	peer_cfg_t *peer = ike_sa->get_peer_cfg(ike_sa);
	check_t *c;

	if (!up || !peer || !zsec_link_name(peer->get_name(peer)))
	{
		return TRUE;
	}
	/* not here: a hook holds the bus lock and this IKE_SA checked out */
	INIT(c,
		.this = this,
		.name = strdup(peer->get_name(peer)),
	);
	lib->processor->queue_job(lib->processor,
			(job_t*)callback_job_create(check, c, check_destroy, NULL));
	return TRUE;
}

METHOD(zsec_dedupe_t, destroy, void,
	private_zsec_dedupe_t *this)
{
	free(this);
}

/*
 * Described in header
 */
zsec_dedupe_t *zsec_dedupe_create(zsec_config_t *config)
{
	private_zsec_dedupe_t *this;

	INIT(this,
		.public = {
			.listener = {
				.ike_updown = _ike_updown,
			},
			.destroy = _destroy,
		},
		.config = config,
	);
	return &this->public;
}
