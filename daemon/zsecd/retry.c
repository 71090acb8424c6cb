/* retry: when to try again what the kernel refused.  table inet zsec and
 * the guard's entries must be there; when putting them back fails (the
 * kernel out of memory, a table another process holds), zsecd tries again
 * after 0, 1, 2, 4 and then every RETRY_MAX_S seconds until it succeeds:
 * soon enough that the gap stays short, seldom enough that a lasting
 * refusal costs nothing. */
#include "zsecd.h"

int retry_schedule(struct retry *r)
{
	int wait = r->backoff_s;

	r->at_ms = now_ms() + wait * 1000L;
	r->backoff_s = wait ? wait * 2 : 1;
	if (r->backoff_s > RETRY_MAX_S)
		r->backoff_s = RETRY_MAX_S;
	return wait;
}

void retry_clear(struct retry *r)
{
	r->at_ms = 0;
	r->backoff_s = 0;
}

bool retry_due(const struct retry *r)
{
	return r->at_ms && now_ms() >= r->at_ms;
}

int until(long deadline, int timeout)
{
	long ms = deadline - now_ms();

	if (ms < 0)
		ms = 0;
	return timeout < 0 || ms < timeout ? (int)ms : timeout;
}

int retry_timeout(const struct retry *r, int timeout)
{
	return r->at_ms ? until(r->at_ms, timeout) : timeout;
}

long retry_left_ms(const struct retry *r)
{
	long ms = r->at_ms - now_ms();

	return ms > 0 ? ms : 0;
}
