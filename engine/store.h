/*
 * store.h - the narrow interface to aivet's record: components, evaluations
 * and their findings, reviews, schedules, alerts and the audit log.
 *
 * Nothing outside store.c speaks SQL.  SQLite (WAL, foreign keys on, schema
 * version in PRAGMA user_version with migrations) is the embedded backend.
 *
 * Threads: one av_store handle per thread for reads.  Writes that must be
 * durable go through the group committer (av_store_open with
 * AV_STORE_COMMITTER): any number of threads may call
 * av_store_put_evaluation on that one handle; a writer thread batches what
 * is queued into one transaction and each caller returns once its own row
 * is committed (synchronous=FULL), so durability costs one sync per batch,
 * not per request.  WAL checkpoints run on that writer thread, off the
 * request path.
 */
#ifndef ENGINE_STORE_H
#define ENGINE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "av.h"
#include "verdict.h"

typedef struct av_store av_store;

enum {
	AV_STORE_READONLY = 1 << 0,  /* open for reads only; never migrates */
	AV_STORE_COMMITTER = 1 << 1, /* start the group-commit writer thread */
};

/*
 * Opens (creating when absent, unless read-only) the database at path,
 * applies pending migrations in one transaction, and sets WAL mode.
 * Returns 0, or AV_ESTORE / AV_EREADONLY / AV_EFULL with err saying why.
 */
int av_store_open(av_store **out, const char *path, int flags, av_error *err);
void av_store_close(av_store *s); /* drains the committer first; NULL is fine */

/* The schema version this build writes (PRAGMA user_version). */
int av_store_schema_version(void);

/*
 * Stores one evaluation: the component (created on first sight), the
 * verdict with its findings, the manifest text, and an audit row naming
 * actor.  Sets v->id.  Returns 0 only once the row is durable; on
 * AV_EFULL / AV_EREADONLY / AV_ESTORE nothing of it is stored.
 */
int av_store_put_evaluation(av_store *s, av_verdict *v, const char *manifest, size_t len,
    const char *actor, av_error *err);

/* The stored verdict for this manifest digest under this policy digest and
 * profile, if any (v->cached set).  AV_ENOTFOUND when none. */
int av_store_find_cached(av_store *s, const char *manifest_digest, const char *policy_digest,
    const char *profile, av_verdict **out, av_error *err);

/* The latest verdict of name@version (version NULL: the most recently
 * evaluated version).  AV_ENOTFOUND when none. */
int av_store_latest(av_store *s, const char *name, const char *version, av_verdict **out,
    av_error *err);

/* Calls cb with the latest verdict of every component@version, by name
 * then version; cb owns each verdict; a non-zero return stops the walk and
 * is returned. */
int av_store_list(av_store *s, int (*cb)(void *arg, av_verdict *v), void *arg, av_error *err);

/* Counts for health/stats: components, evaluations, reviews, alerts. */
int av_store_counts(av_store *s, cJSON *into, av_error *err);

/* Runs PRAGMA quick_check; 0 when ok. */
int av_store_check(av_store *s, av_error *err);

#endif
