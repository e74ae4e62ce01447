/*
 * util.h - small helpers the scanner's modules share: URLs made safe to
 * print, file names, bounded string building.
 */
#ifndef ENGINE_SCAN_UTIL_H
#define ENGINE_SCAN_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Copies url into out (cap bytes, NUL-terminated, cut when longer) without
 * what may hold a secret: the user and password before the host, the query
 * string and the fragment (except "#egg=NAME", "#subdirectory=..." and
 * "#sha256=..." fragments, which name a package or a hash).  Text that is
 * not a URL is copied as it is.
 */
void av_scan_safe_url(const char *url, size_t len, char *out, size_t cap);

/* The last component of a relative path ("a/b/c.txt" -> "c.txt"). */
const char *av_scan_basename(const char *path);

/* Case-insensitive: does s start with prefix / end with suffix? */
bool av_scan_prefix(const char *s, const char *prefix);
bool av_scan_suffix(const char *s, const char *suffix);

/* snprintf into buf that says whether the result fit (true) or was cut. */
bool av_scan_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Whether s (n bytes) is n hexadecimal digits. */
bool av_scan_hex(const char *s, size_t n);

#endif
