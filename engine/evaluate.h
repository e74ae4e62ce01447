/*
 * evaluate.h - the one evaluation pipeline: manifest bytes or a document →
 * prepared component → plugins → findings → automatic verdict → (stored)
 * → final verdict (waivers, human review, next due date and freshness,
 * review.h).
 *
 * The daemon's evaluate requests, its scheduler's re-evaluations,
 * `aivet check --local` and `aivet plugin test` all evaluate through
 * av_evaluate, so a manifest gets the same verdict, byte for byte, from
 * each of them.  The cached path (the same manifest digest under the same
 * policy digest and profile answered from the store without running the
 * plugins) is part of it.
 *
 * Not thread-safe by itself: an av_eval and the runtime and store handles
 * of its environment belong to one thread at a time.
 */
#ifndef ENGINE_EVALUATE_H
#define ENGINE_EVALUATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "errors.h"
#include "doc.h"
#include "plugin.h"
#include "store.h"
#include "verdict.h"

/* Where an evaluation runs, reads and writes. */
typedef struct av_eval_env {
	av_runtime *rt;    /* required: the plugins, and the policy they belong to */
	av_store *rd;      /* the record to read (verdict cache, waivers, reviews,
	                      schedules); NULL: none */
	av_store *wr;      /* where a fresh verdict is stored before it is made final
	                      (the group committer); NULL: not stored */
	bool store_later;  /* the caller stores fresh verdicts itself (see av_evaluate) */
	const char *actor; /* the audit row's actor when storing */
	int64_t now;       /* the clock every date of the verdict comes from */
	/* Only these plugins run (plugin tests); NULL: all of the profile's. */
	const char *const *plugins;
	size_t nplugins;
} av_eval_env;

/* What is evaluated: exactly one of text, json or doc. */
typedef struct av_eval_in {
	const char *text;    /* the manifest's YAML or JSON text... */
	size_t len;
	const cJSON *json;   /* ...or a JSON object... */
	av_doc *doc;         /* ...or a parsed document (borrowed; prepared in place) */
	const char *file;    /* names the manifest in errors; NULL: "<manifest>" */
	const char *profile; /* NULL: "default" */
	bool refresh;        /* do not answer from the cache */
	/*
	 * The document is already the component the plugins see and is not
	 * validated or normalised again: a stored manifest (text is then the
	 * canonical JSON kept under digest, which must be given) or a plugin
	 * test's table.
	 */
	bool as_component;
	const char *digest;
	/* A re-evaluation never postpones a review: review_by stays at most
	 * this (0: no bound). */
	int64_t review_by_max;
} av_eval_in;

/* One evaluation: av_eval_init, av_evaluate, then av_eval_fini. */
typedef struct av_eval {
	av_verdict *v;      /* the verdict: final once av_evaluate returned 0, unless
	                       must_store; NULL before and after failure */
	bool cached;        /* answered from the store: the plugins did not run */
	bool must_store;    /* store_later: v is automatic, to be stored (canon, digest)
	                       and then made final with av_eval_finish */
	av_decision automatic; /* the automatic decision (no waiver, no review) */
	char digest[65];    /* sha256 of the canonical JSON of the prepared manifest */
	char *canon;        /* that canonical JSON: what the store keeps (not with cached) */
	size_t canon_len;
	/* Private. */
	av_doc *doc;          /* the document when the pipeline made it */
	av_verdict *own;      /* a fresh verdict */
	av_verdict_view view; /* a cached one, borrowed from the store */
	bool viewing;
} av_eval;

void av_eval_init(av_eval *ev);
/* Frees what the evaluation holds; the verdict goes with it. */
void av_eval_fini(av_eval *ev);

/*
 * Evaluates one manifest, all the way:
 *   1. the profile must be loaded (AV_ENOTFOUND "unknown profile");
 *   2. the input is read into a document (text: JSON by cJSON when it is a
 *      JSON object, else YAML/JSON with line and column in errors); what
 *      cannot be read is AV_ESCHEMA (a bad manifest), or AV_ENOMEM;
 *   3. validated and normalised (av_component_prepare), unless as_component;
 *   4. digested: the sha256 of its canonical JSON, made once;
 *   5. unless refresh, answered from the verdict cache when the record
 *      holds a verdict of this digest under the loaded policy and profile
 *      (ev->cached; nothing is stored);
 *   6. else the plugins run (av_runtime_evaluate) and give the automatic
 *      verdict, its review date bounded by review_by_max;
 *   7. stored through env->wr when set (its id then set), or left to the
 *      caller with store_later: av_evaluate then returns 0 with
 *      ev->must_store, and the caller stores ev->v with ev->canon, sets
 *      ev->v->id, and calls av_eval_finish;
 *   8. made final (av_review_apply) against env->rd at env->now.
 * Returns 0 or an error code with err naming what and where; on error
 * ev->v is NULL (nothing was stored, unless the failure came after the
 * store, in which case the stored row stands and err says so).
 */
int av_evaluate(av_eval *ev, const av_eval_env *env, const av_eval_in *in, av_error *err);

/*
 * Step 8 alone, for a verdict stored by the caller (store_later), with the
 * environment of whichever thread finishes it.  Returns 0 or an error.
 */
int av_eval_finish(av_eval *ev, const av_eval_env *env, av_error *err);

/*
 * The cached path alone, for a digest already known (a request seen
 * before): the stored verdict of digest under env's policy and profile,
 * made final.  Returns 0, AV_ENOTFOUND when there is none (or the profile
 * is not loaded), or an error.
 */
int av_eval_cached(av_eval *ev, const av_eval_env *env, const char *digest, const char *profile,
    av_error *err);

#endif
