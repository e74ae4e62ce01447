/*
 * verdict.c - findings, the decision rule, freshness, and the JSON forms of
 * a verdict: the automatic one the store keeps and the final one replies
 * carry.
 *
 * The decision here is purely mechanical (worst unwaived severity); the
 * policy that chose the severities lives in the plugins and profiles, and
 * what the record adds (waivers, reviews, due dates) in review.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "store.h" /* av_verdict_json_text, av_review_decision_name */
#include "verdict.h"

static const char *const severity_names[] = {"info", "warn", "review", "block"};
static const char *const decision_names[] = {"approved", "needs_review", "rejected"};
static const char *const risk_names[] = {"low", "medium", "high"};
static const char *const freshness_names[] = {"current", "due_soon", "overdue", "stale"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *
name_of(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "unknown";
}

static int
parse_name(const char *const *names, size_t n, const char *s)
{
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *
av_severity_name(av_severity s)
{
	return name_of(severity_names, NELEM(severity_names), (int)s);
}

int
av_severity_parse(const char *s)
{
	return parse_name(severity_names, NELEM(severity_names), s);
}

const char *
av_decision_name(av_decision d)
{
	return name_of(decision_names, NELEM(decision_names), (int)d);
}

int
av_decision_parse(const char *s)
{
	return parse_name(decision_names, NELEM(decision_names), s);
}

const char *
av_risk_name(av_risk r)
{
	return name_of(risk_names, NELEM(risk_names), (int)r);
}

int
av_risk_parse(const char *s)
{
	return parse_name(risk_names, NELEM(risk_names), s);
}

const char *
av_freshness_name(av_freshness f)
{
	return name_of(freshness_names, NELEM(freshness_names), (int)f);
}

int
av_freshness_parse(const char *s)
{
	return parse_name(freshness_names, NELEM(freshness_names), s);
}

av_verdict *
av_verdict_create(void)
{
	return calloc(1, sizeof(av_verdict));
}

static void
finding_fini(av_finding *f)
{
	free(f->area);
	free(f->id);
	free(f->message);
	free(f->evidence);
	free(f->remedy);
	free(f->plugin);
}

void
av_verdict_clear_final(av_verdict *v)
{
	if (v == NULL)
		return;
	free(v->review.reviewer);
	free(v->review.note);
	free(v->due_owner);
	memset(&v->review, 0, sizeof(v->review));
	v->due_owner = NULL;
	v->final = false;
	v->effective = v->decision;
	v->next_due = 0;
	v->due_from = NULL;
	v->due_every = 0;
}

void
av_verdict_destroy(av_verdict *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->nfindings; i++)
		finding_fini(&v->findings[i]);
	free(v->findings);
	free(v->name);
	free(v->version);
	free(v->kind);
	free(v->profile);
	av_verdict_clear_final(v);
	free(v);
}

int
av_verdict_view_init(av_verdict_view *vw, const av_verdict *ref)
{
	vw->v = *ref;
	vw->heap = NULL;
	/* The final fields are the view's own, never the reference's. */
	memset(&vw->v.review, 0, sizeof(vw->v.review));
	vw->v.due_owner = NULL;
	vw->v.final = false;
	if (ref->nfindings > sizeof(vw->local) / sizeof(vw->local[0])) {
		if ((vw->heap = malloc(ref->nfindings * sizeof(av_finding))) == NULL) {
			vw->v.findings = NULL;
			vw->v.nfindings = vw->v.cap = 0;
			return AV_ENOMEM;
		}
		vw->v.findings = vw->heap;
	} else {
		vw->v.findings = vw->local;
	}
	if (ref->nfindings > 0)
		memcpy(vw->v.findings, ref->findings, ref->nfindings * sizeof(av_finding));
	vw->v.cap = ref->nfindings;
	return 0;
}

void
av_verdict_view_fini(av_verdict_view *vw)
{
	av_verdict_clear_final(&vw->v);
	free(vw->heap);
	vw->heap = NULL;
}

/* strdup that maps NULL to NULL and reports failure through *ok. */
static char *
dup_opt(const char *s, bool *ok)
{
	if (s == NULL)
		return NULL;
	char *d = strdup(s);
	if (d == NULL)
		*ok = false;
	return d;
}

int
av_verdict_add(av_verdict *v, const char *area, const char *id, av_severity sev,
    const char *message, const char *evidence, const char *remedy, const char *plugin)
{
	bool ok = true;

	if (v->nfindings == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		av_finding *f = realloc(v->findings, cap * sizeof(*f));
		if (f == NULL)
			return AV_ENOMEM;
		v->findings = f;
		v->cap = cap;
	}
	av_finding f = {
		.area = dup_opt(area ? area : "", &ok),
		.id = dup_opt(id ? id : "", &ok),
		.severity = sev,
		.message = dup_opt(message ? message : "", &ok),
		.evidence = dup_opt(evidence, &ok),
		.remedy = dup_opt(remedy, &ok),
		.plugin = dup_opt(plugin, &ok),
	};
	if (!ok) {
		finding_fini(&f);
		return AV_ENOMEM;
	}
	v->findings[v->nfindings++] = f;
	return 0;
}

void
av_verdict_decide(av_verdict *v)
{
	av_decision d = AV_APPROVED;

	for (size_t i = 0; i < v->nfindings; i++) {
		const av_finding *f = &v->findings[i];
		if (f->waived)
			continue;
		if (f->severity == AV_SEV_BLOCK)
			d = AV_REJECTED;
		else if (f->severity == AV_SEV_REVIEW && d == AV_APPROVED)
			d = AV_NEEDS_REVIEW;
	}
	v->decision = d;
}

av_freshness
av_verdict_freshness(const av_verdict *v, const char *policy_digest, int64_t now,
    int64_t lead_seconds)
{
	if (policy_digest != NULL && strcmp(v->policy_digest, policy_digest) != 0)
		return AV_FRESH_STALE;
	if (now >= v->review_by)
		return AV_FRESH_OVERDUE;
	if (lead_seconds > 0 && now >= v->review_by - lead_seconds)
		return AV_FRESH_DUE_SOON;
	return AV_FRESH_CURRENT;
}

/* ---- JSON ------------------------------------------------------------------ */

static bool
add_str(cJSON *o, const char *k, const char *s)
{
	cJSON *x = s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();

	return x != NULL && cJSON_AddItemToObject(o, k, x);
}

static bool
add_num(cJSON *o, const char *k, double d)
{
	cJSON *x = cJSON_CreateNumber(d);

	return x != NULL && cJSON_AddItemToObject(o, k, x);
}

static bool
add_bool(cJSON *o, const char *k, bool b)
{
	cJSON *x = cJSON_CreateBool(b);

	return x != NULL && cJSON_AddItemToObject(o, k, x);
}

static bool
add_time(cJSON *o, const char *k, int64_t t, bool date)
{
	char buf[32];

	if (t == 0)
		return add_str(o, k, NULL);
	return add_str(o, k, date ? av_date_format(t, buf, sizeof(buf)) :
	    av_time_format(t, buf, sizeof(buf)));
}

/* The final fields of v into j: effective_decision, review, next_due. */
static bool
add_final(cJSON *j, const av_verdict *v)
{
	const av_verdict_review *r = &v->review;
	cJSON *o;

	if (!add_str(j, "effective_decision", av_decision_name(v->effective)))
		return false;
	if (!r->present)
		return add_str(j, "review", NULL) && add_time(j, "next_due", v->next_due, true);
	if ((o = cJSON_CreateObject()) == NULL)
		return false;
	if (!cJSON_AddItemToObject(j, "review", o)) {
		cJSON_Delete(o);
		return false;
	}
	return add_str(o, "decision", av_review_decision_name((av_review_decision)r->decision)) &&
	    add_str(o, "reviewer", r->reviewer ? r->reviewer : "") &&
	    add_time(o, "at", r->at, false) && add_str(o, "note", r->note ? r->note : "") &&
	    add_time(o, "next_review", r->next_review, true) &&
	    add_bool(o, "stands", r->stands) && add_time(j, "next_due", v->next_due, true);
}

cJSON *
av_verdict_to_json(const av_verdict *v)
{
	cJSON *j = cJSON_CreateObject();
	cJSON *c = cJSON_CreateObject();
	cJSON *fs = cJSON_CreateArray();
	bool ok = j != NULL && c != NULL && fs != NULL;

	if (!ok) {
		cJSON_Delete(j);
		cJSON_Delete(c);
		cJSON_Delete(fs);
		return NULL;
	}
	ok = cJSON_AddItemToObject(j, "component", c);
	if (!ok)
		cJSON_Delete(c);
	ok = ok && add_str(c, "name", v->name) && add_str(c, "version", v->version) &&
	    add_str(c, "kind", v->kind) &&
	    add_str(c, "digest", v->manifest_digest[0] ? v->manifest_digest : NULL);
	ok = ok && add_str(j, "decision", av_decision_name(v->decision)) &&
	    add_str(j, "risk", av_risk_name(v->risk)) && add_str(j, "profile", v->profile) &&
	    add_time(j, "review_by", v->review_by, true) &&
	    add_str(j, "freshness", av_freshness_name(v->freshness)) &&
	    add_str(j, "policy_digest", v->policy_digest[0] ? v->policy_digest : NULL) &&
	    add_time(j, "evaluated_at", v->evaluated_at, false) &&
	    add_bool(j, "cached", v->cached) && add_num(j, "id", (double)v->id);
	if (ok && !cJSON_AddItemToObject(j, "findings", fs)) {
		cJSON_Delete(fs);
		ok = false;
	} else if (!ok) {
		cJSON_Delete(fs);
	}
	for (size_t i = 0; ok && i < v->nfindings; i++) {
		const av_finding *f = &v->findings[i];
		cJSON *o = cJSON_CreateObject();
		if (o == NULL || !cJSON_AddItemToArray(fs, o)) {
			cJSON_Delete(o);
			ok = false;
			break;
		}
		ok = add_str(o, "area", f->area) && add_str(o, "id", f->id) &&
		    add_str(o, "severity", av_severity_name(f->severity)) &&
		    add_str(o, "message", f->message) && add_str(o, "evidence", f->evidence) &&
		    add_str(o, "remedy", f->remedy) && add_str(o, "plugin", f->plugin) &&
		    add_bool(o, "waived", f->waived);
	}
	if (ok && v->final)
		ok = add_final(j, v);
	if (!ok) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/*
 * The JSON text written directly, in the form and field order of
 * av_verdict_to_json printed by cJSON_PrintUnformatted (the same bytes),
 * without building a cJSON tree: a node and a string copy per field and per
 * finding made malloc/free the largest cost of replying and storing.
 */
typedef struct tbuf {
	char *p;
	size_t n, cap;
	bool oom;
} tbuf;

static bool
tb_reserve(tbuf *b, size_t more)
{
	if (b->oom)
		return false;
	if (b->n + more + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->n + more + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return false;
		}
		b->p = p;
		b->cap = cap;
	}
	return true;
}

static void
tb_put(tbuf *b, const char *s, size_t n)
{
	if (!tb_reserve(b, n))
		return;
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

#define TB_LIT(b, lit) tb_put((b), (lit), sizeof(lit) - 1)

/* A JSON string escaped as cJSON escapes it, or null. */
static void
tb_str(tbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t extra = 0, len;

	if (s == NULL) {
		TB_LIT(b, "null");
		return;
	}
	/* Counted over a known length without branches, which the compiler
	 * vectorises: most strings need no escape at all. */
	len = strlen(s);
	for (size_t i = 0; i < len; i++)
		extra += (size_t)((p[i] < 32) | (p[i] == '"') | (p[i] == '\\')) * 5;
	if (!tb_reserve(b, len + extra + 2))
		return;
	char *o = b->p + b->n;
	*o++ = '"';
	if (extra == 0) {
		memcpy(o, s, len);
		o += len;
	} else {
		for (size_t i = 0; i < len; i++) {
			unsigned char c = p[i];
			if (c >= 32 && c != '"' && c != '\\') {
				*o++ = (char)c;
				continue;
			}
			*o++ = '\\';
			switch (c) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '\b': *o++ = 'b'; break;
			case '\f': *o++ = 'f'; break;
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			default:
				*o++ = 'u';
				*o++ = '0';
				*o++ = '0';
				*o++ = hex[c >> 4];
				*o++ = hex[c & 15];
			}
		}
	}
	*o++ = '"';
	b->n = (size_t)(o - b->p);
	b->p[b->n] = '\0';
}

static void
tb_time(tbuf *b, int64_t t, bool date)
{
	char buf[32];

	if (t == 0)
		TB_LIT(b, "null");
	else
		tb_str(b, date ? av_date_format(t, buf, sizeof(buf))
			       : av_time_format(t, buf, sizeof(buf)));
}

/* A number as cJSON prints it (%d when it fits an int, else %1.15g). */
static void
tb_num(tbuf *b, int64_t n)
{
	char buf[32];
	int len;

	if (n >= -2147483647 - 1 && n <= 2147483647)
		len = snprintf(buf, sizeof(buf), "%d", (int)n);
	else
		len = snprintf(buf, sizeof(buf), "%1.15g", (double)n);
	tb_put(b, buf, (size_t)len);
}

static void
tb_bool(tbuf *b, bool x)
{
	if (x)
		TB_LIT(b, "true");
	else
		TB_LIT(b, "false");
}

static void
final_text(tbuf *b, const av_verdict *v)
{
	const av_verdict_review *r = &v->review;

	TB_LIT(b, ",\"effective_decision\":");
	tb_str(b, av_decision_name(v->effective));
	if (!r->present) {
		TB_LIT(b, ",\"review\":null");
	} else {
		TB_LIT(b, ",\"review\":{\"decision\":");
		tb_str(b, av_review_decision_name((av_review_decision)r->decision));
		TB_LIT(b, ",\"reviewer\":");
		tb_str(b, r->reviewer ? r->reviewer : "");
		TB_LIT(b, ",\"at\":");
		tb_time(b, r->at, false);
		TB_LIT(b, ",\"note\":");
		tb_str(b, r->note ? r->note : "");
		TB_LIT(b, ",\"next_review\":");
		tb_time(b, r->next_review, true);
		TB_LIT(b, ",\"stands\":");
		tb_bool(b, r->stands);
		TB_LIT(b, "}");
	}
	TB_LIT(b, ",\"next_due\":");
	tb_time(b, v->next_due, true);
}

static void
verdict_text(tbuf *b, const av_verdict *v, bool with_final)
{
	TB_LIT(b, "{\"component\":{\"name\":");
	tb_str(b, v->name);
	TB_LIT(b, ",\"version\":");
	tb_str(b, v->version);
	TB_LIT(b, ",\"kind\":");
	tb_str(b, v->kind);
	TB_LIT(b, ",\"digest\":");
	tb_str(b, v->manifest_digest[0] ? v->manifest_digest : NULL);
	TB_LIT(b, "},\"decision\":");
	tb_str(b, av_decision_name(v->decision));
	TB_LIT(b, ",\"risk\":");
	tb_str(b, av_risk_name(v->risk));
	TB_LIT(b, ",\"profile\":");
	tb_str(b, v->profile);
	TB_LIT(b, ",\"review_by\":");
	tb_time(b, v->review_by, true);
	TB_LIT(b, ",\"freshness\":");
	tb_str(b, av_freshness_name(v->freshness));
	TB_LIT(b, ",\"policy_digest\":");
	tb_str(b, v->policy_digest[0] ? v->policy_digest : NULL);
	TB_LIT(b, ",\"evaluated_at\":");
	tb_time(b, v->evaluated_at, false);
	TB_LIT(b, ",\"cached\":");
	tb_bool(b, v->cached);
	TB_LIT(b, ",\"id\":");
	tb_num(b, v->id);
	TB_LIT(b, ",\"findings\":[");
	for (size_t i = 0; i < v->nfindings; i++) {
		const av_finding *f = &v->findings[i];
		if (i > 0)
			TB_LIT(b, ",");
		TB_LIT(b, "{\"area\":");
		tb_str(b, f->area);
		TB_LIT(b, ",\"id\":");
		tb_str(b, f->id);
		TB_LIT(b, ",\"severity\":");
		tb_str(b, av_severity_name(f->severity));
		TB_LIT(b, ",\"message\":");
		tb_str(b, f->message);
		TB_LIT(b, ",\"evidence\":");
		tb_str(b, f->evidence);
		TB_LIT(b, ",\"remedy\":");
		tb_str(b, f->remedy);
		TB_LIT(b, ",\"plugin\":");
		tb_str(b, f->plugin);
		TB_LIT(b, ",\"waived\":");
		tb_bool(b, f->waived);
		TB_LIT(b, "}");
	}
	TB_LIT(b, "]");
	if (with_final && v->final)
		final_text(b, v);
	TB_LIT(b, "}");
}

static char *
text_of(const av_verdict *v, bool with_final, size_t *len)
{
	tbuf b = {0};

	verdict_text(&b, v, with_final);
	if (b.oom || b.p == NULL) {
		free(b.p);
		return NULL;
	}
	if (len != NULL)
		*len = b.n;
	return b.p;
}

char *
av_verdict_json_text(const av_verdict *v, size_t *len)
{
	return text_of(v, false, len);
}

char *
av_verdict_text(const av_verdict *v, size_t *len)
{
	return text_of(v, true, len);
}

/* from_json helpers: each returns 0 or AV_ESCHEMA with err naming the field. */

static int
bad(av_error *err, const char *field, const char *want, const cJSON *x)
{
	const char *got = x == NULL ? "nothing" : cJSON_IsNull(x) ? "null" :
	    cJSON_IsBool(x) ? "a boolean" : cJSON_IsNumber(x) ? "a number" :
	    cJSON_IsString(x) ? "a string" : cJSON_IsArray(x) ? "an array" :
	    cJSON_IsObject(x) ? "an object" : "an invalid value";

	return av_error_set(err, AV_ESCHEMA, NULL, 0, 0, "verdict: %s: expected %s, got %s",
	    field, want, got);
}

/* A string field; absent or null is allowed only when !required. */
static int
get_str(const cJSON *o, const char *k, const char *field, bool required, char **out,
    av_error *err)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	*out = NULL;
	if (x == NULL || cJSON_IsNull(x)) {
		if (required)
			return bad(err, field, "a string", x);
		return 0;
	}
	if (!cJSON_IsString(x) || x->valuestring == NULL)
		return bad(err, field, "a string", x);
	if ((*out = strdup(x->valuestring)) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	return 0;
}

static int
get_enum(const cJSON *o, const char *k, const char *field, int (*parse)(const char *),
    bool required, int *out, av_error *err)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	if (x == NULL && !required)
		return 0;
	if (!cJSON_IsString(x))
		return bad(err, field, "a string", x);
	int v = parse(x->valuestring);
	if (v < 0)
		return av_error_set(err, AV_ESCHEMA, NULL, 0, 0, "verdict: %s: unknown value \"%s\"",
		    field, x->valuestring);
	*out = v;
	return 0;
}

static int
get_digest(const cJSON *o, const char *k, const char *field, char out[65], av_error *err)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	out[0] = '\0';
	if (x == NULL || cJSON_IsNull(x))
		return 0;
	if (!cJSON_IsString(x))
		return bad(err, field, "a string", x);
	size_t n = strlen(x->valuestring);
	if (n > 64)
		return av_error_set(err, AV_ESCHEMA, NULL, 0, 0,
		    "verdict: %s: a digest has at most 64 characters, got %zu", field, n);
	memcpy(out, x->valuestring, n + 1);
	return 0;
}

static int
get_time(const cJSON *o, const char *k, const char *field, int64_t *out, av_error *err)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	*out = 0;
	if (x == NULL || cJSON_IsNull(x))
		return 0;
	if (!cJSON_IsString(x))
		return bad(err, field, "an ISO 8601 date or time string", x);
	if (av_time_parse(x->valuestring, out) != 0)
		return av_error_set(err, AV_ESCHEMA, NULL, 0, 0,
		    "verdict: %s: \"%s\" is not an ISO 8601 date or time", field, x->valuestring);
	return 0;
}

static int
get_bool(const cJSON *o, const char *k, const char *field, bool *out, av_error *err)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	*out = false;
	if (x == NULL || cJSON_IsNull(x))
		return 0;
	if (!cJSON_IsBool(x))
		return bad(err, field, "a boolean", x);
	*out = cJSON_IsTrue(x);
	return 0;
}

static int
finding_from_json(av_verdict *v, const cJSON *x, size_t i, av_error *err)
{
	char field[64];
	av_finding f = {0};
	int sev = 0, rc;

#define FIELD(k) (snprintf(field, sizeof(field), "findings[%zu].%s", i, k), field)
	if (!cJSON_IsObject(x)) {
		snprintf(field, sizeof(field), "findings[%zu]", i);
		return bad(err, field, "an object", x);
	}
	if ((rc = get_str(x, "area", FIELD("area"), true, &f.area, err)) != 0 ||
	    (rc = get_str(x, "id", FIELD("id"), true, &f.id, err)) != 0 ||
	    (rc = get_enum(x, "severity", FIELD("severity"), av_severity_parse, true, &sev,
	    err)) != 0 ||
	    (rc = get_str(x, "message", FIELD("message"), true, &f.message, err)) != 0 ||
	    (rc = get_str(x, "evidence", FIELD("evidence"), false, &f.evidence, err)) != 0 ||
	    (rc = get_str(x, "remedy", FIELD("remedy"), false, &f.remedy, err)) != 0 ||
	    (rc = get_str(x, "plugin", FIELD("plugin"), false, &f.plugin, err)) != 0 ||
	    (rc = get_bool(x, "waived", FIELD("waived"), &f.waived, err)) != 0) {
		finding_fini(&f);
		return rc;
	}
#undef FIELD
	f.severity = (av_severity)sev;
	if (v->nfindings == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		av_finding *nf = realloc(v->findings, cap * sizeof(*nf));
		if (nf == NULL) {
			finding_fini(&f);
			return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		}
		v->findings = nf;
		v->cap = cap;
	}
	v->findings[v->nfindings++] = f;
	return 0;
}

int
av_verdict_from_json(av_verdict **out, const cJSON *j, av_error *err)
{
	av_verdict *v;
	const cJSON *c, *x;
	int dec = 0, risk = 0, fresh = 0, rc;

	*out = NULL;
	if (!cJSON_IsObject(j))
		return bad(err, "verdict", "an object", j);
	c = cJSON_GetObjectItemCaseSensitive(j, "component");
	if (!cJSON_IsObject(c))
		return bad(err, "component", "an object", c);
	if ((v = av_verdict_create()) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	if ((rc = get_str(c, "name", "component.name", true, &v->name, err)) != 0 ||
	    (rc = get_str(c, "version", "component.version", true, &v->version, err)) != 0 ||
	    (rc = get_str(c, "kind", "component.kind", false, &v->kind, err)) != 0 ||
	    (rc = get_digest(c, "digest", "component.digest", v->manifest_digest, err)) != 0 ||
	    (rc = get_enum(j, "decision", "decision", av_decision_parse, true, &dec, err)) != 0 ||
	    (rc = get_enum(j, "risk", "risk", av_risk_parse, true, &risk, err)) != 0 ||
	    (rc = get_str(j, "profile", "profile", false, &v->profile, err)) != 0 ||
	    (rc = get_time(j, "review_by", "review_by", &v->review_by, err)) != 0 ||
	    (rc = get_enum(j, "freshness", "freshness", av_freshness_parse, false, &fresh,
	    err)) != 0 ||
	    (rc = get_digest(j, "policy_digest", "policy_digest", v->policy_digest, err)) != 0 ||
	    (rc = get_time(j, "evaluated_at", "evaluated_at", &v->evaluated_at, err)) != 0 ||
	    (rc = get_bool(j, "cached", "cached", &v->cached, err)) != 0)
		goto fail;
	v->decision = (av_decision)dec;
	v->risk = (av_risk)risk;
	v->freshness = (av_freshness)fresh;
	x = cJSON_GetObjectItemCaseSensitive(j, "id");
	if (x != NULL && !cJSON_IsNull(x)) {
		double d = cJSON_IsNumber(x) ? x->valuedouble : NAN;
		if (!cJSON_IsNumber(x) || d != floor(d) || d < 0 || d > 9007199254740992.0) {
			rc = cJSON_IsNumber(x) ? av_error_set(err, AV_ESCHEMA, NULL, 0, 0,
			    "verdict: id: expected a non-negative integer") :
			    bad(err, "id", "an integer", x);
			goto fail;
		}
		v->id = (int64_t)d;
	}
	x = cJSON_GetObjectItemCaseSensitive(j, "findings");
	if (x != NULL && !cJSON_IsNull(x)) {
		if (!cJSON_IsArray(x)) {
			rc = bad(err, "findings", "an array", x);
			goto fail;
		}
		size_t i = 0;
		for (const cJSON *f = x->child; f != NULL; f = f->next, i++)
			if ((rc = finding_from_json(v, f, i, err)) != 0)
				goto fail;
	}
	*out = v;
	return 0;
fail:
	av_verdict_destroy(v);
	return rc;
}
