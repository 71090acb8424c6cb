/*
 * zsec_events: what happens to the links, as one text line per event
 * ("child-up link=za:operator-b:seg-b1 spi_in=c1a2b3c4 ..."), queued for
 * the socket.
 *
 * The listener hooks run under charon's bus lock with an IKE_SA checked
 * out: they only format a line and queue it, never write to a socket.
 */
#ifndef ZSEC_EVENTS_H_
#define ZSEC_EVENTS_H_

#include <bus/listeners/listener.h>
#include <sa/child_sa.h>

typedef struct zsec_events_t zsec_events_t;

struct zsec_events_t {

	/** Implements listener_t: SA up, down, rekeyed, failures */
	listener_t listener;

	/**
	 * Queue an event line (printf-style, strongSwan's %P, %Y, %H hooks work).
	 * Never blocks; when the queue is full the event is counted as dropped.
	 */
	void (*emit)(zsec_events_t *this, const char *fmt, ...);

	/**
	 * Queue the refusal of a CHILD_SA by zsec's enforcer.  charon follows it
	 * with a selector mismatch alert of its own, which is then not told: the
	 * reason is zsec's.
	 */
	void (*refuse_child)(zsec_events_t *this, ike_sa_t *ike_sa, const char *link,
						 const char *reason);

	/**
	 * A file descriptor that is readable while events are queued.
	 */
	int (*get_fd)(zsec_events_t *this);

	/**
	 * Take the oldest queued event, NULL if none; the caller frees it.
	 */
	char *(*pop)(zsec_events_t *this);

	void (*destroy)(zsec_events_t *this);
};

zsec_events_t *zsec_events_create();

/**
 * A CHILD_SA's local or remote selectors as "10.1.1.0/24,10.1.2.0/24".
 */
char *zsec_ts_str(child_sa_t *child_sa, bool local, char *buf, size_t len);

/** Events queued at most, beyond which they are dropped and counted */
#define ZSEC_EVENTS_MAX 65536

#endif /** ZSEC_EVENTS_H_ @}*/
