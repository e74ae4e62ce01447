/*
 * store.c - the record's interface (engine/store.h) over its backends: the
 * choice of backend by location, the checks of what callers pass, the audit
 * row that goes with every write, and the handle that ties a reading
 * session, the verdict cache (cache.c) and the group committer
 * (committer.c) together.  No SQL here: each backend keeps its rows behind
 * the operations of backend.h.
 *
 * A handle's reading session and its cache are used under the handle's
 * lock (error-checking, so that a callback calling back into its own handle
 * is refused rather than deadlocked).  Writes go through the committer when
 * the handle has one, else run in their own transaction on the reading
 * session.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlite.h"
#include "store_int.h"

/* The backends of this build: the first that claims a location opens it. */
static const struct av_store_backend *const backends[] = {&av_store_sqlite};

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- opening ----------------------------------------------------------- */

/* Whether be opens locations with this scheme (n bytes). */
static bool
has_scheme(const struct av_store_backend *be, const char *scheme, size_t n)
{
	for (const char *const *p = be->schemes; p != NULL && *p != NULL; p++)
		if (strlen(*p) == n && strncasecmp(*p, scheme, n) == 0)
			return true;
	return false;
}

/*
 * The backend for location: the one whose scheme it names (scheme://...),
 * or for a plain path the one that opens files.  Only the scheme is named
 * in an error: the rest of a URL may hold a password.
 */
static int
pick_backend(const char *location, const struct av_store_backend **out, av_error *err)
{
	static const char scheme_chars[] = "abcdefghijklmnopqrstuvwxyz"
					   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-";
	size_t n = strspn(location, scheme_chars);
	bool url = n > 0 && isalpha((unsigned char)location[0]) &&
	    strncmp(location + n, "://", 3) == 0;
	char names[128] = "";

	for (int i = 0; i < NELEM(backends); i++) {
		if (url ? has_scheme(backends[i], location, n) : backends[i]->schemes == NULL) {
			*out = backends[i];
			return 0;
		}
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
		    i > 0 ? ", " : "", backends[i]->name);
	}
	return av_error_set(err, AV_EINVAL, NULL, 0, 0,
	    "%.*s:// is not a store this aivet can open: it has no backend for that scheme "
	    "(backends: %s)",
	    (int)(n > 32 ? 32 : n), location, names);
}

int
av_store_open(av_store **out, const char *location, int flags, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	const struct av_store_backend *be;
	pthread_mutexattr_t ma;
	av_store_mode mode;
	bool fell_back = false;
	av_store *s;
	int rc;

	*out = NULL;
	if (av_store_empty(location))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no database path given");
	if ((flags & AV_STORE_READONLY) && (flags & AV_STORE_COMMITTER))
		return av_error_set(err, AV_EINVAL, location, 0, 0,
		    "a read-only store cannot have a committer");
	if ((rc = pick_backend(location, &be, err)) != 0)
		return rc;
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->location = strdup(location)) == NULL) {
		free(s);
		return av_error_set(err, AV_ENOMEM, location, 0, 0, "out of memory");
	}
	s->be = be;
	s->flags = flags;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&s->lock, &ma);
	pthread_mutexattr_destroy(&ma);

	mode = (flags & AV_STORE_READONLY)   ? AV_STORE_MODE_READ
	    : (flags & AV_STORE_FALLBACK) ? AV_STORE_MODE_FALLBACK
					  : AV_STORE_MODE_WRITE;
	if ((rc = be->open(&s->rd, location, mode, &fell_back, err)) != 0)
		goto fail;
	/* A committer that fell back tries writing again later; any other
	 * handle simply becomes read-only. */
	if (fell_back && !(flags & AV_STORE_COMMITTER))
		s->flags |= AV_STORE_READONLY;
	if ((flags & AV_STORE_COMMITTER) &&
	    (rc = av_committer_create(&s->cm, be, location, fell_back, err)) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	av_store_close(s);
	return rc;
}

void
av_store_close(av_store *s)
{
	if (s == NULL)
		return;
	av_committer_destroy(s->cm);
	if (s->rd != NULL)
		s->be->close(s->rd);
	av_vcache_fini(&s->vc);
	pthread_mutex_destroy(&s->lock);
	free(s->location);
	free(s);
}

bool
av_store_writable(av_store *s)
{
	if (s == NULL || (s->flags & AV_STORE_READONLY))
		return false;
	return s->cm == NULL || av_committer_writable(s->cm);
}

int
av_store_schema_version(void)
{
	return backends[0]->schema_version;
}

av_store_db *
av_store_session(av_store *s, bool writer)
{
	if (!writer)
		return s->rd;
	return s->cm != NULL ? av_committer_session(s->cm) : NULL;
}

/* ---- the handle's lock ------------------------------------------------- */

static int
lock_rd(av_store *s, av_error *err)
{
	int e = pthread_mutex_lock(&s->lock);

	if (e == EDEADLK)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "store handle used from inside one of its own callbacks");
	if (e != 0)
		return av_error_set(err, AV_EINTERNAL, NULL, 0, 0, "store lock: %s", strerror(e));
	if (s->be->refresh != NULL)
		s->be->refresh(s->rd);
	return 0;
}

int
av_store_enter(av_store *s, bool ok, const char *what, av_error *err)
{
	if (s == NULL || !ok)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "%s", what);
	return lock_rd(s, err);
}

int
av_store_leave(av_store *s, int rc)
{
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* Begins or ends the handle's read transaction; on an error each read then
 * runs on its own, as without one. */
static void
read_tx(av_store *s, bool begin)
{
	av_error err;

	if (s == NULL || lock_rd(s, &err) != 0)
		return;
	(begin ? s->be->read_begin : s->be->read_end)(s->rd);
	pthread_mutex_unlock(&s->lock);
}

void
av_store_read_begin(av_store *s)
{
	read_tx(s, true);
}

void
av_store_read_end(av_store *s)
{
	read_tx(s, false);
}

/* ---- writes ------------------------------------------------------------ */

int
av_store_submit(av_store *s, av_store_write *w, av_error *err)
{
	int rc;

	if (s->flags & AV_STORE_READONLY)
		return av_error_set(err, AV_EREADONLY, s->location, 0, 0,
		    "the database was opened read-only");
	if (s->cm != NULL)
		return av_committer_submit(s->cm, w, err);
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	av_store_write_run(s->rd, w);
	if (s->be->upkeep_due(s->rd, false))
		s->be->upkeep(s->rd);
	av_store_leave(s, 0);
	/* Settled outside the lock: a callback may use the handle. */
	if (av_store_write_settle(w, s->location))
		return 0;
	if (w->rc != 0 && err != NULL)
		*err = w->err;
	return w->rc;
}

cJSON *
av_store_detail_num(cJSON *o, const char *key, int64_t n)
{
	if (o != NULL && cJSON_AddNumberToObject(o, key, (double)n) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *
av_store_detail_str(cJSON *o, const char *key, const char *s)
{
	if (o != NULL && s != NULL && cJSON_AddStringToObject(o, key, s) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int
av_store_audit_row(av_store_db *db, int64_t at, const char *actor, const char *action,
    const char *name, const char *version, bool with_detail, cJSON *detail, av_error *err)
{
	char *text = NULL, *target = NULL;
	int64_t id;
	int rc;

	if (with_detail && (detail == NULL || (text = cJSON_PrintUnformatted(detail)) == NULL)) {
		cJSON_Delete(detail);
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the audit row");
	}
	cJSON_Delete(detail);
	if (name != NULL && version != NULL && asprintf(&target, "%s@%s", name, version) < 0) {
		cJSON_free(text);
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the audit row");
	}
	av_audit a = {.at = at, .actor = actor, .action = action,
	    .target = target != NULL ? target : name, .detail = text};
	rc = db->be->append_audit(db, &a, &id, err);
	free(target);
	cJSON_free(text);
	return rc;
}

/* ---- evaluations ------------------------------------------------------- */

struct put_eval {
	const av_verdict *v;
	const char *json;
	const char *manifest;
	size_t len;
	const char *actor;
};

static int
apply_put_eval(av_store_db *db, av_store_write *w, av_error *err)
{
	const struct put_eval *p = w->arg;
	const av_verdict *v = p->v;
	cJSON *d;
	int rc;

	if ((rc = db->be->put_evaluation(db, v, p->json, p->manifest, p->len, p->actor, &w->id,
		 err)) != 0)
		return rc;
	d = av_store_detail_num(cJSON_CreateObject(), "evaluation", w->id);
	d = av_store_detail_str(d, "decision", av_decision_name(v->decision));
	d = av_store_detail_str(d, "manifest_digest", v->manifest_digest);
	d = av_store_detail_str(d, "policy_digest", v->policy_digest);
	d = av_store_detail_str(d, "profile", v->profile);
	return av_store_audit_row(db, v->evaluated_at, p->actor, "evaluate", v->name, v->version,
	    true, d, err);
}

static bool
is_digest(const char *d)
{
	size_t i;

	for (i = 0; d[i] != '\0'; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return false;
	return i == 64;
}

/* What every stored evaluation needs; its JSON text in *json (malloc'd). */
static int
prepare_put(av_store *s, const av_verdict *v, const char *actor, char **json, size_t *len,
    av_error *err)
{
	if (s == NULL || v == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store or no verdict");
	if (av_store_empty(v->name) || av_store_empty(v->version) || av_store_empty(v->profile) ||
	    av_store_empty(actor))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "a stored verdict needs a name, version, profile and actor");
	if (!is_digest(v->manifest_digest) || !is_digest(v->policy_digest))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "verdict for %s@%s: manifest and policy digests must be 64 lowercase hex digits",
		    v->name, v->version);
	if ((*json = av_verdict_json_text(v, len)) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the verdict");
	return 0;
}

int
av_store_put_evaluation(av_store *s, av_verdict *v, const char *manifest, size_t len,
    const char *actor, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct put_eval p = {v, NULL, manifest, len, actor};
	av_store_write w = {.apply = apply_put_eval, .arg = &p};
	char *text;
	int rc;

	if ((rc = prepare_put(s, v, actor, &text, NULL, err)) != 0)
		return rc;
	p.json = text;
	if ((rc = av_store_submit(s, &w, err)) == 0)
		v->id = w.id;
	free(text);
	return rc;
}

/* An evaluation write nobody waits for: it owns its verdict JSON. */
struct put_async {
	av_store_write w; /* first: freed through it */
	struct put_eval p;
	char json[];
};

int
av_store_put_evaluation_async(av_store *s, const av_verdict *v, const char *manifest, size_t len,
    const char *actor, void (*done)(void *arg, int rc, int64_t id, const av_error *err),
    void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct put_async *pa;
	char *text;
	size_t n;
	int rc;

	if (done == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store, verdict or callback");
	if ((rc = prepare_put(s, v, actor, &text, &n, err)) != 0)
		return rc;
	n++;
	if ((pa = calloc(1, sizeof(*pa) + n)) == NULL) {
		free(text);
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for the write");
	}
	memcpy(pa->json, text, n);
	free(text);
	pa->p = (struct put_eval){v, pa->json, manifest, len, actor};
	pa->w.apply = apply_put_eval;
	pa->w.arg = &pa->p;
	pa->w.on_done = done;
	pa->w.cb_arg = arg;
	if ((rc = av_store_submit(s, &pa->w, err)) != 0)
		free(pa); /* refused before it was queued */
	return rc;
}

/* ---- verdict reads ----------------------------------------------------- */

struct parse {
	av_vcache *vc;
	const av_store_key *key;
	const av_verdict **out;
	av_error *err;
};

static int
parse_text(void *arg, const char *text, size_t len)
{
	struct parse *p = arg;

	return av_vcache_parse(p->vc, p->key, text, len, p->out, p->err);
}

/* The verdict of the evaluation key names: the handle's parsed copy, or
 * its stored text read and parsed now.  Called with the lock held. */
static int
verdict_of(av_store *s, const av_store_key *key, const av_verdict **out, av_error *err)
{
	struct parse p = {&s->vc, key, out, err};

	if ((*out = av_vcache_get(&s->vc, key)) != NULL)
		return 0;
	return s->be->verdict_text(s->rd, key->id, parse_text, &p, err);
}

/* What a verdict lookup asks for: the latest evaluation of a manifest under
 * a policy digest and profile, or of a component's name and version. */
struct query {
	bool by_manifest;
	const char *manifest_digest, *policy_digest, *profile;
	const char *name, *version;
};

/*
 * Looks a verdict up: borrowed through *ref, or copied into *copy (with
 * `cached` set as asked) before the lock is released.
 */
static int
lookup(av_store *s, const struct query *q, const av_verdict **ref, av_verdict **copy,
    bool cached, av_error *err)
{
	const av_verdict *v = NULL;
	av_store_key key;
	int rc;

	if (q->by_manifest)
		rc = av_store_enter(s,
		    q->manifest_digest != NULL && q->policy_digest != NULL && q->profile != NULL,
		    "missing digest or profile", err);
	else
		rc = av_store_enter(s, !av_store_empty(q->name), "no component name given", err);
	if (rc != 0)
		return rc;
	if (q->by_manifest)
		rc = s->be->find_cached(s->rd, q->manifest_digest, q->policy_digest, q->profile,
		    &key, err);
	else
		rc = s->be->latest(s->rd, q->name, q->version, &key, err);
	if (rc == 0)
		rc = verdict_of(s, &key, &v, err);
	if (rc == 0 && ref != NULL)
		*ref = v;
	if (rc == 0 && copy != NULL) {
		if ((*copy = av_vcache_copy(v)) == NULL)
			rc = av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory for a verdict");
		else
			(*copy)->cached = cached;
	}
	return av_store_leave(s, rc);
}

int
av_store_find_cached(av_store *s, const char *manifest_digest, const char *policy_digest,
    const char *profile, av_verdict **out, av_error *err)
{
	av_error local_err;
	struct query q = {true, manifest_digest, policy_digest, profile, NULL, NULL};

	*out = NULL;
	return lookup(s, &q, NULL, out, true, err != NULL ? err : &local_err);
}

int
av_store_latest(av_store *s, const char *name, const char *version, av_verdict **out,
    av_error *err)
{
	av_error local_err;
	struct query q = {.name = name, .version = version};

	*out = NULL;
	return lookup(s, &q, NULL, out, false, err != NULL ? err : &local_err);
}

int
av_store_find_cached_ref(av_store *s, const char *manifest_digest, const char *policy_digest,
    const char *profile, const av_verdict **out, av_error *err)
{
	av_error local_err;
	struct query q = {true, manifest_digest, policy_digest, profile, NULL, NULL};

	*out = NULL;
	return lookup(s, &q, out, NULL, false, err != NULL ? err : &local_err);
}

int
av_store_latest_ref(av_store *s, const char *name, const char *version, const av_verdict **out,
    av_error *err)
{
	av_error local_err;
	struct query q = {.name = name, .version = version};

	*out = NULL;
	return lookup(s, &q, out, NULL, false, err != NULL ? err : &local_err);
}

struct list {
	av_store *s;
	int (*cb)(void *arg, av_verdict *v);
	void *arg;
	av_error *err;
};

static int
list_one(void *arg, const av_store_key *key, const char *text, size_t len)
{
	struct list *l = arg;
	const av_verdict *v = av_vcache_get(&l->s->vc, key);
	av_verdict *copy;
	int rc;

	if (v == NULL && (rc = av_vcache_parse(&l->s->vc, key, text, len, &v, l->err)) != 0)
		return rc;
	if ((copy = av_vcache_copy(v)) == NULL)
		return av_error_set(l->err, AV_ENOMEM, NULL, 0, 0, "out of memory for a verdict");
	return l->cb(l->arg, copy);
}

int
av_store_list(av_store *s, int (*cb)(void *arg, av_verdict *v), void *arg, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	struct list l = {s, cb, arg, err};
	int rc = av_store_enter(s, cb != NULL, "no store or no callback", err);

	return rc != 0 ? rc : av_store_leave(s, s->be->list_latest(s->rd, list_one, &l, err));
}

int
av_store_manifest(av_store *s, const char *digest, char **text, size_t *len, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	int rc;

	*text = NULL;
	*len = 0;
	rc = av_store_enter(s, digest != NULL, "no store or no digest", err);
	return rc != 0 ? rc : av_store_leave(s, s->be->manifest(s->rd, digest, text, len, err));
}

/* ---- health ------------------------------------------------------------ */

int
av_store_get_stats(av_store *s, av_store_stats *out, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no store");
	out->backend = s->be->name;
	out->writable = av_store_writable(s);
	if (s->cm != NULL)
		av_committer_figures(s->cm, out);
	if ((rc = lock_rd(s, err)) != 0)
		return rc;
	return av_store_leave(s, s->be->stats(s->rd, out, err));
}

int
av_store_stats_json(const av_store_stats *st, cJSON *into)
{
	static const char *const counts[] = {"components", "evaluations", "reviews", "alerts"};
	const int64_t n[] = {st->components, st->evaluations, st->reviews, st->alerts};
	cJSON *cm, *fig;
	bool ok = true;

	for (int i = 0; i < NELEM(counts); i++)
		ok = ok && cJSON_AddNumberToObject(into, counts[i], (double)n[i]) != NULL;
	ok = ok && cJSON_AddNumberToObject(into, "schema_version", st->schema_version) != NULL &&
	    cJSON_AddStringToObject(into, "backend", st->backend) != NULL;
	cm = ok ? cJSON_AddObjectToObject(into, "committer") : NULL;
	cm = av_store_detail_num(cm, "batches", (int64_t)st->batches);
	cm = av_store_detail_num(cm, "items", (int64_t)st->items);
	cm = av_store_detail_num(cm, "retried", (int64_t)st->retried);
	cm = av_store_detail_num(cm, "upkeeps", (int64_t)st->upkeeps);
	fig = cm != NULL ? cJSON_AddObjectToObject(into, st->backend) : NULL;
	for (size_t i = 0; fig != NULL && i < st->nfigures; i++)
		fig = av_store_detail_num(fig, st->figures[i].name, st->figures[i].value);
	return fig != NULL ? 0 : AV_ENOMEM;
}

int
av_store_check(av_store *s, av_error *err)
{
	av_error local_err;
	err = err != NULL ? err : &local_err;
	int rc = av_store_enter(s, true, "no store", err);

	return rc != 0 ? rc : av_store_leave(s, s->be->check(s->rd, err));
}

/* ---- names ------------------------------------------------------------- */

static const char *const review_names[] = {"approve", "reject", "approve_with_conditions"};
static const char *const just_names[] = {"not_applicable", "mitigated", "accepted_risk",
    "false_positive"};

static int
parse_name(const char *const *names, int n, const char *s)
{
	for (int i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *
av_review_decision_name(av_review_decision d)
{
	return (int)d >= 0 && (int)d < NELEM(review_names) ? review_names[d] : "unknown";
}

int
av_review_decision_parse(const char *s)
{
	return parse_name(review_names, NELEM(review_names), s);
}

const char *
av_justification_name(av_justification j)
{
	return (int)j >= 0 && (int)j < NELEM(just_names) ? just_names[j] : "unknown";
}

int
av_justification_parse(const char *s)
{
	return parse_name(just_names, NELEM(just_names), s);
}
