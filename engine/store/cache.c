/*
 * cache.c - the per-handle cache of parsed verdicts (see cache.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"

static struct av_vcache_slot *
slot_of(const av_vcache *c, int64_t id)
{
	return (struct av_vcache_slot *)&c->slot[(uint64_t)id % AV_VCACHE_SLOTS];
}

void
av_vcache_fini(av_vcache *c)
{
	for (size_t i = 0; i < AV_VCACHE_SLOTS; i++) {
		av_verdict_destroy(c->slot[i].v);
		c->slot[i].v = NULL;
	}
}

const av_verdict *
av_vcache_get(const av_vcache *c, const av_store_key *key)
{
	const struct av_vcache_slot *sl = slot_of(c, key->id);

	if (sl->v != NULL && sl->key.id == key->id && sl->key.evaluated_at == key->evaluated_at &&
	    strcmp(sl->key.manifest_digest, key->manifest_digest) == 0)
		return sl->v;
	return NULL;
}

int
av_vcache_parse(av_vcache *c, const av_store_key *key, const char *text, size_t len,
    const av_verdict **out, av_error *err)
{
	struct av_vcache_slot *sl = slot_of(c, key->id);
	av_verdict *v;
	av_error e;
	cJSON *j;
	int rc;

	if (text == NULL || (j = cJSON_ParseWithLength(text, len)) == NULL)
		return av_error_set(err, AV_ESTORE, NULL, 0, 0,
		    "evaluation %lld: the stored verdict is not valid JSON", (long long)key->id);
	rc = av_verdict_from_json(&v, j, &e);
	cJSON_Delete(j);
	if (rc != 0)
		return av_error_set(err, rc == AV_ENOMEM ? AV_ENOMEM : AV_ESTORE, NULL, 0, 0,
		    "evaluation %lld: the stored verdict cannot be read: %s", (long long)key->id,
		    e.msg);
	v->id = key->id;
	v->cached = false;
	av_verdict_destroy(sl->v);
	sl->key = *key;
	sl->v = v;
	*out = v;
	return 0;
}

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

av_verdict *
av_vcache_copy(const av_verdict *src)
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
