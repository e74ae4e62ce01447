/*
 * test_clock.c - AIVET_NOW, ISO 8601 dates and times, durations.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errors.h"
#include "clock.h"

START_TEST(now_honours_aivet_now)
{
	unsetenv("AIVET_NOW");
	int64_t sys = (int64_t)time(NULL);
	int64_t t = av_now();
	ck_assert(t >= sys && t <= sys + 2);

	setenv("AIVET_NOW", "2027-03-01", 1);
	ck_assert_int_eq(av_now(), 1803859200);
	/* Read on every call. */
	setenv("AIVET_NOW", "2027-03-01T12:00:00Z", 1);
	ck_assert_int_eq(av_now(), 1803859200 + 12 * 3600);
	/* An invalid value falls back to the system clock. */
	setenv("AIVET_NOW", "next tuesday", 1);
	t = av_now();
	ck_assert(t >= sys && t <= sys + 2);
	unsetenv("AIVET_NOW");
}
END_TEST

START_TEST(time_parse_forms)
{
	int64_t t;

	ck_assert_int_eq(av_time_parse("1970-01-01", &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(av_time_parse("2024-02-29", &t), 0);
	ck_assert_int_eq(t, 1709164800);
	ck_assert_int_eq(av_time_parse("2027-03-01T12:00:00Z", &t), 0);
	ck_assert_int_eq(t, 1803902400);
	ck_assert_int_eq(av_time_parse("2027-03-01T12:00:00.250Z", &t), 0);
	ck_assert_int_eq(t, 1803902400);
	ck_assert_int_eq(av_time_parse("2027-03-01T14:30:00+02:30", &t), 0);
	ck_assert_int_eq(t, 1803902400);
	ck_assert_int_eq(av_time_parse("2027-03-01T07:00:00-0500", &t), 0);
	ck_assert_int_eq(t, 1803902400);
	ck_assert_int_eq(av_time_parse("2027-03-01T12:00:00", &t), 0);
	ck_assert_int_eq(t, 1803902400);
}
END_TEST

START_TEST(time_format_round_trip)
{
	char buf[32];
	int64_t t;

	ck_assert_str_eq(av_time_format(1803902400, buf, sizeof(buf)), "2027-03-01T12:00:00Z");
	ck_assert_str_eq(av_date_format(1803902400, buf, sizeof(buf)), "2027-03-01");
	ck_assert_str_eq(av_time_format(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z");
	for (int64_t x = -86400 * 365; x < 4102444800; x += 7777777) {
		av_time_format(x, buf, sizeof(buf));
		ck_assert_int_eq(av_time_parse(buf, &t), 0);
		ck_assert_int_eq(t, x);
	}
}
END_TEST

START_TEST(time_parse_rejects_bad_input)
{
	static const char *bad[] = {
		"", "2027", "2027-3-01", "2027-13-01", "2027-00-10", "2027-02-29", "2023-04-31",
		"2027-03-01T25:00:00Z", "2027-03-01T12:60:00Z", "2027-03-01T12:00:60Z",
		"2027-03-01T12:00Z", "2027-03-01T12:00:00.Z", "2027-03-01T12:00:00+5",
		"2027-03-01T12:00:00+24:00", "2027-03-01 junk", "2027-03-01Z", "12027-03-01",
		"２０２７-03-01", "2027-03-01T12:00:00ZZ",
	};
	int64_t t = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(av_time_parse(bad[i], &t) == AV_EPARSE, "accepted '%s'", bad[i]);
	ck_assert_int_eq(av_time_parse(NULL, &t), AV_EPARSE);
	ck_assert_int_eq(t, 42);
}
END_TEST

START_TEST(duration_units)
{
	static const struct {
		const char *s;
		int64_t v;
	} ok[] = {
		{"0s", 0}, {"45s", 45}, {"5m", 300}, {"5min", 300}, {"12h", 43200},
		{"90d", 90 * 86400}, {"2w", 14 * 86400}, {"6mo", 180 * 86400},
		{"1y", 365 * 86400}, {"106751991167300d", 106751991167300LL * 86400},
	};
	int64_t v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(av_duration_parse(ok[i].s, &v) == 0, "refused %s", ok[i].s);
		ck_assert_int_eq(v, ok[i].v);
	}
}
END_TEST

START_TEST(duration_rejects_bad_input)
{
	static const char *bad[] = {
		"", "d", "-5d", "+5d", "5", "5 d", " 5d", "5d ", "5x", "5mon", "5M", "1.5d",
		"5dd", "999999999999999999999s", "106751991167301d", "9223372036854775807y",
	};
	int64_t v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(av_duration_parse(bad[i], &v) == AV_EPARSE, "accepted '%s'", bad[i]);
	ck_assert_int_eq(av_duration_parse(NULL, &v), AV_EPARSE);
	ck_assert_int_eq(v, 7);
}
END_TEST

static Suite *
clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *core = tcase_create("core");
	TCase *errors = tcase_create("errors");

	tcase_add_test(core, now_honours_aivet_now);
	tcase_add_test(core, time_parse_forms);
	tcase_add_test(core, time_format_round_trip);
	tcase_add_test(core, duration_units);
	tcase_add_test(errors, time_parse_rejects_bad_input);
	tcase_add_test(errors, duration_rejects_bad_input);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(clock_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
