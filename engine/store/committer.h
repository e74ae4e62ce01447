/*
 * committer.h - durable writes without a sync per request: the group
 * committer, above any backend.  Private to engine/store/.
 *
 * A write is an av_store_write: an apply function that does its rows on a
 * session inside a transaction it does not open or close.  Callers queue
 * writes and sleep; a writer thread with its own session takes up to a
 * batch of them into one transaction, each inside its own savepoint so that
 * one bad write fails alone.  If the transaction itself fails (disk full at
 * commit, I/O error), the batch is redone one write per transaction so each
 * caller learns its own outcome.  The backend's housekeeping (upkeep) runs
 * on that thread when it is idle or after a commit that calls for it, never
 * on a request path.
 */
#ifndef ENGINE_STORE_COMMITTER_H
#define ENGINE_STORE_COMMITTER_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"

/* One write.  The committer never copies it: it must live until settled. */
typedef struct av_store_write {
	/* Does the write's rows on db, inside a transaction; sets id (and
	 * is_new).  Returns 0 or an AV_E* code with err filled. */
	int (*apply)(av_store_db *db, struct av_store_write *w, av_error *err);
	const void *arg;
	int64_t id;  /* what apply produced: the new row's id */
	bool is_new; /* for alerts: whether the row was inserted */
	int rc;
	av_error err;
	bool done; /* set once settled, for a caller that waits */
	struct av_store_write *next;
	/* Set for a write nobody waits for: called once it is settled, on the
	 * thread that settles it; the write is then freed (free(w)), so it must
	 * be the first member of its malloc'd block. */
	void (*on_done)(void *cb_arg, int rc, int64_t id, const av_error *err);
	void *cb_arg;
} av_store_write;

/* Runs one write in its own transaction on db: w->rc says how it went,
 * and on failure nothing of it stays. */
void av_store_write_run(av_store_db *db, av_store_write *w);

/*
 * Settles a write that has run: one that failed for a full or read-only
 * record names location in its error, and one with on_done is handed to it
 * and freed.  Returns whether it was freed.
 */
bool av_store_write_settle(av_store_write *w, const char *location);

typedef struct av_committer av_committer;

/*
 * Opens the writer's session on location (AV_STORE_MODE_WRITER) and starts
 * its thread.  With deferred, neither happens now: the record was opened
 * read-only after it could not be written, and the committer tries again,
 * at most once a second, when a write comes or av_committer_writable is
 * asked.  Returns 0 with *out owned by the caller (av_committer_destroy),
 * or an AV_E* code.
 */
int av_committer_create(av_committer **out, const struct av_store_backend *be,
    const char *location, bool deferred, av_error *err);

/* Settles every queued write, stops the thread, closes its session.  NULL
 * is fine. */
void av_committer_destroy(av_committer *c);

/*
 * Queues w.  Without on_done, waits until it is durable (or failed) and
 * returns its rc with err filled from it; with on_done, returns 0 at once
 * (the committer settles and frees it).  Refuses (AV_EBUSY, AV_EREADONLY)
 * without queueing while closing or while the record cannot be written.
 */
int av_committer_submit(av_committer *c, av_store_write *w, av_error *err);

/* Whether a write could go through now (see deferred above). */
bool av_committer_writable(av_committer *c);

/* Adds its batches, items, retried and upkeeps to *st. */
void av_committer_figures(av_committer *c, av_store_stats *st);

/* The writer's session, or NULL while it has none. */
av_store_db *av_committer_session(av_committer *c);

#endif
