/*
 * cache.h - parsed verdicts kept per read handle, above any backend.
 * Private to engine/store/.
 *
 * A stored evaluation never changes, so a lookup that finds the same
 * evaluation again (the same key: id, manifest digest and time) takes the
 * verdict parsed before instead of reading and parsing its JSON text.  The
 * cache has a fixed number of slots, chosen by id; it is not thread-safe
 * (its handle's lock guards it).
 */
#ifndef ENGINE_STORE_CACHE_H
#define ENGINE_STORE_CACHE_H

#include "backend.h"

#define AV_VCACHE_SLOTS 256

typedef struct av_vcache {
	struct av_vcache_slot {
		av_store_key key;
		av_verdict *v; /* owned; NULL when the slot is empty */
	} slot[AV_VCACHE_SLOTS];
} av_vcache;

/* Frees every verdict kept; the cache is then empty (a zeroed cache is an
 * empty one too). */
void av_vcache_fini(av_vcache *c);

/* The verdict kept for key, borrowed until the slot is reused, or NULL. */
const av_verdict *av_vcache_get(const av_vcache *c, const av_store_key *key);

/*
 * Parses text, the stored verdict of the evaluation key names, keeps it in
 * its slot (replacing what was there) and lends it through *out.  Returns
 * 0, or AV_ESTORE (the text is not a verdict) / AV_ENOMEM with err naming
 * the evaluation; the cache is then unchanged.
 */
int av_vcache_parse(av_vcache *c, const av_store_key *key, const char *text, size_t len,
    const av_verdict **out, av_error *err);

/* A deep copy of v, owned by the caller; NULL when out of memory. */
av_verdict *av_vcache_copy(const av_verdict *v);

#endif
