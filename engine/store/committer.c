/*
 * committer.c - the group committer: durable writes batched into one
 * transaction per batch, one sync per batch, each caller waiting for its
 * own write (see committer.h).  It speaks to the record only through the
 * backend's operations, so every backend shares it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "committer.h"

#define BATCH_MAX 256
#define IDLE_UPKEEP_MS 100
#define LINGER_MAX_NS 1000000L
#define RETRY_NS 1000000000LL

struct av_committer {
	const struct av_store_backend *be;
	char *location;
	av_store_db *db; /* the writer's session; NULL while deferred */
	pthread_t thread;
	bool thread_started;

	pthread_mutex_t lock;
	pthread_cond_t qcv; /* work queued, or closing */
	pthread_cond_t dcv; /* a batch finished */
	av_store_write *qhead, *qtail;
	size_t qlen;
	bool closing;
	bool busy;              /* the writer is running a batch */
	size_t arrived_busy;    /* writes queued while it was */
	size_t last_batch;      /* size of the batch before */
	int64_t last_commit_ns; /* how long that batch took */
	uint64_t batches, items, retried, upkeeps;
	/* Deferred: the record could only be read; when to try writing next. */
	bool deferred;
	int64_t retry_ns;
};

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A deadline ns from now on CLOCK_MONOTONIC, for pthread_cond_timedwait. */
static struct timespec
deadline(int64_t ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += ns;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

/* ---- running writes ---------------------------------------------------- */

static void
start_item(av_store_write *w)
{
	av_error_clear(&w->err);
	w->id = 0;
	w->is_new = false;
}

void
av_store_write_run(av_store_db *db, av_store_write *w)
{
	const struct av_store_backend *be = db->be;

	start_item(w);
	if ((w->rc = be->begin(db, &w->err)) != 0)
		return;
	if ((w->rc = w->apply(db, w, &w->err)) == 0 && (w->rc = be->commit(db, &w->err)) == 0)
		return;
	if (be->in_transaction(db))
		be->rollback(db);
	w->id = 0;
}

/*
 * Runs a batch in one transaction, each write in a savepoint so that a
 * write that fails is undone alone.  When the transaction as a whole fails,
 * every write is redone in its own transaction.  Returns whether it had to.
 */
static bool
run_batch(av_store_db *db, av_store_write **items, size_t n)
{
	const struct av_store_backend *be = db->be;
	av_error e;

	if (n == 1) {
		av_store_write_run(db, items[0]);
		return false;
	}
	if (be->begin(db, &e) != 0)
		goto one_by_one;
	for (size_t i = 0; i < n; i++) {
		av_store_write *w = items[i];

		start_item(w);
		if (be->savepoint(db, &e) != 0)
			goto abort;
		w->rc = w->apply(db, w, &w->err);
		if (!be->in_transaction(db))
			goto one_by_one; /* the backend rolled the whole transaction back */
		if (w->rc != 0) {
			w->id = 0;
			if (be->rollback_to(db, &e) != 0)
				goto abort;
		}
		if (be->release(db, &e) != 0)
			goto abort;
	}
	if (be->commit(db, &e) == 0)
		return false;
abort:
	if (be->in_transaction(db))
		be->rollback(db);
one_by_one:
	for (size_t i = 0; i < n; i++)
		av_store_write_run(db, items[i]);
	return true;
}

/* A full or read-only record names its location in the error of each write
 * that failed for it, so that the reply says which file to look at. */
bool
av_store_write_settle(av_store_write *w, const char *location)
{
	if ((w->rc == AV_EFULL || w->rc == AV_EREADONLY) && w->err.file[0] == '\0')
		snprintf(w->err.file, sizeof(w->err.file), "%s", location);
	if (w->on_done == NULL)
		return false;
	w->on_done(w->cb_arg, w->rc, w->id, w->rc != 0 ? &w->err : NULL);
	free(w);
	return true;
}

/* ---- the writer thread ------------------------------------------------- */

/*
 * Waits a little for the writers that are about to come back.  Without
 * this, eight writers settle into two alternating batches of four: while
 * one batch syncs the other queues up, and the writer takes it the moment
 * the sync ends, before the writers just released have queued again.  The
 * writers still active are those of the last batch plus those that queued
 * while it ran; wait until that many are queued, but never longer than
 * half a commit (at most LINGER_MAX_NS), so a lone writer never waits.
 */
static void
linger(av_committer *c)
{
	size_t target = c->last_batch + c->arrived_busy;
	int64_t wait = c->last_commit_ns / 2;
	struct timespec ts;

	if (target > BATCH_MAX)
		target = BATCH_MAX;
	if (c->qlen >= target || c->closing || wait <= 0)
		return;
	ts = deadline(wait > LINGER_MAX_NS ? LINGER_MAX_NS : wait);
	while (c->qlen < target && !c->closing)
		if (pthread_cond_timedwait(&c->qcv, &c->lock, &ts) == ETIMEDOUT)
			break;
}

/* Runs the backend's upkeep with the lock released.  Called with it held. */
static void
upkeep(av_committer *c)
{
	bool ok;

	pthread_mutex_unlock(&c->lock);
	ok = c->be->upkeep(c->db);
	pthread_mutex_lock(&c->lock);
	c->upkeeps += ok;
}

/* Sleeps until work comes; when the backend wants upkeep after a quiet
 * moment, runs it once nothing came for IDLE_UPKEEP_MS. */
static void
wait_for_work(av_committer *c)
{
	while (c->qhead == NULL && !c->closing) {
		if (c->be->upkeep_due(c->db, true)) {
			struct timespec ts = deadline(IDLE_UPKEEP_MS * 1000000L);

			if (pthread_cond_timedwait(&c->qcv, &c->lock, &ts) == ETIMEDOUT &&
			    c->qhead == NULL)
				upkeep(c);
		} else {
			pthread_cond_wait(&c->qcv, &c->lock);
		}
	}
}

static void *
writer_main(void *arg)
{
	av_committer *c = arg;
	av_store_write *batch[BATCH_MAX];

	pthread_mutex_lock(&c->lock);
	for (;;) {
		wait_for_work(c);
		if (c->qhead == NULL)
			break; /* closing, and drained */
		linger(c);

		size_t n = 0;
		while (c->qhead != NULL && n < BATCH_MAX) {
			batch[n++] = c->qhead;
			c->qhead = c->qhead->next;
		}
		if (c->qhead == NULL)
			c->qtail = NULL;
		c->qlen -= n;
		c->last_batch = n;
		c->arrived_busy = 0;
		c->busy = true;
		pthread_mutex_unlock(&c->lock);

		int64_t t0 = mono_ns();
		bool retried = run_batch(c->db, batch, n);
		int64_t took = mono_ns() - t0;
		/* Writes nobody waits for are settled by their callbacks and freed. */
		for (size_t i = 0; i < n; i++)
			if (av_store_write_settle(batch[i], c->location))
				batch[i] = NULL;

		pthread_mutex_lock(&c->lock);
		c->busy = false;
		c->last_commit_ns = took;
		c->batches++;
		c->items += n;
		c->retried += retried;
		for (size_t i = 0; i < n; i++)
			if (batch[i] != NULL)
				batch[i]->done = true; /* the caller may free it from here on */
		pthread_cond_broadcast(&c->dcv);

		/* Upkeep after the callers are released, not before. */
		if (c->be->upkeep_due(c->db, false))
			upkeep(c);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* Opens the writer's session and starts the thread. */
static int
start(av_committer *c, av_error *err)
{
	int rc;

	if ((rc = c->be->open(&c->db, c->location, AV_STORE_MODE_WRITER, NULL, err)) != 0)
		return rc;
	if ((rc = pthread_create(&c->thread, NULL, writer_main, c)) != 0) {
		c->be->close(c->db);
		c->db = NULL;
		return av_error_set(err, AV_EINTERNAL, c->location, 0, 0,
		    "cannot start the store's writer thread: %s", strerror(rc));
	}
	c->thread_started = true;
	return 0;
}

/*
 * Whether a deferred committer can write now: at most once a second it
 * tries to open the record for writing and start the writer.  Called with
 * the lock held.
 */
static bool
writable_locked(av_committer *c)
{
	av_error e;
	int64_t now;

	if (!c->deferred)
		return true;
	if (c->closing || (now = mono_ns()) < c->retry_ns)
		return false;
	c->retry_ns = now + RETRY_NS;
	if (start(c, &e) != 0)
		return false;
	c->deferred = false;
	return true;
}

/* ---- the interface ----------------------------------------------------- */

int
av_committer_create(av_committer **out, const struct av_store_backend *be, const char *location,
    bool deferred, av_error *err)
{
	pthread_condattr_t ca;
	av_committer *c;
	int rc;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->location = strdup(location)) == NULL) {
		free(c);
		return av_error_set(err, AV_ENOMEM, location, 0, 0, "out of memory");
	}
	c->be = be;
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->qcv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&c->dcv, NULL);
	if (deferred) {
		c->deferred = true;
		c->retry_ns = mono_ns() + RETRY_NS;
	} else if ((rc = start(c, err)) != 0) {
		av_committer_destroy(c);
		return rc;
	}
	*out = c;
	return 0;
}

void
av_committer_destroy(av_committer *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->closing = true;
	pthread_cond_signal(&c->qcv);
	pthread_mutex_unlock(&c->lock);
	if (c->thread_started)
		pthread_join(c->thread, NULL);
	if (c->db != NULL)
		c->be->close(c->db);
	pthread_cond_destroy(&c->dcv);
	pthread_cond_destroy(&c->qcv);
	pthread_mutex_destroy(&c->lock);
	free(c->location);
	free(c);
}

int
av_committer_submit(av_committer *c, av_store_write *w, av_error *err)
{
	w->done = false;
	w->next = NULL;
	pthread_mutex_lock(&c->lock);
	if (c->closing) {
		pthread_mutex_unlock(&c->lock);
		return av_error_set(err, AV_EBUSY, NULL, 0, 0, "the store is closing");
	}
	if (!writable_locked(c)) {
		pthread_mutex_unlock(&c->lock);
		return av_error_set(err, AV_EREADONLY, c->location, 0, 0,
		    "cannot write: the database could only be opened for reading (%s)",
		    c->be->read_only_hint);
	}
	if (c->qtail != NULL)
		c->qtail->next = w;
	else
		c->qhead = w;
	c->qtail = w;
	c->qlen++;
	c->arrived_busy += c->busy;
	pthread_cond_signal(&c->qcv);
	if (w->on_done != NULL) {
		pthread_mutex_unlock(&c->lock);
		return 0; /* the writer settles and frees it */
	}
	while (!w->done)
		pthread_cond_wait(&c->dcv, &c->lock);
	pthread_mutex_unlock(&c->lock);
	if (w->rc != 0 && err != NULL)
		*err = w->err;
	return w->rc;
}

bool
av_committer_writable(av_committer *c)
{
	bool ok;

	pthread_mutex_lock(&c->lock);
	ok = writable_locked(c);
	pthread_mutex_unlock(&c->lock);
	return ok;
}

void
av_committer_figures(av_committer *c, av_store_stats *st)
{
	pthread_mutex_lock(&c->lock);
	st->batches += c->batches;
	st->items += c->items;
	st->retried += c->retried;
	st->upkeeps += c->upkeeps;
	pthread_mutex_unlock(&c->lock);
}

av_store_db *
av_committer_session(av_committer *c)
{
	av_store_db *db;

	pthread_mutex_lock(&c->lock);
	db = c->db;
	pthread_mutex_unlock(&c->lock);
	return db;
}
