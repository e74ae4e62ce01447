/*
 * store.c - aivet's record in SQLite: components, manifests, evaluations,
 * reviews, schedules, waivers, alerts and the audit log.
 *
 * This is the only file that speaks SQL.  It is not a general database
 * layer: every query is a prepared statement from the table below, cached
 * per connection, and every write is a small function ("apply") run inside a
 * transaction.
 *
 * Durability without a sync per request: a handle opened with
 * AV_STORE_COMMITTER owns a second connection used only by a writer thread.
 * Callers queue their writes and sleep; the writer takes up to BATCH_MAX of
 * them into one BEGIN IMMEDIATE ... COMMIT with synchronous=FULL, each write
 * inside its own savepoint so that one bad write fails alone.  If the
 * transaction itself fails (disk full at commit, I/O error), the batch is
 * redone one write per transaction so each caller learns its own outcome.
 * WAL checkpoints also run on that thread, when it is idle or the WAL has
 * grown by CKPT_FRAMES, and never on a request path: every connection has
 * wal_autocheckpoint=0.
 *
 * Reads on any handle go through its own connection under a mutex, so one
 * handle per thread reads without contention.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "store.h"

/* "aivt": marks the file as ours, so another program's database is refused. */
#define APP_ID 0x61697674
#define BATCH_MAX 256
#define CKPT_FRAMES 4000
#define IDLE_CKPT_MS 100
#define LINGER_MAX_NS 1000000L
#define BUSY_TIMEOUT_MS 5000
#define RO_RETRY_NS 1000000000LL

/*
 * The schema, one step per version: step i takes user_version i to i + 1.
 * Steps are never edited once released; a change is a new step.
 */
static const char *const migrations[] = {
	/* 1: the first schema. */
	"CREATE TABLE components ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  UNIQUE (name, version));"
	"CREATE TABLE manifests ("
	"  digest TEXT PRIMARY KEY,"
	"  text BLOB);"
	"CREATE TABLE evaluations ("
	"  id INTEGER PRIMARY KEY,"
	"  component_id INTEGER NOT NULL REFERENCES components(id),"
	"  manifest_digest TEXT NOT NULL REFERENCES manifests(digest),"
	"  policy_digest TEXT NOT NULL,"
	"  profile TEXT NOT NULL,"
	"  decision TEXT NOT NULL CHECK (decision IN ('approved', 'needs_review', 'rejected')),"
	"  risk TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high')),"
	"  evaluated_at INTEGER NOT NULL,"
	"  review_by INTEGER NOT NULL,"
	"  verdict TEXT NOT NULL CHECK (json_valid(verdict)),"
	"  actor TEXT NOT NULL);"
	"CREATE INDEX evaluations_cache ON evaluations (manifest_digest, policy_digest, profile, id);"
	"CREATE INDEX evaluations_latest ON evaluations (component_id, id);"
	"CREATE TABLE reviews ("
	"  id INTEGER PRIMARY KEY,"
	"  component_id INTEGER NOT NULL REFERENCES components(id),"
	"  decision TEXT NOT NULL"
	"    CHECK (decision IN ('approve', 'reject', 'approve_with_conditions')),"
	"  reviewer TEXT NOT NULL,"
	"  note TEXT,"
	"  conditions TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  next_review INTEGER);"
	"CREATE INDEX reviews_component ON reviews (component_id, created_at);"
	"CREATE TABLE schedules ("
	"  component_id INTEGER PRIMARY KEY REFERENCES components(id),"
	"  every_seconds INTEGER NOT NULL CHECK (every_seconds > 0),"
	"  owner TEXT,"
	"  next_due INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX schedules_due ON schedules (next_due);"
	"CREATE TABLE waivers ("
	"  id INTEGER PRIMARY KEY,"
	"  component_id INTEGER NOT NULL REFERENCES components(id),"
	"  finding_id TEXT NOT NULL,"
	"  justification TEXT NOT NULL CHECK (justification IN"
	"    ('not_applicable', 'mitigated', 'accepted_risk', 'false_positive')),"
	"  note TEXT,"
	"  until INTEGER,"
	"  created_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  revoked_at INTEGER);"
	"CREATE INDEX waivers_component ON waivers (component_id, finding_id);"
	"CREATE TABLE alerts ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  topic TEXT NOT NULL,"
	"  component_id INTEGER REFERENCES components(id),"
	"  dedupe_key TEXT NOT NULL UNIQUE,"
	"  payload TEXT NOT NULL CHECK (json_valid(payload)),"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX alerts_component ON alerts (component_id, id);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  target TEXT,"
	"  detail TEXT CHECK (detail IS NULL OR json_valid(detail)),"
	"  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied')));"
	"CREATE INDEX audit_target ON audit (target, id);",
};

#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* Every statement the store runs, prepared once per connection on first use. */
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
	S_FIND_CACHED,
	S_LATEST_VERSION,
	S_LATEST_NAME,
	S_FIND_CACHED_KEY,
	S_LATEST_VERSION_KEY,
	S_LATEST_NAME_KEY,
	S_VERDICT_BY_ID,
	S_LIST,
	S_COUNTS,
	S_USER_VERSION,
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

static const char *const sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SAVEPOINT] = "SAVEPOINT item",
	[S_RELEASE] = "RELEASE item",
	[S_ROLLBACK_TO] = "ROLLBACK TO item",
	[S_COMP_FIND] = "SELECT id FROM components WHERE name = ?1 AND version = ?2",
	[S_COMP_INSERT] = "INSERT INTO components (name, version, kind, first_seen) "
			  "VALUES (?1, ?2, ?3, ?4)",
	[S_MANIFEST_PUT] = "INSERT INTO manifests (digest, text) VALUES (?1, ?2) "
			   "ON CONFLICT (digest) DO UPDATE SET text = excluded.text "
			   "WHERE manifests.text IS NULL AND excluded.text IS NOT NULL",
	[S_MANIFEST_GET] = "SELECT text FROM manifests WHERE digest = ?1 AND text IS NOT NULL",
	[S_EVAL_INSERT] = "INSERT INTO evaluations (component_id, manifest_digest, policy_digest, "
			  "profile, decision, risk, evaluated_at, review_by, verdict, actor) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_AUDIT_INSERT] = "INSERT INTO audit (at, actor, action, target, detail, outcome) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_FIND_CACHED] = "SELECT id, verdict FROM evaluations WHERE manifest_digest = ?1 "
			  "AND policy_digest = ?2 AND profile = ?3 ORDER BY id DESC LIMIT 1",
	[S_LATEST_VERSION] = "SELECT e.id, e.verdict FROM evaluations e "
			     "JOIN components c ON c.id = e.component_id "
			     "WHERE c.name = ?1 AND c.version = ?2 ORDER BY e.id DESC LIMIT 1",
	[S_LATEST_NAME] = "SELECT e.id, e.verdict FROM evaluations e "
			  "JOIN components c ON c.id = e.component_id "
			  "WHERE c.name = ?1 ORDER BY e.id DESC LIMIT 1",
	/* The same lookups without the verdict text, whose overflow pages cost
	 * more to read than the rest of a lookup: a handle that parsed that
	 * evaluation before knows it by its key (see row_verdict_ref). */
	[S_FIND_CACHED_KEY] = "SELECT id, manifest_digest, evaluated_at FROM evaluations "
			      "WHERE manifest_digest = ?1 AND policy_digest = ?2 AND profile = ?3 "
			      "ORDER BY id DESC LIMIT 1",
	[S_LATEST_VERSION_KEY] = "SELECT e.id, e.manifest_digest, e.evaluated_at FROM evaluations e "
				 "JOIN components c ON c.id = e.component_id "
				 "WHERE c.name = ?1 AND c.version = ?2 ORDER BY e.id DESC LIMIT 1",
	[S_LATEST_NAME_KEY] = "SELECT e.id, e.manifest_digest, e.evaluated_at FROM evaluations e "
			      "JOIN components c ON c.id = e.component_id "
			      "WHERE c.name = ?1 ORDER BY e.id DESC LIMIT 1",
	[S_VERDICT_BY_ID] = "SELECT verdict FROM evaluations WHERE id = ?1",
	[S_LIST] = "SELECT e.id, e.verdict FROM components c JOIN evaluations e "
		   "ON e.id = (SELECT max(id) FROM evaluations WHERE component_id = c.id) "
		   "ORDER BY c.name, c.version",
	[S_COUNTS] = "SELECT (SELECT count(*) FROM components), (SELECT count(*) FROM evaluations), "
		     "(SELECT count(*) FROM reviews), (SELECT count(*) FROM alerts)",
	[S_USER_VERSION] = "PRAGMA user_version",
	[S_QUICK_CHECK] = "PRAGMA quick_check",
	[S_REVIEW_INSERT] = "INSERT INTO reviews (component_id, decision, reviewer, note, conditions, "
			    "created_at, next_review) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_SCHED_ADVANCE] = "UPDATE schedules SET next_due = ?2, updated_at = ?3 "
			    "WHERE component_id = ?1",
	[S_REVIEW_LIST] = "SELECT r.id, c.name, c.version, r.decision, r.reviewer, r.note, "
			  "r.conditions, r.created_at, r.next_review FROM reviews r "
			  "JOIN components c ON c.id = r.component_id "
			  "WHERE c.name = ?1 AND (?2 IS NULL OR c.version = ?2) "
			  "ORDER BY r.created_at, r.id",
	/* The last review in history order (time, then id) and the digest of the
	 * manifest its component had then: the last evaluation at or before it
	 * (at the same second an evaluation comes first, as in S_HISTORY). */
	[S_REVIEW_LAST] = "SELECT r.id, c.name, c.version, r.decision, r.reviewer, r.note, "
			  "r.conditions, r.created_at, r.next_review, "
			  "(SELECT e.manifest_digest FROM evaluations e "
			  " WHERE e.component_id = r.component_id AND e.evaluated_at <= r.created_at "
			  " ORDER BY e.evaluated_at DESC, e.id DESC LIMIT 1) "
			  "FROM reviews r JOIN components c ON c.id = r.component_id "
			  "WHERE c.name = ?1 AND c.version = ?2 "
			  "ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
	[S_SCHED_SET] = "INSERT INTO schedules (component_id, every_seconds, owner, next_due, "
			"updated_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (component_id) DO "
			"UPDATE SET every_seconds = excluded.every_seconds, owner = excluded.owner, "
			"next_due = excluded.next_due, updated_at = excluded.updated_at",
	[S_SCHED_DELETE] = "DELETE FROM schedules WHERE component_id = ?1",
	[S_SCHED_GET] = "SELECT c.name, c.version, s.every_seconds, s.owner, s.next_due, "
			"s.updated_at FROM schedules s JOIN components c ON c.id = s.component_id "
			"WHERE c.name = ?1 AND c.version = ?2",
	[S_SCHED_DUE] = "SELECT c.name, c.version, s.every_seconds, s.owner, s.next_due, "
			"s.updated_at FROM schedules s JOIN components c ON c.id = s.component_id "
			"WHERE s.next_due <= ?1 ORDER BY s.next_due, c.name, c.version",
	[S_WAIVER_INSERT] = "INSERT INTO waivers (component_id, finding_id, justification, note, "
			    "until, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_WAIVER_TARGET] = "SELECT c.name, c.version FROM waivers w "
			    "JOIN components c ON c.id = w.component_id "
			    "WHERE w.id = ?1 AND w.revoked_at IS NULL",
	[S_WAIVER_REVOKE] = "UPDATE waivers SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
	[S_WAIVER_LIST] = "SELECT w.id, c.name, c.version, w.finding_id, w.justification, w.note, "
			  "w.until, w.created_by, w.created_at, w.revoked_at FROM waivers w "
			  "JOIN components c ON c.id = w.component_id "
			  "WHERE (?1 IS NULL OR c.name = ?1) AND (?2 IS NULL OR c.version = ?2) "
			  "AND (?4 = 2 OR (w.revoked_at IS NULL AND CASE WHEN ?4 = 0 "
			  "THEN (w.until IS NULL OR w.until > ?3) "
			  "ELSE (w.until IS NOT NULL AND w.until <= ?3) END)) "
			  "ORDER BY c.name, c.version, w.id",
	/* The same for one component, through its index (the general form above
	 * scans every waiver: the planner cannot use an index across "?1 IS NULL
	 * OR"), as every verdict lookup asks. */
	[S_WAIVER_LIST_ONE] = "SELECT w.id, c.name, c.version, w.finding_id, w.justification, "
			      "w.note, w.until, w.created_by, w.created_at, w.revoked_at "
			      "FROM components c JOIN waivers w ON w.component_id = c.id "
			      "WHERE c.name = ?1 AND c.version = ?2 "
			      "AND (?4 = 2 OR (w.revoked_at IS NULL AND CASE WHEN ?4 = 0 "
			      "THEN (w.until IS NULL OR w.until > ?3) "
			      "ELSE (w.until IS NOT NULL AND w.until <= ?3) END)) "
			      "ORDER BY w.id",
	[S_ALERT_INSERT] = "INSERT INTO alerts (topic, component_id, dedupe_key, payload, created_at) "
			   "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (dedupe_key) DO NOTHING",
	[S_ALERT_FIND] = "SELECT id FROM alerts WHERE dedupe_key = ?1",
	[S_ALERT_LIST] = "SELECT a.id, a.topic, c.name, c.version, a.dedupe_key, a.payload, "
			 "a.created_at FROM alerts a LEFT JOIN components c ON c.id = a.component_id "
			 "WHERE a.id > ?1 ORDER BY a.id LIMIT ?2",
	[S_AUDIT_LIST] = "SELECT id, at, actor, action, target, detail, outcome FROM audit "
			 "WHERE (?1 IS NULL OR target = ?1) ORDER BY id",
	[S_HISTORY] = "SELECT 0, e.id, e.evaluated_at, c.name, c.version, e.decision, e.actor, "
		      "e.verdict FROM evaluations e JOIN components c ON c.id = e.component_id "
		      "WHERE c.name = ?1 AND (?2 IS NULL OR c.version = ?2) "
		      "UNION ALL "
		      "SELECT 1, r.id, r.created_at, c.name, c.version, r.decision, r.reviewer, "
		      "r.note FROM reviews r JOIN components c ON c.id = r.component_id "
		      "WHERE c.name = ?1 AND (?2 IS NULL OR c.version = ?2) "
		      "UNION ALL "
		      "SELECT 2, a.id, a.created_at, c.name, c.version, a.topic, NULL, a.payload "
		      "FROM alerts a JOIN components c ON c.id = a.component_id "
		      "WHERE c.name = ?1 AND (?2 IS NULL OR c.version = ?2) "
		      "ORDER BY 3, 1, 2",
};

/* One SQLite connection with its statement cache and WAL bookkeeping. */
struct conn {
	sqlite3 *db;
	sqlite3_stmt *st[S_COUNT];
	int wal_frames;     /* frames in the WAL after the last commit (wal hook) */
	int ckpt_next;      /* checkpoint once wal_frames reaches this */
	bool dirty;         /* committed since the last checkpoint */
	int64_t max_pages;  /* the page cap applied to this connection; 0 none */
};

/* One queued write: an apply function run inside a transaction. */
struct wreq {
	int (*apply)(struct conn *c, struct wreq *r, av_error *err);
	const void *arg;
	int64_t id;  /* what apply produced: the new row's id */
	bool is_new; /* for alerts: whether the row was inserted */
	int rc;
	av_error err;
	bool done;
	struct wreq *next;
	/* Set for a write nobody waits for: called once it is settled. */
	void (*on_done)(void *cb_arg, int rc, int64_t id, const av_error *err);
	void *cb_arg;
};

/* Parsed verdicts kept per read handle: a stored verdict never changes, so
 * a lookup that finds the same row text again copies the parsed verdict
 * instead of parsing its JSON. */
#define VCACHE_SIZE 256

struct av_store {
	int flags;
	char *path;
	pthread_mutex_t lock; /* guards rd; error-checking, to catch re-entry */
	struct conn rd;       /* reads; also writes when there is no committer */
	int64_t want_pages;   /* the page cap asked for (guarded by qlock) */

	/* The committer. */
	struct conn wr;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t qlock;
	pthread_cond_t qcv;   /* work queued, or closing */
	pthread_cond_t dcv;   /* a batch finished */
	struct wreq *qhead, *qtail;
	size_t qlen;
	bool closing;
	bool busy;              /* the writer is running a batch */
	size_t arrived_busy;    /* writes queued while it was */
	size_t last_batch;      /* size of the batch before */
	int64_t last_commit_ns; /* how long that batch took */
	av_store_stats stats; /* guarded by qlock */
	/* A committer store that fell back to reading (AV_STORE_FALLBACK), and
	 * when it may next try to open the file for writing (guarded by qlock). */
	bool ro;
	int64_t ro_retry_ns;
	/* How rd reads a database that could not be written (see fall_back). */
	bool immutable;  /* without -wal and -shm; reopened once writable (lock_rd) */
	uint64_t epoch;  /* writable_epoch when rd was opened that way */
	bool ro_shm;     /* through a read-only -shm: counted in ro_shm_handles */

	/* Verdicts read on this handle, by evaluation id (guarded by lock). */
	struct vcache {
		int64_t id;
		char digest[65];      /* its manifest digest and time: evaluation rows */
		int64_t evaluated_at; /* are never changed, so with the id they name it */
		char *text; /* the stored JSON it was read from */
		size_t len;
		av_verdict *v;
	} vc[VCACHE_SIZE];
};

/*
 * Bumped whenever a store that fell back to reading starts writing again:
 * read handles that read the file as immutable reopen it normally, so that
 * they see the new writes.
 */
static _Atomic uint64_t writable_epoch;
/*
 * Handles that fell back to reading through an existing -wal and a
 * read-only -shm.  SQLite shares one -shm mapping per file among all the
 * connections of a process, so while any such handle is open a new writer
 * would get the read-only mapping too: writing resumes only after a restart.
 */
static atomic_int ro_shm_handles;

/* ---- errors ------------------------------------------------------------ */

/* Maps a SQLite result to an AV code; a write that cannot open or write its
 * files means the database is read-only to us. */
static int
map_rc(int rc, bool writing)
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

static int
dberr(struct conn *c, int rc, bool writing, av_error *err, const char *what)
{
	return av_error_set(err, map_rc(rc, writing), NULL, 0, 0, "%s: %s", what,
	    c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
}

/* ---- statements -------------------------------------------------------- */

static sqlite3_stmt *
stmt(struct conn *c, int id, av_error *err)
{
	if (c->st[id] == NULL) {
		int rc = sqlite3_prepare_v3(c->db, sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->st[id],
		    NULL);
		if (rc != SQLITE_OK) {
			dberr(c, rc, false, err, "preparing a statement");
			c->st[id] = NULL;
			return NULL;
		}
	}
	return c->st[id];
}

static void
done_with(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Binds a string that outlives the statement's step, or NULL. */
static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Binds an optional time: 0 is stored as NULL. */
static void
bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Runs a bound statement that returns no rows we need; resets it. */
static int
exec_stmt(struct conn *c, sqlite3_stmt *st, bool writing, av_error *err, const char *what)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		dberr(c, rc, writing, err, what);
		done_with(st);
		return map_rc(rc, writing);
	}
	done_with(st);
	return 0;
}

static int
exec_id(struct conn *c, int id, bool writing, av_error *err, const char *what)
{
	sqlite3_stmt *st = stmt(c, id, err);

	if (st == NULL)
		return err != NULL ? err->code : AV_ESTORE;
	return exec_stmt(c, st, writing, err, what);
}

/* ---- connections ------------------------------------------------------- */

static int
wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct conn *c = arg;

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
conn_open_as(struct conn *c, const char *path, const char *uri, bool readonly, av_error *err)
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
		av_error_set(err, map_rc(rc, !readonly), path, 0, 0, "cannot set up the database: %s",
		    msg != NULL ? msg : sqlite3_errstr(rc));
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
conn_open(struct conn *c, const char *path, bool readonly, av_error *err)
{
	return conn_open_as(c, path, NULL, readonly, err);
}

/*
 * A read-only connection that needs neither the -wal nor the -shm file
 * (SQLite's immutable=1): the only way to read a WAL database in a folder
 * nobody may write, when it was closed cleanly (no -wal file).
 */
static int
conn_open_immutable(struct conn *c, const char *path, av_error *err)
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
conn_close(struct conn *c)
{
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(c->st[i]);
	sqlite3_close(c->db);
	memset(c, 0, sizeof(*c));
}

/* A passive checkpoint: copies what it can without waiting for readers. */
static bool
checkpoint(struct conn *c)
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
apply_page_cap(struct conn *c, int64_t want, av_error *err)
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

/* ---- schema ------------------------------------------------------------ */

static int
pragma_int(struct conn *c, const char *q, int *out, av_error *err)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(c->db, q, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return dberr(c, rc, false, err, "reading the schema version");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		dberr(c, rc, false, err, "reading the schema version");
		sqlite3_finalize(st);
		return map_rc(rc, false);
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* Reads the version and refuses a database that is not ours or is too new. */
static int
schema_state(struct conn *c, const char *path, int *version, av_error *err)
{
	int app = 0, tables = 0, rc;

	if ((rc = pragma_int(c, "PRAGMA application_id", &app, err)) != 0 ||
	    (rc = pragma_int(c, "PRAGMA user_version", version, err)) != 0 ||
	    (rc = pragma_int(c, "SELECT count(*) FROM sqlite_schema", &tables, err)) != 0)
		return rc;
	if (app != 0 && app != APP_ID)
		return av_error_set(err, AV_ESTORE, path, 0, 0,
		    "not an aivet database (application_id 0x%08x)", (unsigned)app);
	if (*version == 0 && tables > 0)
		return av_error_set(err, AV_ESTORE, path, 0, 0,
		    "not an aivet database: it has %d tables and no aivet schema version", tables);
	if (*version > SCHEMA_VERSION)
		return av_error_set(err, AV_ESTORE, path, 0, 0,
		    "database schema version %d is newer than this aivet knows (%d); "
		    "use the aivet that wrote it, or a newer one",
		    *version, SCHEMA_VERSION);
	return 0;
}

/* Brings the schema up to date, all pending steps in one transaction. */
static int
migrate(struct conn *c, const char *path, av_error *err)
{
	char q[96];
	char *msg = NULL;
	int version, rc;

	if ((rc = schema_state(c, path, &version, err)) != 0)
		return rc;
	if (version == SCHEMA_VERSION)
		return 0;
	rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return dberr(c, rc, true, err, "starting the schema migration");
	/* Another process may have migrated while we waited for the lock. */
	if ((rc = schema_state(c, path, &version, err)) != 0)
		goto fail;
	for (int v = version; v < SCHEMA_VERSION; v++) {
		if ((rc = sqlite3_exec(c->db, migrations[v], NULL, NULL, &msg)) != SQLITE_OK) {
			av_error_set(err, map_rc(rc, true), path, 0, 0,
			    "migrating the schema to version %d: %s", v + 1,
			    msg != NULL ? msg : sqlite3_errstr(rc));
			sqlite3_free(msg);
			rc = map_rc(rc, true);
			goto fail;
		}
	}
	snprintf(q, sizeof(q), "PRAGMA user_version = %d; PRAGMA application_id = %d",
	    SCHEMA_VERSION, APP_ID);
	if ((rc = sqlite3_exec(c->db, q, NULL, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
		dberr(c, rc, true, err, "committing the schema migration");
		rc = map_rc(rc, true);
		goto fail;
	}
	return 0;
fail:
	sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int
av_store_schema_version(void)
{
	return SCHEMA_VERSION;
}

/* ---- writes ------------------------------------------------------------ */

/*
 * Runs one write in its own transaction.  On failure nothing of it stays.
 */
static void
run_one(struct conn *c, struct wreq *r)
{
	av_error_clear(&r->err);
	r->id = 0;
	r->is_new = false;
	if ((r->rc = exec_id(c, S_BEGIN, true, &r->err, "starting a transaction")) != 0)
		return;
	if ((r->rc = r->apply(c, r, &r->err)) == 0 &&
	    (r->rc = exec_id(c, S_COMMIT, true, &r->err, "committing")) == 0)
		return;
	if (!sqlite3_get_autocommit(c->db))
		exec_id(c, S_ROLLBACK, true, NULL, "rolling back");
	r->id = 0;
}

/*
 * Runs a batch in one transaction, each write in a savepoint so that a
 * write that fails is undone alone.  When the transaction as a whole fails,
 * every write is redone in its own transaction.  Returns whether it had to.
 */
static bool
run_batch(struct conn *c, struct wreq **items, size_t n)
{
	av_error e;

	if (n == 1) {
		run_one(c, items[0]);
		return false;
	}
	if (exec_id(c, S_BEGIN, true, &e, "starting a transaction") != 0)
		goto one_by_one;
	for (size_t i = 0; i < n; i++) {
		struct wreq *r = items[i];

		av_error_clear(&r->err);
		r->id = 0;
		r->is_new = false;
		if (exec_id(c, S_SAVEPOINT, true, &e, "savepoint") != 0)
			goto abort;
		r->rc = r->apply(c, r, &r->err);
		if (sqlite3_get_autocommit(c->db))
			goto one_by_one; /* SQLite rolled the whole transaction back */
		if (r->rc != 0) {
			r->id = 0;
			if (exec_id(c, S_ROLLBACK_TO, true, &e, "rolling back a write") != 0)
				goto abort;
		}
		if (exec_id(c, S_RELEASE, true, &e, "releasing a savepoint") != 0)
			goto abort;
	}
	if (exec_id(c, S_COMMIT, true, &e, "committing") == 0)
		return false;
abort:
	if (!sqlite3_get_autocommit(c->db))
		exec_id(c, S_ROLLBACK, true, NULL, "rolling back");
one_by_one:
	for (size_t i = 0; i < n; i++)
		run_one(c, items[i]);
	return true;
}

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

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
linger(av_store *s)
{
	size_t target = s->last_batch + s->arrived_busy;
	int64_t wait = s->last_commit_ns / 2;
	struct timespec ts;

	if (target > BATCH_MAX)
		target = BATCH_MAX;
	if (s->qlen >= target || s->closing || wait <= 0)
		return;
	if (wait > LINGER_MAX_NS)
		wait = LINGER_MAX_NS;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += wait;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	while (s->qlen < target && !s->closing)
		if (pthread_cond_timedwait(&s->qcv, &s->qlock, &ts) == ETIMEDOUT)
			break;
}

/* A full or read-only database names its file in the error of each write
 * that failed for it, so that the reply says which file to look at. */
static void
name_file(const av_store *s, struct wreq *r)
{
	if ((r->rc == AV_EFULL || r->rc == AV_EREADONLY) && r->err.file[0] == '\0')
		snprintf(r->err.file, sizeof(r->err.file), "%s", s->path);
}

static void *
writer_main(void *arg)
{
	av_store *s = arg;
	struct conn *c = &s->wr;
	struct wreq *batch[BATCH_MAX];

	pthread_mutex_lock(&s->qlock);
	for (;;) {
		while (s->qhead == NULL && !s->closing) {
			if (c->dirty) {
				/* Idle with a dirty WAL: checkpoint after a quiet moment. */
				struct timespec ts;

				clock_gettime(CLOCK_MONOTONIC, &ts);
				ts.tv_nsec += IDLE_CKPT_MS * 1000000L;
				ts.tv_sec += ts.tv_nsec / 1000000000L;
				ts.tv_nsec %= 1000000000L;
				if (pthread_cond_timedwait(&s->qcv, &s->qlock, &ts) == ETIMEDOUT &&
				    s->qhead == NULL) {
					pthread_mutex_unlock(&s->qlock);
					bool ok = checkpoint(c);
					pthread_mutex_lock(&s->qlock);
					s->stats.checkpoints += ok;
				}
			} else {
				pthread_cond_wait(&s->qcv, &s->qlock);
			}
		}
		if (s->qhead == NULL)
			break; /* closing, and drained */
		linger(s);

		size_t n = 0;
		while (s->qhead != NULL && n < BATCH_MAX) {
			batch[n++] = s->qhead;
			s->qhead = s->qhead->next;
		}
		if (s->qhead == NULL)
			s->qtail = NULL;
		s->qlen -= n;
		s->last_batch = n;
		s->arrived_busy = 0;
		s->busy = true;
		int64_t want = s->want_pages;
		pthread_mutex_unlock(&s->qlock);
		int64_t t0 = mono_ns();

		av_error e;
		bool retried = false, ckpt = false;
		if (apply_page_cap(c, want, &e) != 0) {
			for (size_t i = 0; i < n; i++) {
				batch[i]->rc = e.code;
				batch[i]->err = e;
			}
		} else {
			retried = run_batch(c, batch, n);
		}
		int64_t took = mono_ns() - t0;
		/* Writes nobody waits for are settled by their callbacks and freed. */
		for (size_t i = 0; i < n; i++) {
			struct wreq *r = batch[i];
			name_file(s, r);
			if (r->on_done != NULL) {
				r->on_done(r->cb_arg, r->rc, r->id, r->rc != 0 ? &r->err : NULL);
				free(r);
				batch[i] = NULL;
			}
		}

		pthread_mutex_lock(&s->qlock);
		s->busy = false;
		s->last_commit_ns = took;
		s->stats.batches++;
		s->stats.items += n;
		s->stats.retried += retried;
		for (size_t i = 0; i < n; i++)
			if (batch[i] != NULL)
				batch[i]->done = true; /* the caller may free it from here on */
		pthread_cond_broadcast(&s->dcv);

		/* Checkpoint after the callers are released, not before. */
		if (c->wal_frames >= c->ckpt_next) {
			pthread_mutex_unlock(&s->qlock);
			ckpt = checkpoint(c);
			pthread_mutex_lock(&s->qlock);
			s->stats.checkpoints += ckpt;
		}
	}
	pthread_mutex_unlock(&s->qlock);
	return NULL;
}

static int
lock_rd(av_store *s, av_error *err)
{
	int e = pthread_mutex_lock(&s->lock);

	if (e == EDEADLK)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "store handle used from inside one of its own callbacks");
	if (e != 0)
		return av_error_set(err, AV_EINTERNAL, NULL, 0, 0, "store lock: %s", strerror(e));
	if (s->immutable && atomic_load(&writable_epoch) != s->epoch) {
		/* The file is written again: read it normally from now on (if that
		 * fails, keep the immutable view rather than nothing). */
		struct conn c;
		av_error e2;

		s->epoch = atomic_load(&writable_epoch);
		if (conn_open(&c, s->path, true, &e2) == 0) {
			conn_close(&s->rd);
			s->rd = c;
			s->immutable = false;
		}
	}
	return 0;
}

static bool writable_locked(av_store *s);

/*
 * A read transaction spanning several lookups: one snapshot for all of them
 * and one round of WAL read locks instead of one per statement.  Only for a
 * handle that writes through a committer or never writes; a failure to begin
 * leaves each statement to run on its own, as without it.
 */
void
av_store_read_begin(av_store *s)
{
	av_error err;

	if (s == NULL || s->rd.db == NULL || lock_rd(s, &err) != 0)
		return;
	if (sqlite3_get_autocommit(s->rd.db))
		(void)sqlite3_exec(s->rd.db, "BEGIN", NULL, NULL, NULL);
	pthread_mutex_unlock(&s->lock);
}

void
av_store_read_end(av_store *s)
{
	av_error err;

	if (s == NULL || s->rd.db == NULL || lock_rd(s, &err) != 0)
		return;
	if (!sqlite3_get_autocommit(s->rd.db))
		(void)sqlite3_exec(s->rd.db, "COMMIT", NULL, NULL, NULL);
	pthread_mutex_unlock(&s->lock);
}

/*
 * Runs a write: through the committer when there is one (and waits until
 * its batch is durable), else in its own transaction on this handle.
 */
static int
submit(av_store *s, struct wreq *r, av_error *err)
{
	int rc;

	if (s->flags & AV_STORE_READONLY)
		return av_error_set(err, AV_EREADONLY, s->path, 0, 0,
		    "the database was opened read-only");
	r->done = false;
	r->next = NULL;
	if (s->flags & AV_STORE_COMMITTER) {
		pthread_mutex_lock(&s->qlock);
		if (s->closing) {
			pthread_mutex_unlock(&s->qlock);
			return av_error_set(err, AV_EBUSY, NULL, 0, 0, "the store is closing");
		}
		if (!writable_locked(s)) {
			pthread_mutex_unlock(&s->qlock);
			return av_error_set(err, AV_EREADONLY, s->path, 0, 0,
			    "cannot write: the database could only be opened for reading (a read-only file, folder or mount)");
		}
		if (s->qtail != NULL)
			s->qtail->next = r;
		else
			s->qhead = r;
		s->qtail = r;
		s->qlen++;
		s->arrived_busy += s->busy;
		pthread_cond_signal(&s->qcv);
		if (r->on_done != NULL) {
			pthread_mutex_unlock(&s->qlock);
			return 0; /* the writer settles and frees it */
		}
		while (!r->done)
			pthread_cond_wait(&s->dcv, &s->qlock);
		pthread_mutex_unlock(&s->qlock);
	} else {
		if ((rc = lock_rd(s, err)) != 0)
			return rc;
		pthread_mutex_lock(&s->qlock);
		int64_t want = s->want_pages;
		pthread_mutex_unlock(&s->qlock);
		if ((r->rc = apply_page_cap(&s->rd, want, &r->err)) == 0)
			run_one(&s->rd, r);
		name_file(s, r);
		if (s->rd.wal_frames >= s->rd.ckpt_next)
			checkpoint(&s->rd);
		pthread_mutex_unlock(&s->lock);
		if (r->on_done != NULL) {
			r->on_done(r->cb_arg, r->rc, r->id, r->rc != 0 ? &r->err : NULL);
			free(r);
			return 0;
		}
	}
	if (r->rc != 0 && err != NULL)
		*err = r->err;
	return r->rc;
}

/* The id of name@version; created (with kind, first seen at `at`) when create is set. */
static int
component_id(struct conn *c, const char *name, const char *version, const char *kind,
    int64_t at, bool create, int64_t *id, av_error *err)
{
	sqlite3_stmt *st = stmt(c, S_COMP_FIND, err);
	int rc;

	if (st == NULL)
		return err->code;
	bind_text(st, 1, name);
	bind_text(st, 2, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		done_with(st);
		return 0;
	}
	done_with(st);
	if (rc != SQLITE_DONE)
		return dberr(c, rc, true, err, "looking up a component");
	if (!create)
		return av_error_set(err, AV_ENOTFOUND, NULL, 0, 0, "no component %s@%s has been evaluated",
		    name, version);
	if ((st = stmt(c, S_COMP_INSERT, err)) == NULL)
		return err->code;
	bind_text(st, 1, name);
	bind_text(st, 2, version);
	bind_text(st, 3, kind != NULL ? kind : "");
	sqlite3_bind_int64(st, 4, at);
	if ((rc = exec_stmt(c, st, true, err, "storing a component")) != 0)
		return rc;
	*id = sqlite3_last_insert_rowid(c->db);
	return 0;
}

/* Appends an audit row; detail (may be NULL) is consumed. */
static int
audit_row(struct conn *c, int64_t at, const char *actor, const char *action, const char *name,
    const char *version, cJSON *detail, bool denied, av_error *err)
{
	sqlite3_stmt *st = stmt(c, S_AUDIT_INSERT, err);
	char *text = NULL, *target = NULL;
	int rc;

	if (st == NULL) {
		cJSON_Delete(detail);
		return err->code;
	}
	if (detail != NULL) {
		text = cJSON_PrintUnformatted(detail);
		cJSON_Delete(detail);
		if (text == NULL)
			return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the audit row");
	}
	if (name != NULL && version != NULL && asprintf(&target, "%s@%s", name, version) < 0) {
		cJSON_free(text);
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the audit row");
	}
	sqlite3_bind_int64(st, 1, at);
	bind_text(st, 2, actor);
	bind_text(st, 3, action);
	bind_text(st, 4, target != NULL ? target : name);
	bind_text(st, 5, text);
	bind_text(st, 6, denied ? "denied" : "ok");
	rc = exec_stmt(c, st, true, err, "appending to the audit log");
	free(target);
	cJSON_free(text);
	return rc;
}

/* ---- open, close, stats ------------------------------------------------ */

/*
 * Opens the committer's connection and starts its thread.  A connection
 * that SQLite could only open for reading counts as AV_EREADONLY.
 */
static int
start_writer(av_store *s, av_error *err)
{
	int rc;

	if ((rc = conn_open(&s->wr, s->path, false, err)) != 0)
		return rc;
	if (sqlite3_db_readonly(s->wr.db, "main") == 1) {
		conn_close(&s->wr);
		return av_error_set(err, AV_EREADONLY, s->path, 0, 0,
		    "cannot open the database for writing");
	}
	if ((rc = pthread_create(&s->thread, NULL, writer_main, s)) != 0) {
		conn_close(&s->wr);
		return av_error_set(err, AV_EINTERNAL, s->path, 0, 0,
		    "cannot start the store's writer thread: %s", strerror(rc));
	}
	s->thread_started = true;
	return 0;
}

/*
 * The database could not be written: reopens s->rd read-only.  A committer
 * store remembers it (s->ro) and tries writing again later; any other
 * handle simply becomes read-only.  When even reading fails, the error of
 * the first attempt is the one reported.
 */
static int
fall_back(av_store *s, av_error *err)
{
	av_error first = *err;
	struct stat st;
	char *wal;
	int rc, nowal;

	if (s->rd.db != NULL)
		conn_close(&s->rd);
	/* Closed cleanly (no -wal, or an empty one): everything is in the main
	 * file, which can be read without the -wal and -shm files that SQLite
	 * could not create here.  Otherwise the -wal holds committed writes:
	 * read through it, which needs the -shm file to exist. */
	if (asprintf(&wal, "%s-wal", s->path) < 0)
		return av_error_set(err, AV_ENOMEM, s->path, 0, 0, "out of memory");
	nowal = stat(wal, &st) != 0 || st.st_size == 0;
	free(wal);
	if (nowal) {
		s->epoch = atomic_load(&writable_epoch);
		rc = conn_open_immutable(&s->rd, s->path, err);
		s->immutable = rc == 0;
	} else if ((rc = conn_open(&s->rd, s->path, true, err)) == 0) {
		s->ro_shm = true;
		atomic_fetch_add(&ro_shm_handles, 1);
	}
	if (rc != 0) {
		*err = first;
		return first.code != 0 ? first.code : AV_EREADONLY;
	}
	if (s->flags & AV_STORE_COMMITTER) {
		s->ro = true;
		s->ro_retry_ns = mono_ns() + RO_RETRY_NS;
	} else {
		s->flags |= AV_STORE_READONLY;
	}
	return 0;
}

/*
 * Whether a committer store that fell back can write now: at most once a
 * second it tries to open the file for writing and start the writer.
 * Called with qlock held.
 */
static bool
writable_locked(av_store *s)
{
	av_error e;
	int64_t now;

	if (!s->ro)
		return true;
	if (s->closing || atomic_load(&ro_shm_handles) > 0 || (now = mono_ns()) < s->ro_retry_ns)
		return false;
	s->ro_retry_ns = now + RO_RETRY_NS;
	if (start_writer(s, &e) != 0)
		return false;
	s->ro = false;
	atomic_fetch_add(&writable_epoch, 1);
	return true;
}

bool
av_store_writable(av_store *s)
{
	bool ok;

	if (s == NULL || (s->flags & AV_STORE_READONLY))
		return false;
	pthread_mutex_lock(&s->qlock);
	ok = writable_locked(s);
	pthread_mutex_unlock(&s->qlock);
	return ok;
}

int
av_store_open(av_store **out, const char *path, int flags, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	bool readonly = flags & AV_STORE_READONLY;
	av_store *s;
	int rc, version;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no database path given");
	if ((flags & AV_STORE_READONLY) && (flags & AV_STORE_COMMITTER))
		return av_error_set(err, AV_EINVAL, path, 0, 0,
		    "a read-only store cannot have a committer");
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->path = strdup(path)) == NULL) {
		free(s);
		return av_error_set(err, AV_ENOMEM, path, 0, 0, "out of memory");
	}
	s->flags = flags;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&s->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_mutex_init(&s->qlock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->qcv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&s->dcv, NULL);

	if ((rc = conn_open(&s->rd, path, readonly, err)) == 0 && !readonly)
		rc = migrate(&s->rd, path, err);
	if ((flags & AV_STORE_FALLBACK) && !readonly &&
	    (rc == AV_EREADONLY || (rc == 0 && sqlite3_db_readonly(s->rd.db, "main") == 1))) {
		if ((rc = fall_back(s, err)) != 0)
			goto fail;
		readonly = true;
	}
	if (rc != 0)
		goto fail;
	if (readonly) {
		if ((rc = schema_state(&s->rd, path, &version, err)) != 0)
			goto fail;
		if (version < SCHEMA_VERSION) {
			rc = av_error_set(err, AV_EREADONLY, path, 0, 0,
			    "database schema version %d is older than this aivet's (%d) and "
			    "cannot be migrated read-only",
			    version, SCHEMA_VERSION);
			goto fail;
		}
	}
	if ((flags & AV_STORE_COMMITTER) && !s->ro && (rc = start_writer(s, err)) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	av_store_close(s);
	return rc;
}

void
av_store_close(av_store *s)
{
	if (s == NULL)
		return;
	if (s->thread_started) {
		pthread_mutex_lock(&s->qlock);
		s->closing = true;
		pthread_cond_signal(&s->qcv);
		pthread_mutex_unlock(&s->qlock);
		pthread_join(s->thread, NULL);
	}
	if (s->wr.db != NULL)
		conn_close(&s->wr);
	if (s->rd.db != NULL)
		conn_close(&s->rd);
	if (s->ro_shm)
		atomic_fetch_sub(&ro_shm_handles, 1);
	pthread_cond_destroy(&s->dcv);
	pthread_cond_destroy(&s->qcv);
	pthread_mutex_destroy(&s->qlock);
	for (size_t i = 0; i < VCACHE_SIZE; i++) {
		free(s->vc[i].text);
		av_verdict_destroy(s->vc[i].v);
	}
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
}

int
av_store_limit_pages(av_store *s, int64_t max_pages, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	int rc;

	if (s == NULL || max_pages < 0)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "invalid page limit");
	pthread_mutex_lock(&s->qlock);
	s->want_pages = max_pages;
	pthread_mutex_unlock(&s->qlock);
	if (s->flags & AV_STORE_READONLY)
		return 0;
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	rc = apply_page_cap(&s->rd, max_pages, err);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void
av_store_get_stats(av_store *s, av_store_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->qlock);
	*out = s->stats;
	pthread_mutex_unlock(&s->qlock);
}

/* ---- evaluations ------------------------------------------------------- */

struct put_eval {
	const av_verdict *v;
	const char *json;
	const char *manifest;
	size_t len;
	const char *actor;
};

static int
apply_put_eval(struct conn *c, struct wreq *r, av_error *err)
{
	const struct put_eval *p = r->arg;
	const av_verdict *v = p->v;
	sqlite3_stmt *st;
	int64_t comp, id;
	cJSON *detail;
	int rc;

	if ((rc = component_id(c, v->name, v->version, v->kind, v->evaluated_at, true, &comp, err)))
		return rc;
	if ((st = stmt(c, S_MANIFEST_PUT, err)) == NULL)
		return err->code;
	sqlite3_bind_text(st, 1, v->manifest_digest, -1, SQLITE_STATIC);
	if (p->manifest != NULL)
		sqlite3_bind_blob64(st, 2, p->manifest, p->len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	if ((rc = exec_stmt(c, st, true, err, "storing the manifest")) != 0)
		return rc;

	if ((st = stmt(c, S_EVAL_INSERT, err)) == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, comp);
	sqlite3_bind_text(st, 2, v->manifest_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, v->policy_digest, -1, SQLITE_STATIC);
	bind_text(st, 4, v->profile);
	bind_text(st, 5, av_decision_name(v->decision));
	bind_text(st, 6, av_risk_name(v->risk));
	sqlite3_bind_int64(st, 7, v->evaluated_at);
	sqlite3_bind_int64(st, 8, v->review_by);
	bind_text(st, 9, p->json);
	bind_text(st, 10, p->actor);
	if ((rc = exec_stmt(c, st, true, err, "storing the evaluation")) != 0)
		return rc;
	id = sqlite3_last_insert_rowid(c->db);

	if ((detail = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(detail, "evaluation", (double)id) == NULL ||
	    cJSON_AddStringToObject(detail, "decision", av_decision_name(v->decision)) == NULL ||
	    cJSON_AddStringToObject(detail, "manifest_digest", v->manifest_digest) == NULL ||
	    cJSON_AddStringToObject(detail, "policy_digest", v->policy_digest) == NULL ||
	    cJSON_AddStringToObject(detail, "profile", v->profile) == NULL) {
		cJSON_Delete(detail);
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the audit row");
	}
	if ((rc = audit_row(c, v->evaluated_at, p->actor, "evaluate", v->name, v->version, detail,
		 false, err)) != 0)
		return rc;
	r->id = id;
	return 0;
}

static bool
is_digest(const char *d)
{
	size_t i;

	for (i = 0; d[i] != '\0'; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return false;
	return i == 64;
}

static bool
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

int
av_store_put_evaluation(av_store *s, av_verdict *v, const char *manifest, size_t len,
    const char *actor, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct put_eval p = {v, NULL, manifest, len, actor};
	struct wreq r = {.apply = apply_put_eval, .arg = &p};
	char *text;
	int rc;

	if (s == NULL || v == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store or no verdict");
	if (empty(v->name) || empty(v->version) || empty(v->profile) || empty(actor))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "a stored verdict needs a name, version, profile and actor");
	if (!is_digest(v->manifest_digest) || !is_digest(v->policy_digest))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "verdict for %s@%s: manifest and policy digests must be 64 lowercase hex digits",
		    v->name, v->version);
	if ((text = av_verdict_json_text(v, NULL)) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the verdict");
	p.json = text;
	if ((rc = submit(s, &r, err)) == 0)
		v->id = r.id;
	free(text);
	return rc;
}

/* An evaluation write nobody waits for: it owns its verdict JSON. */
struct put_async {
	struct wreq r; /* first: freed through it */
	struct put_eval p;
	char json[];
};

int
av_store_put_evaluation_async(av_store *s, const av_verdict *v, const char *manifest, size_t len,
    const char *actor, void (*done)(void *arg, int rc, int64_t id, const av_error *err),
    void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct put_async *pa;
	char *text;
	size_t n;

	if (s == NULL || v == NULL || done == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store, verdict or callback");
	if (empty(v->name) || empty(v->version) || empty(v->profile) || empty(actor))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "a stored verdict needs a name, version, profile and actor");
	if (!is_digest(v->manifest_digest) || !is_digest(v->policy_digest))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "verdict for %s@%s: manifest and policy digests must be 64 lowercase hex digits",
		    v->name, v->version);
	if ((text = av_verdict_json_text(v, &n)) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the verdict");
	n++;
	if ((pa = calloc(1, sizeof(*pa) + n)) == NULL) {
		free(text);
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the write");
	}
	memcpy(pa->json, text, n);
	free(text);
	pa->p = (struct put_eval){v, pa->json, manifest, len, actor};
	pa->r.apply = apply_put_eval;
	pa->r.arg = &pa->p;
	pa->r.on_done = done;
	pa->r.cb_arg = arg;
	int rc = submit(s, &pa->r, err);
	if (rc != 0)
		free(pa); /* refused before it was queued */
	return rc;
}

/* Rebuilds the verdict of the current row (id, verdict JSON). */
static char *
dup_or_null(const char *s, bool *ok)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*ok = false;
	return d;
}

/* A deep copy of a verdict; NULL when out of memory. */
static av_verdict *
verdict_copy(const av_verdict *src)
{
	av_verdict *v = av_verdict_create();
	bool ok = true;

	if (v == NULL)
		return NULL;
	v->name = dup_or_null(src->name, &ok);
	v->version = dup_or_null(src->version, &ok);
	v->kind = dup_or_null(src->kind, &ok);
	v->profile = dup_or_null(src->profile, &ok);
	memcpy(v->manifest_digest, src->manifest_digest, sizeof(v->manifest_digest));
	memcpy(v->policy_digest, src->policy_digest, sizeof(v->policy_digest));
	v->decision = src->decision;
	v->risk = src->risk;
	v->evaluated_at = src->evaluated_at;
	v->review_by = src->review_by;
	v->cached = src->cached;
	v->id = src->id;
	v->freshness = src->freshness;
	for (size_t i = 0; ok && i < src->nfindings; i++) {
		const av_finding *f = &src->findings[i];
		ok = av_verdict_add(v, f->area, f->id, f->severity, f->message, f->evidence,
			 f->remedy, f->plugin) == 0;
		if (ok)
			v->findings[i].waived = f->waived;
	}
	if (!ok) {
		av_verdict_destroy(v);
		return NULL;
	}
	return v;
}

/*
 * The verdict of the current row.  With a store handle (whose lock the
 * caller holds), a row read before is copied from the handle's cache when
 * its stored text is byte for byte the same, and a row parsed now is kept
 * there; a cache that cannot be filled (out of memory) is simply skipped.
 */
static int
row_verdict(av_store *s, sqlite3_stmt *st, bool cached, av_verdict **out, av_error *err)
{
	int64_t id = sqlite3_column_int64(st, 0);
	const char *text = col_text(st, 1);
	size_t len = (size_t)sqlite3_column_bytes(st, 1);
	struct vcache *c = s != NULL ? &s->vc[(uint64_t)id % VCACHE_SIZE] : NULL;
	av_verdict *v = NULL;
	av_error e;
	cJSON *j;
	int rc;

	if (c != NULL && c->v != NULL && c->id == id && text != NULL && c->len == len &&
	    memcmp(c->text, text, len) == 0 && (v = verdict_copy(c->v)) != NULL)
		goto found;
	if (text == NULL || (j = cJSON_ParseWithLength(text, len)) == NULL)
		return av_error_set(err, AV_ESTORE, NULL, 0, 0,
		    "evaluation %lld: the stored verdict is not valid JSON", (long long)id);
	rc = av_verdict_from_json(&v, j, &e);
	cJSON_Delete(j);
	if (rc != 0)
		return av_error_set(err, rc == AV_ENOMEM ? AV_ENOMEM : AV_ESTORE, NULL, 0, 0,
		    "evaluation %lld: the stored verdict cannot be read: %s", (long long)id, e.msg);
	v->id = id;
	if (c != NULL) {
		char *t = malloc(len + 1);
		av_verdict *copy = t != NULL ? verdict_copy(v) : NULL;
		if (copy != NULL) {
			memcpy(t, text, len);
			t[len] = '\0';
			free(c->text);
			av_verdict_destroy(c->v);
			c->id = id;
			c->digest[0] = '\0'; /* unknown here: key lookups read it anew */
			c->evaluated_at = 0;
			c->text = t;
			c->len = len;
			c->v = copy;
		} else {
			free(t);
		}
	}
found:
	v->id = id;
	v->cached = cached;
	*out = v;
	return 0;
}

/*
 * The verdict of the current row as the handle's cached copy, borrowed:
 * filled (parsed) when the row is not in the cache yet.
 */
/*
 * A row of a *_KEY lookup (id, manifest digest, evaluated_at): the verdict
 * parsed before on this handle when the key matches, else the stored text
 * read by id and parsed.
 */
static int
row_verdict_ref(av_store *s, sqlite3_stmt *st, const av_verdict **out, av_error *err)
{
	int64_t id = sqlite3_column_int64(st, 0);
	const char *digest = col_text(st, 1);
	int64_t at = sqlite3_column_int64(st, 2);
	struct vcache *c = &s->vc[(uint64_t)id % VCACHE_SIZE];
	sqlite3_stmt *vt;
	const char *text;
	size_t len;
	av_verdict *v;
	av_error e;
	cJSON *j;
	char *t;
	int rc;

	if (digest == NULL)
		digest = "";
	if (c->v != NULL && c->id == id && c->evaluated_at == at && strcmp(c->digest, digest) == 0) {
		*out = c->v;
		return 0;
	}
	if ((vt = stmt(&s->rd, S_VERDICT_BY_ID, err)) == NULL)
		return err->code;
	sqlite3_bind_int64(vt, 1, id);
	if ((rc = sqlite3_step(vt)) != SQLITE_ROW) {
		done_with(vt);
		if (rc == SQLITE_DONE)
			return av_error_set(err, AV_ESTORE, NULL, 0, 0,
			    "evaluation %lld vanished while it was read", (long long)id);
		return dberr(&s->rd, rc, false, err, "reading a verdict");
	}
	text = col_text(vt, 0);
	len = (size_t)sqlite3_column_bytes(vt, 0);
	rc = 0;
	if (text == NULL || (j = cJSON_ParseWithLength(text, len)) == NULL)
		rc = av_error_set(err, AV_ESTORE, NULL, 0, 0,
		    "evaluation %lld: the stored verdict is not valid JSON", (long long)id);
	else if ((rc = av_verdict_from_json(&v, j, &e)) != 0) {
		cJSON_Delete(j);
		rc = av_error_set(err, rc == AV_ENOMEM ? AV_ENOMEM : AV_ESTORE, NULL, 0, 0,
		    "evaluation %lld: the stored verdict cannot be read: %s", (long long)id, e.msg);
	} else {
		cJSON_Delete(j);
		if ((t = malloc(len + 1)) == NULL) {
			av_verdict_destroy(v);
			rc = av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		} else {
			memcpy(t, text, len);
			t[len] = '\0';
		}
	}
	done_with(vt);
	if (rc != 0)
		return rc;
	v->id = id;
	v->cached = false;
	free(c->text);
	av_verdict_destroy(c->v);
	c->id = id;
	snprintf(c->digest, sizeof(c->digest), "%s", digest);
	c->evaluated_at = at;
	c->text = t;
	c->len = len;
	c->v = v;
	*out = v;
	return 0;
}

static int
one_verdict_ref(av_store *s, sqlite3_stmt *st, const av_verdict **out, av_error *err,
    const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		rc = row_verdict_ref(s, st, out, err);
	else if (rc == SQLITE_DONE)
		rc = av_error_set(err, AV_ENOTFOUND, NULL, 0, 0, "%s", what);
	else
		rc = dberr(&s->rd, rc, false, err, "reading a verdict");
	done_with(st);
	return rc;
}

/* Runs a bound query expected to return at most one verdict row. */
static int
one_verdict(av_store *s, sqlite3_stmt *st, bool cached, av_verdict **out, av_error *err,
    const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		rc = row_verdict(s, st, cached, out, err);
	else if (rc == SQLITE_DONE)
		rc = av_error_set(err, AV_ENOTFOUND, NULL, 0, 0, "%s", what);
	else
		rc = dberr(&s->rd, rc, false, err, "reading a verdict");
	done_with(st);
	return rc;
}

int
av_store_find_cached(av_store *s, const char *manifest_digest, const char *policy_digest,
    const char *profile, av_verdict **out, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (s == NULL || manifest_digest == NULL || policy_digest == NULL || profile == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "missing digest or profile");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_FIND_CACHED, err)) == NULL) {
		rc = err->code;
	} else {
		bind_text(st, 1, manifest_digest);
		bind_text(st, 2, policy_digest);
		bind_text(st, 3, profile);
		rc = one_verdict(s, st, true, out, err, "no stored verdict for this manifest and policy");
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
av_store_latest(av_store *s, const char *name, const char *version, av_verdict **out,
    av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (s == NULL || empty(name))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no component name given");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, version != NULL ? S_LATEST_VERSION : S_LATEST_NAME, err)) == NULL) {
		rc = err->code;
	} else {
		bind_text(st, 1, name);
		if (version != NULL)
			bind_text(st, 2, version);
		rc = one_verdict(s, st, false, out, err, "no verdict stored for this component");
		if (rc == AV_ENOTFOUND)
			av_error_set(err, rc, NULL, 0, 0, "no verdict stored for %s%s%s", name,
			    version != NULL ? "@" : "", version != NULL ? version : "");
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
av_store_find_cached_ref(av_store *s, const char *manifest_digest, const char *policy_digest,
    const char *profile, const av_verdict **out, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (s == NULL || manifest_digest == NULL || policy_digest == NULL || profile == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "missing digest or profile");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_FIND_CACHED_KEY, err)) == NULL) {
		rc = err->code;
	} else {
		bind_text(st, 1, manifest_digest);
		bind_text(st, 2, policy_digest);
		bind_text(st, 3, profile);
		rc = one_verdict_ref(s, st, out, err,
		    "no stored verdict for this manifest and policy");
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
av_store_latest_ref(av_store *s, const char *name, const char *version, const av_verdict **out,
    av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (s == NULL || empty(name))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no component name given");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	st = stmt(&s->rd, version != NULL ? S_LATEST_VERSION_KEY : S_LATEST_NAME_KEY, err);
	if (st == NULL) {
		rc = err->code;
	} else {
		bind_text(st, 1, name);
		if (version != NULL)
			bind_text(st, 2, version);
		rc = one_verdict_ref(s, st, out, err, "no verdict stored for this component");
		if (rc == AV_ENOTFOUND)
			av_error_set(err, rc, NULL, 0, 0, "no verdict stored for %s%s%s", name,
			    version != NULL ? "@" : "", version != NULL ? version : "");
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
av_store_list(av_store *s, int (*cb)(void *arg, av_verdict *v), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	av_verdict *v;
	int rc;

	if (s == NULL || cb == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store or no callback");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_LIST, err)) == NULL) {
		pthread_mutex_unlock(&s->lock);
		return err->code;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = row_verdict(s, st, false, &v, err)) != 0 || (rc = cb(arg, v)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : dberr(&s->rd, rc, false, err, "listing verdicts");
out:
	done_with(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
av_store_counts(av_store *s, cJSON *into, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	static const char *const keys[] = {"components", "evaluations", "reviews", "alerts"};
	sqlite3_stmt *st;
	int64_t n[4];
	int rc, version = 0;

	if (s == NULL || into == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store or no object");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_COUNTS, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = dberr(&s->rd, rc, false, err, "counting");
		done_with(st);
		goto out;
	}
	for (int i = 0; i < 4; i++)
		n[i] = sqlite3_column_int64(st, i);
	done_with(st);
	if ((st = stmt(&s->rd, S_USER_VERSION, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	done_with(st);
	if (rc != SQLITE_ROW) {
		rc = dberr(&s->rd, rc, false, err, "reading the schema version");
		goto out;
	}
	rc = 0;
	for (int i = 0; i < 4 && rc == 0; i++)
		if (cJSON_AddNumberToObject(into, keys[i], (double)n[i]) == NULL)
			rc = AV_ENOMEM;
	if (rc == 0 && cJSON_AddNumberToObject(into, "schema_version", version) == NULL)
		rc = AV_ENOMEM;
	if (rc != 0)
		av_error_set(err, rc, NULL, 0, 0, "out of memory for the counts");
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
av_store_check(av_store *s, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	if (s == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_QUICK_CHECK, err)) == NULL) {
		pthread_mutex_unlock(&s->lock);
		return err->code;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *r = col_text(st, 0);
		rc = r != NULL && strcmp(r, "ok") == 0
		    ? 0
		    : av_error_set(err, AV_ESTORE, s->path, 0, 0, "integrity check failed: %s",
			  r != NULL ? r : "(no detail)");
	} else {
		rc = dberr(&s->rd, rc, false, err, "checking integrity");
	}
	done_with(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
av_store_manifest(av_store *s, const char *digest, char **text, size_t *len, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	*text = NULL;
	*len = 0;
	if (s == NULL || digest == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store or no digest");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_MANIFEST_GET, err)) == NULL) {
		pthread_mutex_unlock(&s->lock);
		return err->code;
	}
	bind_text(st, 1, digest);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		const void *b = sqlite3_column_blob(st, 0);
		if ((*text = malloc(n + 1)) == NULL) {
			rc = av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the manifest");
		} else {
			if (n > 0)
				memcpy(*text, b, n);
			(*text)[n] = '\0';
			*len = n;
			rc = 0;
		}
	} else if (rc == SQLITE_DONE) {
		rc = av_error_set(err, AV_ENOTFOUND, NULL, 0, 0, "no manifest stored under %s", digest);
	} else {
		rc = dberr(&s->rd, rc, false, err, "reading a manifest");
	}
	done_with(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- names ------------------------------------------------------------- */

static const char *const review_names[] = {"approve", "reject", "approve_with_conditions"};
static const char *const just_names[] = {"not_applicable", "mitigated", "accepted_risk",
    "false_positive"};

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int
parse_name(const char *const *names, int n, const char *s)
{
	for (int i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *
av_review_decision_name(av_review_decision d)
{
	return (int)d >= 0 && (int)d < NELEM(review_names) ? review_names[d] : "unknown";
}

int
av_review_decision_parse(const char *s)
{
	return parse_name(review_names, NELEM(review_names), s);
}

const char *
av_justification_name(av_justification j)
{
	return (int)j >= 0 && (int)j < NELEM(just_names) ? just_names[j] : "unknown";
}

int
av_justification_parse(const char *s)
{
	return parse_name(just_names, NELEM(just_names), s);
}

/* ---- reviews ----------------------------------------------------------- */

static int
apply_review(struct conn *c, struct wreq *r, av_error *err)
{
	const av_review *rv = r->arg;
	sqlite3_stmt *st;
	int64_t comp, id;
	cJSON *detail;
	int rc;

	if ((rc = component_id(c, rv->name, rv->version, NULL, 0, false, &comp, err)) != 0)
		return rc;
	if ((st = stmt(c, S_REVIEW_INSERT, err)) == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, comp);
	bind_text(st, 2, av_review_decision_name(rv->decision));
	bind_text(st, 3, rv->reviewer);
	bind_text(st, 4, rv->note);
	bind_text(st, 5, rv->conditions);
	sqlite3_bind_int64(st, 6, rv->created_at);
	bind_time(st, 7, rv->next_review);
	if ((rc = exec_stmt(c, st, true, err, "storing the review")) != 0)
		return rc;
	id = sqlite3_last_insert_rowid(c->db);
	if (rv->next_review != 0) {
		if ((st = stmt(c, S_SCHED_ADVANCE, err)) == NULL)
			return err->code;
		sqlite3_bind_int64(st, 1, comp);
		sqlite3_bind_int64(st, 2, rv->next_review);
		sqlite3_bind_int64(st, 3, rv->created_at);
		if ((rc = exec_stmt(c, st, true, err, "moving the schedule")) != 0)
			return rc;
	}
	if ((detail = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(detail, "review", (double)id) == NULL ||
	    cJSON_AddStringToObject(detail, "decision", av_review_decision_name(rv->decision)) ==
		NULL ||
	    cJSON_AddNumberToObject(detail, "next_review", (double)rv->next_review) == NULL) {
		cJSON_Delete(detail);
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the audit row");
	}
	if ((rc = audit_row(c, rv->created_at, rv->reviewer, "review", rv->name, rv->version, detail,
		 false, err)) != 0)
		return rc;
	r->id = id;
	return 0;
}

int
av_store_put_review(av_store *s, av_review *rv, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct wreq r = {.apply = apply_review, .arg = rv};
	int rc;

	if (s == NULL || rv == NULL || empty(rv->name) || empty(rv->version) || empty(rv->reviewer))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "a review needs a component name, version and reviewer");
	if (av_review_decision_parse(av_review_decision_name(rv->decision)) < 0)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "unknown review decision %d",
		    (int)rv->decision);
	if ((rc = submit(s, &r, err)) == 0)
		rv->id = r.id;
	return rc;
}

/* A review row in the column order of S_REVIEW_LIST and S_REVIEW_LAST. */
static void
row_review(sqlite3_stmt *st, av_review *rv)
{
	*rv = (av_review){
		.id = sqlite3_column_int64(st, 0),
		.name = col_text(st, 1),
		.version = col_text(st, 2),
		.decision = av_review_decision_parse(col_text(st, 3)),
		.reviewer = col_text(st, 4),
		.note = col_text(st, 5),
		.conditions = col_text(st, 6),
		.created_at = sqlite3_column_int64(st, 7),
		.next_review = sqlite3_column_int64(st, 8),
	};
}

int
av_store_list_reviews(av_store *s, const char *name, const char *version,
    int (*cb)(void *arg, const av_review *r), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	if (s == NULL || empty(name) || cb == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store, component or callback");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_REVIEW_LIST, err)) == NULL) {
		pthread_mutex_unlock(&s->lock);
		return err->code;
	}
	bind_text(st, 1, name);
	bind_text(st, 2, version);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		av_review rv;
		row_review(st, &rv);
		if ((rc = cb(arg, &rv)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : dberr(&s->rd, rc, false, err, "listing reviews");
out:
	done_with(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
av_store_last_review(av_store *s, const char *name, const char *version,
    int (*cb)(void *arg, const av_review *r, const char *digest), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	av_review rv;
	int rc;

	if (s == NULL || empty(name) || version == NULL || cb == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store, component or callback");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_REVIEW_LAST, err)) == NULL) {
		pthread_mutex_unlock(&s->lock);
		return err->code;
	}
	bind_text(st, 1, name);
	bind_text(st, 2, version);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *digest = col_text(st, 9);
		row_review(st, &rv);
		rc = cb(arg, &rv, digest != NULL ? digest : "");
	} else if (rc == SQLITE_DONE) {
		rc = av_error_set(err, AV_ENOTFOUND, NULL, 0, 0, "%s@%s has no review", name, version);
	} else {
		rc = dberr(&s->rd, rc, false, err, "reading the last review");
	}
	done_with(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- schedules --------------------------------------------------------- */

struct sched_op {
	const av_schedule *sc;
	const char *name, *version; /* for removal */
	int64_t at;
	const char *actor;
};

static int
apply_schedule_set(struct conn *c, struct wreq *r, av_error *err)
{
	const struct sched_op *op = r->arg;
	const av_schedule *sc = op->sc;
	sqlite3_stmt *st;
	int64_t comp;
	cJSON *detail;
	int rc;

	if ((rc = component_id(c, sc->name, sc->version, NULL, 0, false, &comp, err)) != 0)
		return rc;
	if ((st = stmt(c, S_SCHED_SET, err)) == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, comp);
	sqlite3_bind_int64(st, 2, sc->every_seconds);
	bind_text(st, 3, sc->owner);
	sqlite3_bind_int64(st, 4, sc->next_due);
	sqlite3_bind_int64(st, 5, sc->updated_at);
	if ((rc = exec_stmt(c, st, true, err, "storing the schedule")) != 0)
		return rc;
	if ((detail = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(detail, "every_seconds", (double)sc->every_seconds) == NULL ||
	    (sc->owner != NULL && cJSON_AddStringToObject(detail, "owner", sc->owner) == NULL) ||
	    cJSON_AddNumberToObject(detail, "next_due", (double)sc->next_due) == NULL) {
		cJSON_Delete(detail);
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the audit row");
	}
	return audit_row(c, sc->updated_at, op->actor, "schedule", sc->name, sc->version, detail,
	    false, err);
}

static int
apply_schedule_remove(struct conn *c, struct wreq *r, av_error *err)
{
	const struct sched_op *op = r->arg;
	sqlite3_stmt *st;
	int64_t comp = 0;
	int rc;

	if ((rc = component_id(c, op->name, op->version, NULL, 0, false, &comp, err)) != 0)
		return rc;
	if ((st = stmt(c, S_SCHED_DELETE, err)) == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, comp);
	if ((rc = exec_stmt(c, st, true, err, "removing the schedule")) != 0)
		return rc;
	if (sqlite3_changes(c->db) == 0)
		return av_error_set(err, AV_ENOTFOUND, NULL, 0, 0, "%s@%s has no schedule", op->name,
		    op->version);
	return audit_row(c, op->at, op->actor, "unschedule", op->name, op->version, NULL, false,
	    err);
}

int
av_store_set_schedule(av_store *s, const av_schedule *sc, const char *actor, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct sched_op op = {.sc = sc, .actor = actor};
	struct wreq r = {.apply = apply_schedule_set, .arg = &op};

	if (s == NULL || sc == NULL || empty(sc->name) || empty(sc->version) || empty(actor))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "a schedule needs a component name, version and actor");
	if (sc->every_seconds <= 0)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "schedule of %s@%s: the interval must be positive", sc->name, sc->version);
	return submit(s, &r, err);
}

int
av_store_remove_schedule(av_store *s, const char *name, const char *version, int64_t at,
    const char *actor, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct sched_op op = {.name = name, .version = version, .at = at, .actor = actor};
	struct wreq r = {.apply = apply_schedule_remove, .arg = &op};

	if (s == NULL || empty(name) || empty(version) || empty(actor))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "removing a schedule needs a component name, version and actor");
	return submit(s, &r, err);
}

/* Walks schedule rows (name, version, every, owner, next_due, updated_at). */
static int
walk_schedules(av_store *s, sqlite3_stmt *st, bool one,
    int (*cb)(void *arg, const av_schedule *sc), void *arg, av_error *err)
{
	int rc, seen = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		av_schedule sc = {
			.name = col_text(st, 0),
			.version = col_text(st, 1),
			.every_seconds = sqlite3_column_int64(st, 2),
			.owner = col_text(st, 3),
			.next_due = sqlite3_column_int64(st, 4),
			.updated_at = sqlite3_column_int64(st, 5),
		};
		seen++;
		if ((rc = cb(arg, &sc)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		rc = dberr(&s->rd, rc, false, err, "reading schedules");
	else if (one && seen == 0)
		rc = av_error_set(err, AV_ENOTFOUND, NULL, 0, 0, "no schedule");
	else
		rc = 0;
out:
	done_with(st);
	return rc;
}

int
av_store_get_schedule(av_store *s, const char *name, const char *version,
    int (*cb)(void *arg, const av_schedule *sc), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	if (s == NULL || empty(name) || empty(version) || cb == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store, component or callback");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_SCHED_GET, err)) == NULL) {
		rc = err->code;
	} else {
		bind_text(st, 1, name);
		bind_text(st, 2, version);
		rc = walk_schedules(s, st, true, cb, arg, err);
		if (rc == AV_ENOTFOUND)
			av_error_set(err, rc, NULL, 0, 0, "%s@%s has no schedule", name, version);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int
av_store_list_due(av_store *s, int64_t before, int (*cb)(void *arg, const av_schedule *sc),
    void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	if (s == NULL || cb == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store or no callback");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_SCHED_DUE, err)) == NULL) {
		rc = err->code;
	} else {
		sqlite3_bind_int64(st, 1, before);
		rc = walk_schedules(s, st, false, cb, arg, err);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- waivers ----------------------------------------------------------- */

static int
apply_waiver_add(struct conn *c, struct wreq *r, av_error *err)
{
	const av_waiver *w = r->arg;
	sqlite3_stmt *st;
	int64_t comp, id;
	cJSON *detail;
	int rc;

	if ((rc = component_id(c, w->name, w->version, NULL, 0, false, &comp, err)) != 0)
		return rc;
	if ((st = stmt(c, S_WAIVER_INSERT, err)) == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, comp);
	bind_text(st, 2, w->finding_id);
	bind_text(st, 3, av_justification_name(w->justification));
	bind_text(st, 4, w->note);
	bind_time(st, 5, w->until);
	bind_text(st, 6, w->created_by);
	sqlite3_bind_int64(st, 7, w->created_at);
	if ((rc = exec_stmt(c, st, true, err, "storing the waiver")) != 0)
		return rc;
	id = sqlite3_last_insert_rowid(c->db);
	if ((detail = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(detail, "waiver", (double)id) == NULL ||
	    cJSON_AddStringToObject(detail, "finding", w->finding_id) == NULL ||
	    cJSON_AddStringToObject(detail, "justification",
		av_justification_name(w->justification)) == NULL ||
	    cJSON_AddNumberToObject(detail, "until", (double)w->until) == NULL) {
		cJSON_Delete(detail);
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the audit row");
	}
	if ((rc = audit_row(c, w->created_at, w->created_by, "waive", w->name, w->version, detail,
		 false, err)) != 0)
		return rc;
	r->id = id;
	return 0;
}

int
av_store_add_waiver(av_store *s, av_waiver *w, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct wreq r = {.apply = apply_waiver_add, .arg = w};
	int rc;

	if (s == NULL || w == NULL || empty(w->name) || empty(w->version) || empty(w->finding_id) ||
	    empty(w->created_by))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "a waiver needs a component name, version, finding id and author");
	if (av_justification_parse(av_justification_name(w->justification)) < 0)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "unknown waiver justification %d",
		    (int)w->justification);
	if ((rc = submit(s, &r, err)) == 0)
		w->id = r.id;
	return rc;
}

struct revoke_op {
	int64_t id, at;
	const char *actor;
};

static int
apply_waiver_revoke(struct conn *c, struct wreq *r, av_error *err)
{
	const struct revoke_op *op = r->arg;
	sqlite3_stmt *st = stmt(c, S_WAIVER_TARGET, err);
	char *name = NULL, *version = NULL;
	cJSON *detail;
	int rc;

	if (st == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, op->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		name = strdup(col_text(st, 0));
		version = strdup(col_text(st, 1));
		rc = name != NULL && version != NULL
		    ? 0
		    : av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	} else if (rc == SQLITE_DONE) {
		rc = av_error_set(err, AV_ENOTFOUND, NULL, 0, 0,
		    "no waiver %lld, or it is already revoked", (long long)op->id);
	} else {
		rc = dberr(c, rc, true, err, "looking up the waiver");
	}
	done_with(st);
	if (rc != 0)
		goto out;
	if ((st = stmt(c, S_WAIVER_REVOKE, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	sqlite3_bind_int64(st, 1, op->id);
	sqlite3_bind_int64(st, 2, op->at);
	if ((rc = exec_stmt(c, st, true, err, "revoking the waiver")) != 0)
		goto out;
	if ((detail = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(detail, "waiver", (double)op->id) == NULL) {
		cJSON_Delete(detail);
		rc = av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the audit row");
		goto out;
	}
	rc = audit_row(c, op->at, op->actor, "revoke_waiver", name, version, detail, false, err);
out:
	free(name);
	free(version);
	return rc;
}

int
av_store_revoke_waiver(av_store *s, int64_t id, int64_t at, const char *actor, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct revoke_op op = {id, at, actor};
	struct wreq r = {.apply = apply_waiver_revoke, .arg = &op};

	if (s == NULL || id <= 0 || empty(actor))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "revoking needs a waiver id and actor");
	return submit(s, &r, err);
}

int
av_store_list_waivers(av_store *s, const char *name, const char *version, int64_t at,
    av_waiver_filter which, int (*cb)(void *arg, const av_waiver *w), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	if (s == NULL || cb == NULL || which < AV_WAIVERS_ACTIVE || which > AV_WAIVERS_ALL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store, callback or filter");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	st = stmt(&s->rd, name != NULL && version != NULL ? S_WAIVER_LIST_ONE : S_WAIVER_LIST, err);
	if (st == NULL) {
		pthread_mutex_unlock(&s->lock);
		return err->code;
	}
	bind_text(st, 1, name);
	bind_text(st, 2, version);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_int(st, 4, (int)which);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		av_waiver w = {
			.id = sqlite3_column_int64(st, 0),
			.name = col_text(st, 1),
			.version = col_text(st, 2),
			.finding_id = col_text(st, 3),
			.justification = av_justification_parse(col_text(st, 4)),
			.note = col_text(st, 5),
			.until = sqlite3_column_int64(st, 6),
			.created_by = col_text(st, 7),
			.created_at = sqlite3_column_int64(st, 8),
			.revoked_at = sqlite3_column_int64(st, 9),
		};
		if ((rc = cb(arg, &w)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : dberr(&s->rd, rc, false, err, "listing waivers");
out:
	done_with(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- alerts ------------------------------------------------------------ */

static int
apply_alert(struct conn *c, struct wreq *r, av_error *err)
{
	const av_alert *a = r->arg;
	sqlite3_stmt *st;
	int64_t comp = 0;
	int rc;

	if (a->name != NULL &&
	    (rc = component_id(c, a->name, a->version, NULL, 0, false, &comp, err)) != 0)
		return rc;
	if ((st = stmt(c, S_ALERT_INSERT, err)) == NULL)
		return err->code;
	bind_text(st, 1, a->topic);
	if (comp != 0)
		sqlite3_bind_int64(st, 2, comp);
	else
		sqlite3_bind_null(st, 2);
	bind_text(st, 3, a->dedupe_key);
	bind_text(st, 4, a->payload);
	sqlite3_bind_int64(st, 5, a->created_at);
	if ((rc = exec_stmt(c, st, true, err, "storing the alert")) != 0)
		return rc;
	if (sqlite3_changes(c->db) == 1) {
		r->id = sqlite3_last_insert_rowid(c->db);
		r->is_new = true;
		return 0;
	}
	if ((st = stmt(c, S_ALERT_FIND, err)) == NULL)
		return err->code;
	bind_text(st, 1, a->dedupe_key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->id = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = dberr(c, rc == SQLITE_DONE ? SQLITE_INTERNAL : rc, true, err,
		    "finding the earlier alert");
	}
	done_with(st);
	return rc;
}

int
av_store_add_alert(av_store *s, av_alert *a, bool *is_new, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct wreq r = {.apply = apply_alert, .arg = a};
	cJSON *j;
	int rc;

	if (is_new != NULL)
		*is_new = false;
	if (s == NULL || a == NULL || empty(a->topic) || empty(a->dedupe_key) || a->payload == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "an alert needs a topic, a dedupe key and a payload");
	if ((a->name == NULL) != (a->version == NULL))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "alert %s: give both the component's name and version, or neither", a->topic);
	if ((j = cJSON_Parse(a->payload)) == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "alert %s: the payload is not JSON",
		    a->topic);
	cJSON_Delete(j);
	if ((rc = submit(s, &r, err)) == 0) {
		a->id = r.id;
		if (is_new != NULL)
			*is_new = r.is_new;
	}
	return rc;
}

int
av_store_list_alerts(av_store *s, int64_t since_id, size_t limit,
    int (*cb)(void *arg, const av_alert *a), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	if (s == NULL || cb == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store or no callback");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_ALERT_LIST, err)) == NULL) {
		pthread_mutex_unlock(&s->lock);
		return err->code;
	}
	sqlite3_bind_int64(st, 1, since_id);
	sqlite3_bind_int64(st, 2, limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		av_alert a = {
			.id = sqlite3_column_int64(st, 0),
			.topic = col_text(st, 1),
			.name = col_text(st, 2),
			.version = col_text(st, 3),
			.dedupe_key = col_text(st, 4),
			.payload = col_text(st, 5),
			.created_at = sqlite3_column_int64(st, 6),
		};
		if ((rc = cb(arg, &a)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : dberr(&s->rd, rc, false, err, "listing alerts");
out:
	done_with(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- audit ------------------------------------------------------------- */

static int
apply_audit(struct conn *c, struct wreq *r, av_error *err)
{
	const av_audit *a = r->arg;
	sqlite3_stmt *st = stmt(c, S_AUDIT_INSERT, err);
	int rc;

	if (st == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, a->at);
	bind_text(st, 2, a->actor);
	bind_text(st, 3, a->action);
	bind_text(st, 4, a->target);
	bind_text(st, 5, a->detail);
	bind_text(st, 6, a->denied ? "denied" : "ok");
	if ((rc = exec_stmt(c, st, true, err, "appending to the audit log")) != 0)
		return rc;
	r->id = sqlite3_last_insert_rowid(c->db);
	return 0;
}

int
av_store_audit(av_store *s, av_audit *a, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct wreq r = {.apply = apply_audit, .arg = a};
	cJSON *j;
	int rc;

	if (s == NULL || a == NULL || empty(a->actor) || empty(a->action))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "an audit row needs an actor and action");
	if (a->detail != NULL) {
		if ((j = cJSON_Parse(a->detail)) == NULL)
			return av_error_set(err, AV_EINVAL, NULL, 0, 0,
			    "audit %s: the detail is not JSON", a->action);
		cJSON_Delete(j);
	}
	if ((rc = submit(s, &r, err)) == 0)
		a->id = r.id;
	return rc;
}

int
av_store_list_audit(av_store *s, const char *target,
    int (*cb)(void *arg, const av_audit *a), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	if (s == NULL || cb == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store or no callback");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_AUDIT_LIST, err)) == NULL) {
		pthread_mutex_unlock(&s->lock);
		return err->code;
	}
	bind_text(st, 1, target);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *outcome = col_text(st, 6);
		av_audit a = {
			.id = sqlite3_column_int64(st, 0),
			.at = sqlite3_column_int64(st, 1),
			.actor = col_text(st, 2),
			.action = col_text(st, 3),
			.target = col_text(st, 4),
			.detail = col_text(st, 5),
			.denied = outcome != NULL && strcmp(outcome, "denied") == 0,
		};
		if ((rc = cb(arg, &a)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : dberr(&s->rd, rc, false, err, "listing the audit log");
out:
	done_with(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ---- history ----------------------------------------------------------- */

int
av_store_history(av_store *s, const char *name, const char *version,
    int (*cb)(void *arg, const av_history_event *e), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	sqlite3_stmt *st;
	int rc;

	if (s == NULL || empty(name) || cb == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store, component or callback");
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	if ((st = stmt(&s->rd, S_HISTORY, err)) == NULL) {
		pthread_mutex_unlock(&s->lock);
		return err->code;
	}
	bind_text(st, 1, name);
	bind_text(st, 2, version);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		av_history_event e = {
			.kind = (av_history_kind)sqlite3_column_int(st, 0),
			.id = sqlite3_column_int64(st, 1),
			.at = sqlite3_column_int64(st, 2),
			.name = col_text(st, 3),
			.version = col_text(st, 4),
			.what = col_text(st, 5),
			.who = col_text(st, 6),
			.detail = col_text(st, 7),
		};
		if ((rc = cb(arg, &e)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : dberr(&s->rd, rc, false, err, "reading the history");
out:
	done_with(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}
