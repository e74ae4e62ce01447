/*
 * http.c - the HTTP gateway of aivetd (see http.h).
 *
 * One handler receives every path and routes it here, so that unknown
 * paths and wrong methods get the same JSON error replies as everything
 * else.  Each request becomes a protocol request answered by
 * av_server_call, so the replies are the IPC replies, byte for byte; only
 * the status code is added.  Requests run on nng's own threads, one at a
 * time through the server's side worker: the gateway is for build tools
 * and dashboards, not for bulk traffic (that is what the IPC socket is
 * for).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>

#include "clock.h"
#include "http.h"
#include "ics.h"
#include "log.h"
#include "proto.h"
#include "server_int.h"

struct av_http {
	av_server *srv;
	nng_url *url;
	nng_http_server *hs;
	nng_tls_config *tls;
	atomic_ullong n_status[6]; /* by class: 1xx..5xx, index 1..5 */
};

/* Bodies beyond the limit are read and dropped, so that the client sees
 * the 413 reply; beyond this the connection is closed instead. */
#define DISCARD_MAX (64u << 20)

/* Set while answering a request whose body stays unread: the reply then
 * closes the connection, since the body would be taken for the next
 * request. */
static _Thread_local bool close_after;

/* ---- replies ------------------------------------------------------------- */

static void
reply(nng_aio *aio, av_http *h, uint16_t status, const char *ctype, const char *body,
    size_t len)
{
	nng_http_res *res;
	int rv;

	if ((rv = nng_http_res_alloc(&res)) != 0) {
		nng_aio_finish(aio, rv);
		return;
	}
	nng_http_res_set_status(res, status);
	nng_http_res_set_header(res, "Content-Type", ctype);
	nng_http_res_set_header(res, "Cache-Control", "no-store");
	if (close_after)
		nng_http_res_set_header(res, "Connection", "close");
	if (status == 401)
		nng_http_res_set_header(res, "WWW-Authenticate", "Bearer realm=\"aivet\"");
	if ((rv = nng_http_res_copy_data(res, body, len)) != 0) {
		nng_http_res_free(res);
		nng_aio_finish(aio, rv);
		return;
	}
	if (status / 100 < 6)
		atomic_fetch_add(&h->n_status[status / 100], 1);
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
}

/* An error in the protocol's shape: {"ok":false,"error":{code,message}}. */
static void
reply_error(nng_aio *aio, av_http *h, uint16_t status, int code, const char *msg)
{
	size_t len = 0;
	char *body = av_reply_finish(av_reply_error(code, msg), &len);

	if (body == NULL) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	reply(aio, h, status, "application/json", body, len);
	free(body);
}

/* The HTTP status of a protocol reply. */
static uint16_t
status_of(const char *json, size_t len, bool not_found_is_bad)
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

/* Sends req (a cJSON object, freed here) through the server and replies. */
static void
call(nng_aio *aio, av_http *h, cJSON *req, const char *actor, bool not_found_is_bad)
{
	char *text = cJSON_PrintUnformatted(req), *r;
	size_t rlen = 0;

	cJSON_Delete(req);
	if (text == NULL) {
		reply_error(aio, h, 500, AV_ENOMEM, NULL);
		return;
	}
	r = av_server_call(h->srv, text, strlen(text), actor, &rlen);
	free(text);
	if (r == NULL) {
		reply_error(aio, h, 500, AV_ENOMEM, NULL);
		return;
	}
	reply(aio, h, status_of(r, rlen, not_found_is_bad), "application/json", r, rlen);
	free(r);
}

static cJSON *
request(const char *op)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddNumberToObject(r, "v", AV_PROTO_VERSION);
	cJSON_AddStringToObject(r, "op", op);
	return r;
}

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

/* Checks the query for parameters other than those allowed. */
static const char *
unknown_param(const char *q, const char *const *allowed)
{
	static _Thread_local char bad[64];

	while (q != NULL && *q) {
		const char *amp = strchr(q, '&'), *eq;
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		bool ok = false;
		eq = memchr(q, '=', n);
		size_t kl = eq ? (size_t)(eq - q) : n;
		for (const char *const *a = allowed; *a; a++)
			ok = ok || (strlen(*a) == kl && strncmp(*a, q, kl) == 0);
		if (!ok && n > 0) {
			snprintf(bad, sizeof(bad), "%.*s", (int)(kl < 60 ? kl : 60), q);
			return bad;
		}
		q = amp ? amp + 1 : NULL;
	}
	return NULL;
}

/* ---- authorisation ---------------------------------------------------------- */

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

/* Whether a write may go ahead; if not, the reply is sent. */
static bool
authorised(nng_aio *aio, av_http *h, nng_http_req *req)
{
	const char *tok = h->srv->cfg->http.token;
	const char *auth = nng_http_req_get_header(req, "Authorization");

	if (tok[0] == '\0') {
		reply_error(aio, h, 403, AV_EFORBIDDEN,
		    "writes over HTTP are disabled: configure http.token in aivetd's configuration");
		return false;
	}
	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 || !same(auth + 7, tok)) {
		reply_error(aio, h, 401, AV_EFORBIDDEN,
		    "this request needs the header 'Authorization: Bearer <http.token>'");
		return false;
	}
	return true;
}

/* ---- endpoints ------------------------------------------------------------------ */

static void
evaluate(nng_aio *aio, av_http *h, const char *body, size_t len, const char *q)
{
	char profile[128];
	int rc;
	cJSON *r;

	if (len == 0) {
		reply_error(aio, h, 400, AV_EINVAL,
		    "the request body must be the manifest (YAML or JSON)");
		return;
	}
	if ((rc = query(q, "profile", profile, sizeof(profile))) < 0) {
		reply_error(aio, h, 400, AV_EINVAL, "bad value for 'profile'");
		return;
	}
	r = request("evaluate");
	/* A body that is not text cannot be a JSON string; the parser reports
	 * invalid UTF-8 with its position. */
	char *text = malloc(len + 1);
	if (r == NULL || text == NULL) {
		free(text);
		cJSON_Delete(r);
		reply_error(aio, h, 500, AV_ENOMEM, NULL);
		return;
	}
	memcpy(text, body, len);
	text[len] = '\0';
	if (strlen(text) != len) {
		free(text);
		cJSON_Delete(r);
		reply_error(aio, h, 400, AV_EPARSE, "the manifest contains a NUL byte");
		return;
	}
	cJSON_AddStringToObject(r, "manifest", text);
	free(text);
	cJSON_AddStringToObject(r, "file", "<http>");
	if (rc == 1)
		cJSON_AddStringToObject(r, "profile", profile);
	call(aio, h, r, "http", true);
}

static void
verdict(nng_aio *aio, av_http *h, const char *name, size_t nlen, const char *q)
{
	char dname[512], version[256];
	int rc;
	cJSON *r;

	if (nlen == 0 || decode(name, nlen, dname, sizeof(dname)) != 0) {
		reply_error(aio, h, 400, AV_EINVAL, "expected /v1/verdicts/NAME with a valid name");
		return;
	}
	if ((rc = query(q, "version", version, sizeof(version))) < 0) {
		reply_error(aio, h, 400, AV_EINVAL, "bad value for 'version'");
		return;
	}
	r = request("verdict");
	cJSON_AddStringToObject(r, "name", dname);
	if (rc == 1)
		cJSON_AddStringToObject(r, "version", version);
	call(aio, h, r, "http", false);
}

/* GET /v1/reviews: the reviews op, as JSON or (?format=ics) a calendar. */
static void
reviews(nng_aio *aio, av_http *h, const char *q)
{
	char within[64], asof[64], format[16];
	int rw, ra, rf;
	cJSON *req, *rep;
	char *text, *r;
	size_t rlen = 0, len = 0;

	if ((rw = query(q, "due_within", within, sizeof(within))) < 0 ||
	    (ra = query(q, "as_of", asof, sizeof(asof))) < 0 ||
	    (rf = query(q, "format", format, sizeof(format))) < 0) {
		reply_error(aio, h, 400, AV_EINVAL, "bad query parameter value");
		return;
	}
	if (rf == 1 && strcmp(format, "ics") != 0 && strcmp(format, "json") != 0) {
		reply_error(aio, h, 400, AV_EINVAL, "format must be json or ics");
		return;
	}
	req = request("reviews");
	if (rw == 1)
		cJSON_AddStringToObject(req, "due_within", within);
	if (ra == 1)
		cJSON_AddStringToObject(req, "as_of", asof);
	if (rf != 1 || strcmp(format, "ics") != 0) {
		call(aio, h, req, "http", true);
		return;
	}
	text = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	r = text ? av_server_call(h->srv, text, strlen(text), "http", &rlen) : NULL;
	free(text);
	if (r == NULL) {
		reply_error(aio, h, 500, AV_ENOMEM, NULL);
		return;
	}
	rep = cJSON_ParseWithLength(r, rlen);
	if (rep == NULL || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "ok"))) {
		reply(aio, h, status_of(r, rlen, true), "application/json", r, rlen);
		free(r);
		cJSON_Delete(rep);
		return;
	}
	free(r);
	text = av_ics_from_reviews(cJSON_GetObjectItemCaseSensitive(rep, "reviews"), av_now(),
	    &len);
	cJSON_Delete(rep);
	if (text == NULL) {
		reply_error(aio, h, 500, AV_ENOMEM, NULL);
		return;
	}
	reply(aio, h, 200, "text/calendar; charset=utf-8", text, len);
	free(text);
}

/* Appends printf output to a growing buffer; sets *oom on failure. */
static void
out(char **b, size_t *n, size_t *cap, bool *oom, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
out(char **b, size_t *n, size_t *cap, bool *oom, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(*b + *n, *cap - *n, fmt, ap);
		va_end(ap);
		if (k < 0) {
			*oom = true;
			return;
		}
		if ((size_t)k < *cap - *n) {
			*n += (size_t)k;
			return;
		}
		char *nb = realloc(*b, *cap * 2 + (size_t)k);
		if (nb == NULL) {
			*oom = true;
			return;
		}
		*b = nb;
		*cap = *cap * 2 + (size_t)k;
	}
}

#define OUT(...) out(&b, &n, &cap, &oom, __VA_ARGS__)

/* GET /metrics: the Prometheus text exposition format, version 0.0.4. */
static void
metrics(nng_aio *aio, av_http *h)
{
	av_server *s = h->srv;
	size_t n = 0, cap = 8192, rlen = 0;
	char *b = malloc(cap);
	bool oom = b == NULL;
	static const char *const dec[] = {"approved", "needs_review", "rejected"};

	if (oom) {
		reply_error(aio, h, 500, AV_ENOMEM, NULL);
		return;
	}
	b[0] = '\0';
	OUT("# HELP aivet_requests_total Protocol requests answered, by operation.\n"
	    "# TYPE aivet_requests_total counter\n");
	for (int i = 0; i < AV_METRIC_OPS && s->ops[i].name; i++)
		OUT("aivet_requests_total{op=\"%s\"} %llu\n", s->ops[i].name,
		    atomic_load(&s->ops[i].count));
	OUT("# HELP aivet_request_errors_total Requests answered with an error, by operation.\n"
	    "# TYPE aivet_request_errors_total counter\n");
	for (int i = 0; i < AV_METRIC_OPS && s->ops[i].name; i++)
		OUT("aivet_request_errors_total{op=\"%s\"} %llu\n", s->ops[i].name,
		    atomic_load(&s->ops[i].errors));
	OUT("# HELP aivet_request_duration_seconds Time to answer a request, by operation.\n"
	    "# TYPE aivet_request_duration_seconds histogram\n");
	for (int i = 0; i < AV_METRIC_OPS && s->ops[i].name; i++) {
		unsigned long long cum = 0;
		for (int k = 0; k <= AV_METRIC_BUCKETS; k++) {
			cum += atomic_load(&s->ops[i].bucket[k]);
			if (k < AV_METRIC_BUCKETS)
				OUT("aivet_request_duration_seconds_bucket{op=\"%s\",le=\"%g\"} %llu\n",
				    s->ops[i].name, av_metric_bounds[k], cum);
			else
				OUT("aivet_request_duration_seconds_bucket{op=\"%s\",le=\"+Inf\"} %llu\n",
				    s->ops[i].name, cum);
		}
		OUT("aivet_request_duration_seconds_sum{op=\"%s\"} %.6f\n", s->ops[i].name,
		    (double)atomic_load(&s->ops[i].sum_us) / 1e6);
		OUT("aivet_request_duration_seconds_count{op=\"%s\"} %llu\n", s->ops[i].name, cum);
	}
	OUT("# HELP aivet_verdicts_total Verdicts evaluated (not served from the cache), by "
	    "decision.\n# TYPE aivet_verdicts_total counter\n");
	for (int i = 0; i < 3; i++)
		OUT("aivet_verdicts_total{decision=\"%s\"} %llu\n", dec[i],
		    atomic_load(&s->n_decisions[i]));
	OUT("# HELP aivet_cache_hits_total Evaluations served from the store.\n"
	    "# TYPE aivet_cache_hits_total counter\naivet_cache_hits_total %llu\n",
	    atomic_load(&s->n_cached));
	OUT("# HELP aivet_plugin_errors_total Plugin failures (errors, timeouts, memory) met "
	    "while evaluating.\n# TYPE aivet_plugin_errors_total counter\n"
	    "aivet_plugin_errors_total %llu\n",
	    atomic_load(&s->n_plugin_errors));
	OUT("# HELP aivet_alerts_raised_total Alerts raised by the daemon.\n"
	    "# TYPE aivet_alerts_raised_total counter\naivet_alerts_raised_total %llu\n",
	    atomic_load(&s->n_alerts));
	OUT("# HELP aivet_reloads_total Successful policy reloads.\n"
	    "# TYPE aivet_reloads_total counter\naivet_reloads_total %llu\n",
	    atomic_load(&s->n_reloads));
	OUT("# HELP aivet_http_responses_total HTTP responses of the gateway, by status class.\n"
	    "# TYPE aivet_http_responses_total counter\n");
	for (int i = 1; i <= 5; i++)
		OUT("aivet_http_responses_total{class=\"%dxx\"} %llu\n", i,
		    atomic_load(&h->n_status[i]));
	OUT("# HELP aivet_uptime_seconds Seconds since the daemon started.\n"
	    "# TYPE aivet_uptime_seconds gauge\naivet_uptime_seconds %lld\n",
	    (long long)(av_now() - s->started));

	/* Reviews due and overdue: the freshness of every component's latest
	 * verdict, read through the list operation. */
	static const char lreq[] = "{\"v\":1,\"op\":\"list\"}";
	char *lr = av_server_call(s, lreq, sizeof(lreq) - 1, "http", &rlen);
	cJSON *list = lr ? cJSON_ParseWithLength(lr, rlen) : NULL;
	free(lr);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(list, "ok"))) {
		static const char *const fr[] = {"current", "due_soon", "overdue", "stale"};
		unsigned long long c[4] = {0};
		const cJSON *v;
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(list, "components"))
		{
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, "freshness");
			for (int i = 0; i < 4; i++)
				if (cJSON_IsString(f) && strcmp(f->valuestring, fr[i]) == 0)
					c[i]++;
		}
		OUT("# HELP aivet_components Components by the freshness of their latest verdict.\n"
		    "# TYPE aivet_components gauge\n");
		for (int i = 0; i < 4; i++)
			OUT("aivet_components{freshness=\"%s\"} %llu\n", fr[i], c[i]);
		OUT("# HELP aivet_reviews_due Components whose review falls due within the "
		    "profile's lead time.\n# TYPE aivet_reviews_due gauge\naivet_reviews_due %llu\n",
		    c[1]);
		OUT("# HELP aivet_reviews_overdue Components past their review date.\n"
		    "# TYPE aivet_reviews_overdue gauge\naivet_reviews_overdue %llu\n",
		    c[2]);
	}
	cJSON_Delete(list);
	if (oom) {
		free(b);
		reply_error(aio, h, 500, AV_ENOMEM, NULL);
		return;
	}
	reply(aio, h, 200, "text/plain; version=0.0.4; charset=utf-8", b, n);
	free(b);
}

/*
 * Reading a request body: nng's own collection answers an oversize body
 * with a bare 400, so the gateway reads bodies itself and can answer 413.
 */
typedef struct body_rd {
	av_http *h;
	nng_aio *haio; /* the handler's, finished when the reply is ready */
	nng_aio *raio;
	nng_http_conn *conn;
	const char *q;
	char *buf;
	size_t want, got;
	bool discard; /* over the limit: read into buf[0..64K) and drop */
} body_rd;

#define SCRATCH 65536

static void
next_read(body_rd *b)
{
	nng_iov iov;
	size_t left = b->want - b->got;

	iov.iov_buf = b->discard ? b->buf : b->buf + b->got;
	iov.iov_len = b->discard && left > SCRATCH ? SCRATCH : left;
	nng_aio_set_iov(b->raio, 1, &iov);
	nng_aio_set_timeout(b->raio, 30000);
	nng_http_conn_read_all(b->conn, b->raio);
}

static void
body_cb(void *arg)
{
	body_rd *b = arg;
	int rv = nng_aio_result(b->raio);
	char msg[128];

	close_after = false;
	if (rv != 0) {
		nng_aio_finish(b->haio, rv);
		goto done;
	}
	b->got += nng_aio_count(b->raio);
	if (b->got < b->want) {
		next_read(b);
		return;
	}
	if (b->discard) {
		snprintf(msg, sizeof(msg), "the body of %zu bytes exceeds the limit of %zu bytes",
		    b->want, b->h->srv->cfg->http.max_body);
		reply_error(b->haio, b->h, 413, AV_ELIMIT, msg);
	} else {
		evaluate(b->haio, b->h, b->buf, b->want, b->q);
	}
done:
	free(b->buf);
	nng_aio_reap(b->raio);
	free(b);
}

/* Starts reading a body of cl bytes for POST /v1/evaluate. */
static void
read_body(nng_aio *aio, av_http *h, size_t cl, const char *q)
{
	size_t limit = h->srv->cfg->http.max_body ? h->srv->cfg->http.max_body : h->srv->cfg->max_request;
	body_rd *b;

	if (cl == 0) {
		evaluate(aio, h, "", 0, q);
		return;
	}
	if (cl > limit && cl > DISCARD_MAX) {
		close_after = true;
		reply_error(aio, h, 413, AV_ELIMIT, "the body exceeds the gateway's limit");
		return;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->buf = malloc(cl > limit ? SCRATCH : cl)) == NULL ||
	    nng_aio_alloc(&b->raio, body_cb, b) != 0) {
		if (b != NULL)
			free(b->buf);
		free(b);
		reply_error(aio, h, 500, AV_ENOMEM, NULL);
		return;
	}
	b->h = h;
	b->haio = aio;
	b->conn = nng_aio_get_input(aio, 2);
	b->q = q;
	b->want = cl;
	b->discard = cl > limit;
	next_read(b);
}

/* Every request arrives here. */
static void
route(nng_aio *aio)
{
	nng_http_req *req = nng_aio_get_input(aio, 0);
	nng_http_handler *hd = nng_aio_get_input(aio, 1);
	av_http *h = nng_http_handler_get_data(hd);
	const char *method = nng_http_req_get_method(req);
	const char *uri = nng_http_req_get_uri(req);
	const char *qm = strchr(uri, '?');
	const char *q = qm ? qm + 1 : NULL;
	size_t plen = qm ? (size_t)(qm - uri) : strlen(uri);
	bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	static const char *const none[] = {NULL};
	static const char *const p_version[] = {"version", NULL};
	static const char *const p_profile[] = {"profile", NULL};
	static const char *const p_reviews[] = {"due_within", "as_of", "format", NULL};
	const char *const *allowed = none;
	const char *want = "GET";
	const char *clh = nng_http_req_get_header(req, "Content-Length");
	char msg[160], *end;
	size_t cl = 0;

	close_after = false;
	if (nng_http_req_get_header(req, "Transfer-Encoding") != NULL) {
		close_after = true;
		reply_error(aio, h, 411, AV_EINVAL, "send the body with a Content-Length");
		return;
	}
	if (clh != NULL) {
		/* Digits only: strtoull would take a sign or spaces, and wrap a
		 * negative length into a huge one. */
		unsigned long long v = strtoull(clh, &end, 10);
		if (end == clh || *end != '\0' || strspn(clh, "0123456789") != strlen(clh) ||
		    strlen(clh) > 18) {
			close_after = true;
			reply_error(aio, h, 400, AV_EINVAL, "bad Content-Length");
			return;
		}
		cl = (size_t)v;
	}
	/* Only evaluate reads its body. */
	close_after = cl > 0;

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
		reply_error(aio, h, 404, AV_ENOTFOUND, msg);
		return;
	}
	if ((strcmp(want, "GET") == 0 && !get) || (strcmp(want, "POST") == 0 && !post)) {
		snprintf(msg, sizeof(msg), "method %.16s not allowed here; use %s", method, want);
		reply_error(aio, h, 405, AV_EINVAL, msg);
		return;
	}
	const char *bad = unknown_param(q, allowed);
	if (bad != NULL) {
		snprintf(msg, sizeof(msg), "unknown query parameter '%s'", bad);
		reply_error(aio, h, 400, AV_EINVAL, msg);
		return;
	}
	if (IS("/v1/health"))
		call(aio, h, request("health"), "http", false);
	else if (IS("/v1/components"))
		call(aio, h, request("list"), "http", false);
	else if (IS("/metrics"))
		metrics(aio, h);
	else if (IS("/v1/reviews"))
		reviews(aio, h, q);
	else if (IS("/v1/evaluate")) {
		close_after = false;
		read_body(aio, h, cl, q);
	}
	else if (IS("/v1/reload")) {
		if (authorised(aio, h, req))
			call(aio, h, request("reload"), "<http:token>", false);
	} else
		verdict(aio, h, uri + 13, plen - 13, q);
#undef IS
}

/* ---- start and stop ----------------------------------------------------------------- */

static int
fail(av_error *err, int rv, const char *what, const char *url)
{
	return av_error_set(err, AV_EIO, NULL, 0, 0, "http gateway: %s %s: %s", what, url,
	    nng_strerror(rv));
}

/* Loads the PEM certificate and key into a server TLS configuration. */
static int
setup_tls(av_http *h, const av_config *c, av_error *err)
{
	char *cert = NULL, *key = NULL;
	size_t l;
	int rv, rc = 0;

	if (av_read_file(c->http.tls_cert, 1 << 20, &cert, &l, err) != 0 ||
	    av_read_file(c->http.tls_key, 1 << 20, &key, &l, err) != 0) {
		rc = AV_ECONFIG;
		goto out;
	}
	if ((rv = nng_tls_config_alloc(&h->tls, NNG_TLS_MODE_SERVER)) != 0 ||
	    (rv = nng_tls_config_own_cert(h->tls, cert, key, NULL)) != 0 ||
	    (rv = nng_http_server_set_tls(h->hs, h->tls)) != 0)
		rc = av_error_set(err, AV_ECONFIG, NULL, 0, 0,
		    "http gateway: TLS with %s and %s: %s", c->http.tls_cert, c->http.tls_key,
		    nng_strerror(rv));
out:
	free(cert);
	free(key);
	return rc;
}

int
av_http_start(av_server *s, av_http **out, av_error *err)
{
	const av_config *c = s->cfg;
	nng_http_handler *hd = NULL;
	av_http *h;
	int rv, rc;
	bool https = strncmp(c->http.listen, "https://", 8) == 0;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	h->srv = s;
	if (https != (c->http.tls_cert[0] != '\0')) {
		rc = av_error_set(err, AV_ECONFIG, NULL, 0, 0,
		    "http gateway: %s needs %s", c->http.listen,
		    https ? "http.tls.cert and http.tls.key" : "an https:// URL for TLS");
		goto fail;
	}
	if ((rv = nng_url_parse(&h->url, c->http.listen)) != 0) {
		rc = fail(err, rv, "bad listen URL", c->http.listen);
		goto fail;
	}
	if ((rv = nng_http_server_hold(&h->hs, h->url)) != 0) {
		rc = fail(err, rv, "cannot serve", c->http.listen);
		goto fail;
	}
	if (https && (rc = setup_tls(h, c, err)) != 0)
		goto fail;
	if ((rv = nng_http_handler_alloc(&hd, "/", route)) != 0 ||
	    (rv = nng_http_handler_set_method(hd, NULL)) != 0 ||
	    (rv = nng_http_handler_set_tree(hd)) != 0 ||
	    (rv = nng_http_handler_collect_body(hd, false, 0)) != 0 ||
	    (rv = nng_http_handler_set_data(hd, h, NULL)) != 0 ||
	    (rv = nng_http_server_add_handler(h->hs, hd)) != 0) {
		nng_http_handler_free(hd);
		rc = fail(err, rv, "cannot set up", c->http.listen);
		goto fail;
	}
	if ((rv = nng_http_server_start(h->hs)) != 0) {
		rc = fail(err, rv, "cannot listen on", c->http.listen);
		goto fail;
	}
	av_log(AV_LOG_INFO, "http gateway on %s%s%s", c->http.listen, https ? " (TLS)" : "",
	    c->http.token[0] ? ", writes with the token" : ", read-only");
	*out = h;
	return 0;
fail:
	if (h->hs != NULL)
		nng_http_server_release(h->hs);
	if (h->tls != NULL)
		nng_tls_config_free(h->tls);
	if (h->url != NULL)
		nng_url_free(h->url);
	free(h);
	return rc;
}

void
av_http_stop(av_http *h)
{
	if (h == NULL)
		return;
	nng_http_server_stop(h->hs);
	nng_http_server_release(h->hs);
	if (h->tls != NULL)
		nng_tls_config_free(h->tls);
	nng_url_free(h->url);
	free(h);
}
