/*
 * evaluate.c - the one evaluation pipeline (see evaluate.h): reading the
 * manifest, preparing the component, the digest, the verdict cache, the
 * plugins, storing, and the final verdict.
 *
 * What each step decides lives in its own module (component.c, plugin.c,
 * store.c, review.c); this file only puts them in the one order every
 * caller shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component.h"
#include "evaluate.h"
#include "plugin_int.h" /* av_runtime_evaluate_only */
#include "review.h"
#include "sha256.h"

void
av_eval_init(av_eval *ev)
{
	ev->v = NULL;
	ev->cached = false;
	ev->must_store = false;
	ev->automatic = AV_APPROVED;
	ev->digest[0] = '\0';
	ev->canon = NULL;
	ev->canon_len = 0;
	ev->doc = NULL;
	ev->own = NULL;
	ev->viewing = false;
}

void
av_eval_fini(av_eval *ev)
{
	if (ev->viewing)
		av_verdict_view_fini(&ev->view);
	av_verdict_destroy(ev->own);
	av_doc_destroy(ev->doc);
	free(ev->canon);
	av_eval_init(ev);
}

/*
 * Manifest text that is a JSON object (as the aivet CLI and most tools send
 * it) is read with cJSON, several times faster than the YAML reader; only
 * when that fails is it read again as YAML/JSON by av_doc_parse, whose
 * errors carry line and column.
 */
static int
read_text(av_doc **doc, const char *text, size_t len, const char *file, av_error *err)
{
	size_t i = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	if (i < len && text[i] == '{') {
		cJSON *j = cJSON_ParseWithLength(text, len);
		if (j != NULL) {
			int rc = av_doc_from_json(doc, j, file, NULL, err);
			cJSON_Delete(j);
			return rc;
		}
	}
	return av_doc_parse(doc, text, len, AV_FMT_AUTO, file, NULL, err);
}

/* The input as a document: the caller's, or one made from its text or JSON. */
static int
read_input(av_eval *ev, const av_eval_in *in, const char *file, av_doc **doc, av_error *err)
{
	int rc;

	if (in->doc != NULL) {
		*doc = in->doc;
		return 0;
	}
	if (in->json != NULL)
		rc = av_doc_from_json(&ev->doc, in->json, file, NULL, err);
	else if (in->text != NULL)
		rc = read_text(&ev->doc, in->text, in->len, file, err);
	else
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no manifest to evaluate");
	if (rc != 0) {
		/* What cannot be read as a document is a bad manifest; err says
		 * what and where. */
		if (rc != AV_ENOMEM) {
			rc = AV_ESCHEMA;
			if (err != NULL)
				err->code = rc;
		}
		return rc;
	}
	*doc = ev->doc;
	return 0;
}

/* The canonical JSON of the component and its sha256, made once: the digest
 * names the manifest, the text is what the store keeps. */
static int
digest_of(av_eval *ev, const av_eval_in *in, const av_doc *doc, av_error *err)
{
	if (in->as_component && in->digest != NULL && in->text != NULL) {
		/* A stored manifest: its text is the canonical JSON already. */
		if ((ev->canon = malloc(in->len + 1)) == NULL)
			return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		memcpy(ev->canon, in->text, in->len);
		ev->canon[in->len] = '\0';
		ev->canon_len = in->len;
		snprintf(ev->digest, sizeof(ev->digest), "%s", in->digest);
		return 0;
	}
	if ((ev->canon = av_node_to_json(av_doc_root(doc), &ev->canon_len)) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	av_sha256_hex(ev->canon, ev->canon_len, ev->digest);
	return 0;
}

int
av_eval_finish(av_eval *ev, const av_eval_env *env, av_error *err)
{
	av_review_env re = {
		.rd = env->rd,
		.policy = av_runtime_policy(env->rt),
		.now = env->now,
	};
	av_verdict *v = ev->v;
	int rc;

	ev->must_store = false;
	if (v == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no verdict to finish");
	if ((rc = av_review_apply(v, &re, err)) != 0) {
		ev->v = NULL;
		return rc;
	}
	return 0;
}

/* The cached path: AV_ENOTFOUND when the store has no verdict to reuse (or
 * cannot say), else the final verdict or the error of making it final. */
static int
from_cache(av_eval *ev, const av_eval_env *env, const char *digest, const char *profile,
    av_error *err)
{
	const av_policy *p = av_runtime_policy(env->rt);
	const av_verdict *ref;
	av_error miss;

	if (env->rd == NULL ||
	    av_store_find_cached_ref(env->rd, digest, av_policy_digest(p), profile, &ref, &miss) != 0)
		return AV_ENOTFOUND;
	if (av_verdict_view_init(&ev->view, ref) != 0) {
		av_verdict_view_fini(&ev->view);
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	}
	ev->viewing = true;
	ev->view.v.cached = true;
	ev->v = &ev->view.v;
	ev->cached = true;
	/* The store keeps automatic verdicts: its decision is the automatic one. */
	ev->automatic = ref->decision;
	if (ev->digest != digest)
		snprintf(ev->digest, sizeof(ev->digest), "%s", digest);
	return av_eval_finish(ev, env, err);
}

int
av_eval_cached(av_eval *ev, const av_eval_env *env, const char *digest, const char *profile,
    av_error *err)
{
	if (!av_policy_has_profile(av_runtime_policy(env->rt), profile))
		return AV_ENOTFOUND;
	return from_cache(ev, env, digest, profile, err);
}

int
av_evaluate(av_eval *ev, const av_eval_env *env, const av_eval_in *in, av_error *err)
{
	const char *profile = in->profile != NULL ? in->profile : "default";
	const char *file = in->file != NULL ? in->file : "<manifest>";
	av_doc *doc = NULL;
	av_verdict *v;
	int rc;

	/* 1. The profile. */
	if (!av_policy_has_profile(av_runtime_policy(env->rt), profile))
		return av_error_set(err, AV_ENOTFOUND, NULL, 0, 0, "unknown profile '%s'", profile);
	/* 2-4. The component and its digest. */
	if ((rc = read_input(ev, in, file, &doc, err)) != 0)
		return rc;
	if (!in->as_component && (rc = av_component_prepare(doc, file, err)) != 0)
		return rc;
	if ((rc = digest_of(ev, in, doc, err)) != 0)
		return rc;
	/* 5. The cache. */
	if (!in->refresh && (rc = from_cache(ev, env, ev->digest, profile, err)) != AV_ENOTFOUND)
		return rc;
	/* 6. The plugins. */
	if ((rc = av_runtime_evaluate_only(env->rt, av_doc_root(doc), profile, env->now,
		 env->plugins, env->nplugins, &ev->own, err)) != 0)
		return rc;
	v = ev->own;
	memcpy(v->manifest_digest, ev->digest, sizeof(v->manifest_digest));
	if (in->review_by_max != 0 && in->review_by_max < v->review_by)
		v->review_by = in->review_by_max;
	ev->automatic = v->decision;
	ev->v = v;
	/* The pipeline's own document is not needed any more. */
	av_doc_destroy(ev->doc);
	ev->doc = NULL;
	/* 7. Stored as the automatic verdict. */
	if (env->store_later) {
		ev->must_store = true;
		return 0;
	}
	if (env->wr != NULL &&
	    (rc = av_store_put_evaluation(env->wr, v, ev->canon, ev->canon_len, env->actor, err)) != 0) {
		ev->v = NULL;
		return rc;
	}
	/* 8. Final. */
	return av_eval_finish(ev, env, err);
}
