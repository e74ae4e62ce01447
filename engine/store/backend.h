/*
 * backend.h - what a store backend implements: one table of operations over
 * the record, in the record's terms, each with a meaning that SQLite and
 * PostgreSQL can both give it.  Private to engine/store/.
 *
 * Above the table (engine/store/store.c, committer.c, cache.c) live what
 * every backend shares: the choice of backend by location, the checks of
 * what callers pass, the audit rows that go with each write, the group
 * committer and the cache of parsed verdicts.  Below it a backend keeps
 * rows: it knows its connections, its schema and its migrations, and
 * nothing about threads, batching or audit policy.
 *
 * A session (av_store_db) is one connection to the record, used by one
 * thread at a time; the layer above serialises its use.  Errors: every
 * operation returns 0 or an AV_E* code and fills err (never NULL) at the
 * place that knows (AV_ENOTFOUND, AV_EFULL, AV_EREADONLY, AV_EBUSY and AV_EINVAL for a
 * broken constraint keep their meaning across backends).  Pointers a read
 * hands to a callback are borrowed for that call only.
 */
#ifndef ENGINE_STORE_BACKEND_H
#define ENGINE_STORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct av_store_backend;

/* One session; a backend embeds it as the first member of its own. */
typedef struct av_store_db {
	const struct av_store_backend *be;
} av_store_db;

/* What a session is opened for. */
typedef enum av_store_mode {
	/* Reads only; the schema must already be current (AV_EREADONLY if
	 * older: it cannot be migrated); nothing is created. */
	AV_STORE_MODE_READ,
	/* Reads and writes; creates the record when absent and applies pending
	 * migrations, all in one transaction. */
	AV_STORE_MODE_WRITE,
	/* As WRITE, but a record that can be read and not written is opened
	 * for reading instead, and *read_only says so. */
	AV_STORE_MODE_FALLBACK,
	/* The committer's session: writes to a record whose schema is current;
	 * AV_EREADONLY when the record cannot be written now. */
	AV_STORE_MODE_WRITER,
} av_store_mode;

/* What names one stored evaluation: its rows are never changed, so its id,
 * manifest digest and time name its verdict (the verdict cache's key). */
typedef struct av_store_key {
	int64_t id;
	int64_t evaluated_at;
	char manifest_digest[65];
} av_store_key;

struct av_store_backend {
	const char *name;           /* "sqlite": reported by av_store_get_stats */
	const char *const *schemes; /* URL schemes it opens, NULL-terminated; NULL: file paths */
	int schema_version;         /* the schema it writes */
	const char *read_only_hint; /* why a record that fell back cannot be written */

	/* ---- sessions ---- */

	/* Opens a session on location; *read_only (may be NULL) is set when
	 * AV_STORE_MODE_FALLBACK fell back to reading.  The caller closes it. */
	int (*open)(av_store_db **out, const char *location, av_store_mode mode, bool *read_only,
	    av_error *err);
	void (*close)(av_store_db *db); /* NULL is fine */
	/* Called before each use of a reading session by the handle that owns
	 * it: a backend may reconnect or reopen here.  May be NULL. */
	void (*refresh)(av_store_db *db);

	/* ---- transactions ----
	 * A write runs between begin and commit (or rollback); a batch of writes
	 * runs each write between savepoint and release, undoing one that failed
	 * with rollback_to.  in_transaction tells whether the backend is still
	 * in the transaction after an error (it may have aborted it whole). */
	int (*begin)(av_store_db *db, av_error *err);
	int (*commit)(av_store_db *db, av_error *err);
	void (*rollback)(av_store_db *db);
	int (*savepoint)(av_store_db *db, av_error *err);
	int (*release)(av_store_db *db, av_error *err);
	int (*rollback_to)(av_store_db *db, av_error *err);
	bool (*in_transaction)(av_store_db *db);
	/* One snapshot for the reads between them; failures are ignored (each
	 * read then runs on its own). */
	void (*read_begin)(av_store_db *db);
	void (*read_end)(av_store_db *db);

	/* ---- housekeeping on a writing session, between transactions ----
	 * upkeep_due: whether upkeep should run now (idle false: right after a
	 * commit) or after a quiet moment (idle true).  upkeep returns whether
	 * it did its work. */
	bool (*upkeep_due)(av_store_db *db, bool idle);
	bool (*upkeep)(av_store_db *db);

	/* ---- health ----
	 * stats fills schema_version, the row counts and the backend's figures,
	 * cheaply; check scans the whole record for corruption. */
	int (*stats)(av_store_db *db, av_store_stats *out, av_error *err);
	int (*check)(av_store_db *db, av_error *err);

	/* ---- writes, inside a transaction ----
	 * Components are named by name and version; every write but
	 * put_evaluation needs the component to exist (AV_ENOTFOUND). */

	/* The component (created on first sight with v->kind, first seen at
	 * v->evaluated_at), the manifest text under v->manifest_digest (kept
	 * once; manifest may be NULL: only the digest is recorded), and the
	 * evaluation with verdict_json, its text.  Sets *id. */
	int (*put_evaluation)(av_store_db *db, const av_verdict *v, const char *verdict_json,
	    const char *manifest, size_t len, const char *actor, int64_t *id, av_error *err);
	int (*add_review)(av_store_db *db, const av_review *r, int64_t *id, av_error *err);
	/* Moves the next due date of the component's schedule, if it has one. */
	int (*advance_schedule)(av_store_db *db, const char *name, const char *version,
	    int64_t next_due, int64_t at, av_error *err);
	/* Creates or replaces the component's schedule. */
	int (*set_schedule)(av_store_db *db, const av_schedule *sc, av_error *err);
	/* AV_ENOTFOUND when the component has no schedule. */
	int (*remove_schedule)(av_store_db *db, const char *name, const char *version,
	    av_error *err);
	int (*add_waiver)(av_store_db *db, const av_waiver *w, int64_t *id, av_error *err);
	/* Revokes an unrevoked waiver (AV_ENOTFOUND otherwise) and gives its
	 * component's name and version, malloc'd, for the audit row. */
	int (*revoke_waiver)(av_store_db *db, int64_t id, int64_t at, char **name, char **version,
	    av_error *err);
	/* Stores the alert unless its dedupe key is stored: *is_new says which,
	 * *id is the stored alert's either way. */
	int (*add_alert)(av_store_db *db, const av_alert *a, int64_t *id, bool *is_new,
	    av_error *err);
	int (*append_audit)(av_store_db *db, const av_audit *a, int64_t *id, av_error *err);

	/* ---- reads ---- */

	/* The key of the latest evaluation with this manifest, policy digest and
	 * profile, or of name@version (version NULL: of the name's most recently
	 * evaluated version).  AV_ENOTFOUND when none. */
	int (*find_cached)(av_store_db *db, const char *manifest_digest, const char *policy_digest,
	    const char *profile, av_store_key *key, av_error *err);
	int (*latest)(av_store_db *db, const char *name, const char *version, av_store_key *key,
	    av_error *err);
	/* Hands the stored verdict text of evaluation id to cb. */
	int (*verdict_text)(av_store_db *db, int64_t id,
	    int (*cb)(void *arg, const char *text, size_t len), void *arg, av_error *err);
	/* The latest evaluation of every component@version by name then
	 * version, each with its key and verdict text. */
	int (*list_latest)(av_store_db *db,
	    int (*cb)(void *arg, const av_store_key *key, const char *text, size_t len), void *arg,
	    av_error *err);
	/* The rest mean what the av_store_* function of the same name does. */
	int (*manifest)(av_store_db *db, const char *digest, char **text, size_t *len,
	    av_error *err);
	int (*list_reviews)(av_store_db *db, const char *name, const char *version,
	    int (*cb)(void *arg, const av_review *r), void *arg, av_error *err);
	int (*last_review)(av_store_db *db, const char *name, const char *version,
	    int (*cb)(void *arg, const av_review *r, const char *digest), void *arg, av_error *err);
	int (*get_schedule)(av_store_db *db, const char *name, const char *version,
	    int (*cb)(void *arg, const av_schedule *sc), void *arg, av_error *err);
	int (*list_due)(av_store_db *db, int64_t before,
	    int (*cb)(void *arg, const av_schedule *sc), void *arg, av_error *err);
	int (*list_waivers)(av_store_db *db, const char *name, const char *version, int64_t at,
	    av_waiver_filter which, int (*cb)(void *arg, const av_waiver *w), void *arg,
	    av_error *err);
	int (*list_alerts)(av_store_db *db, int64_t since_id, size_t limit,
	    int (*cb)(void *arg, const av_alert *a), void *arg, av_error *err);
	int (*list_audit)(av_store_db *db, const char *target,
	    int (*cb)(void *arg, const av_audit *a), void *arg, av_error *err);
	int (*history)(av_store_db *db, const char *name, const char *version,
	    int (*cb)(void *arg, const av_history_event *e), void *arg, av_error *err);
};

/*
 * The sessions of a handle, for a backend's own test knobs: the reader, or
 * the committer's writer (NULL without one, or while it has none).  Both
 * stay owned by the handle.
 */
av_store_db *av_store_session(av_store *s, bool writer);

#endif
