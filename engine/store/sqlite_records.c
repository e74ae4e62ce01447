/*
 * sqlite_records.c - the SQLite backend's rows: the writes (evaluations,
 * reviews, schedules, waivers, alerts, audit) and the reads of the
 * operations table, each one or a few prepared statements of sqlite_sql.c.
 *
 * Writes run inside a transaction the layer above opened; they neither
 * begin nor commit.  Audit rows are that layer's too: here they are only
 * appended.  Reads hand each row to a callback with pointers into the
 * statement's row, valid during that call only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

/* ---- writes ------------------------------------------------------------ */

/* The id of name@version; created (with kind, first seen at `at`) when create is set. */
static int
component_id(struct sq_conn *c, const char *name, const char *version, const char *kind,
    int64_t at, bool create, int64_t *id, av_error *err)
{
	sqlite3_stmt *st = av_sqlite_stmt(c, S_COMP_FIND, err);
	int rc;

	if (st == NULL)
		return err->code;
	av_sqlite_bind_text(st, 1, name);
	av_sqlite_bind_text(st, 2, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		av_sqlite_done(st);
		return 0;
	}
	av_sqlite_done(st);
	if (rc != SQLITE_DONE)
		return av_sqlite_dberr(c, rc, true, err, "looking up a component");
	if (!create)
		return av_error_set(err, AV_ENOTFOUND, NULL, 0, 0,
		    "no component %s@%s has been evaluated", name, version);
	if ((st = av_sqlite_stmt(c, S_COMP_INSERT, err)) == NULL)
		return err->code;
	av_sqlite_bind_text(st, 1, name);
	av_sqlite_bind_text(st, 2, version);
	av_sqlite_bind_text(st, 3, kind != NULL ? kind : "");
	sqlite3_bind_int64(st, 4, at);
	if ((rc = av_sqlite_exec_stmt(c, st, true, err, "storing a component")) != 0)
		return rc;
	*id = sqlite3_last_insert_rowid(c->db);
	return 0;
}

/* The statement `id` of the component name@version's session, with the
 * component's row id bound as ?1; NULL with err filled when either fails. */
static sqlite3_stmt *
for_component(struct sq_conn *c, int id, const char *name, const char *version, av_error *err)
{
	sqlite3_stmt *st;
	int64_t comp;

	if (component_id(c, name, version, NULL, 0, false, &comp, err) != 0 ||
	    (st = av_sqlite_stmt(c, id, err)) == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, comp);
	return st;
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

/* Runs an insert and gives the new row's id. */
static int
insert(struct sq_conn *c, sqlite3_stmt *st, int64_t *id, av_error *err, const char *what)
{
	int rc = av_sqlite_exec_stmt(c, st, true, err, what);

	if (rc == 0)
		*id = sqlite3_last_insert_rowid(c->db);
	return rc;
}

int
av_sqlite_put_evaluation(av_store_db *db, const av_verdict *v, const char *verdict_json,
    const char *manifest, size_t len, const char *actor, int64_t *id, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st;
	int64_t comp;
	int rc;

	if ((rc = component_id(c, v->name, v->version, v->kind, v->evaluated_at, true, &comp, err)))
		return rc;
	if ((st = av_sqlite_stmt(c, S_MANIFEST_PUT, err)) == NULL)
		return err->code;
	sqlite3_bind_text(st, 1, v->manifest_digest, -1, SQLITE_STATIC);
	if (manifest != NULL)
		sqlite3_bind_blob64(st, 2, manifest, len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	if ((rc = av_sqlite_exec_stmt(c, st, true, err, "storing the manifest")) != 0)
		return rc;

	if ((st = av_sqlite_stmt(c, S_EVAL_INSERT, err)) == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, comp);
	sqlite3_bind_text(st, 2, v->manifest_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, v->policy_digest, -1, SQLITE_STATIC);
	av_sqlite_bind_text(st, 4, v->profile);
	av_sqlite_bind_text(st, 5, av_decision_name(v->decision));
	av_sqlite_bind_text(st, 6, av_risk_name(v->risk));
	sqlite3_bind_int64(st, 7, v->evaluated_at);
	sqlite3_bind_int64(st, 8, v->review_by);
	av_sqlite_bind_text(st, 9, verdict_json);
	av_sqlite_bind_text(st, 10, actor);
	return insert(c, st, id, err, "storing the evaluation");
}

int
av_sqlite_add_review(av_store_db *db, const av_review *r, int64_t *id, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = for_component(c, S_REVIEW_INSERT, r->name, r->version, err);

	if (st == NULL)
		return err->code;
	av_sqlite_bind_text(st, 2, av_review_decision_name(r->decision));
	av_sqlite_bind_text(st, 3, r->reviewer);
	av_sqlite_bind_text(st, 4, r->note);
	av_sqlite_bind_text(st, 5, r->conditions);
	sqlite3_bind_int64(st, 6, r->created_at);
	bind_time(st, 7, r->next_review);
	return insert(c, st, id, err, "storing the review");
}

int
av_sqlite_advance_schedule(av_store_db *db, const char *name, const char *version,
    int64_t next_due, int64_t at, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = for_component(c, S_SCHED_ADVANCE, name, version, err);

	if (st == NULL)
		return err->code;
	sqlite3_bind_int64(st, 2, next_due);
	sqlite3_bind_int64(st, 3, at);
	return av_sqlite_exec_stmt(c, st, true, err, "moving the schedule");
}

int
av_sqlite_set_schedule(av_store_db *db, const av_schedule *sc, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = for_component(c, S_SCHED_SET, sc->name, sc->version, err);

	if (st == NULL)
		return err->code;
	sqlite3_bind_int64(st, 2, sc->every_seconds);
	av_sqlite_bind_text(st, 3, sc->owner);
	sqlite3_bind_int64(st, 4, sc->next_due);
	sqlite3_bind_int64(st, 5, sc->updated_at);
	return av_sqlite_exec_stmt(c, st, true, err, "storing the schedule");
}

int
av_sqlite_remove_schedule(av_store_db *db, const char *name, const char *version, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = for_component(c, S_SCHED_DELETE, name, version, err);
	int rc;

	if (st == NULL)
		return err->code;
	if ((rc = av_sqlite_exec_stmt(c, st, true, err, "removing the schedule")) != 0)
		return rc;
	if (sqlite3_changes(c->db) == 0)
		return av_error_set(err, AV_ENOTFOUND, NULL, 0, 0, "%s@%s has no schedule", name,
		    version);
	return 0;
}

int
av_sqlite_add_waiver(av_store_db *db, const av_waiver *w, int64_t *id, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = for_component(c, S_WAIVER_INSERT, w->name, w->version, err);

	if (st == NULL)
		return err->code;
	av_sqlite_bind_text(st, 2, w->finding_id);
	av_sqlite_bind_text(st, 3, av_justification_name(w->justification));
	av_sqlite_bind_text(st, 4, w->note);
	bind_time(st, 5, w->until);
	av_sqlite_bind_text(st, 6, w->created_by);
	sqlite3_bind_int64(st, 7, w->created_at);
	return insert(c, st, id, err, "storing the waiver");
}

int
av_sqlite_revoke_waiver(av_store_db *db, int64_t id, int64_t at, char **name, char **version,
    av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = av_sqlite_stmt(c, S_WAIVER_TARGET, err);
	int rc;

	*name = *version = NULL;
	if (st == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*name = strdup(av_sqlite_col_text(st, 0));
		*version = strdup(av_sqlite_col_text(st, 1));
		rc = *name != NULL && *version != NULL
		    ? 0
		    : av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	} else if (rc == SQLITE_DONE) {
		rc = av_error_set(err, AV_ENOTFOUND, NULL, 0, 0,
		    "no waiver %lld, or it is already revoked", (long long)id);
	} else {
		rc = av_sqlite_dberr(c, rc, true, err, "looking up the waiver");
	}
	av_sqlite_done(st);
	if (rc == 0 && (st = av_sqlite_stmt(c, S_WAIVER_REVOKE, err)) == NULL)
		rc = err->code;
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, at);
		rc = av_sqlite_exec_stmt(c, st, true, err, "revoking the waiver");
	}
	if (rc != 0) {
		free(*name);
		free(*version);
		*name = *version = NULL;
	}
	return rc;
}

int
av_sqlite_add_alert(av_store_db *db, const av_alert *a, int64_t *id, bool *is_new, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st;
	int64_t comp = 0;
	int rc;

	if (a->name != NULL &&
	    (rc = component_id(c, a->name, a->version, NULL, 0, false, &comp, err)) != 0)
		return rc;
	if ((st = av_sqlite_stmt(c, S_ALERT_INSERT, err)) == NULL)
		return err->code;
	av_sqlite_bind_text(st, 1, a->topic);
	if (comp != 0)
		sqlite3_bind_int64(st, 2, comp);
	else
		sqlite3_bind_null(st, 2);
	av_sqlite_bind_text(st, 3, a->dedupe_key);
	av_sqlite_bind_text(st, 4, a->payload);
	sqlite3_bind_int64(st, 5, a->created_at);
	if ((rc = av_sqlite_exec_stmt(c, st, true, err, "storing the alert")) != 0)
		return rc;
	if (sqlite3_changes(c->db) == 1) {
		*id = sqlite3_last_insert_rowid(c->db);
		*is_new = true;
		return 0;
	}
	if ((st = av_sqlite_stmt(c, S_ALERT_FIND, err)) == NULL)
		return err->code;
	av_sqlite_bind_text(st, 1, a->dedupe_key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = av_sqlite_dberr(c, rc == SQLITE_DONE ? SQLITE_INTERNAL : rc, true, err,
		    "finding the earlier alert");
	}
	av_sqlite_done(st);
	return rc;
}

int
av_sqlite_append_audit(av_store_db *db, const av_audit *a, int64_t *id, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = av_sqlite_stmt(c, S_AUDIT_INSERT, err);

	if (st == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, a->at);
	av_sqlite_bind_text(st, 2, a->actor);
	av_sqlite_bind_text(st, 3, a->action);
	av_sqlite_bind_text(st, 4, a->target);
	av_sqlite_bind_text(st, 5, a->detail);
	av_sqlite_bind_text(st, 6, a->denied ? "denied" : "ok");
	return insert(c, st, id, err, "appending to the audit log");
}

/* ---- reads ------------------------------------------------------------- */

/* A read's callback and its argument, as the row functions below take them. */
struct visit {
	union {
		int (*evaluation)(void *arg, const av_store_key *key, const char *text, size_t len);
		int (*text)(void *arg, const char *text, size_t len);
		int (*review)(void *arg, const av_review *r);
		int (*last)(void *arg, const av_review *r, const char *digest);
		int (*schedule)(void *arg, const av_schedule *sc);
		int (*waiver)(void *arg, const av_waiver *w);
		int (*alert)(void *arg, const av_alert *a);
		int (*audit)(void *arg, const av_audit *a);
		int (*event)(void *arg, const av_history_event *e);
	} cb;
	void *arg;
	av_store_key *key; /* for key_row */
};

/*
 * Steps st to its end, handing each row to row(st, v); a non-zero return
 * stops the walk and is returned.  With one set, no row at all is
 * AV_ENOTFOUND with err saying `missing`.  Resets st.
 */
static int
walk(struct sq_conn *c, sqlite3_stmt *st, int (*row)(sqlite3_stmt *st, struct visit *v),
    struct visit *v, bool one, const char *missing, av_error *err, const char *what)
{
	int rc, seen = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seen++;
		if ((rc = row(st, v)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		rc = av_sqlite_dberr(c, rc, false, err, what);
	else if (one && seen == 0)
		rc = av_error_set(err, AV_ENOTFOUND, NULL, 0, 0, "%s", missing);
	else
		rc = 0;
out:
	av_sqlite_done(st);
	return rc;
}

/* An evaluation's key from columns i (id), i + 1 (digest), i + 2 (time). */
static void
col_key(sqlite3_stmt *st, int i, av_store_key *key)
{
	const char *digest = av_sqlite_col_text(st, i + 1);

	key->id = sqlite3_column_int64(st, i);
	key->evaluated_at = sqlite3_column_int64(st, i + 2);
	snprintf(key->manifest_digest, sizeof(key->manifest_digest), "%s",
	    digest != NULL ? digest : "");
}

static int
key_row(sqlite3_stmt *st, struct visit *v)
{
	col_key(st, 0, v->key);
	return 0;
}

int
av_sqlite_find_cached(av_store_db *db, const char *manifest_digest, const char *policy_digest,
    const char *profile, av_store_key *key, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = av_sqlite_stmt(c, S_FIND_CACHED_KEY, err);
	struct visit v = {.key = key};

	if (st == NULL)
		return err->code;
	av_sqlite_bind_text(st, 1, manifest_digest);
	av_sqlite_bind_text(st, 2, policy_digest);
	av_sqlite_bind_text(st, 3, profile);
	return walk(c, st, key_row, &v, true, "no stored verdict for this manifest and policy", err,
	    "reading a verdict");
}

int
av_sqlite_latest(av_store_db *db, const char *name, const char *version, av_store_key *key,
    av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	int id = version != NULL ? S_LATEST_VERSION_KEY : S_LATEST_NAME_KEY;
	sqlite3_stmt *st = av_sqlite_stmt(c, id, err);
	struct visit v = {.key = key};
	int rc;

	if (st == NULL)
		return err->code;
	av_sqlite_bind_text(st, 1, name);
	if (version != NULL)
		av_sqlite_bind_text(st, 2, version);
	rc = walk(c, st, key_row, &v, true, "", err, "reading a verdict");
	if (rc == AV_ENOTFOUND)
		av_error_set(err, rc, NULL, 0, 0, "no verdict stored for %s%s%s", name,
		    version != NULL ? "@" : "", version != NULL ? version : "");
	return rc;
}

static int
text_row(sqlite3_stmt *st, struct visit *v)
{
	return v->cb.text(v->arg, av_sqlite_col_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
}

int
av_sqlite_verdict_text(av_store_db *db, int64_t id,
    int (*cb)(void *arg, const char *text, size_t len), void *arg, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = av_sqlite_stmt(c, S_VERDICT_BY_ID, err);
	struct visit v = {.cb.text = cb, .arg = arg};
	int rc;

	if (st == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, id);
	rc = walk(c, st, text_row, &v, true, "", err, "reading a verdict");
	if (rc == AV_ENOTFOUND)
		av_error_set(err, AV_ESTORE, NULL, 0, 0,
		    "evaluation %lld vanished while it was read", (long long)id);
	return rc == AV_ENOTFOUND ? AV_ESTORE : rc;
}

static int
evaluation_row(sqlite3_stmt *st, struct visit *v)
{
	av_store_key key;

	col_key(st, 0, &key);
	return v->cb.evaluation(v->arg, &key, av_sqlite_col_text(st, 3),
	    (size_t)sqlite3_column_bytes(st, 3));
}

int
av_sqlite_list_latest(av_store_db *db,
    int (*cb)(void *arg, const av_store_key *key, const char *text, size_t len), void *arg,
    av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = av_sqlite_stmt(c, S_LIST, err);
	struct visit v = {.cb.evaluation = cb, .arg = arg};

	if (st == NULL)
		return err->code;
	return walk(c, st, evaluation_row, &v, false, NULL, err, "listing verdicts");
}

int
av_sqlite_manifest(av_store_db *db, const char *digest, char **text, size_t *len, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = av_sqlite_stmt(c, S_MANIFEST_GET, err);
	int rc;

	if (st == NULL)
		return err->code;
	av_sqlite_bind_text(st, 1, digest);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		const void *b = sqlite3_column_blob(st, 0);
		if ((*text = malloc(n + 1)) == NULL) {
			rc = av_error_set(err, AV_ENOMEM, NULL, 0, 0,
			    "out of memory for the manifest");
		} else {
			if (n > 0)
				memcpy(*text, b, n);
			(*text)[n] = '\0';
			*len = n;
			rc = 0;
		}
	} else if (rc == SQLITE_DONE) {
		rc = av_error_set(err, AV_ENOTFOUND, NULL, 0, 0, "no manifest stored under %s",
		    digest);
	} else {
		rc = av_sqlite_dberr(c, rc, false, err, "reading a manifest");
	}
	av_sqlite_done(st);
	return rc;
}

/* A review row in the column order of S_REVIEW_LIST and S_REVIEW_LAST. */
static void
col_review(sqlite3_stmt *st, av_review *rv)
{
	*rv = (av_review){
		.id = sqlite3_column_int64(st, 0),
		.name = av_sqlite_col_text(st, 1),
		.version = av_sqlite_col_text(st, 2),
		.decision = av_review_decision_parse(av_sqlite_col_text(st, 3)),
		.reviewer = av_sqlite_col_text(st, 4),
		.note = av_sqlite_col_text(st, 5),
		.conditions = av_sqlite_col_text(st, 6),
		.created_at = sqlite3_column_int64(st, 7),
		.next_review = sqlite3_column_int64(st, 8),
	};
}

static int
review_row(sqlite3_stmt *st, struct visit *v)
{
	av_review rv;

	col_review(st, &rv);
	return v->cb.review(v->arg, &rv);
}

static int
last_review_row(sqlite3_stmt *st, struct visit *v)
{
	const char *digest = av_sqlite_col_text(st, 9);
	av_review rv;

	col_review(st, &rv);
	return v->cb.last(v->arg, &rv, digest != NULL ? digest : "");
}

/* The statement id with name and version bound as ?1 and ?2. */
static sqlite3_stmt *
for_name(struct sq_conn *c, int id, const char *name, const char *version, av_error *err)
{
	sqlite3_stmt *st = av_sqlite_stmt(c, id, err);

	if (st != NULL) {
		av_sqlite_bind_text(st, 1, name);
		av_sqlite_bind_text(st, 2, version);
	}
	return st;
}

int
av_sqlite_list_reviews(av_store_db *db, const char *name, const char *version,
    int (*cb)(void *arg, const av_review *r), void *arg, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = for_name(c, S_REVIEW_LIST, name, version, err);
	struct visit v = {.cb.review = cb, .arg = arg};

	return st == NULL ? err->code
			  : walk(c, st, review_row, &v, false, NULL, err, "listing reviews");
}

int
av_sqlite_last_review(av_store_db *db, const char *name, const char *version,
    int (*cb)(void *arg, const av_review *r, const char *digest), void *arg, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = for_name(c, S_REVIEW_LAST, name, version, err);
	struct visit v = {.cb.last = cb, .arg = arg};
	int rc;

	if (st == NULL)
		return err->code;
	rc = walk(c, st, last_review_row, &v, true, "", err, "reading the last review");
	if (rc == AV_ENOTFOUND)
		av_error_set(err, rc, NULL, 0, 0, "%s@%s has no review", name, version);
	return rc;
}

static int
schedule_row(sqlite3_stmt *st, struct visit *v)
{
	av_schedule sc = {
		.name = av_sqlite_col_text(st, 0),
		.version = av_sqlite_col_text(st, 1),
		.every_seconds = sqlite3_column_int64(st, 2),
		.owner = av_sqlite_col_text(st, 3),
		.next_due = sqlite3_column_int64(st, 4),
		.updated_at = sqlite3_column_int64(st, 5),
	};

	return v->cb.schedule(v->arg, &sc);
}

int
av_sqlite_get_schedule(av_store_db *db, const char *name, const char *version,
    int (*cb)(void *arg, const av_schedule *sc), void *arg, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = for_name(c, S_SCHED_GET, name, version, err);
	struct visit v = {.cb.schedule = cb, .arg = arg};
	int rc;

	if (st == NULL)
		return err->code;
	rc = walk(c, st, schedule_row, &v, true, "", err, "reading schedules");
	if (rc == AV_ENOTFOUND)
		av_error_set(err, rc, NULL, 0, 0, "%s@%s has no schedule", name, version);
	return rc;
}

int
av_sqlite_list_due(av_store_db *db, int64_t before, int (*cb)(void *arg, const av_schedule *sc),
    void *arg, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = av_sqlite_stmt(c, S_SCHED_DUE, err);
	struct visit v = {.cb.schedule = cb, .arg = arg};

	if (st == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, before);
	return walk(c, st, schedule_row, &v, false, NULL, err, "reading schedules");
}

static int
waiver_row(sqlite3_stmt *st, struct visit *v)
{
	av_waiver w = {
		.id = sqlite3_column_int64(st, 0),
		.name = av_sqlite_col_text(st, 1),
		.version = av_sqlite_col_text(st, 2),
		.finding_id = av_sqlite_col_text(st, 3),
		.justification = av_justification_parse(av_sqlite_col_text(st, 4)),
		.note = av_sqlite_col_text(st, 5),
		.until = sqlite3_column_int64(st, 6),
		.created_by = av_sqlite_col_text(st, 7),
		.created_at = sqlite3_column_int64(st, 8),
		.revoked_at = sqlite3_column_int64(st, 9),
	};

	return v->cb.waiver(v->arg, &w);
}

int
av_sqlite_list_waivers(av_store_db *db, const char *name, const char *version, int64_t at,
    av_waiver_filter which, int (*cb)(void *arg, const av_waiver *w), void *arg, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	/* One component's waivers through its index: the general form scans
	 * every waiver (see S_WAIVER_LIST_ONE). */
	int id = name != NULL && version != NULL ? S_WAIVER_LIST_ONE : S_WAIVER_LIST;
	sqlite3_stmt *st = for_name(c, id, name, version, err);
	struct visit v = {.cb.waiver = cb, .arg = arg};

	if (st == NULL)
		return err->code;
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_int(st, 4, (int)which);
	return walk(c, st, waiver_row, &v, false, NULL, err, "listing waivers");
}

static int
alert_row(sqlite3_stmt *st, struct visit *v)
{
	av_alert a = {
		.id = sqlite3_column_int64(st, 0),
		.topic = av_sqlite_col_text(st, 1),
		.name = av_sqlite_col_text(st, 2),
		.version = av_sqlite_col_text(st, 3),
		.dedupe_key = av_sqlite_col_text(st, 4),
		.payload = av_sqlite_col_text(st, 5),
		.created_at = sqlite3_column_int64(st, 6),
	};

	return v->cb.alert(v->arg, &a);
}

int
av_sqlite_list_alerts(av_store_db *db, int64_t since_id, size_t limit,
    int (*cb)(void *arg, const av_alert *a), void *arg, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = av_sqlite_stmt(c, S_ALERT_LIST, err);
	struct visit v = {.cb.alert = cb, .arg = arg};

	if (st == NULL)
		return err->code;
	sqlite3_bind_int64(st, 1, since_id);
	sqlite3_bind_int64(st, 2, limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit);
	return walk(c, st, alert_row, &v, false, NULL, err, "listing alerts");
}

static int
audit_row(sqlite3_stmt *st, struct visit *v)
{
	const char *outcome = av_sqlite_col_text(st, 6);
	av_audit a = {
		.id = sqlite3_column_int64(st, 0),
		.at = sqlite3_column_int64(st, 1),
		.actor = av_sqlite_col_text(st, 2),
		.action = av_sqlite_col_text(st, 3),
		.target = av_sqlite_col_text(st, 4),
		.detail = av_sqlite_col_text(st, 5),
		.denied = outcome != NULL && strcmp(outcome, "denied") == 0,
	};

	return v->cb.audit(v->arg, &a);
}

int
av_sqlite_list_audit(av_store_db *db, const char *target, int (*cb)(void *arg, const av_audit *a),
    void *arg, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = av_sqlite_stmt(c, S_AUDIT_LIST, err);
	struct visit v = {.cb.audit = cb, .arg = arg};

	if (st == NULL)
		return err->code;
	av_sqlite_bind_text(st, 1, target);
	return walk(c, st, audit_row, &v, false, NULL, err, "listing the audit log");
}

static int
event_row(sqlite3_stmt *st, struct visit *v)
{
	av_history_event e = {
		.kind = (av_history_kind)sqlite3_column_int(st, 0),
		.id = sqlite3_column_int64(st, 1),
		.at = sqlite3_column_int64(st, 2),
		.name = av_sqlite_col_text(st, 3),
		.version = av_sqlite_col_text(st, 4),
		.what = av_sqlite_col_text(st, 5),
		.who = av_sqlite_col_text(st, 6),
		.detail = av_sqlite_col_text(st, 7),
	};

	return v->cb.event(v->arg, &e);
}

int
av_sqlite_history(av_store_db *db, const char *name, const char *version,
    int (*cb)(void *arg, const av_history_event *e), void *arg, av_error *err)
{
	struct sq_conn *c = &sq(db)->c;
	sqlite3_stmt *st = for_name(c, S_HISTORY, name, version, err);
	struct visit v = {.cb.event = cb, .arg = arg};

	return st == NULL ? err->code
			  : walk(c, st, event_row, &v, false, NULL, err, "reading the history");
}
