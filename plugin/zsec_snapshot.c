/*
 * zsec_snapshot: an immutable plan snapshot with its charon objects.
 */
#include "zsec_snapshot.h"
#include "zsec_creds.h"
#include "zsec_peer.h"

#include <unistd.h>

#include <daemon.h>
#include <collections/hashtable.h>
#include <processing/jobs/callback_job.h>
#include <threading/condvar.h>
#include <threading/mutex.h>

typedef struct private_zsec_snapshot_t private_zsec_snapshot_t;

struct private_zsec_snapshot_t {

	/** Public interface */
	zsec_snapshot_t public;

	/** the plan, owned */
	struct plan *plan;

	/** links, in plan order (sorted by name) */
	zsec_link_t *links;

	/** number of links */
	size_t count;

	/** links new, changed, kept and removed against the previous snapshot */
	size_t added, changed, kept, removed;

	/** zsec_link_t*, by remote address */
	hashtable_t *by_host;

	/** zsec_link_t*, by remote identity */
	hashtable_t *by_id;

	/** credentials of all links */
	zsec_creds_t *creds;

	/** references */
	refcount_t ref;
};

/*
 * The indexes are keyed by the links themselves, whose hashes are computed
 * once when a link is built and kept with it; a lookup hashes a probe.
 */
static u_int addr_hash(const struct ipaddr *addr)
{
	return chunk_hash(chunk_create((u_char*)addr->bytes,
								   addr_bits(addr->family) / 8));
}

static u_int link_host_hash(const void *key)
{
	return ((zsec_link_t*)key)->remote_hash;
}

static bool link_host_equals(const void *a, const void *b)
{
	return !addr_cmp(&((zsec_link_t*)a)->plan->remote,
					 &((zsec_link_t*)b)->plan->remote);
}

static u_int link_id_hash(const void *key)
{
	return ((zsec_link_t*)key)->remote_id_hash;
}

static bool link_id_equals(const void *a, const void *b)
{
	identification_t *id = ((zsec_link_t*)a)->remote_id;

	return id->equals(id, ((zsec_link_t*)b)->remote_id);
}

METHOD(zsec_snapshot_t, get_link, zsec_link_t*,
	private_zsec_snapshot_t *this, const char *name)
{
	const struct plan_link *l = plan_link_find(this->plan, name);

	return l ? &this->links[l - this->plan->links] : NULL;
}

METHOD(zsec_snapshot_t, get_link_by_host, zsec_link_t*,
	private_zsec_snapshot_t *this, host_t *host)
{
	struct plan_link plan = {};
	zsec_link_t probe = {
		.plan = &plan,
	};

	if (!zsec_addr_from_host(host, &plan.remote))
	{
		return NULL;
	}
	probe.remote_hash = addr_hash(&plan.remote);
	return this->by_host->get(this->by_host, &probe);
}

METHOD(zsec_snapshot_t, get_link_by_id, zsec_link_t*,
	private_zsec_snapshot_t *this, identification_t *id)
{
	zsec_link_t probe = {
		.remote_id = id,
		.remote_id_hash = id->hash(id, 0),
	};

	return this->by_id->get(this->by_id, &probe);
}

/**
 * Enumerates the link array by address
 */
typedef struct {
	enumerator_t public;
	zsec_link_t *pos, *end;
} link_enumerator_t;

METHOD(enumerator_t, link_enumerate, bool,
	link_enumerator_t *this, va_list args)
{
	zsec_link_t **out;

	VA_ARGS_VGET(args, out);
	if (this->pos == this->end)
	{
		return FALSE;
	}
	*out = this->pos++;
	return TRUE;
}

METHOD(zsec_snapshot_t, create_link_enumerator, enumerator_t*,
	private_zsec_snapshot_t *this)
{
	link_enumerator_t *enumerator;

	INIT(enumerator,
		.public = {
			.enumerate = enumerator_enumerate_default,
			.venumerate = _link_enumerate,
			.destroy = (void*)free,
		},
		.pos = this->links,
		.end = this->links + this->count,
	);
	return &enumerator->public;
}

METHOD(zsec_snapshot_t, get_link_count, size_t,
	private_zsec_snapshot_t *this)
{
	return this->count;
}

METHOD(zsec_snapshot_t, get_changes, void,
	private_zsec_snapshot_t *this, size_t *added, size_t *changed,
	size_t *kept, size_t *removed)
{
	*added = this->added;
	*changed = this->changed;
	*kept = this->kept;
	*removed = this->removed;
}

METHOD(zsec_snapshot_t, get_creds, credential_set_t*,
	private_zsec_snapshot_t *this)
{
	return &this->creds->set;
}

METHOD(zsec_snapshot_t, get_plan, const struct plan*,
	private_zsec_snapshot_t *this)
{
	return this->plan;
}

METHOD(zsec_snapshot_t, get_ref, zsec_snapshot_t*,
	private_zsec_snapshot_t *this)
{
	ref_get(&this->ref);
	return &this->public;
}

static void link_release(zsec_link_t *l)
{
	DESTROY_IF(l->next);
	if (l->child)
	{
		l->child->cfg.destroy(&l->child->cfg);
	}
	DESTROY_IF(l->peer);
}

static void snapshot_free(private_zsec_snapshot_t *this)
{
	size_t i;

	for (i = 0; i < this->count; i++)
	{
		link_release(&this->links[i]);
	}
	free(this->links);
	this->by_host->destroy(this->by_host);
	this->by_id->destroy(this->by_id);
	this->creds->destroy(this->creds);
	plan_free(this->plan);
	free(this);
}

METHOD(zsec_snapshot_t, destroy, void,
	private_zsec_snapshot_t *this)
{
	if (ref_put(&this->ref))
	{
		snapshot_free(this);
	}
}

/**
 * Credentials loaded while building one snapshot, by path: each file once,
 * whatever the number of links sharing it.
 */
typedef struct {
	hashtable_t *objects;           /* char* path -> cached_t* */
	hashtable_t *added;             /* objects in the credential set */
	char *err;
	size_t len;
} loader_t;

/**
 * One loaded certificate, key or secret and how to release it
 */
typedef struct {
	void *obj;
	void (*destroy)(void *obj);
} cached_t;

typedef void *(*load_fn_t)(const char *path, char *err, size_t len);

/**
 * A loaded file's object, borrowed from the loader until loader_done()
 */
static void *load(loader_t *loader, const char *path, load_fn_t fn,
				  void (*destroy)(void *obj))
{
	cached_t *cached = loader->objects->get(loader->objects, path);

	if (!cached)
	{
		void *obj = fn(path, loader->err, loader->len);

		if (!obj)
		{
			return NULL;
		}
		INIT(cached,
			.obj = obj,
			.destroy = destroy,
		);
		loader->objects->put(loader->objects, strdup(path), cached);
	}
	return cached->obj;
}

static void cert_destroy(void *obj)
{
	((certificate_t*)obj)->destroy(obj);
}

static void key_destroy(void *obj)
{
	((private_key_t*)obj)->destroy(obj);
}

static void psk_destroy(void *obj)
{
	((shared_key_t*)obj)->destroy(obj);
}

/**
 * Credential files of the links to build, read in parallel before the
 * links are built: 10,000 CA certificates (read lightly, zsec_lazy_ca.h)
 * and their files are most of a full apply, while charon's workers are
 * idle.  The thread building the snapshot takes part,
 * so it never waits for a worker that does not come (all of them busy):
 * it waits only for the files that workers have begun.  A file that fails
 * is left out; load() tries it again and reports why.
 */
typedef struct {
	const char *path;
	load_fn_t fn;
	void (*destroy)(void *obj);
	/** the result, NULL on failure */
	void *obj;
} prefetch_item_t;

typedef struct {
	prefetch_item_t *items;
	u_int count;
	/** the next item to take, atomically */
	u_int next;
	/** workers loading, under lock */
	u_int active;
	mutex_t *lock;
	condvar_t *done;
	/** the caller's and every queued job's */
	refcount_t ref;
} prefetch_t;

/** Files per worker at least: below, a worker costs more than it saves */
#define PREFETCH_MIN_PER_WORKER 32

/** Workers at most */
#define PREFETCH_MAX_WORKERS 8

static void prefetch_items(prefetch_t *p)
{
	prefetch_item_t *item;
	char err[BUF_LEN];
	u_int i;

	while ((i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED)) < p->count)
	{
		item = &p->items[i];
		item->obj = item->fn(item->path, err, sizeof(err));
	}
}

CALLBACK(prefetch_work, job_requeue_t,
	prefetch_t *p)
{
	p->lock->lock(p->lock);
	if (__atomic_load_n(&p->next, __ATOMIC_RELAXED) >= p->count)
	{
		p->lock->unlock(p->lock);
		return JOB_REQUEUE_NONE;
	}
	p->active++;
	p->lock->unlock(p->lock);

	prefetch_items(p);

	p->lock->lock(p->lock);
	p->active--;
	p->done->broadcast(p->done);
	p->lock->unlock(p->lock);
	return JOB_REQUEUE_NONE;
}

CALLBACK(prefetch_release, void,
	prefetch_t *p)
{
	if (ref_put(&p->ref))
	{
		p->lock->destroy(p->lock);
		p->done->destroy(p->done);
		free(p->items);
		free(p);
	}
}

static void prefetch_add(prefetch_t *p, hashtable_t *seen, const char *path,
						 load_fn_t fn, void (*destroy)(void *obj))
{
	if (!seen->get(seen, path))
	{
		seen->put(seen, path, (void*)path);
		p->items[p->count++] = (prefetch_item_t){
			.path = path,
			.fn = fn,
			.destroy = destroy,
		};
	}
}

/**
 * Load the files of the links to build (new, or changed on the IKE side)
 * into the loader's cache
 */
static void prefetch(loader_t *loader, struct plan *plan, zsec_link_t **olds)
{
	hashtable_t *seen;
	prefetch_t *p;
	cached_t *cached;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	u_int i, workers;

	INIT(p,
		.items = calloc(plan->n_links * 3 ?: 1, sizeof(prefetch_item_t)),
		.lock = mutex_create(MUTEX_TYPE_DEFAULT),
		.done = condvar_create(CONDVAR_TYPE_DEFAULT),
		.ref = 1,
	);
	seen = hashtable_create(hashtable_hash_str, hashtable_equals_str, 64);
	for (i = 0; i < plan->n_links; i++)
	{
		const struct plan_link *l = &plan->links[i];
		zsec_link_t *old = olds[i];

		if (old && plan_link_ike_equal(old->plan, l))
		{
			continue;
		}
		if (l->auth == AUTH_BY_CERT)
		{
			prefetch_add(p, seen, l->cert, (load_fn_t)zsec_load_cert,
						 cert_destroy);
			prefetch_add(p, seen, l->key, (load_fn_t)zsec_load_key,
						 key_destroy);
			prefetch_add(p, seen, l->ca, (load_fn_t)zsec_load_ca,
						 cert_destroy);
		}
		else
		{
			prefetch_add(p, seen, l->psk, (load_fn_t)zsec_load_psk,
						 psk_destroy);
		}
	}
	seen->destroy(seen);

	workers = min(p->count / PREFETCH_MIN_PER_WORKER,
				  min(cpus > 1 ? cpus - 1 : 0, PREFETCH_MAX_WORKERS));
	workers = min(workers, lib->processor->get_idle_threads(lib->processor));
	for (i = 0; i < workers; i++)
	{
		ref_get(&p->ref);
		lib->processor->queue_job(lib->processor,
				(job_t*)callback_job_create_with_prio(prefetch_work, p,
								prefetch_release, NULL, JOB_PRIO_HIGH));
	}
	prefetch_items(p);
	p->lock->lock(p->lock);
	while (p->active)
	{
		p->done->wait(p->done, p->lock);
	}
	p->lock->unlock(p->lock);

	for (i = 0; i < p->count; i++)
	{
		if (p->items[i].obj)
		{
			INIT(cached,
				.obj = p->items[i].obj,
				.destroy = p->items[i].destroy,
			);
			loader->objects->put(loader->objects, strdup(p->items[i].path), cached);
		}
	}
	prefetch_release(p);
}

/**
 * A string of a slim plan: the one of the link before if equal (the links
 * of one gateway share their identity, credentials and proposals), else a
 * copy
 */
static const char *slim_str(struct arena *a, const char *str, const char *prev)
{
	if (!str)
	{
		return NULL;
	}
	return prev && streq(prev, str) ? prev : arena_strdup(a, str);
}

static const char **slim_strs(struct arena *a, const char **v, size_t n,
							  const char **prev, size_t prev_n)
{
	const char **copy;
	size_t i;

	if (prev && prev_n == n)
	{
		for (i = 0; i < n && streq(prev[i], v[i]); i++);
		if (i == n)
		{
			return prev;
		}
	}
	copy = arena_array(a, n ?: 1, sizeof(*copy));
	for (i = 0; i < n; i++)
	{
		copy[i] = arena_strdup(a, v[i]);
	}
	return copy;
}

static struct prefix *slim_prefixes(struct arena *a, struct prefix *v, size_t n,
									struct prefix *prev, size_t prev_n)
{
	struct prefix *copy;

	if (prev && prev_n == n && memeq(prev, v, n * sizeof(*v)))
	{
		return prev;
	}
	copy = arena_array(a, n ?: 1, sizeof(*copy));
	memcpy(copy, v, n * sizeof(*v));
	return copy;
}

/**
 * The plan as a snapshot keeps it: its links only, as the guards and the
 * Border Element rules are zsecd's, and what links share once.  A decoded
 * plan of 10,000 links is 17 MB, mostly guards and copies of the same
 * paths and proposals; this is a quarter of it.  Every pointer member of
 * struct plan_link is copied here: a new one needs its line.
 */
static struct plan *plan_slim(const struct plan *plan)
{
	struct arena *a = arena_new();
	struct plan *slim;
	struct plan_link *l, *p = NULL;
	size_t i;

	slim = arena_alloc(a, sizeof(*slim));
	*slim = (struct plan){
		.arena = a,
		.version = plan->version,
		.domain = arena_strdup(a, plan->domain),
		.node = arena_strdup(a, plan->node),
		.kind = plan->kind,
		.links = arena_array(a, plan->n_links ?: 1, sizeof(struct plan_link)),
		.n_links = plan->n_links,
	};
	for (i = 0; i < plan->n_links; i++)
	{
		l = &slim->links[i];
		*l = plan->links[i];
		l->name = arena_strdup(a, l->name);
		l->partner = slim_str(a, l->partner, p ? p->partner : NULL);
		l->peer = arena_strdup(a, l->peer);
		l->local_id = slim_str(a, l->local_id, p ? p->local_id : NULL);
		l->remote_id = arena_strdup(a, l->remote_id);
		l->cert = slim_str(a, l->cert, p ? p->cert : NULL);
		l->key = slim_str(a, l->key, p ? p->key : NULL);
		l->ca = slim_str(a, l->ca, p ? p->ca : NULL);
		l->psk = slim_str(a, l->psk, p ? p->psk : NULL);
		l->ike = slim_strs(a, l->ike, l->n_ike, p ? p->ike : NULL,
						   p ? p->n_ike : 0);
		l->esp = slim_strs(a, l->esp, l->n_esp, p ? p->esp : NULL,
						   p ? p->n_esp : 0);
		l->local_ts = slim_prefixes(a, l->local_ts, l->n_local_ts,
							p ? p->local_ts : NULL, p ? p->n_local_ts : 0);
		l->remote_ts = slim_prefixes(a, l->remote_ts, l->n_remote_ts,
							p ? p->remote_ts : NULL, p ? p->n_remote_ts : 0);
		p = l;
	}
	return slim;
}

/**
 * A reqid for a new link: from a range of zsec's own, far above the ones
 * charon hands out from 1 upwards
 */
static uint32_t next_reqid()
{
	static refcount_t last = 0x5a000000;

	return ref_get(&last);
}

/**
 * Take over a link of the previous snapshot, unchanged
 */
static void keep_link(zsec_link_t *l, zsec_link_t *old)
{
	l->peer = old->peer->get_ref(old->peer);
	old->child->cfg.get_ref(&old->child->cfg);
	l->child = old->child;
	l->reqid = old->reqid;
	l->remote_id = old->remote_id;
	l->remote_hash = old->remote_hash;
	l->remote_id_hash = old->remote_id_hash;
	l->cert = old->cert;
	l->ca = old->ca;
	l->key = old->key;
	l->psk = old->psk;
	l->kept = TRUE;
}

/**
 * A link whose ESP SA only changed: the IKE side (peer_cfg, credentials) is
 * the previous one's; its new ESP configuration goes in once every link is
 * built, so a failure part-way leaves the previous snapshot untouched.
 */
static bool rechild_link(zsec_link_t *l, zsec_link_t *old, loader_t *loader)
{
	keep_link(l, old);
	l->kept = FALSE;
	l->rechild = TRUE;
	l->next = zsec_peer_build_child(l->plan, l->reqid, loader->err, loader->len);
	return l->next != NULL;
}

/**
 * Swap the new ESP configurations of rechild links in
 */
static void commit_rechild(private_zsec_snapshot_t *this)
{
	size_t i;

	for (i = 0; i < this->count; i++)
	{
		zsec_link_t *l = &this->links[i];

		if (l->next)
		{
			l->child->swap(l->child, l->next);
			l->next = NULL;
		}
	}
}

/**
 * Build a new or changed link
 */
static bool build_link(zsec_link_t *l, loader_t *loader)
{
	const struct plan_link *p = l->plan;
	child_cfg_t *child;

	if (p->auth == AUTH_BY_CERT)
	{
		l->cert = load(loader, p->cert, (load_fn_t)zsec_load_cert, cert_destroy);
		l->key = l->cert ? load(loader, p->key, (load_fn_t)zsec_load_key,
								key_destroy) : NULL;
		l->ca = l->key ? load(loader, p->ca, (load_fn_t)zsec_load_ca,
							  cert_destroy) : NULL;
		if (!l->ca)
		{
			return FALSE;
		}
	}
	else
	{
		l->psk = load(loader, p->psk, (load_fn_t)zsec_load_psk, psk_destroy);
		if (!l->psk)
		{
			return FALSE;
		}
	}
	l->reqid = next_reqid();
	child = zsec_peer_build_child(p, l->reqid, loader->err, loader->len);
	if (!child)
	{
		return FALSE;
	}
	l->child = zsec_child_create(child);
	l->child->cfg.get_ref(&l->child->cfg);
	l->peer = zsec_peer_build(p, &l->child->cfg, l->cert, l->ca, loader->err,
							  loader->len);
	return l->peer != NULL;
}

/**
 * The identity the remote end must have: the peer_cfg's own object
 */
static identification_t *remote_identity(peer_cfg_t *peer)
{
	enumerator_t *enumerator;
	identification_t *id = NULL;
	auth_cfg_t *auth;

	enumerator = peer->create_auth_cfg_enumerator(peer, FALSE);
	if (enumerator->enumerate(enumerator, &auth))
	{
		id = auth->get(auth, AUTH_RULE_IDENTITY);
	}
	enumerator->destroy(enumerator);
	return id;
}

/**
 * Whether an object goes into the snapshot's credential set for the first
 * time: each once, not once per link that uses it
 */
static bool first_use(loader_t *loader, void *obj)
{
	return !loader->added->put(loader->added, obj, obj);
}

/**
 * zsec_request_ca_t: the CA of the link of the IKE_SA the thread works for
 */
static bool request_ca(void *ctx, certificate_t **ca)
{
	private_zsec_snapshot_t *this = ctx;
	ike_sa_t *ike_sa = charon->bus->get_sa(charon->bus);
	zsec_link_t *link;

	if (!ike_sa)
	{
		return FALSE;
	}
	link = get_link_by_host(this, ike_sa->get_other_host(ike_sa));
	*ca = link ? link->ca : NULL;
	return TRUE;
}

/**
 * The link's indexes and credentials
 */
static bool index_link(private_zsec_snapshot_t *this, zsec_link_t *l,
					   loader_t *loader)
{
	const struct plan_link *p = l->plan;
	char buf[ADDR_STRLEN];

	if (!l->remote_id)
	{
		l->remote_id = remote_identity(l->peer);
		l->remote_hash = addr_hash(&p->remote);
		l->remote_id_hash = l->remote_id ? l->remote_id->hash(l->remote_id, 0) : 0;
	}
	if (this->by_host->put(this->by_host, l, l))
	{
		snprintf(loader->err, loader->len, "two links to %s",
				 addr_str(&p->remote, buf));
		return FALSE;
	}
	if (!l->remote_id || this->by_id->put(this->by_id, l, l))
	{
		snprintf(loader->err, loader->len, "two links to identity %s",
				 p->remote_id);
		return FALSE;
	}
	if (l->cert)
	{
		/* the set borrows the certificates from the peer_cfg */
		if (first_use(loader, l->cert))
		{
			this->creds->add_cert(this->creds, l->cert, FALSE);
		}
		if (first_use(loader, l->key))
		{
			this->creds->add_key(this->creds, l->key);
		}
		if (first_use(loader, l->ca))
		{
			this->creds->add_cert(this->creds, l->ca, TRUE);
		}
	}
	if (l->psk)
	{
		identification_t *me;

		me = identification_create_from_string((char*)l->plan->local_id);
		this->creds->add_shared(this->creds, l->psk, me, l->remote_id);
		me->destroy(me);
	}
	return TRUE;
}

static void loader_done(loader_t *loader)
{
	enumerator_t *enumerator;
	cached_t *cached;
	char *path;

	enumerator = loader->objects->create_enumerator(loader->objects);
	while (enumerator->enumerate(enumerator, &path, &cached))
	{
		cached->destroy(cached->obj);
		free(cached);
		free(path);
	}
	enumerator->destroy(enumerator);
	loader->objects->destroy(loader->objects);
	loader->added->destroy(loader->added);
}

/**
 * The previous snapshot's link of each link of the plan, or NULL: one walk
 * along both, as both are sorted by name
 */
static zsec_link_t **previous_links(struct plan *plan,
									private_zsec_snapshot_t *prev)
{
	zsec_link_t **olds = calloc(plan->n_links ?: 1, sizeof(zsec_link_t*));
	size_t i, j = 0;
	int c;

	for (i = 0; prev && i < plan->n_links; i++)
	{
		c = 1;
		while (j < prev->count &&
			   (c = strcmp(prev->links[j].plan->name, plan->links[i].name)) < 0)
		{
			j++;
		}
		if (j < prev->count && !c)
		{
			olds[i] = &prev->links[j];
		}
	}
	return olds;
}

/*
 * Described in header
 */
bool zsec_addr_from_host(host_t *host, struct ipaddr *addr)
{
	chunk_t bytes = host->get_address(host);

	*addr = (struct ipaddr){
		.family = host->get_family(host),
	};
	if ((addr->family != AF_INET && addr->family != AF_INET6) ||
		bytes.len != addr_bits(addr->family) / 8)
	{
		return FALSE;
	}
	memcpy(addr->bytes, bytes.ptr, bytes.len);
	return TRUE;
}

/*
 * Described in header
 */
zsec_snapshot_t *zsec_snapshot_create(struct plan *plan, zsec_snapshot_t *prev,
									  char *err, size_t len)
{
	private_zsec_snapshot_t *this;
	loader_t loader = {
		.objects = hashtable_create(hashtable_hash_str, hashtable_equals_str, 64),
		.added = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr, 64),
		.err = err,
		.len = len,
	};
	zsec_link_t **olds;
	size_t i;
	bool ok = TRUE;

	INIT(this,
		.public = {
			.get_link = _get_link,
			.get_link_by_host = _get_link_by_host,
			.get_link_by_id = _get_link_by_id,
			.create_link_enumerator = _create_link_enumerator,
			.get_link_count = _get_link_count,
			.get_changes = _get_changes,
			.get_creds = _get_creds,
			.get_plan = _get_plan,
			.get_ref = _get_ref,
			.destroy = _destroy,
		},
		.plan = plan_slim(plan),
		.links = calloc(plan->n_links ?: 1, sizeof(zsec_link_t)),
		.by_host = hashtable_create(link_host_hash, link_host_equals,
									plan->n_links ?: 1),
		.by_id = hashtable_create(link_id_hash, link_id_equals, plan->n_links ?: 1),
		.creds = zsec_creds_create(request_ca, this),
		.ref = 1,
	);
	plan_free(plan);
	plan = this->plan;

	olds = previous_links(plan, (private_zsec_snapshot_t*)prev);
	prefetch(&loader, plan, olds);
	for (i = 0; ok && i < plan->n_links; i++)
	{
		zsec_link_t *l = &this->links[i], *old = olds[i];

		l->plan = &plan->links[i];
		this->count++;
		if (old && plan_link_equal(old->plan, l->plan))
		{
			keep_link(l, old);
			this->kept++;
		}
		else if (old && plan_link_ike_equal(old->plan, l->plan) &&
				 /* another mode is another CHILD_SA, not a rekey */
				 old->plan->mode == l->plan->mode)
		{
			ok = rechild_link(l, old, &loader);
			this->changed++;
		}
		else
		{
			ok = build_link(l, &loader);
			if (old)
			{
				this->changed++;
			}
			else
			{
				this->added++;
			}
		}
		ok = ok && index_link(this, l, &loader);
	}
	this->removed = (prev ? prev->get_link_count(prev) : 0) -
					this->kept - this->changed;
	free(olds);
	loader_done(&loader);
	if (!ok)
	{
		snapshot_free(this);
		return NULL;
	}
	commit_rechild(this);
	return &this->public;
}
