/*
 * zsec_child: a child_cfg that forwards to the link's configuration of now.
 */
#include "zsec_child.h"

#include <threading/spinlock.h>

typedef struct private_zsec_child_t private_zsec_child_t;

struct private_zsec_child_t {

	/** Public interface */
	zsec_child_t public;

	/** the link's name, the same in every configuration */
	char *name;

	/** the configuration of now, one reference held */
	child_cfg_t *now;

	/** guards the pointer: a call holds a reference of its own, so a swap
	 * while charon negotiates from the old configuration is safe */
	spinlock_t *lock;

	refcount_t ref;
};

static child_cfg_t *get_now(private_zsec_child_t *this)
{
	child_cfg_t *cfg;

	this->lock->lock(this->lock);
	cfg = this->now->get_ref(this->now);
	this->lock->unlock(this->lock);
	return cfg;
}

/* the parameters of a method as one macro argument: COMMA separates them */
#define COMMA ,

/** A method that returns what the configuration of now returns */
#define FORWARD(type, method, params, args) \
METHOD(child_cfg_t, method, type, private_zsec_child_t *this params) \
{ \
	child_cfg_t *cfg = get_now(this); \
	type ret = cfg->method(cfg args); \
	cfg->destroy(cfg); \
	return ret; \
}

/** The same for a method without a result */
#define FORWARD_VOID(method, params, args) \
METHOD(child_cfg_t, method, void, private_zsec_child_t *this params) \
{ \
	child_cfg_t *cfg = get_now(this); \
	cfg->method(cfg args); \
	cfg->destroy(cfg); \
}

FORWARD_VOID(add_proposal, COMMA proposal_t *p, COMMA p)
FORWARD(linked_list_t*, get_proposals, COMMA bool strip_ke, COMMA strip_ke)
FORWARD(proposal_t*, select_proposal,
		COMMA linked_list_t *proposals COMMA proposal_selection_flag_t flags,
		COMMA proposals COMMA flags)
FORWARD_VOID(add_traffic_selector, COMMA bool local COMMA traffic_selector_t *ts,
			 COMMA local COMMA ts)
FORWARD(linked_list_t*, get_traffic_selectors,
		COMMA bool local COMMA linked_list_t *supplied COMMA linked_list_t *hosts
		COMMA bool log,
		COMMA local COMMA supplied COMMA hosts COMMA log)
FORWARD(lifetime_cfg_t*, get_lifetime, COMMA bool jitter, COMMA jitter)
FORWARD(ipsec_mode_t, get_mode, , )
FORWARD(action_t, get_start_action, , )
FORWARD(action_t, get_dpd_action, , )
FORWARD(hw_offload_t, get_hw_offload, , )
FORWARD(dscp_copy_t, get_copy_dscp, , )
FORWARD(action_t, get_close_action, , )
FORWARD(uint16_t, get_algorithm, COMMA transform_type_t type, COMMA type)
FORWARD(uint32_t, get_inactivity, , )
FORWARD(uint32_t, get_reqid, , )
FORWARD(uint32_t, get_if_id, COMMA bool inbound, COMMA inbound)
FORWARD(mark_t, get_mark, COMMA bool inbound, COMMA inbound)
FORWARD(mark_t, get_set_mark, COMMA bool inbound, COMMA inbound)
FORWARD(sec_label_mode_t, get_label_mode, , )
FORWARD(bool, select_label,
		COMMA linked_list_t *labels COMMA bool log COMMA sec_label_t **label
		COMMA bool *exact,
		COMMA labels COMMA log COMMA label COMMA exact)
FORWARD(uint32_t, get_tfc, , )
FORWARD(uint32_t, get_manual_prio, , )
FORWARD(uint32_t, get_replay_window, , )
FORWARD_VOID(set_replay_window, COMMA uint32_t window, COMMA window)
FORWARD(bool, has_option, COMMA child_cfg_option_t option, COMMA option)

METHOD(child_cfg_t, get_name, char*,
	private_zsec_child_t *this)
{
	return this->name;
}

/* A link has no updown script, interface or security label (zsec_peer
 * sets none), and a string of the old configuration would not outlive a
 * swap. */
METHOD(child_cfg_t, get_none, char*,
	private_zsec_child_t *this)
{
	return NULL;
}

METHOD(child_cfg_t, get_label, sec_label_t*,
	private_zsec_child_t *this)
{
	return NULL;
}

METHOD(child_cfg_t, equals, bool,
	private_zsec_child_t *this, child_cfg_t *other)
{
	child_cfg_t *cfg;
	bool equal;

	if (other == &this->public.cfg)
	{
		return TRUE;
	}
	cfg = get_now(this);
	equal = cfg->equals(cfg, other);
	cfg->destroy(cfg);
	return equal;
}

METHOD(zsec_child_t, swap, void,
	private_zsec_child_t *this, child_cfg_t *next)
{
	child_cfg_t *old;

	this->lock->lock(this->lock);
	old = this->now;
	this->now = next;
	this->lock->unlock(this->lock);
	old->destroy(old);
}

METHOD(child_cfg_t, get_ref, child_cfg_t*,
	private_zsec_child_t *this)
{
	ref_get(&this->ref);
	return &this->public.cfg;
}

METHOD(child_cfg_t, destroy, void,
	private_zsec_child_t *this)
{
	if (ref_put(&this->ref))
	{
		this->now->destroy(this->now);
		this->lock->destroy(this->lock);
		free(this->name);
		free(this);
	}
}

/*
 * Described in header
 */
zsec_child_t *zsec_child_create(child_cfg_t *first)
{
	private_zsec_child_t *this;

	INIT(this,
		.public = {
			.cfg = {
				.get_name = _get_name,
				.add_proposal = _add_proposal,
				.get_proposals = _get_proposals,
				.select_proposal = _select_proposal,
				.add_traffic_selector = _add_traffic_selector,
				.get_traffic_selectors = _get_traffic_selectors,
				.get_updown = _get_none,
				.get_lifetime = _get_lifetime,
				.get_mode = _get_mode,
				.get_start_action = _get_start_action,
				.get_dpd_action = _get_dpd_action,
				.get_hw_offload = _get_hw_offload,
				.get_copy_dscp = _get_copy_dscp,
				.get_close_action = _get_close_action,
				.get_algorithm = _get_algorithm,
				.get_inactivity = _get_inactivity,
				.get_reqid = _get_reqid,
				.get_if_id = _get_if_id,
				.get_mark = _get_mark,
				.get_set_mark = _get_set_mark,
				.get_label = _get_label,
				.get_label_mode = _get_label_mode,
				.select_label = _select_label,
				.get_tfc = _get_tfc,
				.get_manual_prio = _get_manual_prio,
				.get_interface = _get_none,
				.get_replay_window = _get_replay_window,
				.set_replay_window = _set_replay_window,
				.has_option = _has_option,
				.equals = _equals,
				.get_ref = _get_ref,
				.destroy = _destroy,
			},
			.swap = _swap,
		},
		.name = strdup(first->get_name(first)),
		.now = first,
		.lock = spinlock_create(),
		.ref = 1,
	);
	return &this->public;
}
