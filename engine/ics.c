/*
 * ics.c - writing review dates as RFC 5545 iCalendar text (see ics.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "ics.h"

#define FOLD 75

typedef struct buf {
	char *p;
	size_t n, cap;
	bool oom;
} buf;

static void
put(buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/*
 * Emits one content line, folded: after at most 75 octets a CRLF and a
 * space continue it (RFC 5545 3.1).  A fold never falls inside a UTF-8
 * sequence: continuation bytes (10xxxxxx) stay with their lead byte.
 */
static void
line(buf *b, const char *s, size_t n)
{
	size_t used = 0, i = 0;

	while (i < n) {
		size_t room = FOLD - used, take = n - i;
		if (take > room) {
			take = room;
			while (take > 0 && ((unsigned char)s[i + take] & 0xC0) == 0x80)
				take--;
		}
		put(b, s + i, take);
		i += take;
		if (i < n) {
			put(b, "\r\n ", 3);
			used = 1;
		}
	}
	put(b, "\r\n", 2);
}

static void
linef(buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n >= 0)
		line(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* NAME:value with TEXT escaping (RFC 5545 3.3.11). */
static void
text_prop(buf *b, const char *name, const char *v)
{
	buf t = {0};

	put(&t, name, strlen(name));
	put(&t, ":", 1);
	for (const char *p = v; *p != '\0'; p++) {
		switch (*p) {
		case '\\': put(&t, "\\\\", 2); break;
		case ';': put(&t, "\\;", 2); break;
		case ',': put(&t, "\\,", 2); break;
		case '\n': put(&t, "\\n", 2); break;
		case '\r': break;
		default:
			/* Other control characters are not allowed in TEXT. */
			if ((unsigned char)*p < 0x20 && *p != '\t')
				put(&t, " ", 1);
			else
				put(&t, p, 1);
		}
	}
	if (t.oom)
		b->oom = true;
	else
		line(b, t.p, t.n);
	free(t.p);
}

static void
ymd(int64_t t, char *out, size_t len, bool with_time)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, len, with_time ? "%Y%m%dT%H%M%SZ" : "%Y%m%d", &tm);
}

char *
av_ics_render(const av_ics_event *ev, size_t n, int64_t dtstamp, size_t *len)
{
	buf b = {0};
	char stamp[32], d0[16], d1[16];

	for (size_t i = 0; i < n; i++)
		if (ev[i].uid == NULL || ev[i].uid[0] == '\0' || ev[i].summary == NULL)
			return NULL;
	ymd(dtstamp, stamp, sizeof(stamp), true);
	line(&b, "BEGIN:VCALENDAR", 15);
	linef(&b, "VERSION:2.0");
	linef(&b, "PRODID:-//aivet//review calendar//EN");
	linef(&b, "CALSCALE:GREGORIAN");
	linef(&b, "METHOD:PUBLISH");
	for (size_t i = 0; i < n; i++) {
		const av_ics_event *e = &ev[i];
		int64_t day = e->due - (e->due % 86400 + 86400) % 86400;
		ymd(day, d0, sizeof(d0), false);
		ymd(day + 86400, d1, sizeof(d1), false);
		linef(&b, "BEGIN:VEVENT");
		text_prop(&b, "UID", e->uid);
		linef(&b, "DTSTAMP:%s", stamp);
		linef(&b, "DTSTART;VALUE=DATE:%s", d0);
		linef(&b, "DTEND;VALUE=DATE:%s", d1);
		text_prop(&b, "SUMMARY", e->summary);
		if (e->description != NULL)
			text_prop(&b, "DESCRIPTION", e->description);
		linef(&b, "TRANSP:TRANSPARENT");
		if (e->alarm_before > 0) {
			linef(&b, "BEGIN:VALARM");
			linef(&b, "ACTION:DISPLAY");
			text_prop(&b, "DESCRIPTION", e->summary);
			if (e->alarm_before % 86400 == 0)
				linef(&b, "TRIGGER:-P%lldD", (long long)(e->alarm_before / 86400));
			else
				linef(&b, "TRIGGER:-PT%lldS", (long long)e->alarm_before);
			linef(&b, "END:VALARM");
		}
		linef(&b, "END:VEVENT");
	}
	linef(&b, "END:VCALENDAR");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	*len = b.n;
	return b.p;
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(x) ? x->valuestring : "";
}

static int64_t
jint(const cJSON *o, const char *k)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(x) ? (int64_t)x->valuedouble : 0;
}

char *
av_ics_from_reviews(const cJSON *reviews, int64_t dtstamp, size_t *len)
{
	int n = cJSON_GetArraySize(reviews), i = 0;
	av_ics_event *ev = calloc(n ? (size_t)n : 1, sizeof(*ev));
	char (*uid)[300] = calloc(n ? (size_t)n : 1, sizeof(*uid));
	char (*sum)[300] = calloc(n ? (size_t)n : 1, sizeof(*sum));
	char (*desc)[600] = calloc(n ? (size_t)n : 1, sizeof(*desc));
	char *text = NULL;
	const cJSON *x;

	if (ev == NULL || uid == NULL || sum == NULL || desc == NULL)
		goto out;
	cJSON_ArrayForEach(x, reviews)
	{
		const cJSON *owner = cJSON_GetObjectItemCaseSensitive(x, "owner");
		/* Stable per component and due date: re-importing updates, not duplicates. */
		snprintf(uid[i], sizeof(uid[i]), "%s@%s-%s-review@aivet", jstr(x, "name"),
		    jstr(x, "version"), jstr(x, "due"));
		snprintf(sum[i], sizeof(sum[i]), "Review %s@%s (%s)", jstr(x, "name"),
		    jstr(x, "version"), jstr(x, "decision"));
		snprintf(desc[i], sizeof(desc[i]),
		    "aivet review of %s@%s: verdict %s, risk %s, profile %s, state %s%s%s.\n"
		    "Record it with: aivet review record %s@%s --decision approve --note ...",
		    jstr(x, "name"), jstr(x, "version"), jstr(x, "decision"), jstr(x, "risk"),
		    jstr(x, "profile"), jstr(x, "state"), cJSON_IsString(owner) ? ", owner " : "",
		    cJSON_IsString(owner) ? owner->valuestring : "", jstr(x, "name"),
		    jstr(x, "version"));
		ev[i].uid = uid[i];
		ev[i].summary = sum[i];
		ev[i].description = desc[i];
		ev[i].due = jint(x, "due_at");
		ev[i].alarm_before = jint(x, "lead_seconds");
		i++;
	}
	text = av_ics_render(ev, (size_t)i, dtstamp, len);
out:
	free(ev);
	free(uid);
	free(sum);
	free(desc);
	return text;
}
