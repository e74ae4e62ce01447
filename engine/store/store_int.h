/*
 * store_int.h - the handle of engine/store.h as the files above the
 * backends share it (store.c, records.c).  Private to engine/store/.
 */
#ifndef ENGINE_STORE_STORE_INT_H
#define ENGINE_STORE_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "cache.h"
#include "committer.h"

struct av_store {
	const struct av_store_backend *be;
	char *location;
	int flags;
	pthread_mutex_t lock; /* guards rd and vc */
	av_store_db *rd;      /* reads; also writes when there is no committer */
	av_committer *cm;     /* with AV_STORE_COMMITTER */
	av_vcache vc;         /* verdicts read on this handle */
};

static inline bool
av_store_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* Checks what a read was given (ok, else AV_EINVAL saying `what`) and takes
 * the handle's lock for it (AV_EINVAL from inside one of its callbacks). */
int av_store_enter(av_store *s, bool ok, const char *what, av_error *err);
/* Releases the lock and returns rc. */
int av_store_leave(av_store *s, int rc);

/*
 * Runs a write: through the committer when there is one (and waits until
 * it is durable, unless w has on_done), else in its own transaction on the
 * handle.  Returns its rc with err filled from it.
 */
int av_store_submit(av_store *s, av_store_write *w, av_error *err);

/* Builds an audit detail: a failed add frees the object and gives NULL, and
 * adding to NULL gives NULL (a NULL string is not added). */
cJSON *av_store_detail_num(cJSON *o, const char *key, int64_t n);
cJSON *av_store_detail_str(cJSON *o, const char *key, const char *s);

/*
 * Appends the audit row of a write on db, in its transaction: target is
 * name@version (or name alone, or none).  With with_detail, detail is
 * printed as the row's detail and a NULL detail means that building it ran
 * out of memory; without, no detail is stored.  detail is consumed.
 */
int av_store_audit_row(av_store_db *db, int64_t at, const char *actor, const char *action,
    const char *name, const char *version, bool with_detail, cJSON *detail, av_error *err);

#endif
