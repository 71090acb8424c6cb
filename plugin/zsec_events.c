/*
 * zsec_events: listener hooks -> bounded queue of event lines.
 */
#include "zsec_events.h"

#include <errno.h>
#include <inttypes.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <daemon.h>
#include <collections/array.h>
#include <collections/hashtable.h>
#include <threading/mutex.h>

typedef struct private_zsec_events_t private_zsec_events_t;

struct private_zsec_events_t {

	/** Public interface */
	zsec_events_t public;

	/** char*, oldest first */
	array_t *queue;

	/** events dropped since the queue was last full */
	u_int dropped;

	/** counts queued events for poll() */
	int fd;

	/** IKE_SA unique id -> the last certificate problem seen while
	 * authenticating it (char*), told with the failure if one follows */
	hashtable_t *cert_problems;

	/** IKE_SA unique ids whose CHILD_SA zsec's enforcer just refused */
	hashtable_t *refused;

	mutex_t *lock;
};

static void vemit(private_zsec_events_t *this, const char *fmt, va_list args)
{
	char *line;
	uint64_t one = 1;

	if (vasprintf(&line, fmt, args) < 0)
	{
		return;
	}
	this->lock->lock(this->lock);
	if (array_count(this->queue) >= ZSEC_EVENTS_MAX)
	{
		this->dropped++;
		free(line);
		line = NULL;
	}
	else
	{
		array_insert(this->queue, ARRAY_TAIL, line);
	}
	this->lock->unlock(this->lock);
	if (line && write(this->fd, &one, sizeof(one)) < 0)
	{
		DBG1(DBG_CFG, "zsec: event notification failed: %s", strerror(errno));
	}
}

METHOD(zsec_events_t, emit, void,
	private_zsec_events_t *this, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vemit(this, fmt, args);
	va_end(args);
}

static void event(private_zsec_events_t *this, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vemit(this, fmt, args);
	va_end(args);
}

METHOD(zsec_events_t, refuse_child, void,
	private_zsec_events_t *this, ike_sa_t *ike_sa, const char *link,
	const char *reason)
{
	uintptr_t id = ike_sa->get_unique_id(ike_sa);

	this->lock->lock(this->lock);
	if (this->refused->get_count(this->refused) < 1024)
	{
		this->refused->put(this->refused, (void*)id, (void*)id);
	}
	this->lock->unlock(this->lock);
	event(this, "refused link=%s peer=%H reason=\"%s\"", link,
		  ike_sa->get_other_host(ike_sa), reason);
}

/**
 * Whether zsec's enforcer refused a CHILD_SA of this IKE_SA (forgets it)
 */
static bool refused_by_zsec(private_zsec_events_t *this, ike_sa_t *ike_sa)
{
	uintptr_t id = ike_sa ? ike_sa->get_unique_id(ike_sa) : 0;
	bool refused;

	this->lock->lock(this->lock);
	refused = this->refused->remove(this->refused, (void*)id) != NULL;
	this->lock->unlock(this->lock);
	return refused;
}

METHOD(zsec_events_t, get_fd, int,
	private_zsec_events_t *this)
{
	return this->fd;
}

METHOD(zsec_events_t, pop, char*,
	private_zsec_events_t *this)
{
	char *line = NULL;
	uint64_t count;

	this->lock->lock(this->lock);
	if (!array_remove(this->queue, ARRAY_HEAD, &line) && this->dropped)
	{
		if (asprintf(&line, "dropped count=%u", this->dropped) < 0)
		{
			line = NULL;
		}
		this->dropped = 0;
	}
	if (!array_count(this->queue))
	{
		/* reset the counter: nothing left to read */
		if (read(this->fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		{
			DBG1(DBG_CFG, "zsec: event reset failed: %s", strerror(errno));
		}
	}
	this->lock->unlock(this->lock);
	return line;
}

static const char *name_of(ike_sa_t *ike_sa)
{
	peer_cfg_t *peer = ike_sa ? ike_sa->get_peer_cfg(ike_sa) : NULL;

	return peer ? peer->get_name(peer) : "-";
}

/**
 * Remember (problem) or take (NULL) the certificate problem of an IKE_SA
 */
static char *cert_problem_swap(private_zsec_events_t *this, ike_sa_t *ike_sa,
							   char *problem)
{
	uintptr_t id = ike_sa ? ike_sa->get_unique_id(ike_sa) : 0;
	char *old;

	this->lock->lock(this->lock);
	if (!problem)
	{
		old = this->cert_problems->remove(this->cert_problems, (void*)id);
	}
	else if (this->cert_problems->get_count(this->cert_problems) < 1024)
	{
		old = this->cert_problems->put(this->cert_problems, (void*)id, problem);
	}
	else
	{	/* SAs that died without a word: never more than this many kept */
		old = problem;
	}
	this->lock->unlock(this->lock);
	return old;
}

METHOD(listener_t, ike_updown, bool,
	private_zsec_events_t *this, ike_sa_t *ike_sa, bool up)
{
	free(cert_problem_swap(this, ike_sa, NULL));
	ike_sa_id_t *id = ike_sa->get_id(ike_sa);

	event(this, "ike-%s link=%s local=%H remote=%H spi_i=%.16"PRIx64
		  " spi_r=%.16"PRIx64" proposal=%P", up ? "up" : "down",
		  name_of(ike_sa), ike_sa->get_my_host(ike_sa),
		  ike_sa->get_other_host(ike_sa), be64toh(id->get_initiator_spi(id)),
		  be64toh(id->get_responder_spi(id)), ike_sa->get_proposal(ike_sa));
	return TRUE;
}

/*
 * Described in header
 */
char *zsec_ts_str(child_sa_t *child_sa, bool local, char *buf, size_t len)
{
	enumerator_t *enumerator;
	traffic_selector_t *ts;
	size_t used = 0;

	buf[0] = '\0';
	enumerator = child_sa->create_ts_enumerator(child_sa, local);
	while (enumerator->enumerate(enumerator, &ts) && used < len)
	{
		used += snprintf(buf + used, len - used, "%s%R", used ? "," : "", ts);
	}
	enumerator->destroy(enumerator);
	return buf;
}

static void child_event(private_zsec_events_t *this, const char *what,
						ike_sa_t *ike_sa, child_sa_t *child_sa)
{
	char local[512], remote[512];

	event(this, "%s link=%s reqid=%u spi_in=%.8x spi_out=%.8x ts=%s===%s "
		  "proposal=%P", what, child_sa->get_name(child_sa),
		  child_sa->get_reqid(child_sa),
		  ntohl(child_sa->get_spi(child_sa, TRUE)),
		  ntohl(child_sa->get_spi(child_sa, FALSE)),
		  zsec_ts_str(child_sa, TRUE, local, sizeof(local)),
		  zsec_ts_str(child_sa, FALSE, remote, sizeof(remote)),
		  child_sa->get_proposal(child_sa));
}

METHOD(listener_t, child_updown, bool,
	private_zsec_events_t *this, ike_sa_t *ike_sa, child_sa_t *child_sa,
	bool up)
{
	uint64_t bytes_in = 0, packets_in = 0, bytes_out = 0, packets_out = 0;

	if (up)
	{
		child_event(this, "child-up", ike_sa, child_sa);
		return TRUE;
	}
	/* what the SA carried in its life, as the updown plugin reports it */
	child_sa->get_usestats(child_sa, TRUE, NULL, &bytes_in, &packets_in);
	child_sa->get_usestats(child_sa, FALSE, NULL, &bytes_out, &packets_out);
	event(this, "child-down link=%s reqid=%u spi_in=%.8x spi_out=%.8x bytes_in=%"PRIu64
		  " packets_in=%"PRIu64" bytes_out=%"PRIu64" packets_out=%"PRIu64,
		  child_sa->get_name(child_sa), child_sa->get_reqid(child_sa),
		  ntohl(child_sa->get_spi(child_sa, TRUE)),
		  ntohl(child_sa->get_spi(child_sa, FALSE)), bytes_in, packets_in,
		  bytes_out, packets_out);
	return TRUE;
}

METHOD(listener_t, child_rekey, bool,
	private_zsec_events_t *this, ike_sa_t *ike_sa, child_sa_t *old,
	child_sa_t *new)
{
	event(this, "child-rekey link=%s old_spi_in=%.8x old_spi_out=%.8x "
		  "spi_in=%.8x spi_out=%.8x reqid=%u", new->get_name(new),
		  ntohl(old->get_spi(old, TRUE)), ntohl(old->get_spi(old, FALSE)),
		  ntohl(new->get_spi(new, TRUE)), ntohl(new->get_spi(new, FALSE)),
		  new->get_reqid(new));
	return TRUE;
}

METHOD(listener_t, ike_rekey, bool,
	private_zsec_events_t *this, ike_sa_t *old, ike_sa_t *new)
{
	event(this, "ike-rekey link=%s", name_of(new));
	return TRUE;
}

static const char *cert_problem(alert_t alert)
{
	switch (alert)
	{
		case ALERT_CERT_UNTRUSTED_ROOT:
			return "is not issued by a trusted CA";
		case ALERT_CERT_NO_ISSUER:
			return "has an unknown issuer";
		case ALERT_CERT_EXPIRED:
			return "has expired";
		case ALERT_CERT_REVOKED:
			return "is revoked";
		default:
			return "does not validate";
	}
}

/**
 * Whether the proposals of an ALERT_PROPOSAL_MISMATCH_CHILD are our own: the
 * peer answered NO_PROPOSAL_CHOSEN to what we offered (child_create.c,
 * raise_alerts), rather than offered them.  Received ESP proposals carry
 * the peer's SPI, ours from the configuration none.
 */
static bool offered_by_us(linked_list_t *list)
{
	proposal_t *first;

	return list->get_first(list, (void**)&first) == SUCCESS &&
		   first->get_spi(first) == 0;
}

METHOD(listener_t, alert, bool,
	private_zsec_events_t *this, ike_sa_t *ike_sa, alert_t alert, va_list args)
{
	linked_list_t *list;
	const char *link = name_of(ike_sa);
	host_t *other = ike_sa ? ike_sa->get_other_host(ike_sa) : NULL;

	switch (alert)
	{
		case ALERT_PROPOSAL_MISMATCH_IKE:
			list = va_arg(args, linked_list_t*);
			if (ike_sa && !ike_sa->get_ike_cfg(ike_sa))
			{	/* no config at all for this peer: not a proposal question */
				event(this, "refused link=%s peer=%H reason=\"no link with this "
					  "peer\"", link, other);
				break;
			}
			/* the IKE SA we start: the peer refused our proposals
			 * (ike_init.c, raise_alerts) */
			if (ike_sa && ike_sa->has_condition(ike_sa, COND_ORIGINAL_INITIATOR))
			{
				event(this, "refused link=%s peer=%H reason=\"the peer accepts none "
					  "of our IKE proposals: we offered %#P\"", link, other, list);
				break;
			}
			event(this, "refused link=%s peer=%H reason=\"no acceptable IKE "
				  "proposal: peer offered %#P\"", link, other, list);
			break;
		case ALERT_PROPOSAL_MISMATCH_CHILD:
			list = va_arg(args, linked_list_t*);
			if (offered_by_us(list))
			{
				event(this, "refused link=%s peer=%H reason=\"the peer accepts none "
					  "of our ESP proposals: we offered %#P\"", link, other, list);
				break;
			}
			event(this, "refused link=%s peer=%H reason=\"no acceptable ESP "
				  "proposal: peer offered %#P\"", link, other, list);
			break;
		case ALERT_TS_MISMATCH:
		{
			if (refused_by_zsec(this, ike_sa))
			{
				break;
			}
			linked_list_t *tsi = va_arg(args, linked_list_t*);
			linked_list_t *tsr = va_arg(args, linked_list_t*);

			event(this, "refused link=%s peer=%H reason=\"traffic selectors "
				  "%#R===%#R outside the link's prefixes\"", link, other, tsi, tsr);
			break;
		}
		case ALERT_PEER_AUTH_FAILED:
		{
			char *cert = cert_problem_swap(this, ike_sa, NULL);

			event(this, "refused link=%s peer=%H reason=\"peer authentication "
				  "failed for identity '%Y'%s%s\"", link, other,
				  ike_sa ? ike_sa->get_other_id(ike_sa) : NULL,
				  cert ? ": " : "", cert ?: "");
			free(cert);
			break;
		}
		case ALERT_LOCAL_AUTH_FAILED:
			event(this, "refused link=%s peer=%H reason=\"the peer refused our "
				  "authentication\"", link, other);
			break;
		case ALERT_CERT_UNTRUSTED_ROOT:
		case ALERT_CERT_NO_ISSUER:
		case ALERT_CERT_VALIDATION_FAILED:
		case ALERT_CERT_EXPIRED:
		case ALERT_CERT_REVOKED:
		{
			/* charon tries every candidate chain and may still succeed:
			 * kept, and told only if the authentication fails */
			certificate_t *cert = va_arg(args, certificate_t*);
			char *problem;

			if (asprintf(&problem, "certificate '%Y' %s",
						 cert ? cert->get_subject(cert) : NULL,
						 cert_problem(alert)) > 0)
			{
				free(cert_problem_swap(this, ike_sa, problem));
			}
			break;
		}
		case ALERT_PEER_INIT_UNREACHABLE:
		case ALERT_RETRANSMIT_SEND_TIMEOUT:
			event(this, "unreachable link=%s peer=%H", link, other);
			break;
		case ALERT_INSTALL_CHILD_SA_FAILED:
		case ALERT_INSTALL_CHILD_POLICY_FAILED:
			event(this, "failed link=%s peer=%H reason=\"installing the SA or "
				  "its policies failed\"", link, other);
			break;
		default:
			break;
	}
	return TRUE;
}

CALLBACK(free_line, void,
	char *line, int idx, void *user)
{
	free(line);
}

METHOD(zsec_events_t, destroy, void,
	private_zsec_events_t *this)
{
	array_destroy_function(this->queue, free_line, NULL);
	this->cert_problems->destroy_function(this->cert_problems, (void*)free);
	this->refused->destroy(this->refused);
	close(this->fd);
	this->lock->destroy(this->lock);
	free(this);
}

/*
 * Described in header
 */
zsec_events_t *zsec_events_create()
{
	private_zsec_events_t *this;

	INIT(this,
		.public = {
			.listener = {
				.ike_updown = _ike_updown,
				.child_updown = _child_updown,
				.child_rekey = _child_rekey,
				.ike_rekey = _ike_rekey,
				.alert = _alert,
			},
			.emit = _emit,
			.refuse_child = _refuse_child,
			.get_fd = _get_fd,
			.pop = _pop,
			.destroy = _destroy,
		},
		.queue = array_create(0, 0),
		.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC),
		.cert_problems = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr, 8),
		.refused = hashtable_create(hashtable_hash_ptr, hashtable_equals_ptr, 8),
		.lock = mutex_create(MUTEX_TYPE_DEFAULT),
	);
	return &this->public;
}
