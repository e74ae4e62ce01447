/*
 * review.c - the final verdict: waivers, the human review, the next due
 * date and freshness applied to an automatic verdict; and the rules for
 * recording reviews, waivers and schedules (see review.h).
 *
 * Everything that decides how the record bears on a verdict lives here and
 * nowhere else: the daemon, its scheduler and the command line only call
 * it.  Reads go through the store's read handle, writes through its group
 * committer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review.h"

/* A year: the next review when neither a schedule nor the profile says. */
#define DEFAULT_EVERY (365 * 86400)

/* ---- applying the record ----------------------------------------------- */

static int
mark_waived(void *arg, const av_waiver *wv)
{
	av_verdict *v = arg;

	for (size_t i = 0; i < v->nfindings; i++)
		if (strcmp(v->findings[i].id, wv->finding_id) == 0)
			v->findings[i].waived = true;
	return 0;
}

/* The last review and the digest of the manifest it was of. */
typedef struct last_ctx {
	av_verdict *v;
	char digest[65];
	bool oom;
} last_ctx;

static char *
dup_or_empty(const char *s, bool *oom)
{
	char *d = strdup(s != NULL ? s : "");

	if (d == NULL)
		*oom = true;
	return d;
}

static int
got_review(void *arg, const av_review *r, const char *digest)
{
	last_ctx *c = arg;
	av_verdict_review *rv = &c->v->review;

	rv->present = true;
	rv->id = r->id;
	rv->decision = (int)r->decision;
	rv->reviewer = dup_or_empty(r->reviewer, &c->oom);
	rv->note = dup_or_empty(r->note, &c->oom);
	rv->at = r->created_at;
	rv->next_review = r->next_review;
	snprintf(c->digest, sizeof(c->digest), "%s", digest != NULL ? digest : "");
	return c->oom ? AV_ENOMEM : 0;
}

static int
got_schedule(void *arg, const av_schedule *sc)
{
	av_verdict *v = arg;

	v->due_every = sc->every_seconds;
	v->next_due = sc->next_due;
	if (sc->owner != NULL && sc->owner[0] != '\0' && (v->due_owner = strdup(sc->owner)) == NULL)
		return AV_ENOMEM;
	return 0;
}

int64_t
av_review_lead(const av_verdict *v, const av_policy *p)
{
	return av_policy_lead(p, v->profile != NULL ? v->profile : "default");
}

int
av_review_apply(av_verdict *v, const av_review_env *e, av_error *err)
{
	last_ctx last = {v, {0}, false};
	av_verdict_review *r = &v->review;
	int rc;

	av_verdict_clear_final(v);
	/* Waivers: only those active now count, whatever was marked before. */
	for (size_t i = 0; i < v->nfindings; i++)
		v->findings[i].waived = false;
	if (e->rd != NULL && (rc = av_store_list_waivers(e->rd, v->name, v->version, e->now,
				  AV_WAIVERS_ACTIVE, mark_waived, v, err)) != 0)
		goto fail;
	av_verdict_decide(v);

	/* The next review: the verdict's own date, unless a review of this
	 * manifest set another, unless a schedule says. */
	v->next_due = v->review_by;
	v->due_from = "verdict";
	if (e->rd != NULL) {
		rc = av_store_last_review(e->rd, v->name, v->version, got_review, &last, err);
		if (rc != 0 && rc != AV_ENOTFOUND)
			goto fail;
		if (r->present) {
			bool same = strcmp(last.digest, v->manifest_digest) == 0;
			r->stands = same && (r->next_review == 0 || e->now < r->next_review);
			/* A review of this manifest sets the next date, due or not. */
			if (same && r->next_review != 0) {
				v->next_due = r->next_review;
				v->due_from = "review";
			}
		}
		rc = av_store_get_schedule(e->rd, v->name, v->version, got_schedule, v, err);
		if (rc == 0)
			v->due_from = "schedule";
		else if (rc != AV_ENOTFOUND)
			goto fail;
	}

	/* The decision that counts: a standing human review over the automatic one. */
	if (r->present && r->stands)
		v->effective = r->decision == AV_REVIEW_REJECT ? AV_REJECTED : AV_APPROVED;
	else
		v->effective = v->decision;
	v->freshness = av_verdict_freshness(v, av_policy_digest(e->policy), e->now,
	    av_review_lead(v, e->policy));
	v->final = true;
	return 0;
fail:
	if (rc == AV_ENOMEM)
		av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	av_verdict_clear_final(v);
	return rc;
}

const char *
av_review_state(const av_verdict *v, const av_policy *p, int64_t at)
{
	int64_t due = v->next_due, lead = av_review_lead(v, p);

	if (strcmp(v->policy_digest, av_policy_digest(p)) != 0)
		return "stale";
	if (at >= due + 86400)
		return "overdue";
	if (at >= due)
		return "due";
	if (at >= due - lead)
		return "due_soon";
	return "current";
}

/* ---- recording --------------------------------------------------------- */

/* The latest verdict of name@version, which a write about it needs. */
static int
latest(const av_review_env *e, const char *name, const char *version, av_verdict **v,
    av_error *err)
{
	int rc = av_store_latest(e->rd, name, version, v, err);

	if (rc == AV_ENOTFOUND)
		av_error_set(err, rc, NULL, 0, 0, "no verdict for %s%s%s: evaluate it first", name,
		    version ? "@" : "", version ? version : "");
	return rc;
}

static int
schedule_every(void *arg, const av_schedule *sc)
{
	*(int64_t *)arg = sc->every_seconds;
	return 0;
}

/* The profile's review interval for the verdict's risk tier. */
static int64_t
profile_every(const av_review_env *e, const av_verdict *v)
{
	return av_policy_interval(e->policy, v->profile ? v->profile : "default", v->risk);
}

int
av_review_record(const av_review_env *e, av_review *r, av_error *err)
{
	av_verdict *v = NULL;
	int64_t every = 0;
	int rc;

	if ((rc = latest(e, r->name, r->version, &v, err)) != 0)
		return rc;
	if (r->next_review != 0 && r->next_review <= e->now) {
		av_verdict_destroy(v);
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "field 'next': the next review must be in the future");
	}
	if (r->next_review == 0) {
		/* The schedule's interval, else the profile's for the risk tier. */
		rc = av_store_get_schedule(e->rd, r->name, r->version, schedule_every, &every, err);
		if (rc != 0 || every <= 0)
			every = profile_every(e, v);
		r->next_review = e->now + (every > 0 ? every : DEFAULT_EVERY);
	}
	av_verdict_destroy(v);
	r->reviewer = e->actor;
	r->created_at = e->now;
	return av_store_put_review(e->wr, r, err);
}

int
av_review_waive(const av_review_env *e, av_waiver *w, av_error *err)
{
	av_verdict *v = NULL;
	bool found = false;
	int rc;

	if (w->until != 0 && w->until <= e->now)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "field 'until' must be in the future");
	if ((rc = latest(e, w->name, w->version, &v, err)) != 0)
		return rc;
	for (size_t i = 0; i < v->nfindings && !found; i++)
		found = strcmp(v->findings[i].id, w->finding_id) == 0;
	av_verdict_destroy(v);
	if (!found)
		return av_error_set(err, AV_ENOTFOUND, NULL, 0, 0,
		    "the verdict of %s@%s has no finding '%.128s'", w->name, w->version,
		    w->finding_id);
	w->created_by = e->actor;
	w->created_at = e->now;
	return av_store_add_waiver(e->wr, w, err);
}

int
av_review_schedule(const av_review_env *e, av_schedule *sc, av_error *err)
{
	av_verdict *v = NULL;
	int rc;

	if ((rc = latest(e, sc->name, sc->version, &v, err)) != 0)
		return rc;
	if (sc->every_seconds == 0)
		sc->every_seconds = profile_every(e, v);
	av_verdict_destroy(v);
	if (sc->every_seconds <= 0)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "field 'every' is required");
	if (sc->next_due == 0)
		sc->next_due = e->now + sc->every_seconds;
	sc->updated_at = e->now;
	return av_store_set_schedule(e->wr, sc, e->actor, err);
}
