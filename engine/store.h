/*
 * store.h - aivet's record: components and their evaluations (verdicts with
 * findings, and the manifests they were made from), human reviews, review
 * schedules, waivers, alerts, the audit log and a component's history.
 *
 * This is the whole interface; nothing outside engine/store/ knows how the
 * record is kept.  A record is opened by a location: a file path is a SQLite
 * database (the embedded backend, engine/store/sqlite.c); a location of the
 * form scheme://... names another backend by its scheme, and is refused with
 * a clear error when this build has none for it.
 *
 * Threads: one av_store handle per thread for reads (a handle serialises its
 * own calls).  Writes that must be durable go through the group committer
 * (av_store_open with AV_STORE_COMMITTER): any number of threads may write
 * on that one handle; a writer thread takes what is queued into one
 * transaction and each caller returns once its own write is durable, so
 * durability costs one sync per batch, not per request.  The backend's
 * housekeeping (SQLite's WAL checkpoints) runs on that writer thread, off
 * the request path.
 */
#ifndef ENGINE_STORE_H
#define ENGINE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "errors.h"
#include "verdict.h"

typedef struct av_store av_store;

enum {
	AV_STORE_READONLY = 1 << 0,  /* open for reads only; never migrates */
	AV_STORE_COMMITTER = 1 << 1, /* start the group-commit writer thread */
	AV_STORE_FALLBACK = 1 << 2,  /* open read-only when the record cannot be written */
};

/*
 * Opens the record at location (created when absent, unless read-only),
 * brings its schema up to date in one transaction, and returns the handle
 * in *out.  Returns 0, or AV_EINVAL (no location, a scheme no backend of
 * this build opens, or contradictory flags), AV_ESTORE / AV_EREADONLY /
 * AV_EFULL with err saying why.  The caller owns the handle
 * (av_store_close).
 */
int av_store_open(av_store **out, const char *location, int flags, av_error *err);
void av_store_close(av_store *s); /* drains the committer first; NULL is fine */

/*
 * With AV_STORE_FALLBACK, a record that can be read but not written (a
 * read-only file, folder or mount) is opened read-only instead of failing:
 * reads work, and every write fails with AV_EREADONLY naming the location.
 * The schema must then already be current (nothing can be migrated).  A
 * handle with AV_STORE_COMMITTER that fell back tries again, at most once a
 * second, when a write comes or av_store_writable is asked, to open the
 * record for writing; once that works the committer starts and writes go
 * through.  Other handles that fell back stay read-only (they only read
 * anyway).
 *
 * av_store_writable says whether a write could go through now (false for a
 * handle that is read-only); NULL is not writable.
 */
bool av_store_writable(av_store *s);

/* The schema version this build writes (every backend numbers its
 * migrations alike). */
int av_store_schema_version(void);

/*
 * Stores one evaluation: the component (created on first sight), the
 * verdict with its findings, the manifest text, and an audit row naming
 * actor.  Sets v->id.  Returns 0 only once the row is durable; on
 * AV_EFULL / AV_EREADONLY / AV_ESTORE nothing of it is stored.
 */
int av_store_put_evaluation(av_store *s, av_verdict *v, const char *manifest, size_t len,
    const char *actor, av_error *err);

/*
 * The same without waiting: queues the write and returns 0, and done is
 * called exactly once, on the committer's thread (or before this returns,
 * on a handle without one), with 0 and the evaluation id once it is
 * durable, or an error code and err.  v, manifest and actor must stay valid
 * until then; done must not block.  On a non-zero return (invalid input,
 * read-only or closing store) done is never called.  av_store_close waits
 * for every queued write to be settled.
 */
int av_store_put_evaluation_async(av_store *s, const av_verdict *v, const char *manifest,
    size_t len, const char *actor, void (*done)(void *arg, int rc, int64_t id, const av_error *err),
    void *arg, av_error *err);

/*
 * The JSON text of v, the same bytes as cJSON_PrintUnformatted of
 * av_verdict_to_json(v), written without a cJSON tree (engine/verdict.c);
 * used for storing and for replies.  malloc'd (free()); *len (may be NULL)
 * its length; NULL when out of memory.
 */
char *av_verdict_json_text(const av_verdict *v, size_t *len);

/* The stored verdict for this manifest digest under this policy digest and
 * profile, if any (v->cached set).  AV_ENOTFOUND when none. */
int av_store_find_cached(av_store *s, const char *manifest_digest, const char *policy_digest,
    const char *profile, av_verdict **out, av_error *err);

/* The latest verdict of name@version (version NULL: the most recently
 * evaluated version).  AV_ENOTFOUND when none. */
int av_store_latest(av_store *s, const char *name, const char *version, av_verdict **out,
    av_error *err);

/*
 * The same two lookups without a copy: *out is the handle's own cached
 * verdict (v->cached false, v->id set), borrowed: the caller must not change
 * or free it, and it stays valid only until the next verdict read on this
 * handle (av_store_find_cached*, av_store_latest*, av_store_list) or
 * av_store_close.  Reads of waivers, reviews, schedules and history on the
 * same handle leave it valid.
 */
int av_store_find_cached_ref(av_store *s, const char *manifest_digest, const char *policy_digest,
    const char *profile, const av_verdict **out, av_error *err);
int av_store_latest_ref(av_store *s, const char *name, const char *version, const av_verdict **out,
    av_error *err);

/* Runs the lookups between them in one read transaction (one snapshot).
 * Only for a handle that writes through a committer or never writes. */
void av_store_read_begin(av_store *s);
void av_store_read_end(av_store *s);

/* Calls cb with the latest verdict of every component@version, by name
 * then version; cb owns each verdict; a non-zero return stops the walk and
 * is returned. */
int av_store_list(av_store *s, int (*cb)(void *arg, av_verdict *v), void *arg, av_error *err);

/*
 * The manifest text stored under digest: *text (NUL-terminated, owned by the
 * caller, free()) and *len.  AV_ENOTFOUND when none was kept.
 */
int av_store_manifest(av_store *s, const char *digest, char **text, size_t *len, av_error *err);

/* ---- health ------------------------------------------------------------ */

#define AV_STORE_FIGURES 8

/*
 * What a record says about itself, for health and stats.  Every backend
 * fills the same fields; what only one backend has to say goes in figures,
 * by name.  Every string is static.
 */
typedef struct av_store_stats {
	const char *backend; /* "sqlite" */
	int schema_version;  /* of the record as it is stored */
	bool writable;       /* as av_store_writable says now */
	/* Rows in the record. */
	int64_t components;
	int64_t evaluations;
	int64_t reviews;
	int64_t alerts;
	/* What the group committer has done so far; all zero without one. */
	uint64_t batches; /* transactions it committed */
	uint64_t items;   /* writes that went through it (ok or failed) */
	uint64_t retried; /* batches redone write by write after an error */
	uint64_t upkeeps; /* the backend's housekeeping runs between batches */
	/* The backend's own figures (SQLite: the bytes of the database and of
	 * its write-ahead log, and what an upkeep is: a WAL checkpoint). */
	size_t nfigures;
	struct av_store_figure {
		const char *name;
		int64_t value;
	} figures[AV_STORE_FIGURES];
} av_store_stats;

/*
 * Fills *out from the record and the handle: cheap enough for every health
 * request (no integrity scan, no walk of every row's content).  Asking may
 * let a committer that fell back to reading start writing again (see
 * AV_STORE_FALLBACK).  Returns 0, or an AV_E* code with err saying why the
 * record could not be read.
 */
int av_store_get_stats(av_store *s, av_store_stats *out, av_error *err);

/* Adds st to the JSON object into: "backend", "schema_version", the row
 * counts, "committer": {...} and an object named after the backend with
 * its figures.  Returns 0 or AV_ENOMEM. */
int av_store_stats_json(const av_store_stats *st, cJSON *into);

/*
 * Checks the whole record for corruption (SQLite: a quick check of every
 * page): 0 when it is sound, else AV_ESTORE with err saying what is wrong.
 * Its cost grows with the record: for maintenance, not for health.
 */
int av_store_check(av_store *s, av_error *err);

/*
 * Reviews, schedules, waivers, alerts, audit and history.
 *
 * Writes go through the committer like evaluations do, each with an audit
 * row, and return only once durable.  They refer to a component by name and
 * version, which must have been evaluated before (AV_ENOTFOUND otherwise).
 * Times are unix seconds given by the caller (the store has no clock); 0
 * means "none" for optional times.  In the structs passed to a list
 * callback every pointer is borrowed and valid only during that call; a
 * callback must not call into the same handle (AV_EINVAL), and a non-zero
 * return stops the walk and is returned.
 */

typedef enum av_review_decision {
	AV_REVIEW_APPROVE = 0,
	AV_REVIEW_REJECT,
	AV_REVIEW_APPROVE_WITH_CONDITIONS,
} av_review_decision;

/* "approve", "reject", "approve_with_conditions"; parse returns -1 when unknown. */
const char *av_review_decision_name(av_review_decision d);
int av_review_decision_parse(const char *s);

typedef struct av_review {
	int64_t id; /* set by av_store_put_review */
	const char *name;
	const char *version;
	av_review_decision decision;
	const char *reviewer;   /* the reviewer's user name */
	const char *note;       /* may be NULL */
	const char *conditions; /* may be NULL */
	int64_t created_at;
	int64_t next_review;    /* 0 when none */
} av_review;

/*
 * Records a human review (reviewer is also the audit actor).  When
 * next_review is set and the component has a schedule, the schedule's
 * next_due moves to it in the same transaction.
 */
int av_store_put_review(av_store *s, av_review *r, av_error *err);
/* Reviews of name@version (version NULL: of every version), oldest first. */
int av_store_list_reviews(av_store *s, const char *name, const char *version,
    int (*cb)(void *arg, const av_review *r), void *arg, av_error *err);
/*
 * The last review of name@version in history order, with the digest of the
 * manifest the component had when it was recorded ("" when no evaluation
 * came before it), passed to cb; AV_ENOTFOUND when it has none.  One
 * query through the reviews' and evaluations' indexes; no stored verdict
 * text is read, however many reviews the component has.
 */
int av_store_last_review(av_store *s, const char *name, const char *version,
    int (*cb)(void *arg, const av_review *r, const char *digest), void *arg, av_error *err);

typedef struct av_schedule {
	const char *name;
	const char *version;
	int64_t every_seconds; /* > 0 */
	const char *owner;     /* may be NULL */
	int64_t next_due;
	int64_t updated_at;
} av_schedule;

/* Creates or replaces the schedule of a component; actor goes to the audit log. */
int av_store_set_schedule(av_store *s, const av_schedule *sc, const char *actor, av_error *err);
/* Removes it; AV_ENOTFOUND when there is none. */
int av_store_remove_schedule(av_store *s, const char *name, const char *version, int64_t at,
    const char *actor, av_error *err);
/* The schedule of name@version passed to cb; AV_ENOTFOUND when none. */
int av_store_get_schedule(av_store *s, const char *name, const char *version,
    int (*cb)(void *arg, const av_schedule *sc), void *arg, av_error *err);
/* Schedules due at or before `before`, soonest first (then by name, version). */
int av_store_list_due(av_store *s, int64_t before, int (*cb)(void *arg, const av_schedule *sc),
    void *arg, av_error *err);

/* Why a finding is waived, in the spirit of CycloneDX VEX. */
typedef enum av_justification {
	AV_JUST_NOT_APPLICABLE = 0,
	AV_JUST_MITIGATED,
	AV_JUST_ACCEPTED_RISK,
	AV_JUST_FALSE_POSITIVE,
} av_justification;

/* "not_applicable", "mitigated", "accepted_risk", "false_positive"; -1 when unknown. */
const char *av_justification_name(av_justification j);
int av_justification_parse(const char *s);

typedef struct av_waiver {
	int64_t id; /* set by av_store_add_waiver */
	const char *name;
	const char *version;
	const char *finding_id;
	av_justification justification;
	const char *note;       /* may be NULL */
	int64_t until;          /* 0: no expiry */
	const char *created_by; /* also the audit actor */
	int64_t created_at;
	int64_t revoked_at; /* 0 while not revoked */
} av_waiver;

int av_store_add_waiver(av_store *s, av_waiver *w, av_error *err);
/* Revokes waiver id at time `at`; AV_ENOTFOUND when absent or already revoked. */
int av_store_revoke_waiver(av_store *s, int64_t id, int64_t at, const char *actor, av_error *err);

typedef enum av_waiver_filter {
	AV_WAIVERS_ACTIVE = 0, /* not revoked and not expired at `at` */
	AV_WAIVERS_EXPIRED,    /* not revoked, expired at or before `at` */
	AV_WAIVERS_ALL,
} av_waiver_filter;

/* Waivers of name@version (name NULL: of every component; version NULL: of
 * every version), by component then id. */
int av_store_list_waivers(av_store *s, const char *name, const char *version, int64_t at,
    av_waiver_filter which, int (*cb)(void *arg, const av_waiver *w), void *arg, av_error *err);

typedef struct av_alert {
	int64_t id;             /* the cursor: set by av_store_add_alert */
	const char *topic;      /* "review.due" */
	const char *name;       /* NULL when the alert is about no component */
	const char *version;
	const char *dedupe_key; /* the same key is stored once, ever */
	const char *payload;    /* a JSON text */
	int64_t created_at;
} av_alert;

/*
 * Stores the alert unless one with its dedupe key exists: *is_new says
 * which, and a->id is the stored alert's id either way.
 */
int av_store_add_alert(av_store *s, av_alert *a, bool *is_new, av_error *err);
/* Alerts with id > since_id, oldest first, at most limit (0: all). */
int av_store_list_alerts(av_store *s, int64_t since_id, size_t limit,
    int (*cb)(void *arg, const av_alert *a), void *arg, av_error *err);

typedef struct av_audit {
	int64_t id;
	int64_t at;
	const char *actor;
	const char *action; /* "evaluate", "review", "waive", "schedule", ... */
	const char *target; /* "name@version", or NULL */
	const char *detail; /* a JSON text, or NULL */
	bool denied;        /* the attempt was refused */
} av_audit;

/* Appends one audit row (refused attempts, reloads...). */
int av_store_audit(av_store *s, av_audit *a, av_error *err);
/* Audit rows about target (NULL: all), oldest first. */
int av_store_list_audit(av_store *s, const char *target,
    int (*cb)(void *arg, const av_audit *a), void *arg, av_error *err);

typedef enum av_history_kind {
	AV_HISTORY_EVALUATION = 0,
	AV_HISTORY_REVIEW,
	AV_HISTORY_ALERT,
} av_history_kind;

typedef struct av_history_event {
	av_history_kind kind;
	int64_t id; /* evaluation, review or alert id */
	int64_t at;
	const char *name;
	const char *version;
	const char *what;   /* the decision, review decision or alert topic */
	const char *who;    /* actor or reviewer; NULL for alerts */
	const char *detail; /* verdict JSON, review note, or alert payload; may be NULL */
} av_history_event;

/* Evaluations, reviews and alerts of name@version (version NULL: every
 * version) in time order (ties: evaluations, reviews, alerts, then id). */
int av_store_history(av_store *s, const char *name, const char *version,
    int (*cb)(void *arg, const av_history_event *e), void *arg, av_error *err);

#endif
