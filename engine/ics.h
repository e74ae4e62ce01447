/*
 * ics.h - review dates as an iCalendar file (RFC 5545), so that any
 * calendar can import what is due.
 *
 * One VEVENT per due review: an all-day event on the due date with a
 * stable UID (the same review imports as the same event again), DTSTAMP,
 * and a VALARM at the profile's lead time.  Lines end in CRLF and are
 * folded at 75 octets without splitting a UTF-8 character; TEXT values are
 * escaped.  Not a parser: aivet only writes calendars.
 */
#ifndef ENGINE_ICS_H
#define ENGINE_ICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct av_ics_event {
	const char *uid;         /* stable and unique, e.g. "name@version-review@aivet" */
	const char *summary;     /* the event's title */
	const char *description; /* may be NULL */
	int64_t due;             /* unix seconds; the event is the whole UTC day */
	int64_t alarm_before;    /* seconds before the day for a VALARM; 0: no alarm */
} av_ics_event;

/*
 * Renders a VCALENDAR holding the n events, stamped with dtstamp (unix
 * seconds).  Returns a new NUL-terminated text of *len bytes that the
 * caller frees, or NULL when out of memory or an event lacks uid or
 * summary.
 */
char *av_ics_render(const av_ics_event *ev, size_t n, int64_t dtstamp, size_t *len);

/*
 * The calendar of a `reviews` reply: reviews is its "reviews" array (each
 * with name, version, decision, risk, profile, state, due, due_at,
 * lead_seconds and optionally owner).  Same ownership and errors as
 * av_ics_render.
 */
struct cJSON;
char *av_ics_from_reviews(const struct cJSON *reviews, int64_t dtstamp, size_t *len);

#endif
