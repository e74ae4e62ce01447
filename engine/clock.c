/*
 * clock.c - the one source of "now", and the date, time and duration
 * formats users write in manifests, profiles and on the command line.
 *
 * AIVET_NOW is read on every call (a getenv and a short parse), so that a
 * test or a what-if run can move the clock without restarting anything.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errors.h"
#include "clock.h"

int64_t
av_now(void)
{
	const char *s = getenv("AIVET_NOW");
	int64_t t;

	if (s != NULL && *s != '\0' && av_time_parse(s, &t) == 0)
		return t;
	return (int64_t)time(NULL);
}

/* Reads exactly n digits at *p into *v and advances *p. */
static bool
digits(const char **p, int n, int *v)
{
	int x = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		x = x * 10 + (c - '0');
	}
	*p += n;
	*v = x;
	return true;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

int
av_time_parse(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
	const char *p = s;

	if (s == NULL)
		return AV_EPARSE;
	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d))
		return AV_EPARSE;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return AV_EPARSE;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
		    !digits(&p, 2, &sec))
			return AV_EPARSE;
		if (h > 23 || mi > 59 || sec > 59)
			return AV_EPARSE;
		if (*p == '.' || *p == ',') {
			p++;
			if (*p < '0' || *p > '9')
				return AV_EPARSE;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (!digits(&p, 2, &oh))
				return AV_EPARSE;
			if (*p == ':')
				p++;
			if (!digits(&p, 2, &om) || oh > 23 || om > 59)
				return AV_EPARSE;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p != '\0')
		return AV_EPARSE;
	struct tm tm = {
		.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
		.tm_hour = h, .tm_min = mi, .tm_sec = sec,
	};
	*out = (int64_t)timegm(&tm) - off;
	return 0;
}

int
av_duration_parse(const char *s, int64_t *seconds)
{
	static const struct {
		const char *unit;
		int64_t mult;
	} units[] = {
		{"s", 1}, {"m", 60}, {"min", 60}, {"h", 3600}, {"d", 86400},
		{"w", 7 * 86400}, {"mo", 30 * 86400}, {"y", 365 * 86400},
	};
	const char *p = s;
	int64_t v = 0;

	if (s == NULL || *p < '0' || *p > '9')
		return AV_EPARSE;
	while (*p >= '0' && *p <= '9') {
		if (v > (INT64_MAX - (*p - '0')) / 10)
			return AV_EPARSE;
		v = v * 10 + (*p++ - '0');
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) != 0)
			continue;
		if (v > INT64_MAX / units[i].mult)
			return AV_EPARSE;
		*seconds = v * units[i].mult;
		return 0;
	}
	return AV_EPARSE;
}

char *
av_time_format(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		snprintf(buf, len, "invalid");
	else
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

char *
av_date_format(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		snprintf(buf, len, "invalid");
	else
		snprintf(buf, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday);
	return buf;
}
