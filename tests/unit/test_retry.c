/* retry: zsecd's schedule for trying again what the kernel refused
 * (daemon/zsecd/retry.c), on a clock of the test's own: 0, 1, 2, 4, then
 * every 8 s; poll's timeout shortened to the next try, never negative. */
#include "unit.h"
#include "zsecd.h"

static long clock_ms = 1000000;

/* retry.c's clock: log.c's in zsecd */
long now_ms(void)
{
	return clock_ms;
}

static void test_backoff(void **state)
{
	static const int waits[] = { 0, 1, 2, 4, 8, 8, 8 };
	struct retry r = { 0 };
	size_t i;

	(void)state;
	assert_false(retry_due(&r));
	for (i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		assert_int_equal(retry_schedule(&r), waits[i]);
		assert_int_equal(r.at_ms, clock_ms + waits[i] * 1000L);
		assert_int_equal(retry_due(&r), waits[i] == 0);
		clock_ms = r.at_ms;
		assert_true(retry_due(&r));
	}
	/* success: the next refusal starts over at 0 */
	retry_clear(&r);
	assert_false(retry_due(&r));
	assert_int_equal(retry_schedule(&r), 0);
	assert_int_equal(retry_schedule(&r), 1);
}

static void test_timeout(void **state)
{
	struct retry r = { 0 };

	(void)state;
	/* none pending: poll's own timeout, -1 (none) included */
	assert_int_equal(retry_timeout(&r, -1), -1);
	assert_int_equal(retry_timeout(&r, 200), 200);
	retry_schedule(&r);
	retry_schedule(&r);             /* in 1 s */
	assert_int_equal(retry_timeout(&r, -1), 1000);
	assert_int_equal(retry_timeout(&r, 200), 200);
	assert_int_equal(retry_left_ms(&r), 1000);
	clock_ms += 400;
	assert_int_equal(retry_timeout(&r, 5000), 600);
	/* overdue: at once, not a negative timeout */
	clock_ms += 5000;
	assert_int_equal(retry_timeout(&r, -1), 0);
	assert_int_equal(retry_left_ms(&r), 0);
	assert_int_equal(until(clock_ms - 1, 30000), 0);
	assert_int_equal(until(clock_ms + 30, 30000), 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
