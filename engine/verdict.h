/*
 * verdict.h - findings and verdicts: what the plugins report and what aivet
 * decides from it.
 *
 * A verdict is computed by the plugin host (plugin.h), stored by the store
 * (store.h) as the automatic verdict, and made final by the record
 * (review.h: waivers, the human review, the next due date, freshness) in
 * the one evaluation pipeline (evaluate.h).  This module holds the data
 * type, the mechanical decision rules, and the JSON forms used on the wire
 * and in the database.
 */
#ifndef ENGINE_VERDICT_H
#define ENGINE_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "errors.h"

typedef enum av_severity {
	AV_SEV_INFO = 0,
	AV_SEV_WARN,
	AV_SEV_REVIEW,
	AV_SEV_BLOCK,
} av_severity;

typedef enum av_decision {
	AV_APPROVED = 0,
	AV_NEEDS_REVIEW,
	AV_REJECTED,
} av_decision;

typedef enum av_risk {
	AV_RISK_LOW = 0,
	AV_RISK_MEDIUM,
	AV_RISK_HIGH,
} av_risk;

typedef enum av_freshness {
	AV_FRESH_CURRENT = 0,
	AV_FRESH_DUE_SOON,
	AV_FRESH_OVERDUE,
	AV_FRESH_STALE,
} av_freshness;

/* Names and their parsers ("info", "needs_review", "high", "due_soon"...).
 * The parsers return -1 for an unknown name. */
const char *av_severity_name(av_severity s);
int av_severity_parse(const char *s);
const char *av_decision_name(av_decision d);
int av_decision_parse(const char *s);
const char *av_risk_name(av_risk r);
int av_risk_parse(const char *s);
const char *av_freshness_name(av_freshness f);
int av_freshness_parse(const char *s);

typedef struct av_finding {
	char *area;     /* "license" */
	char *id;       /* "license.weights.noncommercial" */
	av_severity severity;
	char *message;
	char *evidence; /* dotted path into the manifest, may be NULL */
	char *remedy;   /* may be NULL */
	char *plugin;   /* name of the plugin that reported it */
	bool waived;    /* a reviewer waived it; it no longer drives the decision */
} av_finding;

/*
 * The latest human review of a component as it bears on one verdict
 * (filled by av_review_apply, engine/review.h).  The strings belong to the
 * verdict.
 */
typedef struct av_verdict_review {
	bool present;        /* false: none recorded ("review": null) */
	int decision;        /* an av_review_decision (store.h) */
	char *reviewer;      /* "" when unknown; set when present */
	char *note;          /* "" when none; set when present */
	int64_t at;          /* when it was recorded */
	int64_t next_review; /* 0: none */
	int64_t id;          /* the store's review id */
	bool stands;         /* of this manifest, and its next review not yet due */
} av_verdict_review;

typedef struct av_verdict {
	/* The component. */
	char *name;
	char *version;
	char *kind;
	char manifest_digest[65]; /* sha256 of the normalised manifest */
	/* The judgement. */
	av_decision decision;
	av_risk risk;
	char *profile;
	char policy_digest[65];
	int64_t evaluated_at; /* unix seconds */
	int64_t review_by;    /* unix seconds */
	bool cached;          /* served from the store without running plugins */
	int64_t id;           /* the store's evaluation id; 0 when not stored */
	av_freshness freshness; /* filled by the store on lookup */
	av_finding *findings;
	size_t nfindings;
	size_t cap;
	/*
	 * What the record adds, set by av_review_apply (engine/review.h), which
	 * also sets freshness, each finding's waived and the decision they
	 * give.  Written to JSON only when final.
	 */
	bool final;
	av_decision effective;    /* the decision that counts: a standing review's */
	av_verdict_review review; /* the latest human review */
	int64_t next_due;         /* when the next review is due (unix seconds) */
	const char *due_from;     /* why: "schedule", "review" or "verdict" (static) */
	char *due_owner;          /* the schedule's owner; NULL without one */
	int64_t due_every;        /* the schedule's interval; 0 without one */
} av_verdict;

/* Allocates an empty verdict; NULL when out of memory. */
av_verdict *av_verdict_create(void);
/* Frees a verdict and everything it owns.  NULL is fine. */
void av_verdict_destroy(av_verdict *v);

/* Appends a finding; strings are copied (NULL allowed for evidence,
 * remedy, plugin).  Returns 0 or AV_ENOMEM. */
int av_verdict_add(av_verdict *v, const char *area, const char *id, av_severity sev,
    const char *message, const char *evidence, const char *remedy, const char *plugin);

/* Sets v->decision from the findings: rejected if any unwaived block, else
 * needs_review if any unwaived review, else approved. */
void av_verdict_decide(av_verdict *v);

/* Frees what the record added (the final fields) and clears them: v is no
 * longer final.  NULL is fine. */
void av_verdict_clear_final(av_verdict *v);

/*
 * A verdict that shares the strings of another (the store's borrowed
 * cached verdict, store.h) and owns only what changes per request: the
 * findings array (for waived) and the final fields.  vw->v must not be
 * passed to av_verdict_destroy; ref must outlive the view and must not be
 * changed while it lives.  init returns 0 or AV_ENOMEM; fini accepts a view
 * whose init failed.
 */
typedef struct av_verdict_view {
	av_verdict v;
	av_finding local[32];
	av_finding *heap;
} av_verdict_view;

int av_verdict_view_init(av_verdict_view *vw, const av_verdict *ref);
void av_verdict_view_fini(av_verdict_view *vw);

/*
 * How fresh a stored verdict is at time now: stale when it was made under
 * other policies than policy_digest (the loaded ones), else overdue when
 * now >= review_by, else due_soon when now >= review_by - lead_seconds,
 * else current.
 */
av_freshness av_verdict_freshness(const av_verdict *v, const char *policy_digest, int64_t now,
    int64_t lead_seconds);

/*
 * The wire/storage form, documented in docs/protocol.md:
 * {"component":{"name","version","kind","digest"}, "decision", "risk",
 *  "profile", "review_by" (ISO 8601 date), "freshness", "policy_digest",
 *  "evaluated_at" (ISO 8601 UTC), "cached", "id", "findings":[{"area","id",
 *  "severity","message","evidence","remedy","plugin","waived"}]}
 * and, when v is final, "effective_decision", "review" (null or {"decision",
 * "reviewer","at","note","next_review","stands"}) and "next_due" after the
 * findings.  to_json returns a new cJSON object (NULL when out of memory);
 * from_json fills a new verdict (never final: the final fields are the
 * record's, not the stored verdict's) and returns 0, or AV_ESCHEMA with err
 * naming the field that was missing or of the wrong type.
 */
cJSON *av_verdict_to_json(const av_verdict *v);
int av_verdict_from_json(av_verdict **out, const cJSON *j, av_error *err);

/*
 * The same form as text, written in one pass without a cJSON tree: the same
 * bytes as cJSON_PrintUnformatted(av_verdict_to_json(v)), final fields
 * included when v is final.  This is what replies carry.  malloc'd (free());
 * *len (may be NULL) its length; NULL when out of memory.  (The store keeps
 * the automatic verdict with av_verdict_json_text, store.h, which never
 * writes the final fields.)
 */
char *av_verdict_text(const av_verdict *v, size_t *len);

#endif
