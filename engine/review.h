/*
 * review.h - what the record adds to an automatic verdict, and the rules of
 * the human side of it: active waivers, the latest human review and whether
 * it stands, when the next review is due and why, freshness; and the checks
 * and defaults of recording a review, a waiver or a schedule.
 *
 * The automatic verdict (plugins → findings → decision) is never rewritten:
 * waivers, reviews and schedules are stored beside it and applied here, in
 * the engine, whenever a verdict is made or read, so that the daemon's
 * replies, its scheduler, `aivet --local` and plugin tests all decide the
 * final verdict the same way.  With no record at hand (plugin tests,
 * `--local` without --database) the same code applies an empty one.
 */
#ifndef ENGINE_REVIEW_H
#define ENGINE_REVIEW_H

#include <stdint.h>

#include "errors.h"
#include "plugin.h"
#include "store.h"
#include "verdict.h"

/* What a verdict is made final against. */
typedef struct av_review_env {
	av_store *rd;            /* the record to read; NULL: none (nothing waived or
	                            reviewed, no schedule) */
	const av_policy *policy; /* the loaded policies: digest, lead times, intervals */
	int64_t now;             /* the time the verdict is judged at */
	/* For the writes below only. */
	av_store *wr;            /* where they are stored (the group committer) */
	const char *actor;       /* who makes them (reviewer, waiver's author, audit actor) */
} av_review_env;

/*
 * Makes v final at e->now: marks the findings with an active waiver as
 * waived (and only those) and decides again; reads the latest human review
 * and whether it stands (recorded for this manifest digest, its next review
 * not yet come); sets the next due date (a schedule's, else a standing
 * review's next date for this manifest, else review_by) with its reason;
 * sets the effective decision (a standing review's, else the decision) and
 * freshness against e->policy.  May be applied again to the same verdict.
 * Must not be called from inside a walk over e->rd.  Returns 0, or the
 * store's error code with err set (v is then not final).
 */
int av_review_apply(av_verdict *v, const av_review_env *e, av_error *err);

/*
 * The review state of a final verdict at time at, as `aivet reviews` shows
 * it: "stale" (made under other policies than p's), "overdue" (a day or
 * more past next_due), "due", "due_soon" (within the profile's lead time) or
 * "current".
 */
const char *av_review_state(const av_verdict *v, const av_policy *p, int64_t at);

/* The profile's lead time (how far before a due date due_soon starts) for
 * v, in seconds. */
int64_t av_review_lead(const av_verdict *v, const av_policy *p);

/*
 * Records a human review of r->name@r->version (which must have a verdict:
 * AV_ENOTFOUND otherwise) by e->actor at e->now.  A next review date given
 * must be in the future (AV_EINVAL); none given, it is the schedule's
 * interval from now, else the profile's interval for the verdict's risk
 * tier, else a year.  Fills r->reviewer, created_at, next_review and id.
 */
int av_review_record(const av_review_env *e, av_review *r, av_error *err);

/*
 * Waives w->finding_id of w->name@w->version by e->actor at e->now.  The
 * finding must be in the component's latest verdict (AV_ENOTFOUND), and an
 * expiry given must be in the future (AV_EINVAL).  Fills created_by,
 * created_at and id.
 */
int av_review_waive(const av_review_env *e, av_waiver *w, av_error *err);

/*
 * Sets the review schedule of sc->name@sc->version (which must have a
 * verdict).  No interval given (every_seconds 0): the profile's for the
 * verdict's risk tier.  No next date (next_due 0): one interval from e->now.
 * Fills the defaults it chose and updated_at.
 */
int av_review_schedule(const av_review_env *e, av_schedule *sc, av_error *err);

#endif
