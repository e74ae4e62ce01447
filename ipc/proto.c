/*
 * proto.c - building protocol replies and reading request fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

cJSON *
av_reply_ok(void)
{
	cJSON *r = cJSON_CreateObject();

	if (r != NULL && cJSON_AddTrueToObject(r, "ok") == NULL) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

cJSON *
av_reply_error(int code, const char *message)
{
	cJSON *r = cJSON_CreateObject(), *e;

	if (r == NULL)
		return NULL;
	cJSON_AddFalseToObject(r, "ok");
	e = cJSON_AddObjectToObject(r, "error");
	if (e == NULL) {
		cJSON_Delete(r);
		return NULL;
	}
	cJSON_AddStringToObject(e, "code", av_errname(code));
	cJSON_AddStringToObject(e, "message", message ? message : av_strerror(code));
	return r;
}

char *
av_reply_finish(cJSON *reply, size_t *len)
{
	char *s = reply != NULL ? cJSON_PrintUnformatted(reply) : NULL;

	cJSON_Delete(reply);
	if (s != NULL && len != NULL)
		*len = strlen(s);
	return s;
}

int
av_req_str(const cJSON *req, const char *field, const char **out, av_error *err)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(req, field);

	*out = NULL;
	if (f == NULL || cJSON_IsNull(f))
		return 0;
	if (!cJSON_IsString(f))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "field '%s' must be a string",
		    field);
	*out = f->valuestring;
	return 0;
}

int
av_req_bool(const cJSON *req, const char *field, int *out, av_error *err)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(req, field);

	if (f == NULL || cJSON_IsNull(f))
		return 0;
	if (!cJSON_IsBool(f))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "field '%s' must be true or false",
		    field);
	*out = cJSON_IsTrue(f);
	return 0;
}
