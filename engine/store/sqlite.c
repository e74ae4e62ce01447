/*
 * sqlite.c - the SQLite backend's sessions: connections and how they are
 * opened (including reading a database that cannot be written), its
 * transactions, WAL checkpoints, health figures, and its operations table.
 * The rows themselves are read and written in sqlite_records.c, the schema
 * is in sqlite_schema.c.
 *
 * A database is one file in WAL mode with foreign keys on.  Every query is
 * a prepared statement from sqlite_sql.c, cached per connection.  A
 * connection that writes syncs at every commit (synchronous=FULL) and never
 * checkpoints by itself (wal_autocheckpoint=0): checkpoints are this
 * backend's upkeep, which the committer runs on its writer thread when it
 * is idle or the WAL has grown by CKPT_FRAMES.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sqlite.h"
#include "sqlite_int.h"

#define CKPT_FRAMES 4000
#define BUSY_TIMEOUT_MS 5000

/*
 * Bumped whenever a session opens the database for writing: sessions that
 * read a database as immutable (it could not be written when they opened
 * it) reopen it normally, so that they see the new writes.
 */
static _Atomic uint64_t writable_epoch;
/*
 * Sessions that fell back to reading through an existing -wal and a
 * read-only -shm.  SQLite shares one -shm mapping per file among all the
 * connections of a process, so while any such session is open a new writer
 * would get the read-only mapping too: writing resumes only after a restart.
 */
static atomic_int ro_shm_handles;

/* ---- errors and statements ---------------------------------------------- */

int
av_sqlite_map_rc(int rc, bool writing)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return AV_EFULL;
	case SQLITE_READONLY:
		return AV_EREADONLY;
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return writing ? AV_EREADONLY : AV_ESTORE;
	case SQLITE_NOMEM:
		return AV_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return AV_EBUSY;
	case SQLITE_CONSTRAINT:
		return AV_EINVAL;
	default:
		return AV_ESTORE;
	}
}

int
av_sqlite_dberr(struct sq_conn *c, int rc, bool writing, av_error *err, const char *what)
{
	return av_error_set(err, av_sqlite_map_rc(rc, writing), NULL, 0, 0, "%s: %s", what,
	    c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
}

sqlite3_stmt *
av_sqlite_stmt(struct sq_conn *c, int id, av_error *err)
{
	if (c->st[id] == NULL) {
		int rc = sqlite3_prepare_v3(c->db, av_sqlite_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
		    &c->st[id], NULL);
		if (rc != SQLITE_OK) {
			av_sqlite_dberr(c, rc, false, err, "preparing a statement");
			c->st[id] = NULL;
			return NULL;
		}
	}
	return c->st[id];
}

int
av_sqlite_exec_stmt(struct sq_conn *c, sqlite3_stmt *st, bool writing, av_error *err,
    const char *what)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		av_sqlite_dberr(c, rc, writing, err, what);
		av_sqlite_done(st);
		return av_sqlite_map_rc(rc, writing);
	}
	av_sqlite_done(st);
	return 0;
}

static int
exec_id(struct sq_conn *c, int id, bool writing, av_error *err, const char *what)
{
	sqlite3_stmt *st = av_sqlite_stmt(c, id, err);

	if (st == NULL)
		return err != NULL ? err->code : AV_ESTORE;
	return av_sqlite_exec_stmt(c, st, writing, err, what);
}

/* The single integer a statement without parameters returns. */
static int
query_int(struct sq_conn *c, int id, int64_t *out, av_error *err, const char *what)
{
	sqlite3_stmt *st = av_sqlite_stmt(c, id, err);
	int rc;

	if (st == NULL)
		return err->code;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	av_sqlite_done(st);
	return rc == SQLITE_ROW ? 0 : av_sqlite_dberr(c, rc, false, err, what);
}

/* ---- connections ------------------------------------------------------- */

static int
wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct sq_conn *c = arg;

	(void)db;
	(void)name;
	c->wal_frames = frames;
	c->dirty = true;
	return SQLITE_OK;
}

/*
 * Opens one connection and sets what every connection of ours needs.  A
 * connection that writes syncs at every commit (FULL); reads need no sync.
 */
static int
conn_open_as(struct sq_conn *c, const char *path, const char *uri, bool readonly, av_error *err)
{
	int oflags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	char *msg = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	c->ckpt_next = CKPT_FRAMES;
	rc = sqlite3_open_v2(uri != NULL ? uri : path, &c->db,
	    oflags | (uri != NULL ? SQLITE_OPEN_URI : 0), NULL);
	if (rc != SQLITE_OK) {
		av_error_set(err, rc == SQLITE_NOMEM ? AV_ENOMEM : AV_ESTORE, path, 0, 0,
		    "cannot open the database: %s",
		    c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		c->db = NULL;
		return err != NULL ? err->code : AV_ESTORE;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
	rc = sqlite3_exec(c->db,
	    readonly ? "PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;"
		       "PRAGMA synchronous = NORMAL;"
		     : "PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0;"
		       "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
	    NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		av_error_set(err, av_sqlite_map_rc(rc, !readonly), path, 0, 0,
		    "cannot set up the database: %s", msg != NULL ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		sqlite3_close(c->db);
		c->db = NULL;
		return err != NULL ? err->code : AV_ESTORE;
	}
	/* Installed after wal_autocheckpoint, which would replace it. */
	if (!readonly)
		sqlite3_wal_hook(c->db, wal_hook, c);
	return 0;
}

static int
conn_open(struct sq_conn *c, const char *path, bool readonly, av_error *err)
{
	return conn_open_as(c, path, NULL, readonly, err);
}

/*
 * A read-only connection that needs neither the -wal nor the -shm file
 * (SQLite's immutable=1): the only way to read a WAL database in a folder
 * nobody may write, when it was closed cleanly (no -wal file).
 */
static int
conn_open_immutable(struct sq_conn *c, const char *path, av_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path);
	char *uri = malloc(n * 3 + 32), *p;
	int rc;

	if (uri == NULL)
		return av_error_set(err, AV_ENOMEM, path, 0, 0, "out of memory");
	p = uri + sprintf(uri, "file:");
	for (const unsigned char *q = (const unsigned char *)path; *q != '\0'; q++) {
		if (*q == '%' || *q == '?' || *q == '#' || *q < 0x21 || *q > 0x7e) {
			*p++ = '%';
			*p++ = hex[*q >> 4];
			*p++ = hex[*q & 15];
		} else {
			*p++ = (char)*q;
		}
	}
	strcpy(p, "?immutable=1");
	rc = conn_open_as(c, path, uri, true, err);
	free(uri);
	return rc;
}

static void
conn_close(struct sq_conn *c)
{
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(c->st[i]);
	sqlite3_close(c->db);
	memset(c, 0, sizeof(*c));
}

/* A passive checkpoint: copies what it can without waiting for readers. */
static bool
checkpoint(struct sq_conn *c)
{
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);

	c->dirty = false;
	if (rc != SQLITE_OK)
		return false;
	/* Readers kept part of the WAL: wait for it to grow again before retrying. */
	c->ckpt_next = log == done ? CKPT_FRAMES : log + CKPT_FRAMES;
	return true;
}

/* Applies the page cap asked for, if it changed. */
static int
apply_page_cap(struct sq_conn *c, int64_t want, av_error *err)
{
	char q[64];
	char *msg = NULL;

	if (c->max_pages == want)
		return 0;
	snprintf(q, sizeof(q), "PRAGMA max_page_count = %lld",
	    want > 0 ? (long long)want : 4294967294LL);
	if (sqlite3_exec(c->db, q, NULL, NULL, &msg) != SQLITE_OK) {
		av_error_set(err, AV_ESTORE, NULL, 0, 0, "cannot cap the database size: %s",
		    msg != NULL ? msg : "unknown error");
		sqlite3_free(msg);
		return AV_ESTORE;
	}
	c->max_pages = want;
	return 0;
}

/* ---- sessions ---------------------------------------------------------- */

static void
sq_close(av_store_db *db)
{
	sq_db *d = sq(db);

	if (d == NULL)
		return;
	if (d->c.db != NULL)
		conn_close(&d->c);
	if (d->ro_shm)
		atomic_fetch_sub(&ro_shm_handles, 1);
	free(d->path);
	free(d);
}

/* A session that only reads needs the schema this build writes. */
static int
require_current(sq_db *d, av_error *err)
{
	int version, rc;

	if ((rc = av_sqlite_schema_state(&d->c, d->path, &version, err)) != 0)
		return rc;
	if (version < AV_SQLITE_SCHEMA_VERSION)
		return av_error_set(err, AV_EREADONLY, d->path, 0, 0,
		    "database schema version %d is older than this aivet's (%d) and "
		    "cannot be migrated read-only",
		    version, AV_SQLITE_SCHEMA_VERSION);
	return 0;
}

/*
 * The database could not be written: reopens the session read-only.  When
 * even reading fails, the error of the first attempt is the one reported.
 */
static int
fall_back(sq_db *d, av_error *err)
{
	av_error first = *err;
	struct stat st;
	char *wal;
	int rc, nowal;

	if (d->c.db != NULL)
		conn_close(&d->c);
	/* Closed cleanly (no -wal, or an empty one): everything is in the main
	 * file, which can be read without the -wal and -shm files that SQLite
	 * could not create here.  Otherwise the -wal holds committed writes:
	 * read through it, which needs the -shm file to exist. */
	if (asprintf(&wal, "%s-wal", d->path) < 0)
		return av_error_set(err, AV_ENOMEM, d->path, 0, 0, "out of memory");
	nowal = stat(wal, &st) != 0 || st.st_size == 0;
	free(wal);
	if (nowal) {
		d->epoch = atomic_load(&writable_epoch);
		rc = conn_open_immutable(&d->c, d->path, err);
		d->immutable = rc == 0;
	} else if ((rc = conn_open(&d->c, d->path, true, err)) == 0) {
		d->ro_shm = true;
		atomic_fetch_add(&ro_shm_handles, 1);
	}
	if (rc != 0) {
		*err = first;
		return first.code != 0 ? first.code : AV_EREADONLY;
	}
	return 0;
}

/* The committer's connection: one that SQLite could only open for reading
 * counts as AV_EREADONLY. */
static int
open_writer(sq_db *d, av_error *err)
{
	int rc;

	if (atomic_load(&ro_shm_handles) > 0)
		return av_error_set(err, AV_EREADONLY, d->path, 0, 0,
		    "cannot open the database for writing: it is read through a read-only "
		    "shared-memory file until a restart");
	if ((rc = conn_open(&d->c, d->path, false, err)) != 0)
		return rc;
	if (sqlite3_db_readonly(d->c.db, "main") == 1)
		return av_error_set(err, AV_EREADONLY, d->path, 0, 0,
		    "cannot open the database for writing");
	atomic_fetch_add(&writable_epoch, 1);
	return 0;
}

static int
sq_open(av_store_db **out, const char *location, av_store_mode mode, bool *read_only,
    av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sq_db *d;
	int rc;

	*out = NULL;
	if (read_only != NULL)
		*read_only = false;
	if ((d = calloc(1, sizeof(*d))) == NULL || (d->path = strdup(location)) == NULL) {
		free(d);
		return av_error_set(err, AV_ENOMEM, location, 0, 0, "out of memory");
	}
	d->base.be = &av_store_sqlite;
	if (mode == AV_STORE_MODE_READ) {
		if ((rc = conn_open(&d->c, location, true, err)) == 0)
			rc = require_current(d, err);
	} else if (mode == AV_STORE_MODE_WRITER) {
		rc = open_writer(d, err);
	} else {
		if ((rc = conn_open(&d->c, location, false, err)) == 0)
			rc = av_sqlite_migrate(&d->c, location, err);
		if (mode == AV_STORE_MODE_FALLBACK && rc == 0 &&
		    sqlite3_db_readonly(d->c.db, "main") == 1)
			rc = av_error_set(err, AV_EREADONLY, location, 0, 0,
			    "cannot open the database for writing");
		if (mode == AV_STORE_MODE_FALLBACK && rc == AV_EREADONLY &&
		    (rc = fall_back(d, err)) == 0 && (rc = require_current(d, err)) == 0 &&
		    read_only != NULL)
			*read_only = true;
	}
	if (rc != 0) {
		sq_close(&d->base);
		return rc;
	}
	*out = &d->base;
	return 0;
}

/* A session that read the database as immutable reads it normally once it
 * is written again (if that fails, it keeps the immutable view rather than
 * nothing). */
static void
sq_refresh(av_store_db *db)
{
	sq_db *d = sq(db);
	struct sq_conn c;
	av_error e;

	if (!d->immutable || atomic_load(&writable_epoch) == d->epoch)
		return;
	d->epoch = atomic_load(&writable_epoch);
	if (conn_open(&c, d->path, true, &e) == 0) {
		conn_close(&d->c);
		d->c = c; /* a read-only connection has no wal hook pointing at c */
		d->immutable = false;
	}
}

/* ---- transactions ------------------------------------------------------ */

static int
sq_begin(av_store_db *db, av_error *err)
{
	sq_db *d = sq(db);
	int rc = apply_page_cap(&d->c, atomic_load(&d->want_pages), err);

	return rc != 0 ? rc : exec_id(&d->c, S_BEGIN, true, err, "starting a transaction");
}

static int
sq_commit(av_store_db *db, av_error *err)
{
	return exec_id(&sq(db)->c, S_COMMIT, true, err, "committing");
}

static void
sq_rollback(av_store_db *db)
{
	exec_id(&sq(db)->c, S_ROLLBACK, true, NULL, "rolling back");
}

static int
sq_savepoint(av_store_db *db, av_error *err)
{
	return exec_id(&sq(db)->c, S_SAVEPOINT, true, err, "savepoint");
}

static int
sq_release(av_store_db *db, av_error *err)
{
	return exec_id(&sq(db)->c, S_RELEASE, true, err, "releasing a savepoint");
}

static int
sq_rollback_to(av_store_db *db, av_error *err)
{
	return exec_id(&sq(db)->c, S_ROLLBACK_TO, true, err, "rolling back a write");
}

static bool
sq_in_transaction(av_store_db *db)
{
	return !sqlite3_get_autocommit(sq(db)->c.db);
}

/* One read transaction: one snapshot and one round of WAL read locks for
 * the lookups in it instead of one per statement. */
static void
sq_read_begin(av_store_db *db)
{
	sqlite3 *h = sq(db)->c.db;

	if (sqlite3_get_autocommit(h))
		(void)sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
}

static void
sq_read_end(av_store_db *db)
{
	sqlite3 *h = sq(db)->c.db;

	if (!sqlite3_get_autocommit(h))
		(void)sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
}

/* ---- upkeep: WAL checkpoints ------------------------------------------- */

/* Right after a commit once the WAL grew by CKPT_FRAMES; when idle, after
 * any commit since the last checkpoint. */
static bool
sq_upkeep_due(av_store_db *db, bool idle)
{
	const struct sq_conn *c = &sq(db)->c;

	return idle ? c->dirty : c->wal_frames >= c->ckpt_next;
}

static bool
sq_upkeep(av_store_db *db)
{
	return checkpoint(&sq(db)->c);
}

/* ---- health ------------------------------------------------------------ */

static void
figure(av_store_stats *st, const char *name, int64_t value)
{
	if (st->nfigures < AV_STORE_FIGURES)
		st->figures[st->nfigures++] = (struct av_store_figure){name, value};
}

static int
sq_stats(av_store_db *db, av_store_stats *out, av_error *err)
{
	sq_db *d = sq(db);
	sqlite3_stmt *st;
	int64_t version = 0, pages = 0, page_size = 0;
	struct stat wst;
	char *wal;
	int rc;

	if ((st = av_sqlite_stmt(&d->c, S_COUNTS, err)) == NULL)
		return err->code;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->components = sqlite3_column_int64(st, 0);
		out->evaluations = sqlite3_column_int64(st, 1);
		out->reviews = sqlite3_column_int64(st, 2);
		out->alerts = sqlite3_column_int64(st, 3);
	}
	av_sqlite_done(st);
	if (rc != SQLITE_ROW)
		return av_sqlite_dberr(&d->c, rc, false, err, "counting");
	if ((rc = query_int(&d->c, S_USER_VERSION, &version, err,
		 "reading the schema version")) != 0 ||
	    (rc = query_int(&d->c, S_PAGE_COUNT, &pages, err, "reading the size")) != 0 ||
	    (rc = query_int(&d->c, S_PAGE_SIZE, &page_size, err, "reading the size")) != 0)
		return rc;
	out->schema_version = (int)version;
	figure(out, "bytes", pages * page_size);
	if (asprintf(&wal, "%s-wal", d->path) < 0)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	figure(out, "wal_bytes", stat(wal, &wst) == 0 ? (int64_t)wst.st_size : 0);
	free(wal);
	return 0;
}

static int
sq_check(av_store_db *db, av_error *err)
{
	sq_db *d = sq(db);
	sqlite3_stmt *st = av_sqlite_stmt(&d->c, S_QUICK_CHECK, err);
	int rc;

	if (st == NULL)
		return err->code;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *r = av_sqlite_col_text(st, 0);
		rc = r != NULL && strcmp(r, "ok") == 0
		    ? 0
		    : av_error_set(err, AV_ESTORE, d->path, 0, 0, "integrity check failed: %s",
			  r != NULL ? r : "(no detail)");
	} else {
		rc = av_sqlite_dberr(&d->c, rc, false, err, "checking integrity");
	}
	av_sqlite_done(st);
	return rc;
}

/* ---- test knobs (sqlite.h) --------------------------------------------- */

int
av_store_sqlite_limit_pages(av_store *s, int64_t max_pages, av_error *err)
{
	if (s == NULL || max_pages < 0)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "invalid page limit");
	for (int writer = 0; writer < 2; writer++) {
		av_store_db *db = av_store_session(s, writer);

		if (db == NULL)
			continue;
		if (db->be != &av_store_sqlite)
			return av_error_set(err, AV_EINVAL, NULL, 0, 0, "not a SQLite store");
		atomic_store(&sq(db)->want_pages, max_pages);
	}
	return 0;
}

/* ---- the operations table ---------------------------------------------- */

const struct av_store_backend av_store_sqlite = {
	.name = "sqlite",
	.schemes = NULL,
	.schema_version = AV_SQLITE_SCHEMA_VERSION,
	.read_only_hint = "a read-only file, folder or mount",
	.open = sq_open,
	.close = sq_close,
	.refresh = sq_refresh,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.savepoint = sq_savepoint,
	.release = sq_release,
	.rollback_to = sq_rollback_to,
	.in_transaction = sq_in_transaction,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.upkeep_due = sq_upkeep_due,
	.upkeep = sq_upkeep,
	.stats = sq_stats,
	.check = sq_check,
	.put_evaluation = av_sqlite_put_evaluation,
	.add_review = av_sqlite_add_review,
	.advance_schedule = av_sqlite_advance_schedule,
	.set_schedule = av_sqlite_set_schedule,
	.remove_schedule = av_sqlite_remove_schedule,
	.add_waiver = av_sqlite_add_waiver,
	.revoke_waiver = av_sqlite_revoke_waiver,
	.add_alert = av_sqlite_add_alert,
	.append_audit = av_sqlite_append_audit,
	.find_cached = av_sqlite_find_cached,
	.latest = av_sqlite_latest,
	.verdict_text = av_sqlite_verdict_text,
	.list_latest = av_sqlite_list_latest,
	.manifest = av_sqlite_manifest,
	.list_reviews = av_sqlite_list_reviews,
	.last_review = av_sqlite_last_review,
	.get_schedule = av_sqlite_get_schedule,
	.list_due = av_sqlite_list_due,
	.list_waivers = av_sqlite_list_waivers,
	.list_alerts = av_sqlite_list_alerts,
	.list_audit = av_sqlite_list_audit,
	.history = av_sqlite_history,
};
