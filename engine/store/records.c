/*
 * records.c - the record's human side through its interface (engine/
 * store.h): reviews, schedules, waivers, alerts, the audit log and a
 * component's history.  Each write checks what it was given, does its rows
 * through the backend and appends its audit row in the same transaction;
 * each read runs one backend read under the handle's lock.
 */
#include <stdlib.h>

#include "store_int.h"

/* ---- reviews ----------------------------------------------------------- */

/* The review, the schedule moved to its next review date (when it names
 * one and the component has a schedule), and the audit row. */
static int
apply_review(av_store_db *db, av_store_write *w, av_error *err)
{
	const av_review *rv = w->arg;
	const struct av_store_backend *be = db->be;
	cJSON *d;
	int rc;

	if ((rc = be->add_review(db, rv, &w->id, err)) != 0 ||
	    (rv->next_review != 0 &&
		(rc = be->advance_schedule(db, rv->name, rv->version, rv->next_review,
		     rv->created_at, err)) != 0))
		return rc;
	d = av_store_detail_num(cJSON_CreateObject(), "review", w->id);
	d = av_store_detail_str(d, "decision", av_review_decision_name(rv->decision));
	d = av_store_detail_num(d, "next_review", rv->next_review);
	return av_store_audit_row(db, rv->created_at, rv->reviewer, "review", rv->name, rv->version,
	    true, d, err);
}

int
av_store_put_review(av_store *s, av_review *rv, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	av_store_write w = {.apply = apply_review, .arg = rv};
	int rc;

	if (s == NULL || rv == NULL || av_store_empty(rv->name) || av_store_empty(rv->version) ||
	    av_store_empty(rv->reviewer))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "a review needs a component name, version and reviewer");
	if (av_review_decision_parse(av_review_decision_name(rv->decision)) < 0)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "unknown review decision %d",
		    (int)rv->decision);
	if ((rc = av_store_submit(s, &w, err)) == 0)
		rv->id = w.id;
	return rc;
}

int
av_store_list_reviews(av_store *s, const char *name, const char *version,
    int (*cb)(void *arg, const av_review *r), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	int rc = av_store_enter(s, !av_store_empty(name) && cb != NULL,
	    "no store, component or callback", err);

	return rc != 0 ? rc
		       : av_store_leave(s, s->be->list_reviews(s->rd, name, version, cb, arg, err));
}

int
av_store_last_review(av_store *s, const char *name, const char *version,
    int (*cb)(void *arg, const av_review *r, const char *digest), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	int rc = av_store_enter(s, !av_store_empty(name) && version != NULL && cb != NULL,
	    "no store, component or callback", err);

	return rc != 0 ? rc
		       : av_store_leave(s, s->be->last_review(s->rd, name, version, cb, arg, err));
}

/* ---- schedules --------------------------------------------------------- */

struct sched_op {
	const av_schedule *sc;
	const char *name, *version; /* for removal */
	int64_t at;
	const char *actor;
};

static int
apply_schedule_set(av_store_db *db, av_store_write *w, av_error *err)
{
	const struct sched_op *op = w->arg;
	const av_schedule *sc = op->sc;
	cJSON *d;
	int rc;

	if ((rc = db->be->set_schedule(db, sc, err)) != 0)
		return rc;
	d = av_store_detail_num(cJSON_CreateObject(), "every_seconds", sc->every_seconds);
	d = av_store_detail_str(d, "owner", sc->owner);
	d = av_store_detail_num(d, "next_due", sc->next_due);
	return av_store_audit_row(db, sc->updated_at, op->actor, "schedule", sc->name, sc->version,
	    true, d, err);
}

static int
apply_schedule_remove(av_store_db *db, av_store_write *w, av_error *err)
{
	const struct sched_op *op = w->arg;
	int rc = db->be->remove_schedule(db, op->name, op->version, err);

	return rc != 0 ? rc
		       : av_store_audit_row(db, op->at, op->actor, "unschedule", op->name,
			     op->version, false, NULL, err);
}

int
av_store_set_schedule(av_store *s, const av_schedule *sc, const char *actor, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct sched_op op = {.sc = sc, .actor = actor};
	av_store_write w = {.apply = apply_schedule_set, .arg = &op};

	if (s == NULL || sc == NULL || av_store_empty(sc->name) || av_store_empty(sc->version) ||
	    av_store_empty(actor))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "a schedule needs a component name, version and actor");
	if (sc->every_seconds <= 0)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "schedule of %s@%s: the interval must be positive", sc->name, sc->version);
	return av_store_submit(s, &w, err);
}

int
av_store_remove_schedule(av_store *s, const char *name, const char *version, int64_t at,
    const char *actor, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct sched_op op = {.name = name, .version = version, .at = at, .actor = actor};
	av_store_write w = {.apply = apply_schedule_remove, .arg = &op};

	if (s == NULL || av_store_empty(name) || av_store_empty(version) || av_store_empty(actor))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "removing a schedule needs a component name, version and actor");
	return av_store_submit(s, &w, err);
}

int
av_store_get_schedule(av_store *s, const char *name, const char *version,
    int (*cb)(void *arg, const av_schedule *sc), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	int rc = av_store_enter(s, !av_store_empty(name) && !av_store_empty(version) && cb != NULL,
	    "no store, component or callback", err);

	return rc != 0 ? rc
		       : av_store_leave(s, s->be->get_schedule(s->rd, name, version, cb, arg, err));
}

int
av_store_list_due(av_store *s, int64_t before, int (*cb)(void *arg, const av_schedule *sc),
    void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	int rc = av_store_enter(s, cb != NULL, "no store or no callback", err);

	return rc != 0 ? rc : av_store_leave(s, s->be->list_due(s->rd, before, cb, arg, err));
}

/* ---- waivers ----------------------------------------------------------- */

static int
apply_waiver_add(av_store_db *db, av_store_write *w, av_error *err)
{
	const av_waiver *wv = w->arg;
	cJSON *d;
	int rc;

	if ((rc = db->be->add_waiver(db, wv, &w->id, err)) != 0)
		return rc;
	d = av_store_detail_num(cJSON_CreateObject(), "waiver", w->id);
	d = av_store_detail_str(d, "finding", wv->finding_id);
	d = av_store_detail_str(d, "justification", av_justification_name(wv->justification));
	d = av_store_detail_num(d, "until", wv->until);
	return av_store_audit_row(db, wv->created_at, wv->created_by, "waive", wv->name,
	    wv->version, true, d, err);
}

int
av_store_add_waiver(av_store *s, av_waiver *wv, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	av_store_write w = {.apply = apply_waiver_add, .arg = wv};
	int rc;

	if (s == NULL || wv == NULL || av_store_empty(wv->name) || av_store_empty(wv->version) ||
	    av_store_empty(wv->finding_id) || av_store_empty(wv->created_by))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "a waiver needs a component name, version, finding id and author");
	if (av_justification_parse(av_justification_name(wv->justification)) < 0)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "unknown waiver justification %d",
		    (int)wv->justification);
	if ((rc = av_store_submit(s, &w, err)) == 0)
		wv->id = w.id;
	return rc;
}

struct revoke_op {
	int64_t id, at;
	const char *actor;
};

static int
apply_waiver_revoke(av_store_db *db, av_store_write *w, av_error *err)
{
	const struct revoke_op *op = w->arg;
	char *name, *version;
	int rc;

	if ((rc = db->be->revoke_waiver(db, op->id, op->at, &name, &version, err)) != 0)
		return rc;
	rc = av_store_audit_row(db, op->at, op->actor, "revoke_waiver", name, version, true,
	    av_store_detail_num(cJSON_CreateObject(), "waiver", op->id), err);
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
	av_store_write w = {.apply = apply_waiver_revoke, .arg = &op};

	if (s == NULL || id <= 0 || av_store_empty(actor))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "revoking needs a waiver id and actor");
	return av_store_submit(s, &w, err);
}

int
av_store_list_waivers(av_store *s, const char *name, const char *version, int64_t at,
    av_waiver_filter which, int (*cb)(void *arg, const av_waiver *w), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	int rc = av_store_enter(s,
	    cb != NULL && which >= AV_WAIVERS_ACTIVE && which <= AV_WAIVERS_ALL,
	    "no store, callback or filter", err);

	return rc != 0 ? rc
		       : av_store_leave(s, s->be->list_waivers(s->rd, name, version, at, which, cb,
					       arg, err));
}

/* ---- alerts ------------------------------------------------------------ */

static int
apply_alert(av_store_db *db, av_store_write *w, av_error *err)
{
	return db->be->add_alert(db, w->arg, &w->id, &w->is_new, err);
}

int
av_store_add_alert(av_store *s, av_alert *a, bool *is_new, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	av_store_write w = {.apply = apply_alert, .arg = a};
	cJSON *j;
	int rc;

	if (is_new != NULL)
		*is_new = false;
	if (s == NULL || a == NULL || av_store_empty(a->topic) || av_store_empty(a->dedupe_key) ||
	    a->payload == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "an alert needs a topic, a dedupe key and a payload");
	if ((a->name == NULL) != (a->version == NULL))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "alert %s: give both the component's name and version, or neither", a->topic);
	if ((j = cJSON_Parse(a->payload)) == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "alert %s: the payload is not JSON",
		    a->topic);
	cJSON_Delete(j);
	if ((rc = av_store_submit(s, &w, err)) == 0) {
		a->id = w.id;
		if (is_new != NULL)
			*is_new = w.is_new;
	}
	return rc;
}

int
av_store_list_alerts(av_store *s, int64_t since_id, size_t limit,
    int (*cb)(void *arg, const av_alert *a), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	int rc = av_store_enter(s, cb != NULL, "no store or no callback", err);

	return rc != 0 ? rc
		       : av_store_leave(s,
			     s->be->list_alerts(s->rd, since_id, limit, cb, arg, err));
}

/* ---- audit and history ------------------------------------------------- */

static int
apply_audit(av_store_db *db, av_store_write *w, av_error *err)
{
	return db->be->append_audit(db, w->arg, &w->id, err);
}

int
av_store_audit(av_store *s, av_audit *a, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	av_store_write w = {.apply = apply_audit, .arg = a};
	cJSON *j;
	int rc;

	if (s == NULL || a == NULL || av_store_empty(a->actor) || av_store_empty(a->action))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "an audit row needs an actor and action");
	if (a->detail != NULL) {
		if ((j = cJSON_Parse(a->detail)) == NULL)
			return av_error_set(err, AV_EINVAL, NULL, 0, 0,
			    "audit %s: the detail is not JSON", a->action);
		cJSON_Delete(j);
	}
	if ((rc = av_store_submit(s, &w, err)) == 0)
		a->id = w.id;
	return rc;
}

int
av_store_list_audit(av_store *s, const char *target, int (*cb)(void *arg, const av_audit *a),
    void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	int rc = av_store_enter(s, cb != NULL, "no store or no callback", err);

	return rc != 0 ? rc : av_store_leave(s, s->be->list_audit(s->rd, target, cb, arg, err));
}

int
av_store_history(av_store *s, const char *name, const char *version,
    int (*cb)(void *arg, const av_history_event *e), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	int rc = av_store_enter(s, !av_store_empty(name) && cb != NULL,
	    "no store, component or callback", err);

	return rc != 0 ? rc
		       : av_store_leave(s, s->be->history(s->rd, name, version, cb, arg, err));
}
