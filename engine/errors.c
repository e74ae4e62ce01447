/*
 * errors.c - error codes and error records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

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

