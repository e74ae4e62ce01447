/*
 * sqlite_int.h - what the files of the SQLite backend share: the session,
 * the statement table and the helpers around SQLite's calls.  Nothing
 * outside engine/store/sqlite*.c includes it.
 */
#ifndef ENGINE_STORE_SQLITE_INT_H
#define ENGINE_STORE_SQLITE_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "backend.h"

/* Every statement the backend runs, prepared once per connection on first
 * use (the texts are in sqlite_sql.c). */
enum {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_COMP_FIND,
	S_COMP_INSERT,
	S_MANIFEST_PUT,
	S_MANIFEST_GET,
	S_EVAL_INSERT,
	S_AUDIT_INSERT,
	S_FIND_CACHED_KEY,
	S_LATEST_VERSION_KEY,
	S_LATEST_NAME_KEY,
	S_VERDICT_BY_ID,
	S_LIST,
	S_COUNTS,
	S_USER_VERSION,
	S_PAGE_COUNT,
	S_PAGE_SIZE,
	S_QUICK_CHECK,
	S_REVIEW_INSERT,
	S_SCHED_ADVANCE,
	S_REVIEW_LIST,
	S_REVIEW_LAST,
	S_SCHED_SET,
	S_SCHED_DELETE,
	S_SCHED_GET,
	S_SCHED_DUE,
	S_WAIVER_INSERT,
	S_WAIVER_TARGET,
	S_WAIVER_REVOKE,
	S_WAIVER_LIST,
	S_WAIVER_LIST_ONE,
	S_ALERT_INSERT,
	S_ALERT_FIND,
	S_ALERT_LIST,
	S_AUDIT_LIST,
	S_HISTORY,
	S_COUNT
};

extern const char *const av_sqlite_sql[S_COUNT];

/* One SQLite connection with its statement cache and WAL bookkeeping. */
struct sq_conn {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	int wal_frames;    /* frames in the WAL after the last commit (wal hook) */
	int ckpt_next;     /* checkpoint once wal_frames reaches this */
	bool dirty;        /* committed since the last checkpoint */
	int64_t max_pages; /* the page cap applied to this connection; 0 none */
};

/* A session of this backend. */
typedef struct sq_db {
	av_store_db base; /* first: the layer above sees only this */
	struct sq_conn c;
	char *path;
	/* How a session reads a database that could not be written (see
	 * fall_back in sqlite.c). */
	bool immutable; /* without -wal and -shm; reopened once writable */
	uint64_t epoch; /* writable_epoch when it was opened that way */
	bool ro_shm;    /* through a read-only -shm: counted in ro_shm_handles */
	/* The page cap asked for (sqlite.h), applied when a write begins. */
	_Atomic int64_t want_pages;
} sq_db;

static inline sq_db *
sq(av_store_db *db)
{
	return (sq_db *)db;
}

/* ---- helpers (sqlite.c) ---- */

/* Maps a SQLite result to an AV code; a write that cannot open or write its
 * files means the database is read-only to us. */
int av_sqlite_map_rc(int rc, bool writing);
/* Fills err with "what: SQLite's message" and returns the mapped code. */
int av_sqlite_dberr(struct sq_conn *c, int rc, bool writing, av_error *err, const char *what);
/* The prepared statement id of c; NULL with err filled when it cannot be prepared. */
sqlite3_stmt *av_sqlite_stmt(struct sq_conn *c, int id, av_error *err);
/* Runs a bound statement that returns no rows we need; resets it. */
int av_sqlite_exec_stmt(struct sq_conn *c, sqlite3_stmt *st, bool writing, av_error *err,
    const char *what);

static inline void
av_sqlite_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Binds a string that outlives the statement's step, or NULL. */
static inline void
av_sqlite_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static inline const char *
av_sqlite_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* ---- schema (sqlite_schema.c) ---- */

/* The schema version this build writes: the number of migration steps. */
#define AV_SQLITE_SCHEMA_VERSION 1
/* Reads the version and refuses a database that is not ours or is too new. */
int av_sqlite_schema_state(struct sq_conn *c, const char *path, int *version, av_error *err);
/* Brings the schema up to date, all pending steps in one transaction. */
int av_sqlite_migrate(struct sq_conn *c, const char *path, av_error *err);

/* ---- the record's rows (sqlite_records.c): the ops of the same names ---- */

int av_sqlite_put_evaluation(av_store_db *db, const av_verdict *v, const char *verdict_json,
    const char *manifest, size_t len, const char *actor, int64_t *id, av_error *err);
int av_sqlite_add_review(av_store_db *db, const av_review *r, int64_t *id, av_error *err);
int av_sqlite_advance_schedule(av_store_db *db, const char *name, const char *version,
    int64_t next_due, int64_t at, av_error *err);
int av_sqlite_set_schedule(av_store_db *db, const av_schedule *sc, av_error *err);
int av_sqlite_remove_schedule(av_store_db *db, const char *name, const char *version,
    av_error *err);
int av_sqlite_add_waiver(av_store_db *db, const av_waiver *w, int64_t *id, av_error *err);
int av_sqlite_revoke_waiver(av_store_db *db, int64_t id, int64_t at, char **name, char **version,
    av_error *err);
int av_sqlite_add_alert(av_store_db *db, const av_alert *a, int64_t *id, bool *is_new,
    av_error *err);
int av_sqlite_append_audit(av_store_db *db, const av_audit *a, int64_t *id, av_error *err);
int av_sqlite_find_cached(av_store_db *db, const char *manifest_digest, const char *policy_digest,
    const char *profile, av_store_key *key, av_error *err);
int av_sqlite_latest(av_store_db *db, const char *name, const char *version, av_store_key *key,
    av_error *err);
int av_sqlite_verdict_text(av_store_db *db, int64_t id,
    int (*cb)(void *arg, const char *text, size_t len), void *arg, av_error *err);
int av_sqlite_list_latest(av_store_db *db,
    int (*cb)(void *arg, const av_store_key *key, const char *text, size_t len), void *arg,
    av_error *err);
int av_sqlite_manifest(av_store_db *db, const char *digest, char **text, size_t *len,
    av_error *err);
int av_sqlite_list_reviews(av_store_db *db, const char *name, const char *version,
    int (*cb)(void *arg, const av_review *r), void *arg, av_error *err);
int av_sqlite_last_review(av_store_db *db, const char *name, const char *version,
    int (*cb)(void *arg, const av_review *r, const char *digest), void *arg, av_error *err);
int av_sqlite_get_schedule(av_store_db *db, const char *name, const char *version,
    int (*cb)(void *arg, const av_schedule *sc), void *arg, av_error *err);
int av_sqlite_list_due(av_store_db *db, int64_t before,
    int (*cb)(void *arg, const av_schedule *sc), void *arg, av_error *err);
int av_sqlite_list_waivers(av_store_db *db, const char *name, const char *version, int64_t at,
    av_waiver_filter which, int (*cb)(void *arg, const av_waiver *w), void *arg, av_error *err);
int av_sqlite_list_alerts(av_store_db *db, int64_t since_id, size_t limit,
    int (*cb)(void *arg, const av_alert *a), void *arg, av_error *err);
int av_sqlite_list_audit(av_store_db *db, const char *target,
    int (*cb)(void *arg, const av_audit *a), void *arg, av_error *err);
int av_sqlite_history(av_store_db *db, const char *name, const char *version,
    int (*cb)(void *arg, const av_history_event *e), void *arg, av_error *err);

#endif
