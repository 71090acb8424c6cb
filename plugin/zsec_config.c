/*
 * zsec_config: backend, snapshot swap and SA reconciliation.
 */
#include "zsec_config.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <daemon.h>
#include <collections/array.h>
#include <collections/hashtable.h>
#include <processing/jobs/callback_job.h>
#include <processing/jobs/rekey_child_sa_job.h>
#include <threading/mutex.h>

typedef struct private_zsec_config_t private_zsec_config_t;

struct private_zsec_config_t {

	/** Public interface */
	zsec_config_t public;

	/** the snapshot served, one reference held */
	zsec_snapshot_t *current;

	/** guards the pointer only: snapshots are immutable */
	mutex_t *lock;

	/** serialises apply() */
	mutex_t *apply_lock;

	/** whether an apply starts the links it brings (see zsec_config_create) */
	bool initiate;
};

METHOD(zsec_config_t, get_snapshot, zsec_snapshot_t*,
	private_zsec_config_t *this)
{
	zsec_snapshot_t *snapshot;

	this->lock->lock(this->lock);
	snapshot = this->current ? this->current->get_ref(this->current) : NULL;
	this->lock->unlock(this->lock);
	return snapshot;
}

CALLBACK(release_snapshot, void,
	zsec_snapshot_t *snapshot)
{
	snapshot->destroy(snapshot);
}

/**
 * peer_cfg_t* or ike_cfg_t* of every link
 */
typedef struct {
	bool ike;
} all_data_t;

CALLBACK(all_filter, bool,
	all_data_t *data, enumerator_t *orig, va_list args)
{
	zsec_link_t *link;
	void **out;

	VA_ARGS_VGET(args, out);
	if (orig->enumerate(orig, &link))
	{
		*out = data->ike ? (void*)link->peer->get_ike_cfg(link->peer)
						 : (void*)link->peer;
		return TRUE;
	}
	return FALSE;
}

/**
 * An enumerator over one link's object, or all, holding the snapshot
 */
static enumerator_t *enumerate(zsec_snapshot_t *snapshot, zsec_link_t *link,
							   bool all, bool ike)
{
	enumerator_t *inner;
	all_data_t *data;

	if (all)
	{
		INIT(data,
			.ike = ike,
		);
		inner = enumerator_create_filter(
						snapshot->create_link_enumerator(snapshot),
						all_filter, data, free);
	}
	else if (link)
	{
		inner = enumerator_create_single(
						ike ? (void*)link->peer->get_ike_cfg(link->peer)
							: (void*)link->peer, NULL);
	}
	else
	{
		inner = enumerator_create_empty();
	}
	return enumerator_create_cleaner(inner, release_snapshot, snapshot);
}

METHOD(backend_t, create_peer_cfg_enumerator, enumerator_t*,
	private_zsec_config_t *this, identification_t *me, identification_t *other)
{
	zsec_snapshot_t *snapshot = get_snapshot(this);
	bool all = !other || other->contains_wildcards(other);

	if (!snapshot)
	{
		return enumerator_create_empty();
	}
	return enumerate(snapshot, all ? NULL : snapshot->get_link_by_id(snapshot, other),
					 all, FALSE);
}

METHOD(backend_t, create_ike_cfg_enumerator, enumerator_t*,
	private_zsec_config_t *this, host_t *me, host_t *other)
{
	zsec_snapshot_t *snapshot = get_snapshot(this);
	bool all = !other || other->is_anyaddr(other);

	if (!snapshot)
	{
		return enumerator_create_empty();
	}
	return enumerate(snapshot, all ? NULL : snapshot->get_link_by_host(snapshot, other),
					 all, TRUE);
}

METHOD(backend_t, get_peer_cfg_by_name, peer_cfg_t*,
	private_zsec_config_t *this, char *name)
{
	zsec_snapshot_t *snapshot = get_snapshot(this);
	peer_cfg_t *peer = NULL;
	zsec_link_t *link;

	if (snapshot)
	{
		link = snapshot->get_link(snapshot, name);
		if (link)
		{
			peer = link->peer->get_ref(link->peer);
		}
		snapshot->destroy(snapshot);
	}
	return peer;
}

/**
 * The work after a swap, in a job: never from a hook or under a lock
 */
typedef struct {
	private_zsec_config_t *config;
	zsec_snapshot_t *snapshot;
	/** links to start now, and links to start later if the peer has not */
	array_t *now, *later;
} reconcile_t;

CALLBACK(reconcile_destroy, void,
	reconcile_t *r)
{
	r->snapshot->destroy(r->snapshot);
	array_destroy(r->now);
	array_destroy(r->later);
	free(r);
}

/**
 * kernel-libipsec installs an SA's routes with a source address inside its
 * local selectors, and fails the SA when charon does not know one yet.  zsecd
 * (--libipsec) adds those addresses before it hands over the plan;
 * charon learns of them from netlink events a moment later.  Starting a link
 * waits for that moment (a second at most); with kernel ESP it never waits.
 */
static void wait_for_sources(zsec_link_t *link)
{
	static int libipsec = -1;
	linked_list_t *list;
	enumerator_t *enumerator;
	traffic_selector_t *ts;
	host_t *ip;
	int tries;
	bool known;

	if (libipsec < 0)
	{
		libipsec = strstr(lib->plugins->loaded_plugins(lib->plugins),
						  "kernel-libipsec") != NULL;
	}
	if (!libipsec)
	{
		return;
	}
	list = link->child->cfg.get_traffic_selectors(&link->child->cfg, TRUE, NULL,
												  NULL, FALSE);
	enumerator = list->create_enumerator(list);
	while (enumerator->enumerate(enumerator, &ts))
	{
		for (tries = 0; tries < 20; tries++)
		{
			known = charon->kernel->get_address_by_ts(charon->kernel, ts, &ip,
													  NULL) == SUCCESS;
			if (known)
			{
				ip->destroy(ip);
				break;
			}
			usleep(50000);
		}
	}
	enumerator->destroy(enumerator);
	list->destroy_offset(list, offsetof(traffic_selector_t, destroy));
}

static void initiate(zsec_link_t *link)
{
	wait_for_sources(link);
	charon->controller->initiate(charon->controller,
								 link->peer->get_ref(link->peer),
								 link->child->cfg.get_ref(&link->child->cfg),
								 NULL, NULL, 0, FALSE);
}

/**
 * The peer_cfg objects that have an IKE_SA now
 */
static hashtable_t *peers_with_sa()
{
	hashtable_t *peers = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr, 64);
	enumerator_t *enumerator;
	ike_sa_t *ike_sa;
	peer_cfg_t *peer;

	enumerator = charon->ike_sa_manager->create_enumerator(charon->ike_sa_manager, TRUE);
	while (enumerator->enumerate(enumerator, &ike_sa))
	{
		peer = ike_sa->get_peer_cfg(ike_sa);
		if (peer && ike_sa->get_state(ike_sa) != IKE_DELETING &&
			ike_sa->get_state(ike_sa) != IKE_DESTROYING)
		{
			peers->put(peers, peer, peer);
		}
	}
	enumerator->destroy(enumerator);
	return peers;
}

/**
 * Start the deferred links the other end has not started meanwhile
 */
CALLBACK(start_deferred, job_requeue_t,
	reconcile_t *r)
{
	zsec_snapshot_t *current = get_snapshot(r->config);
	hashtable_t *peers = peers_with_sa();
	zsec_link_t *link, *now;
	int i;

	for (i = 0; current && i < array_count(r->later); i++)
	{
		array_get(r->later, i, &link);
		/* an apply since may have changed or removed the link */
		now = current->get_link(current, link->plan->name);
		if (now && now->peer == link->peer && !peers->get(peers, link->peer))
		{
			initiate(link);
		}
	}
	peers->destroy(peers);
	DESTROY_IF(current);
	return JOB_REQUEUE_NONE;
}

/**
 * Terminate the IKE_SAs of links that were removed or changed: those whose
 * config is not the current snapshot's object of that name
 */
static void terminate_stale(zsec_snapshot_t *snapshot)
{
	enumerator_t *enumerator;
	ike_sa_t *ike_sa;
	peer_cfg_t *peer;
	zsec_link_t *link;
	array_t *ids = array_create(sizeof(uint32_t), 0);
	uint32_t id;

	enumerator = charon->ike_sa_manager->create_enumerator(charon->ike_sa_manager, TRUE);
	while (enumerator->enumerate(enumerator, &ike_sa))
	{
		peer = ike_sa->get_peer_cfg(ike_sa);
		if (!peer || !zsec_link_name(peer->get_name(peer)))
		{
			continue;
		}
		link = snapshot->get_link(snapshot, peer->get_name(peer));
		if (!link || link->peer != peer)
		{
			id = ike_sa->get_unique_id(ike_sa);
			array_insert(ids, ARRAY_TAIL, &id);
		}
	}
	enumerator->destroy(enumerator);
	while (array_remove(ids, ARRAY_HEAD, &id))
	{
		charon->controller->terminate_ike(charon->controller, id, FALSE, NULL,
										  NULL, 0);
	}
	array_destroy(ids);
}

CALLBACK(reconcile, job_requeue_t,
	reconcile_t *r)
{
	zsec_link_t *link;
	int i;

	terminate_stale(r->snapshot);
	for (i = 0; i < array_count(r->now); i++)
	{
		array_get(r->now, i, &link);
		initiate(link);
	}
	if (array_count(r->later))
	{
		reconcile_t *later;

		INIT(later,
			.config = r->config,
			.snapshot = r->snapshot->get_ref(r->snapshot),
			.now = array_create(0, 0),
			.later = r->later,
		);
		r->later = array_create(0, 0);
		lib->scheduler->schedule_job_ms(lib->scheduler,
				(job_t*)callback_job_create(start_deferred, later,
											reconcile_destroy, NULL),
				ZSEC_INITIATE_DEFER_MS);
	}
	return JOB_REQUEUE_NONE;
}

/**
 * The ESP side of a link changed and its zsec_child holds the new
 * configuration: every CHILD_SA of the link is rekeyed to it, in the IKE_SA
 * it has (see zsec_child.h for why a rekey).  A CHILD_SA whose rekey has not
 * gone through by RECHILD_TIMEOUT_MS carries what the plan no longer
 * allows: it goes then.
 */
typedef struct {
	zsec_snapshot_t *snapshot;
	zsec_link_t *link;
	bool initiate;
} rechild_t;

CALLBACK(rechild_destroy, void,
	rechild_t *r)
{
	r->snapshot->destroy(r->snapshot);
	free(r);
}

/** How long a rekey to the new configuration may take, ms */
#define RECHILD_TIMEOUT_MS 10000

CALLBACK(sweep_destroy, void,
	array_t *ids)
{
	array_destroy(ids);
}

/**
 * Terminate the CHILD_SAs of a rechild that are still what they were: not
 * rekeyed (the peer refused the new configuration, or did not answer)
 */
CALLBACK(sweep, job_requeue_t,
	array_t *ids)
{
	child_sa_state_t state;
	child_sa_t *child_sa;
	ike_sa_t *ike_sa;
	uint32_t id;
	int i;

	for (i = 0; i < array_count(ids); i++)
	{
		array_get(ids, i, &id);
		ike_sa = charon->child_sa_manager->checkout_by_id(
										charon->child_sa_manager, id, &child_sa);
		if (!ike_sa)
		{
			continue;
		}
		state = child_sa->get_state(child_sa);
		charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
		if (state == CHILD_INSTALLED || state == CHILD_REKEYING)
		{
			DBG1(DBG_CFG, "zsec: CHILD_SA %u not rekeyed to its link's new "
				 "configuration, terminating it", id);
			charon->controller->terminate_child(charon->controller, id,
												NULL, NULL, 0);
		}
	}
	return JOB_REQUEUE_NONE;
}

CALLBACK(rechild, job_requeue_t,
	rechild_t *r)
{
	zsec_link_t *link = r->link;
	array_t *ids = array_create(sizeof(uint32_t), 0);
	enumerator_t *enumerator, *children;
	ike_sa_t *ike_sa;
	child_sa_t *child_sa;
	bool found = FALSE;
	uint32_t id;

	/* with libipsec, a new local prefix needs its source address first */
	wait_for_sources(link);
	enumerator = charon->ike_sa_manager->create_enumerator(charon->ike_sa_manager, TRUE);
	while (enumerator->enumerate(enumerator, &ike_sa))
	{
		if (ike_sa->get_peer_cfg(ike_sa) != link->peer)
		{
			continue;
		}
		found = TRUE;
		children = ike_sa->create_child_sa_enumerator(ike_sa);
		while (children->enumerate(children, &child_sa))
		{
			if (child_sa->get_state(child_sa) != CHILD_INSTALLED)
			{
				continue;
			}
			id = child_sa->get_unique_id(child_sa);
			array_insert(ids, ARRAY_TAIL, &id);
			/* runs once this IKE_SA is checked in again */
			lib->processor->queue_job(lib->processor,
				(job_t*)rekey_child_sa_job_create(child_sa->get_protocol(child_sa),
									child_sa->get_spi(child_sa, TRUE),
									ike_sa->get_my_host(ike_sa)));
		}
		children->destroy(children);
	}
	enumerator->destroy(enumerator);

	if (!array_count(ids))
	{
		array_destroy(ids);
		if (found || r->initiate)
		{
			initiate(link);
		}
		return JOB_REQUEUE_NONE;
	}
	lib->scheduler->schedule_job_ms(lib->scheduler,
			(job_t*)callback_job_create(sweep, ids, sweep_destroy, NULL),
			RECHILD_TIMEOUT_MS);
	return JOB_REQUEUE_NONE;
}

/** How often links that should be up but have no IKE_SA are started, s */
#define KEEPUP_INTERVAL 30

/**
 * A link given up on (the peer unreachable longer than charon retries, a
 * partition) comes back by itself: every KEEPUP_INTERVAL the end that
 * starts first starts each of its links that has no IKE_SA
 */
CALLBACK(keepup, job_requeue_t,
	private_zsec_config_t *this)
{
	zsec_snapshot_t *snapshot = get_snapshot(this);
	enumerator_t *enumerator;
	hashtable_t *peers;
	zsec_link_t *link;

	if (snapshot && this->initiate)
	{
		peers = peers_with_sa();
		enumerator = snapshot->create_link_enumerator(snapshot);
		while (enumerator->enumerate(enumerator, &link))
		{
			if (link->plan->initiate && !peers->get(peers, link->peer))
			{
				initiate(link);
			}
		}
		enumerator->destroy(enumerator);
		peers->destroy(peers);
	}
	DESTROY_IF(snapshot);
	return JOB_RESCHEDULE(KEEPUP_INTERVAL);
}

static void plan_rechild(private_zsec_config_t *this, zsec_snapshot_t *snapshot)
{
	enumerator_t *enumerator;
	zsec_link_t *link;
	rechild_t *r;

	enumerator = snapshot->create_link_enumerator(snapshot);
	while (enumerator->enumerate(enumerator, &link))
	{
		if (!link->rechild)
		{
			continue;
		}
		INIT(r,
			.snapshot = snapshot->get_ref(snapshot),
			.link = link,
			.initiate = this->initiate && link->plan->initiate,
		);
		lib->processor->queue_job(lib->processor,
				(job_t*)callback_job_create(rechild, r, rechild_destroy, NULL));
	}
	enumerator->destroy(enumerator);
}

/**
 * Both ends start every link.  To not open two IKE_SAs when both start at
 * once, the end the plan says starts first does so at once, the other
 * waits and starts only if no IKE_SA of the link exists by then.  After a
 * restart nothing exists and the restarted end starts: INITIAL_CONTACT
 * clears the stale SAs of the peer.
 */
static void plan_starts(reconcile_t *r)
{
	enumerator_t *enumerator;
	zsec_link_t *link;

	enumerator = r->snapshot->create_link_enumerator(r->snapshot);
	while (enumerator->enumerate(enumerator, &link))
	{
		if (link->kept || link->rechild)
		{
			continue;
		}
		if (link->plan->initiate)
		{
			array_insert(r->now, ARRAY_TAIL, link);
		}
		else
		{
			array_insert(r->later, ARRAY_TAIL, link);
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * What an apply changed, as the snapshot counted it while building (a
 * plan_diff would compare every guard too, zsecd's business)
 */
static void summarize(zsec_snapshot_t *snapshot, char *msg, size_t len)
{
	size_t add, change, keep, remove;

	snapshot->get_changes(snapshot, &add, &change, &keep, &remove);
	snprintf(msg, len, "%zu links: %zu new, %zu changed, %zu removed, %zu kept",
			 snapshot->get_link_count(snapshot), add, change, remove, keep);
}

/**
 * Give back what an apply freed.  Decoding and building a plan of 10,000
 * links goes through tens of megabytes that glibc keeps for the thread
 * that freed them; charon's threads rarely need them again.  A moment
 * after the apply: the reply does not wait for it, and a burst of applies
 * does not fault the same memory in again and again.
 */
CALLBACK(trim, job_requeue_t,
	void *data)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	return JOB_REQUEUE_NONE;
}

METHOD(zsec_config_t, apply, bool,
	private_zsec_config_t *this, struct plan *plan, char *msg, size_t len)
{
	zsec_snapshot_t *old, *new;
	reconcile_t *r;

	this->apply_lock->lock(this->apply_lock);
	old = get_snapshot(this);
	new = zsec_snapshot_create(plan, old, msg, len);
	if (!new)
	{
		DESTROY_IF(old);
		this->apply_lock->unlock(this->apply_lock);
		return FALSE;
	}
	summarize(new, msg, len);

	lib->credmgr->add_set(lib->credmgr, new->get_creds(new));
	this->lock->lock(this->lock);
	this->current = new;
	this->lock->unlock(this->lock);
	if (old)
	{
		lib->credmgr->remove_set(lib->credmgr, old->get_creds(old));
		old->destroy(old);      /* the reference of `current` */
		old->destroy(old);      /* ours */
	}

	INIT(r,
		.config = this,
		.snapshot = new->get_ref(new),
		.now = array_create(0, 0),
		.later = array_create(0, 0),
	);
	if (this->initiate)
	{
		plan_starts(r);
	}
	lib->processor->queue_job(lib->processor,
			(job_t*)callback_job_create(reconcile, r, reconcile_destroy, NULL));
	plan_rechild(this, new);
	lib->scheduler->schedule_job_ms(lib->scheduler,
			(job_t*)callback_job_create_with_prio(trim, NULL, NULL, NULL,
												  JOB_PRIO_LOW), ZSEC_TRIM_DELAY_MS);
	this->apply_lock->unlock(this->apply_lock);
	return TRUE;
}

METHOD(zsec_config_t, destroy, void,
	private_zsec_config_t *this)
{
	if (this->current)
	{
		lib->credmgr->remove_set(lib->credmgr,
								 this->current->get_creds(this->current));
		this->current->destroy(this->current);
	}
	this->lock->destroy(this->lock);
	this->apply_lock->destroy(this->apply_lock);
	free(this);
}

/*
 * Described in header
 */
zsec_config_t *zsec_config_create()
{
	private_zsec_config_t *this;

	INIT(this,
		.public = {
			.backend = {
				.create_peer_cfg_enumerator = _create_peer_cfg_enumerator,
				.create_ike_cfg_enumerator = _create_ike_cfg_enumerator,
				.get_peer_cfg_by_name = _get_peer_cfg_by_name,
			},
			.apply = _apply,
			.get_snapshot = _get_snapshot,
			.destroy = _destroy,
		},
		.lock = mutex_create(MUTEX_TYPE_DEFAULT),
		.apply_lock = mutex_create(MUTEX_TYPE_DEFAULT),
		/* charon.plugins.zsec.initiate (default yes): an apply starts every
		 * new and changed link (the end that starts first at once, the other
		 * after ZSEC_INITIATE_DEFER_MS).  With `no`, links are only
		 * configured and come up when their peer starts them, as with
		 * swanctl's start_action = none; stale SAs are still terminated.
		 * tests/bench/plugin.sh uses it to compare an apply with
		 * `swanctl --load-conns` without thousands of IKE_SA_INITs to peers
		 * that do not exist. */
		.initiate = lib->settings->get_bool(lib->settings,
							"%s.plugins.zsec.initiate", TRUE, lib->ns),
	);
	lib->scheduler->schedule_job(lib->scheduler,
			(job_t*)callback_job_create(keepup, this, NULL, (callback_job_cancel_t)return_false),
			KEEPUP_INTERVAL);
	return &this->public;
}
