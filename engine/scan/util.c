/*
 * util.c - helpers shared by the scanner's modules (see util.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static void
put(char *out, size_t cap, size_t *n, const char *s, size_t len)
{
	for (size_t i = 0; i < len && *n + 1 < cap; i++)
		out[(*n)++] = s[i];
	out[*n < cap ? *n : cap - 1] = '\0';
}

void
av_scan_safe_url(const char *url, size_t len, char *out, size_t cap)
{
	const char *e = url + len, *sep = NULL;
	size_t n = 0;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (const char *p = url; p + 2 < e; p++)
		if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
			sep = p + 3;
			break;
		}
	if (sep == NULL) {
		put(out, cap, &n, url, len);
		return;
	}
	put(out, cap, &n, url, (size_t)(sep - url));
	/* the authority ends at the first '/', '?' or '#'; a '@' inside it
	 * ends the user information */
	const char *auth_end = sep;
	while (auth_end < e && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
		auth_end++;
	const char *host = sep;
	for (const char *p = sep; p < auth_end; p++)
		if (*p == '@')
			host = p + 1;
	const char *p = host;
	while (p < e && *p != '?' && *p != '#')
		p++;
	put(out, cap, &n, host, (size_t)(p - host));
	/* a git URL's "@ref" after the path stays: it is part of the path */
	const char *frag = memchr(p, '#', (size_t)(e - p));
	if (frag != NULL) {
		const char *fe = frag + 1;
		while (fe < e && *fe != '&' && *fe != ' ')
			fe++;
		if ((size_t)(e - frag) > 5 && (strncmp(frag + 1, "egg=", 4) == 0 ||
		    strncmp(frag + 1, "sha256=", 7) == 0 || strncmp(frag + 1, "subdirectory=", 13) == 0))
			put(out, cap, &n, frag, (size_t)(fe - frag));
	}
}

const char *
av_scan_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

bool
av_scan_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

bool
av_scan_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

bool
av_scan_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return n > 0;
}

bool
av_scan_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}
