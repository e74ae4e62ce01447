/*
 * errors.h - error codes and the error record shared by every engine module.
 *
 * Every engine function returns 0 (AV_OK) or a negative AV_E* code.  Where a
 * user needs to know what went wrong and where, the function also fills an
 * av_error (code, message, file, line, column) at the place that knows.
 * Parsers that can report several problems collect them in an av_diags list.
 */
#ifndef ENGINE_ERRORS_H
#define ENGINE_ERRORS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum {
	AV_OK = 0,
	AV_ENOMEM = -1,     /* out of memory */
	AV_EINVAL = -2,     /* caller passed something invalid */
	AV_EPARSE = -3,     /* input is not well-formed YAML / JSON / expression */
	AV_ELIMIT = -4,     /* input exceeds a size, depth, node or alias bound */
	AV_ESCHEMA = -5,    /* well-formed, but not a valid document of its kind */
	AV_EIO = -6,        /* a file or the operating system failed */
	AV_ENOTFOUND = -7,  /* no such component, verdict, profile or plugin */
	AV_ESTORE = -8,     /* the database failed */
	AV_EFULL = -9,      /* the disk or database is full */
	AV_EREADONLY = -10, /* the database cannot be written */
	AV_EPLUGIN = -11,   /* a plugin failed to load or run */
	AV_EFORBIDDEN = -12, /* the caller may not do this */
	AV_ECONFIG = -13,   /* a configuration or profile file is invalid */
	AV_EBUSY = -14,     /* try again: shutting down, or a resource is busy */
	AV_EINTERNAL = -15, /* a bug */
};

/* Returns a short English description of an AV_E* code. */
const char *av_strerror(int code);

/*
 * Returns the stable wire name of an AV_E* code ("bad_manifest", "not_found",
 * ...), used in protocol error replies and documented in docs/protocol.md.
 */
const char *av_errname(int code);

#define AV_ERR_MSG 512
#define AV_ERR_FILE 256

typedef struct av_error {
	int code;
	int line;   /* 1-based; 0 when unknown */
	int column; /* 1-based; 0 when unknown */
	char file[AV_ERR_FILE];
	char msg[AV_ERR_MSG];
} av_error;

/* Clears an error record. */
void av_error_clear(av_error *e);

/*
 * Fills e (which may be NULL) and returns code, so that callers can write
 * "return av_error_set(err, AV_EPARSE, file, line, col, "...", ...);".
 * file may be NULL.
 */
int av_error_set(av_error *e, int code, const char *file, int line, int column, const char *fmt,
    ...) __attribute__((format(printf, 6, 7)));
int av_error_vset(av_error *e, int code, const char *file, int line, int column, const char *fmt,
    va_list ap);

/*
 * Formats "file:line:column: message" (omitting what is unknown) into buf.
 * Returns buf.
 */
const char *av_error_format(const av_error *e, char *buf, size_t len);

/* A growable list of errors, for parsers and validators that report all. */
typedef struct av_diags {
	av_error *v;
	size_t n;
	size_t cap;
} av_diags;

void av_diags_init(av_diags *d);
void av_diags_fini(av_diags *d);
/* Appends one error; returns its code (or AV_ENOMEM if the list cannot grow). */
int av_diags_add(av_diags *d, int code, const char *file, int line, int column, const char *fmt,
    ...) __attribute__((format(printf, 6, 7)));

#endif
