/*
 * http_route.c - the HTTP gateway's request path (see http_route.h): routing,
 * query strings, the token check and the protocol request each endpoint
 * stands for.  No I/O: http.c does the reading, the server call and the
 * reply.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "errors.h"
#include "sha256.h"
#include "http_route.h"
#include "proto.h"

/* ---- URLs -------------------------------------------------------------------- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes n bytes of s into out (plus signs kept: these are paths
 * and query values sent by curl --data-urlencode or by hand).  -1 when
 * malformed, too long or holding a NUL. */
static int
decode(const char *s, size_t n, char *out, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			int a, b;
			if (i + 2 >= n || (a = hexval(s[i + 1])) < 0 || (b = hexval(s[i + 2])) < 0)
				return -1;
			c = a * 16 + b;
			i += 2;
		}
		if (c == 0 || k + 1 >= len)
			return -1;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return 0;
}

/* The decoded value of query parameter key: 1 found, 0 absent, -1 bad. */
static int
query(const char *q, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);

	while (q != NULL && *q) {
		const char *amp = strchr(q, '&');
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		if (n > kl && strncmp(q, key, kl) == 0 && q[kl] == '=')
			return decode(q + kl + 1, n - kl - 1, out, len) == 0 ? 1 : -1;
		q = amp ? amp + 1 : NULL;
	}
	return 0;
}

/* The first query parameter other than those allowed, cut to 60 bytes
 * into bad; NULL if there is none. */
static const char *
unknown_param(const char *q, const char *const *allowed, char bad[static 64])
{
	while (q != NULL && *q) {
		const char *amp = strchr(q, '&'), *eq;
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		bool ok = false;
		eq = memchr(q, '=', n);
		size_t kl = eq ? (size_t)(eq - q) : n;
		for (const char *const *a = allowed; *a; a++)
			ok = ok || (strlen(*a) == kl && strncmp(*a, q, kl) == 0);
		if (!ok && n > 0) {
			snprintf(bad, 64, "%.*s", (int)(kl < 60 ? kl : 60), q);
			return bad;
		}
		q = amp ? amp + 1 : NULL;
	}
	return NULL;
}

/* Constant-time comparison: the token must not leak through timing.  The
 * SHA-256 digests of both are compared, all 64 hex digits every time, so
 * neither the length of a guess nor where it first differs shows. */
static bool
same(const char *a, const char *b)
{
	char da[65], db[65];
	unsigned char d = 0;

	av_sha256_hex(a, strlen(a), da);
	av_sha256_hex(b, strlen(b), db);
	for (size_t i = 0; i < 64; i++)
		d |= (unsigned char)(da[i] ^ db[i]);
	return d == 0;
}

/* ---- plans -------------------------------------------------------------------- */

static int
plan_error(av_http_out *o, uint16_t status, int code, const char *msg)
{
	o->action = AV_HTTP_REPLY;
	o->status = status;
	o->body = av_reply_finish(av_reply_error(code, msg), &o->len);
	return o->body != NULL ? 0 : AV_ENOMEM;
}

static cJSON *
request(const char *op)
{
	cJSON *r = cJSON_CreateObject();

	if (r != NULL && (cJSON_AddNumberToObject(r, "v", AV_PROTO_VERSION) == NULL ||
	    cJSON_AddStringToObject(r, "op", op) == NULL)) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

/* Sets o to send req (freed here). */
static int
plan_call(av_http_out *o, av_http_action action, cJSON *req, const char *actor,
    bool not_found_is_bad)
{
	o->action = action;
	o->actor = actor;
	o->not_found_is_bad = not_found_is_bad;
	o->request = req != NULL ? cJSON_PrintUnformatted(req) : NULL;
	cJSON_Delete(req);
	return o->request != NULL ? 0 : AV_ENOMEM;
}

static int
evaluate(const av_http_in *in, const char *q, av_http_out *o)
{
	char profile[128];
	int rc;
	cJSON *r;

	if (in->len == 0)
		return plan_error(o, 400, AV_EINVAL,
		    "the request body must be the manifest (YAML or JSON)");
	if ((rc = query(q, "profile", profile, sizeof(profile))) < 0)
		return plan_error(o, 400, AV_EINVAL, "bad value for 'profile'");
	if (memchr(in->body, '\0', in->len) != NULL)
		return plan_error(o, 400, AV_EPARSE, "the manifest contains a NUL byte");
	/* A body that is not text cannot be a JSON string; the parser reports
	 * invalid UTF-8 with its position. */
	char *text = malloc(in->len + 1);
	if ((r = request("evaluate")) == NULL || text == NULL) {
		free(text);
		cJSON_Delete(r);
		return AV_ENOMEM;
	}
	memcpy(text, in->body, in->len);
	text[in->len] = '\0';
	if (cJSON_AddStringToObject(r, "manifest", text) == NULL ||
	    cJSON_AddStringToObject(r, "file", "<http>") == NULL ||
	    (rc == 1 && cJSON_AddStringToObject(r, "profile", profile) == NULL)) {
		cJSON_Delete(r);
		r = NULL;
	}
	free(text);
	return plan_call(o, AV_HTTP_CALL, r, "http", true);
}

static int
verdict(const char *name, size_t nlen, const char *q, av_http_out *o)
{
	char dname[512], version[256];
	int rc;
	cJSON *r;

	if (nlen == 0 || decode(name, nlen, dname, sizeof(dname)) != 0)
		return plan_error(o, 400, AV_EINVAL, "expected /v1/verdicts/NAME with a valid name");
	if ((rc = query(q, "version", version, sizeof(version))) < 0)
		return plan_error(o, 400, AV_EINVAL, "bad value for 'version'");
	r = request("verdict");
	if (r != NULL && (cJSON_AddStringToObject(r, "name", dname) == NULL ||
	    (rc == 1 && cJSON_AddStringToObject(r, "version", version) == NULL))) {
		cJSON_Delete(r);
		r = NULL;
	}
	return plan_call(o, AV_HTTP_CALL, r, "http", false);
}

/* GET /v1/reviews: the reviews op, as JSON or (?format=ics) a calendar. */
static int
reviews(const char *q, av_http_out *o)
{
	char within[64], asof[64], format[16];
	int rw, ra, rf;
	cJSON *r;

	if ((rw = query(q, "due_within", within, sizeof(within))) < 0 ||
	    (ra = query(q, "as_of", asof, sizeof(asof))) < 0 ||
	    (rf = query(q, "format", format, sizeof(format))) < 0)
		return plan_error(o, 400, AV_EINVAL, "bad query parameter value");
	if (rf == 1 && strcmp(format, "ics") != 0 && strcmp(format, "json") != 0)
		return plan_error(o, 400, AV_EINVAL, "format must be json or ics");
	r = request("reviews");
	if (r != NULL && ((rw == 1 && cJSON_AddStringToObject(r, "due_within", within) == NULL) ||
	    (ra == 1 && cJSON_AddStringToObject(r, "as_of", asof) == NULL))) {
		cJSON_Delete(r);
		r = NULL;
	}
	return plan_call(o, rf == 1 && strcmp(format, "ics") == 0 ? AV_HTTP_REVIEWS_ICS :
	    AV_HTTP_CALL, r, "http", true);
}

int
av_http_plan(const av_http_in *in, av_http_out *o)
{
	const char *uri = in->uri;
	const char *qm = strchr(uri, '?');
	const char *q = qm ? qm + 1 : NULL;
	size_t plen = qm ? (size_t)(qm - uri) : strlen(uri);
	bool get = strcmp(in->method, "GET") == 0, post = strcmp(in->method, "POST") == 0;
	static const char *const none[] = {NULL};
	static const char *const p_version[] = {"version", NULL};
	static const char *const p_profile[] = {"profile", NULL};
	static const char *const p_reviews[] = {"due_within", "as_of", "format", NULL};
	const char *const *allowed = none;
	const char *want = "GET";
	char msg[160], bad[64], *end;
	size_t cl = 0;

	memset(o, 0, sizeof(*o));
	if (in->transfer_encoding != NULL) {
		o->close = true;
		return plan_error(o, 411, AV_EINVAL, "send the body with a Content-Length");
	}
	if (in->content_length != NULL) {
		/* Digits only: strtoull would take a sign or spaces, and wrap a
		 * negative length into a huge one. */
		const char *clh = in->content_length;
		unsigned long long v = strtoull(clh, &end, 10);
		if (end == clh || *end != '\0' || strspn(clh, "0123456789") != strlen(clh) ||
		    strlen(clh) > 18) {
			o->close = true;
			return plan_error(o, 400, AV_EINVAL, "bad Content-Length");
		}
		cl = (size_t)v;
	}
	/* Only evaluate reads its body. */
	o->close = cl > 0 && in->body == NULL;

#define IS(p) (plen == strlen(p) && strncmp(uri, p, plen) == 0)
	if (IS("/v1/health") || IS("/v1/components") || IS("/metrics")) {
		want = "GET";
	} else if (plen > 13 && strncmp(uri, "/v1/verdicts/", 13) == 0) {
		want = "GET";
		allowed = p_version;
	} else if (IS("/v1/evaluate")) {
		want = "POST";
		allowed = p_profile;
	} else if (IS("/v1/reload")) {
		want = "POST";
	} else if (IS("/v1/reviews")) {
		want = "GET";
		allowed = p_reviews;
	} else {
		snprintf(msg, sizeof(msg), "no such path: %.*s (see docs/protocol.md, HTTP gateway)",
		    (int)(plen < 100 ? plen : 100), uri);
		return plan_error(o, 404, AV_ENOTFOUND, msg);
	}
	if ((strcmp(want, "GET") == 0 && !get) || (strcmp(want, "POST") == 0 && !post)) {
		snprintf(msg, sizeof(msg), "method %.16s not allowed here; use %s", in->method, want);
		return plan_error(o, 405, AV_EINVAL, msg);
	}
	if (unknown_param(q, allowed, bad) != NULL) {
		snprintf(msg, sizeof(msg), "unknown query parameter '%s'", bad);
		return plan_error(o, 400, AV_EINVAL, msg);
	}
	if (IS("/v1/health"))
		return plan_call(o, AV_HTTP_CALL, request("health"), "http", false);
	if (IS("/v1/components"))
		return plan_call(o, AV_HTTP_CALL, request("list"), "http", false);
	if (IS("/metrics")) {
		o->action = AV_HTTP_METRICS;
		return 0;
	}
	if (IS("/v1/reviews"))
		return reviews(q, o);
	if (IS("/v1/evaluate")) {
		o->close = false;
		if (in->body == NULL && cl > 0) {
			o->action = AV_HTTP_READ_BODY;
			o->content_length = cl;
			return 0;
		}
		return evaluate(in, q, o);
	}
	if (IS("/v1/reload")) {
		const char *auth = in->authorization;
		if (in->token == NULL || in->token[0] == '\0')
			return plan_error(o, 403, AV_EFORBIDDEN, "writes over HTTP are disabled: "
			    "configure http.token in aivetd's configuration");
		if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 || !same(auth + 7, in->token))
			return plan_error(o, 401, AV_EFORBIDDEN,
			    "this request needs the header 'Authorization: Bearer <http.token>'");
		return plan_call(o, AV_HTTP_CALL, request("reload"), "<http:token>", false);
	}
	return verdict(uri + 13, plen - 13, q, o);
#undef IS
}

void
av_http_out_fini(av_http_out *o)
{
	free(o->body);
	free(o->request);
	o->body = o->request = NULL;
}

uint16_t
av_http_status_of(const char *json, size_t len, bool not_found_is_bad)
{
	cJSON *r = cJSON_ParseWithLength(json, len);
	const cJSON *e, *code;
	uint16_t st = 500;

	if (r == NULL)
		return 500;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok"))) {
		cJSON_Delete(r);
		return 200;
	}
	e = cJSON_GetObjectItemCaseSensitive(r, "error");
	code = cJSON_GetObjectItemCaseSensitive(e, "code");
	if (cJSON_IsString(code)) {
		const char *c = code->valuestring;
		if (strcmp(c, "bad_request") == 0 || strcmp(c, "parse_error") == 0 ||
		    strcmp(c, "bad_manifest") == 0)
			st = 400;
		else if (strcmp(c, "not_found") == 0)
			st = not_found_is_bad ? 400 : 404;
		else if (strcmp(c, "too_large") == 0)
			st = 413;
		else if (strcmp(c, "forbidden") == 0)
			st = 403;
		else if (strcmp(c, "busy") == 0)
			st = 503;
	}
	cJSON_Delete(r);
	return st;
}
