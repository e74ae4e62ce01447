/*
 * test_ics.c - the iCalendar writer: structure (BEGIN/END pairing, the
 * required properties), line folding at 75 octets, CRLF, escaping.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ics.h"

Suite *ics_suite(void);

/* Unfolds text (CRLF + space continues a line) into lines; checks that
 * every physical line ends in CRLF and has at most 75 octets. */
static int
unfold(const char *t, char lines[][2048], int max)
{
	int n = 0;
	const char *p = t;

	while (*p != '\0') {
		const char *e = strstr(p, "\r\n");
		ck_assert_msg(e != NULL, "a line does not end in CRLF");
		ck_assert_msg(e - p <= 75, "a line of %d octets", (int)(e - p));
		if (*p == ' ') {
			ck_assert_int_gt(n, 0);
			strncat(lines[n - 1], p + 1, (size_t)(e - p - 1));
		} else {
			ck_assert_int_lt(n, max);
			lines[n][0] = '\0';
			strncat(lines[n], p, (size_t)(e - p));
			n++;
		}
		p = e + 2;
	}
	return n;
}

static int
count_prefix(char lines[][2048], int n, const char *prefix)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		if (strncmp(lines[i], prefix, strlen(prefix)) == 0)
			c++;
	return c;
}

static char lines[256][2048];

START_TEST(begin_end_pair_and_required_properties)
{
	av_ics_event ev[2] = {
		{"a@1-review@aivet", "Review a@1", "first", 1782777600, 30 * 86400},
		{"b@2-review@aivet", "Review b@2", NULL, 1782864000 + 3600, 0},
	};
	size_t len;
	char *t = av_ics_render(ev, 2, 1767225600, &len);
	const char *stack[8];
	int depth = 0, n;

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(len, strlen(t));
	n = unfold(t, lines, 256);
	ck_assert_str_eq(lines[0], "BEGIN:VCALENDAR");
	ck_assert_str_eq(lines[n - 1], "END:VCALENDAR");
	for (int i = 0; i < n; i++) {
		if (strncmp(lines[i], "BEGIN:", 6) == 0) {
			ck_assert_int_lt(depth, 8);
			stack[depth++] = lines[i] + 6;
		} else if (strncmp(lines[i], "END:", 4) == 0) {
			ck_assert_int_gt(depth, 0);
			ck_assert_str_eq(stack[--depth], lines[i] + 4);
		}
	}
	ck_assert_int_eq(depth, 0);
	ck_assert_int_eq(count_prefix(lines, n, "VERSION:2.0"), 1);
	ck_assert_int_eq(count_prefix(lines, n, "PRODID:"), 1);
	ck_assert_int_eq(count_prefix(lines, n, "BEGIN:VEVENT"), 2);
	ck_assert_int_eq(count_prefix(lines, n, "UID:"), 2);
	ck_assert_int_eq(count_prefix(lines, n, "DTSTAMP:20260101T000000Z"), 2);
	ck_assert_int_eq(count_prefix(lines, n, "DTSTART;VALUE=DATE:20260630"), 1);
	ck_assert_int_eq(count_prefix(lines, n, "DTEND;VALUE=DATE:20260701"), 1);
	/* The second is due during 2026-07-01: the whole day. */
	ck_assert_int_eq(count_prefix(lines, n, "DTSTART;VALUE=DATE:20260701"), 1);
	/* Only the first has an alarm, 30 days ahead. */
	ck_assert_int_eq(count_prefix(lines, n, "BEGIN:VALARM"), 1);
	ck_assert_int_eq(count_prefix(lines, n, "TRIGGER:-P30D"), 1);
	ck_assert_int_eq(count_prefix(lines, n, "ACTION:DISPLAY"), 1);
	free(t);
}
END_TEST

START_TEST(the_same_review_renders_the_same_uid)
{
	av_ics_event ev = {"x@1-2026-06-30-review@aivet", "Review x", NULL, 1782777600, 0};
	size_t l1, l2;
	char *a = av_ics_render(&ev, 1, 1767225600, &l1);
	char *b = av_ics_render(&ev, 1, 1767225600 + 86400, &l2);

	ck_assert_ptr_nonnull(strstr(a, "UID:x@1-2026-06-30-review@aivet\r\n"));
	ck_assert_ptr_nonnull(strstr(b, "UID:x@1-2026-06-30-review@aivet\r\n"));
	free(a);
	free(b);
}
END_TEST

START_TEST(long_lines_fold_at_75_octets_without_splitting_utf8)
{
	char desc[600];
	av_ics_event ev = {"u@aivet", "S", desc, 1782777600, 3600};
	size_t len;
	char *t;
	int n;

	/* "é" is two octets: a fold must not fall between them. */
	desc[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(desc, "\xc3\xa9x");
	t = av_ics_render(&ev, 1, 0, &len);
	ck_assert_ptr_nonnull(t);
	for (const char *p = strstr(t, "\r\n "); p != NULL; p = strstr(p + 1, "\r\n "))
		ck_assert_msg(((unsigned char)p[3] & 0xC0) != 0x80, "fold inside a UTF-8 sequence");
	n = unfold(t, lines, 256);
	ck_assert_int_eq(count_prefix(lines, n, "DESCRIPTION:"), 2);
	for (int i = 0; i < n; i++)
		if (strncmp(lines[i], "DESCRIPTION:\xc3", 13) == 0)
			ck_assert_str_eq(lines[i] + 12, desc);
	ck_assert_int_eq(count_prefix(lines, n, "TRIGGER:-PT3600S"), 1);
	free(t);
}
END_TEST

START_TEST(text_values_are_escaped)
{
	av_ics_event ev = {"u@aivet", "a, b; c\\d\nnext", NULL, 0, 0};
	size_t len;
	char *t = av_ics_render(&ev, 1, 0, &len);

	ck_assert_ptr_nonnull(strstr(t, "SUMMARY:a\\, b\\; c\\\\d\\nnext\r\n"));
	free(t);
}
END_TEST

START_TEST(an_empty_calendar_is_still_valid)
{
	size_t len;
	char *t = av_ics_render(NULL, 0, 0, &len);

	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(strstr(t, "BEGIN:VCALENDAR\r\n"));
	ck_assert_ptr_nonnull(strstr(t, "END:VCALENDAR\r\n"));
	ck_assert_ptr_null(strstr(t, "VEVENT"));
	free(t);
}
END_TEST

START_TEST(an_event_without_uid_is_refused)
{
	av_ics_event ev = {NULL, "S", NULL, 0, 0};
	av_ics_event ev2 = {"", "S", NULL, 0, 0};
	av_ics_event ev3 = {"u", NULL, NULL, 0, 0};
	size_t len;

	ck_assert_ptr_null(av_ics_render(&ev, 1, 0, &len));
	ck_assert_ptr_null(av_ics_render(&ev2, 1, 0, &len));
	ck_assert_ptr_null(av_ics_render(&ev3, 1, 0, &len));
}
END_TEST

Suite *
ics_suite(void)
{
	Suite *s = suite_create("ics");
	TCase *core = tcase_create("core"), *limits = tcase_create("limits"),
	      *errors = tcase_create("errors");

	tcase_add_test(core, begin_end_pair_and_required_properties);
	tcase_add_test(core, the_same_review_renders_the_same_uid);
	tcase_add_test(core, text_values_are_escaped);
	tcase_add_test(limits, long_lines_fold_at_75_octets_without_splitting_utf8);
	tcase_add_test(limits, an_empty_calendar_is_still_valid);
	tcase_add_test(errors, an_event_without_uid_is_refused);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	suite_add_tcase(s, errors);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
