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
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>

#include "file.h"
#include "clock.h"
#include "http.h"
#include "http_route.h"
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

/* Sends the protocol request text through the server and replies with
 * its answer: as JSON, or (ics) as a calendar of the reviews it lists. */
static void
call(nng_aio *aio, av_http *h, const av_http_out *o, bool ics)
{
	size_t rlen = 0, len = 0;
	char *r = av_server_call(h->srv, o->request, strlen(o->request), o->actor, &rlen);
	char *text;
	cJSON *rep;

	if (r == NULL) {
		reply_error(aio, h, 500, AV_ENOMEM, NULL);
		return;
	}
	rep = ics ? cJSON_ParseWithLength(r, rlen) : NULL;
	if (!ics || rep == NULL || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rep, "ok"))) {
		reply(aio, h, av_http_status_of(r, rlen, o->not_found_is_bad), "application/json", r,
		    rlen);
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

static void metrics(nng_aio *aio, av_http *h);
static void read_body(nng_aio *aio, av_http *h, const av_http_in *in, size_t cl);

/* Carries out the plan for a request (see http_route.h). */
static void
answer(nng_aio *aio, av_http *h, const av_http_in *in)
{
	av_http_out o;

	if (av_http_plan(in, &o) != 0) {
		reply_error(aio, h, 500, AV_ENOMEM, NULL);
		return;
	}
	close_after = o.close;
	switch (o.action) {
	case AV_HTTP_REPLY:
		reply(aio, h, o.status, "application/json", o.body, o.len);
		break;
	case AV_HTTP_CALL:
	case AV_HTTP_REVIEWS_ICS:
		call(aio, h, &o, o.action == AV_HTTP_REVIEWS_ICS);
		break;
	case AV_HTTP_METRICS:
		metrics(aio, h);
		break;
	case AV_HTTP_READ_BODY:
		read_body(aio, h, in, o.content_length);
		break;
	}
	av_http_out_fini(&o);
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
	av_http_in in; /* its strings are the request's, alive until haio finishes */
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
		b->in.body = b->buf;
		b->in.len = b->want;
		answer(b->haio, b->h, &b->in);
	}
done:
	free(b->buf);
	nng_aio_reap(b->raio);
	free(b);
}

/* Starts reading a body of cl bytes (more than 0) for POST /v1/evaluate. */
static void
read_body(nng_aio *aio, av_http *h, const av_http_in *in, size_t cl)
{
	size_t limit = h->srv->cfg->http.max_body ? h->srv->cfg->http.max_body : h->srv->cfg->max_request;
	body_rd *b;

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
	b->in = *in;
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
	av_http_in in = {
		.method = nng_http_req_get_method(req),
		.uri = nng_http_req_get_uri(req),
		.content_length = nng_http_req_get_header(req, "Content-Length"),
		.transfer_encoding = nng_http_req_get_header(req, "Transfer-Encoding"),
		.authorization = nng_http_req_get_header(req, "Authorization"),
		.token = h->srv->cfg->http.token,
	};

	close_after = false;
	answer(aio, h, &in);
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
