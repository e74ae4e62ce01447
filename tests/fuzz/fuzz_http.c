/*
 * fuzz_http.c - libFuzzer target for the HTTP gateway's request path
 * (ipc/http_route.c) without a network: the input is an HTTP/1.1 request
 * as sent ("METHOD URI HTTP/1.1", headers, a blank line, the body), split
 * here as nng would split it; av_http_plan then routes it, checks its query
 * and token, reads the body when asked to, and builds the protocol
 * request.  The invariants of a plan are checked (an error reply is a
 * protocol error object with a 4xx status; a request to send is a protocol
 * object with an op), and the body is also read as a server reply by
 * av_http_status_of.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "http_route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TOKEN "f8d1c0ffee"

/* The next line of [*p, end) without its CR LF, NUL-terminated in place of
 * the line end; NULL at the end of the input. */
static char *
line(char **p, char *end)
{
	char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (nl == NULL)
		nl = end;
	*p = nl < end ? nl + 1 : end;
	if (nl > s && nl[-1] == '\r')
		nl--;
	*nl = '\0';
	return s;
}

static bool
is_header(const char *h, const char *name)
{
	size_t n = strlen(name);

	return strncasecmp(h, name, n) == 0 && h[n] == ':';
}

static const char *
value(char *h)
{
	char *v = strchr(h, ':') + 1;

	while (*v == ' ' || *v == '\t')
		v++;
	return v;
}

/* Aborts unless the plan keeps its promises. */
static void
check(const av_http_out *o)
{
	cJSON *j;

	switch (o->action) {
	case AV_HTTP_REPLY:
		if (o->status < 400 || o->status > 499 || o->body == NULL)
			abort();
		j = cJSON_ParseWithLength(o->body, o->len);
		if (j == NULL || !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "ok")) ||
		    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "error")))
			abort();
		cJSON_Delete(j);
		break;
	case AV_HTTP_CALL:
	case AV_HTTP_REVIEWS_ICS:
		if (o->request == NULL || o->actor == NULL)
			abort();
		j = cJSON_Parse(o->request);
		if (j == NULL || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "op")))
			abort();
		/* Only the token may reload. */
		if (strcmp(cJSON_GetObjectItemCaseSensitive(j, "op")->valuestring, "reload") == 0 &&
		    strcmp(o->actor, "<http:token>") != 0)
			abort();
		cJSON_Delete(j);
		break;
	case AV_HTTP_METRICS:
		break;
	case AV_HTTP_READ_BODY:
		if (o->content_length == 0)
			abort();
		break;
	default:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *p, *end, *rl, *h, *sp;
	av_http_in in = {.token = TOKEN};
	av_http_out o;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	p = buf;
	end = buf + size;
	/* Request line: METHOD SP URI [SP VERSION]; nng refuses the rest. */
	if ((rl = line(&p, end)) == NULL || (sp = strchr(rl, ' ')) == NULL)
		goto out;
	*sp = '\0';
	in.method = rl;
	in.uri = sp + 1;
	if ((sp = strchr(sp + 1, ' ')) != NULL)
		*sp = '\0';
	if (in.uri[0] != '/')
		goto out;
	while ((h = line(&p, end)) != NULL && *h != '\0') {
		if (strchr(h, ':') == NULL)
			goto out;
		if (is_header(h, "Content-Length"))
			in.content_length = value(h);
		else if (is_header(h, "Transfer-Encoding"))
			in.transfer_encoding = value(h);
		else if (is_header(h, "Authorization"))
			in.authorization = value(h);
	}
	if (av_http_plan(&in, &o) != 0)
		goto out;
	check(&o);
	if (o.action == AV_HTTP_READ_BODY) {
		size_t want = o.content_length, left = (size_t)(end - p);
		av_http_out_fini(&o);
		in.body = p;
		in.len = want < left ? want : left;
		if (av_http_plan(&in, &o) != 0)
			goto out;
		check(&o);
		if (o.action == AV_HTTP_READ_BODY || o.close)
			abort();
	}
	av_http_out_fini(&o);
	/* What follows the headers, read as the server's reply. */
	uint16_t st = av_http_status_of(p, (size_t)(end - p), p[0] == '{');
	if (st != 200 && (st < 400 || st > 503))
		abort();
out:
	free(buf);
	return 0;
}
