/*
 * clock.h - the one clock every "now" in aivet comes from, and the date,
 * time and duration formats that users write.
 *
 * av_now() honours AIVET_NOW (an ISO 8601 date or date-time) so that tests
 * and what-if runs can move through time.
 */
#ifndef ENGINE_CLOCK_H
#define ENGINE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Unix seconds: AIVET_NOW when set and valid, else the system clock. */
int64_t av_now(void);

/*
 * Parses an ISO 8601 date ("2027-03-01") or date-time ("2027-03-01T12:00:00Z",
 * with optional fraction and Z or +hh:mm offset) into unix seconds UTC.
 * A date alone is midnight UTC.  Returns 0 or AV_EPARSE.
 */
int av_time_parse(const char *s, int64_t *out);

/*
 * Parses a duration: an integer followed by s, m(in), h, d, w, mo, y
 * ("90d", "6mo", "1y", "12h"; months are 30 days, years 365).  Returns 0 or
 * AV_EPARSE.
 */
int av_duration_parse(const char *s, int64_t *seconds);

/* Formats t as "2027-03-01T12:00:00Z" / "2027-03-01" into buf (>= 21 bytes). */
char *av_time_format(int64_t t, char *buf, size_t len);
char *av_date_format(int64_t t, char *buf, size_t len);

#endif
