/*
 * client.c - libaivet-client: one REQ socket per client, one nng context
 * per call, so a client can be shared between threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "aivet_client.h"
#include "paths.h"

struct aivet_client {
	nng_socket sock;
	int timeout_ms;
	char url[AV_PATH_MAX];
};

struct aivet_reply {
	char *text;
	cJSON *json;
};

const char *
aivet_strerror(int code)
{
	switch (code) {
	case AIVET_OK: return "success";
	case AIVET_ENOMEM: return "out of memory";
	case AIVET_EINVAL: return "invalid argument";
	case AIVET_ECONNECT: return "the daemon is not reachable";
	case AIVET_ETIMEOUT: return "timed out waiting for the daemon";
	case AIVET_EPROTO: return "the daemon's reply was not understood";
	case AIVET_EREMOTE: return "the daemon answered with an error";
	case AIVET_EIO: return "transport error";
	default: return "unknown error";
	}
}

int
aivet_connect(aivet_client **out, const char *url, int timeout_ms)
{
	aivet_client *c;
	int rv;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return AIVET_ENOMEM;
	if (url == NULL && av_default_socket(c->url, sizeof(c->url)) == NULL) {
		free(c);
		return AIVET_EINVAL;
	}
	if (url != NULL && snprintf(c->url, sizeof(c->url), "%s", url) >= (int)sizeof(c->url)) {
		free(c);
		return AIVET_EINVAL;
	}
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 30000;
	if ((rv = nng_req0_open(&c->sock)) != 0) {
		free(c);
		return rv == NNG_ENOMEM ? AIVET_ENOMEM : AIVET_EIO;
	}
	/* A synchronous dial fails at once when nobody listens. */
	if ((rv = nng_dial(c->sock, c->url, NULL, 0)) != 0) {
		nng_close(c->sock);
		free(c);
		return rv == NNG_EADDRINVAL || rv == NNG_ENOTSUP ? AIVET_EINVAL : AIVET_ECONNECT;
	}
	*out = c;
	return AIVET_OK;
}

const char *
aivet_client_url(const aivet_client *c)
{
	return c->url;
}

void
aivet_close(aivet_client *c)
{
	if (c == NULL)
		return;
	nng_close(c->sock);
	free(c);
}

void
aivet_reply_free(aivet_reply *r)
{
	if (r == NULL)
		return;
	cJSON_Delete(r->json);
	free(r->text);
	free(r);
}

int
aivet_call(aivet_client *c, const char *request, size_t len, aivet_reply **out)
{
	nng_ctx ctx;
	nng_aio *aio;
	nng_msg *msg = NULL;
	aivet_reply *r;
	int rv, rc = AIVET_OK;

	*out = NULL;
	if (c == NULL || request == NULL)
		return AIVET_EINVAL;
	if ((rv = nng_ctx_open(&ctx, c->sock)) != 0)
		return AIVET_EIO;
	if ((rv = nng_msg_alloc(&msg, 0)) != 0 || (rv = nng_msg_append(msg, request, len)) != 0) {
		nng_msg_free(msg);
		nng_ctx_close(ctx);
		return AIVET_ENOMEM;
	}
	/* nng 1.5 has no synchronous message calls on contexts: use an aio. */
	if ((rv = nng_aio_alloc(&aio, NULL, NULL)) != 0) {
		nng_msg_free(msg);
		nng_ctx_close(ctx);
		return AIVET_ENOMEM;
	}
	nng_aio_set_timeout(aio, c->timeout_ms);
	nng_aio_set_msg(aio, msg);
	nng_ctx_send(ctx, aio);
	nng_aio_wait(aio);
	if ((rv = nng_aio_result(aio)) != 0) {
		nng_msg_free(nng_aio_get_msg(aio));
	} else {
		nng_ctx_recv(ctx, aio);
		nng_aio_wait(aio);
		rv = nng_aio_result(aio);
		msg = rv == 0 ? nng_aio_get_msg(aio) : NULL;
	}
	nng_aio_free(aio);
	nng_ctx_close(ctx);
	if (rv != 0)
		return rv == NNG_ETIMEDOUT ? AIVET_ETIMEOUT : AIVET_EIO;
	if ((r = calloc(1, sizeof(*r))) == NULL || (r->text = malloc(nng_msg_len(msg) + 1)) == NULL) {
		free(r);
		nng_msg_free(msg);
		return AIVET_ENOMEM;
	}
	memcpy(r->text, nng_msg_body(msg), nng_msg_len(msg));
	r->text[nng_msg_len(msg)] = '\0';
	nng_msg_free(msg);
	r->json = cJSON_Parse(r->text);
	if (r->json == NULL || !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(r->json, "ok"))) {
		aivet_reply_free(r);
		return AIVET_EPROTO;
	}
	if (!aivet_reply_ok(r))
		rc = AIVET_EREMOTE;
	*out = r;
	return rc;
}

static int
call_obj(aivet_client *c, cJSON *req, aivet_reply **out)
{
	char *s;
	int rc;

	*out = NULL;
	if (req == NULL)
		return AIVET_ENOMEM;
	s = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	if (s == NULL)
		return AIVET_ENOMEM;
	rc = aivet_call(c, s, strlen(s), out);
	free(s);
	return rc;
}

static cJSON *
new_req(const char *op)
{
	cJSON *r = cJSON_CreateObject();

	if (r == NULL)
		return NULL;
	cJSON_AddNumberToObject(r, "v", 1);
	cJSON_AddStringToObject(r, "op", op);
	return r;
}

int
aivet_health(aivet_client *c, aivet_reply **out)
{
	return call_obj(c, new_req("health"), out);
}

int
aivet_list(aivet_client *c, aivet_reply **out)
{
	return call_obj(c, new_req("list"), out);
}

int
aivet_evaluate(aivet_client *c, const char *manifest, size_t len, const char *profile,
    const char *file, aivet_reply **out)
{
	cJSON *r = new_req("evaluate");
	char *text;

	*out = NULL;
	if (manifest == NULL)
		return (cJSON_Delete(r), AIVET_EINVAL);
	if (r == NULL || (text = malloc(len + 1)) == NULL)
		return (cJSON_Delete(r), AIVET_ENOMEM);
	memcpy(text, manifest, len);
	text[len] = '\0';
	cJSON_AddStringToObject(r, "manifest", text);
	free(text);
	if (profile != NULL)
		cJSON_AddStringToObject(r, "profile", profile);
	if (file != NULL)
		cJSON_AddStringToObject(r, "file", file);
	return call_obj(c, r, out);
}

int
aivet_verdict(aivet_client *c, const char *name, const char *version, aivet_reply **out)
{
	cJSON *r;

	*out = NULL;
	if (name == NULL)
		return AIVET_EINVAL;
	if ((r = new_req("verdict")) == NULL)
		return AIVET_ENOMEM;
	cJSON_AddStringToObject(r, "name", name);
	if (version != NULL)
		cJSON_AddStringToObject(r, "version", version);
	return call_obj(c, r, out);
}

const char *
aivet_reply_json(const aivet_reply *r)
{
	return r->text;
}

int
aivet_reply_ok(const aivet_reply *r)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->json, "ok"));
}

static const char *
str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
	x = cJSON_GetObjectItemCaseSensitive(x, b);
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

const char *
aivet_reply_error_code(const aivet_reply *r)
{
	return str_at(r->json, "error", "code");
}

const char *
aivet_reply_error_message(const aivet_reply *r)
{
	return str_at(r->json, "error", "message");
}

const char *
aivet_reply_decision(const aivet_reply *r)
{
	return str_at(r->json, "verdict", "decision");
}

const char *
aivet_reply_freshness(const aivet_reply *r)
{
	return str_at(r->json, "verdict", "freshness");
}
