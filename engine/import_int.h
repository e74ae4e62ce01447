/*
 * import_int.h - what the importers (import*.c) share; not for other
 * modules, which use import.h.
 */
#ifndef ENGINE_IMPORT_INT_H
#define ENGINE_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "errors.h"
#include "doc.h"

/* One import in progress: the manifest being built and where messages go. */
typedef struct av_imp {
	av_doc *doc;     /* the manifest */
	av_node *root;   /* its root map */
	const char *file; /* name for messages */
	av_diags *d;
	bool oom;        /* set by the helpers when an allocation failed */
	int n_accuracy;  /* accuracy figures seen by av_imp_metric */
	double accuracy;
} av_imp;

int av_imp_hf(av_imp *im, const char *buf, size_t len);
int av_imp_cdx(av_imp *im, const char *buf, size_t len);
int av_imp_spdx3(av_imp *im, const char *buf, size_t len);

/* Parses JSON with the importers' bounds; on failure adds the error to the
 * diags and returns its code. */
int av_imp_parse(av_imp *im, const char *buf, size_t len, av_format fmt, av_doc **out);

/* Adds an error (code < 0) or a note (AV_OK); returns code. */
int av_imp_diag(av_imp *im, int code, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Sets map[key] = node and returns node; NULL (and im->oom) when map or
 * node is NULL.  The helpers below build the node first. */
av_node *av_imp_put(av_imp *im, av_node *map, const char *key, av_node *node);
av_node *av_imp_put_str(av_imp *im, av_node *map, const char *key, const char *s, size_t len);
av_node *av_imp_put_cstr(av_imp *im, av_node *map, const char *key, const char *s);
av_node *av_imp_put_bool(av_imp *im, av_node *map, const char *key, bool b);
/* Copies a node of another document. */
av_node *av_imp_put_copy(av_imp *im, av_node *map, const char *key, const av_node *n);
/* The map at map[key], created (empty, last in order) when absent. */
av_node *av_imp_child(av_imp *im, av_node *map, const char *key);
/* A new empty map or sequence in the manifest (NULL sets im->oom). */
av_node *av_imp_new(av_imp *im, av_ntype type);
void av_imp_append(av_imp *im, av_node *seq, av_node *child);

/* Sets the manifest's name from s (len bytes), turning characters the
 * schema does not allow into '-'; false when nothing usable is left. */
bool av_imp_set_name(av_imp *im, const char *s, size_t len);

/* Appends a line of text to a string entry (joined by "\n"). */
void av_imp_append_text(av_imp *im, av_node *map, const char *key, const char *s, size_t len);

/* A string value, or NULL when absent or not a string. */
const char *av_imp_str(const av_node *map, const char *key);

/* Records a metric value; when exactly one accuracy figure that is clearly
 * a fraction (0..1) is seen, av_import sets evaluation.metrics.accuracy. */
/* Records one published result under evaluation.results (numeric values
 * only; task, dataset and source may be NULL), and counts a clear accuracy
 * figure in 0..1 for evaluation.metrics.accuracy. */
void av_imp_metric(av_imp *im, const char *metric, const av_node *value, const char *task,
    const char *dataset, const char *source);

#endif
