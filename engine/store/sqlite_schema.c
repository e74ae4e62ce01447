/*
 * sqlite_schema.c - the SQLite backend's schema: its migrations, one step
 * per version, and how a database is recognised as ours (application_id)
 * and brought up to date (user_version).  Another backend keeps the same
 * tables with the same meaning and numbers its migrations alike.
 */
#include <stdio.h>

#include "sqlite_int.h"

/* "aivt": marks the file as ours, so another program's database is refused. */
#define APP_ID 0x61697674

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

#define SCHEMA_VERSION AV_SQLITE_SCHEMA_VERSION
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == SCHEMA_VERSION,
    "AV_SQLITE_SCHEMA_VERSION (sqlite_int.h) is the number of migration steps");

static int
pragma_int(struct sq_conn *c, const char *q, int *out, av_error *err)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(c->db, q, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return av_sqlite_dberr(c, rc, false, err, "reading the schema version");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		av_sqlite_dberr(c, rc, false, err, "reading the schema version");
		sqlite3_finalize(st);
		return av_sqlite_map_rc(rc, false);
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

int
av_sqlite_schema_state(struct sq_conn *c, const char *path, int *version, av_error *err)
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

int
av_sqlite_migrate(struct sq_conn *c, const char *path, av_error *err)
{
	char q[96];
	char *msg = NULL;
	int version, rc;

	if ((rc = av_sqlite_schema_state(c, path, &version, err)) != 0)
		return rc;
	if (version == SCHEMA_VERSION)
		return 0;
	rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return av_sqlite_dberr(c, rc, true, err, "starting the schema migration");
	/* Another process may have migrated while we waited for the lock. */
	if ((rc = av_sqlite_schema_state(c, path, &version, err)) != 0)
		goto fail;
	for (int v = version; v < SCHEMA_VERSION; v++) {
		if ((rc = sqlite3_exec(c->db, migrations[v], NULL, NULL, &msg)) != SQLITE_OK) {
			av_error_set(err, av_sqlite_map_rc(rc, true), path, 0, 0,
			    "migrating the schema to version %d: %s", v + 1,
			    msg != NULL ? msg : sqlite3_errstr(rc));
			sqlite3_free(msg);
			rc = av_sqlite_map_rc(rc, true);
			goto fail;
		}
	}
	snprintf(q, sizeof(q), "PRAGMA user_version = %d; PRAGMA application_id = %d",
	    SCHEMA_VERSION, APP_ID);
	if ((rc = sqlite3_exec(c->db, q, NULL, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
		av_sqlite_dberr(c, rc, true, err, "committing the schema migration");
		rc = av_sqlite_map_rc(rc, true);
		goto fail;
	}
	return 0;
fail:
	sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
