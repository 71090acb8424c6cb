/*
 * zsec_snapshot: an immutable plan snapshot with its charon objects.
 */
#include "zsec_snapshot.h"
#include "zsec_creds.h"
#include "zsec_peer.h"

#include <daemon.h>
#include <collections/hashtable.h>

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

	/** host_t* -> zsec_link_t* */
	hashtable_t *by_host;

	/** identification_t* -> zsec_link_t* */
	hashtable_t *by_id;

	/** credentials of all links */
	zsec_creds_t *creds;

	/** references */
	refcount_t ref;
};

static u_int host_hash(const void *key)
{
	host_t *host = (host_t*)key;

	return chunk_hash(host->get_address(host));
}

static bool host_equals(const void *a, const void *b)
{
	return ((host_t*)a)->ip_equals((host_t*)a, (host_t*)b);
}

static u_int id_hash(const void *key)
{
	identification_t *id = (identification_t*)key;

	return id->hash(id, 0);
}

static bool id_equals(const void *a, const void *b)
{
	return ((identification_t*)a)->equals((identification_t*)a,
										  (identification_t*)b);
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
	return this->by_host->get(this->by_host, host);
}

METHOD(zsec_snapshot_t, get_link_by_id, zsec_link_t*,
	private_zsec_snapshot_t *this, identification_t *id)
{
	return this->by_id->get(this->by_id, id);
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
	DESTROY_IF(l->peer);
	DESTROY_IF(l->remote);
	DESTROY_IF(l->remote_id);
	DESTROY_IF(l->cert);
	DESTROY_IF(l->ca);
	DESTROY_IF(l->key);
	DESTROY_IF(l->psk);
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
	char *err;
	size_t len;
} loader_t;

/**
 * One loaded certificate, key or secret and how to release it
 */
typedef struct {
	void *obj;
	void *(*get_ref)(void *obj);
	void (*destroy)(void *obj);
} cached_t;

typedef void *(*load_fn_t)(const char *path, char *err, size_t len);

static void *load(loader_t *loader, const char *path, load_fn_t fn,
				  void *(*get_ref)(void *obj), void (*destroy)(void *obj))
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
			.get_ref = get_ref,
			.destroy = destroy,
		);
		loader->objects->put(loader->objects, strdup(path), cached);
	}
	return cached->get_ref(cached->obj);
}

static void *cert_ref(void *obj)
{
	return ((certificate_t*)obj)->get_ref(obj);
}

static void cert_destroy(void *obj)
{
	((certificate_t*)obj)->destroy(obj);
}

static void *key_ref(void *obj)
{
	return ((private_key_t*)obj)->get_ref(obj);
}

static void key_destroy(void *obj)
{
	((private_key_t*)obj)->destroy(obj);
}

static void *psk_ref(void *obj)
{
	return ((shared_key_t*)obj)->get_ref(obj);
}

static void psk_destroy(void *obj)
{
	((shared_key_t*)obj)->destroy(obj);
}

/**
 * Take over a link of the previous snapshot, unchanged
 */
static void keep_link(zsec_link_t *l, zsec_link_t *old)
{
	l->peer = old->peer->get_ref(old->peer);
	l->cert = old->cert ? old->cert->get_ref(old->cert) : NULL;
	l->ca = old->ca ? old->ca->get_ref(old->ca) : NULL;
	l->key = old->key ? old->key->get_ref(old->key) : NULL;
	l->psk = old->psk ? old->psk->get_ref(old->psk) : NULL;
	l->kept = TRUE;
}

/**
 * Build a new or changed link
 */
static bool build_link(zsec_link_t *l, loader_t *loader)
{
	const struct plan_link *p = l->plan;

	if (p->auth == AUTH_BY_CERT)
	{
		l->cert = load(loader, p->cert, (load_fn_t)zsec_load_cert, cert_ref,
					   cert_destroy);
		l->key = l->cert ? load(loader, p->key, (load_fn_t)zsec_load_key, key_ref,
								key_destroy) : NULL;
		l->ca = l->key ? load(loader, p->ca, (load_fn_t)zsec_load_cert, cert_ref,
							  cert_destroy) : NULL;
		if (!l->ca)
		{
			return FALSE;
		}
	}
	else
	{
		l->psk = load(loader, p->psk, (load_fn_t)zsec_load_psk, psk_ref,
					  psk_destroy);
		if (!l->psk)
		{
			return FALSE;
		}
	}
	l->peer = zsec_peer_build(p, l->cert, l->ca, loader->err, loader->len);
	return l->peer != NULL;
}

/**
 * The link's indexes and credentials
 */
static bool index_link(private_zsec_snapshot_t *this, zsec_link_t *l,
					   char *err, size_t len)
{
	char buf[ADDR_STRLEN];
	enumerator_t *enumerator;

	l->remote = host_create_from_string(
							(char*)addr_str(&l->plan->remote, buf), 0);
	l->remote_id = identification_create_from_string((char*)l->plan->remote_id);
	enumerator = l->peer->create_child_cfg_enumerator(l->peer);
	enumerator->enumerate(enumerator, &l->child);
	enumerator->destroy(enumerator);
	if (!l->remote || this->by_host->put(this->by_host, l->remote, l))
	{
		snprintf(err, len, "two links to %s", buf);
		return FALSE;
	}
	if (this->by_id->put(this->by_id, l->remote_id, l))
	{
		snprintf(err, len, "two links to identity %s", l->plan->remote_id);
		return FALSE;
	}
	if (l->cert)
	{
		this->creds->add_cert(this->creds, l->cert, FALSE);
		this->creds->add_key(this->creds, l->key);
		this->creds->add_cert(this->creds, l->ca, TRUE);
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
		.err = err,
		.len = len,
	};
	size_t i;
	bool ok = TRUE;

	INIT(this,
		.public = {
			.get_link = _get_link,
			.get_link_by_host = _get_link_by_host,
			.get_link_by_id = _get_link_by_id,
			.create_link_enumerator = _create_link_enumerator,
			.get_creds = _get_creds,
			.get_plan = _get_plan,
			.get_ref = _get_ref,
			.destroy = _destroy,
		},
		.plan = plan,
		.links = calloc(plan->n_links ?: 1, sizeof(zsec_link_t)),
		.by_host = hashtable_create(host_hash, host_equals, plan->n_links ?: 1),
		.by_id = hashtable_create(id_hash, id_equals, plan->n_links ?: 1),
		.creds = zsec_creds_create(),
		.ref = 1,
	);

	for (i = 0; ok && i < plan->n_links; i++)
	{
		zsec_link_t *l = &this->links[i], *old;

		l->plan = &plan->links[i];
		this->count++;
		old = prev ? prev->get_link(prev, l->plan->name) : NULL;
		if (old && plan_link_equal(old->plan, l->plan))
		{
			keep_link(l, old);
		}
		else
		{
			ok = build_link(l, &loader);
		}
		ok = ok && index_link(this, l, err, len);
	}
	loader_done(&loader);
	if (!ok)
	{
		snapshot_free(this);
		return NULL;
	}
	return &this->public;
}
