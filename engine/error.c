/*
 * error.c - error codes, error records and SHA-256 helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

/* mbedTLS 2.x names the returning variants *_ret; 3.x dropped the suffix. */
#if MBEDTLS_VERSION_MAJOR < 3
#define sha256_starts mbedtls_sha256_starts_ret
#define sha256_update mbedtls_sha256_update_ret
#define sha256_finish mbedtls_sha256_finish_ret
#else
#define sha256_starts mbedtls_sha256_starts
#define sha256_update mbedtls_sha256_update
#define sha256_finish mbedtls_sha256_finish
#endif

#include "av.h"

_Static_assert(sizeof(mbedtls_sha256_context) <= sizeof(((av_sha256 *)0)->state),
    "av_sha256 too small for mbedtls_sha256_context");

static const struct {
	int code;
	const char *name;
	const char *text;
} errors[] = {
	{AV_OK, "ok", "success"},
	{AV_ENOMEM, "no_memory", "out of memory"},
	{AV_EINVAL, "bad_request", "invalid argument"},
	{AV_EPARSE, "parse_error", "malformed input"},
	{AV_ELIMIT, "too_large", "input exceeds a limit"},
	{AV_ESCHEMA, "bad_manifest", "document does not match its schema"},
	{AV_EIO, "io_error", "input/output error"},
	{AV_ENOTFOUND, "not_found", "not found"},
	{AV_ESTORE, "store_error", "database error"},
	{AV_EFULL, "store_full", "database or disk is full"},
	{AV_EREADONLY, "store_readonly", "database is read-only"},
	{AV_EPLUGIN, "plugin_error", "plugin failure"},
	{AV_EFORBIDDEN, "forbidden", "not allowed"},
	{AV_ECONFIG, "bad_config", "invalid configuration"},
	{AV_EBUSY, "busy", "busy, try again"},
	{AV_EINTERNAL, "internal", "internal error"},
};

const char *
av_strerror(int code)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == code)
			return errors[i].text;
	return "unknown error";
}

const char *
av_errname(int code)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == code)
			return errors[i].name;
	return "internal";
}

void
av_error_clear(av_error *e)
{
	if (e != NULL)
		memset(e, 0, sizeof(*e));
}

int
av_error_vset(av_error *e, int code, const char *file, int line, int column, const char *fmt,
    va_list ap)
{
	if (e == NULL)
		return code;
	e->code = code;
	e->line = line;
	e->column = column;
	snprintf(e->file, sizeof(e->file), "%s", file != NULL ? file : "");
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return code;
}

int
av_error_set(av_error *e, int code, const char *file, int line, int column, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	av_error_vset(e, code, file, line, column, fmt, ap);
	va_end(ap);
	return code;
}

const char *
av_error_format(const av_error *e, char *buf, size_t len)
{
	if (e->file[0] != '\0' && e->line > 0 && e->column > 0)
		snprintf(buf, len, "%s:%d:%d: %s", e->file, e->line, e->column, e->msg);
	else if (e->file[0] != '\0' && e->line > 0)
		snprintf(buf, len, "%s:%d: %s", e->file, e->line, e->msg);
	else if (e->file[0] != '\0')
		snprintf(buf, len, "%s: %s", e->file, e->msg);
	else
		snprintf(buf, len, "%s", e->msg);
	return buf;
}

void
av_diags_init(av_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void
av_diags_fini(av_diags *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}

int
av_diags_add(av_diags *d, int code, const char *file, int line, int column, const char *fmt, ...)
{
	va_list ap;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		av_error *v = realloc(d->v, cap * sizeof(*v));
		if (v == NULL)
			return AV_ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	va_start(ap, fmt);
	av_error_vset(&d->v[d->n++], code, file, line, column, fmt, ap);
	va_end(ap);
	return code;
}

void
av_sha256_init(av_sha256 *h)
{
	mbedtls_sha256_context *c = (mbedtls_sha256_context *)h->state;

	mbedtls_sha256_init(c);
	(void)sha256_starts(c, 0);
}

void
av_sha256_update(av_sha256 *h, const void *buf, size_t len)
{
	(void)sha256_update((mbedtls_sha256_context *)h->state, buf, len);
}

void
av_sha256_final_hex(av_sha256 *h, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	mbedtls_sha256_context *c = (mbedtls_sha256_context *)h->state;

	(void)sha256_finish(c, md);
	mbedtls_sha256_free(c);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void
av_sha256_hex(const void *buf, size_t len, char out[65])
{
	av_sha256 h;

	av_sha256_init(&h);
	av_sha256_update(&h, buf, len);
	av_sha256_final_hex(&h, out);
}
