/*
 * fuzz_proto.c - libFuzzer target for the request path as the daemon
 * takes it: JSON parse, the envelope checks (object, "v", "op"), the field
 * accessors, the manifest as text or as a JSON object (av_doc_from_json),
 * av_component_prepare, and the error reply built from what went wrong.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "component.h"
#include "manifest.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
reply_error(int code, const av_error *err)
{
	char msg[AV_ERR_MSG + AV_ERR_FILE + 64];
	size_t len;
	free(av_reply_finish(av_reply_error(code, av_error_format(err, msg, sizeof(msg))), &len));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *req = cJSON_ParseWithLength((const char *)data, size);
	const char *file = NULL, *profile = NULL, *op = NULL;
	int refresh = 0, rc;
	av_doc *doc = NULL;
	av_error err;
	av_limits lim;

	if (req == NULL)
		return 0;
	av_error_clear(&err);
	if (!cJSON_IsObject(req))
		goto out;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "v");
	if (v != NULL && (!cJSON_IsNumber(v) || v->valuedouble != AV_PROTO_VERSION))
		goto out;
	if (av_req_str(req, "op", &op, &err) || av_req_str(req, "file", &file, &err) ||
	    av_req_str(req, "profile", &profile, &err) ||
	    av_req_bool(req, "refresh", &refresh, &err)) {
		reply_error(AV_EINVAL, &err);
		goto out;
	}
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(req, "manifest");
	av_limits_default(&lim);
	if (op != NULL && strcmp(op, "small") == 0) {
		lim.max_depth = 4;
		lim.max_nodes = 32;
	}
	if (cJSON_IsString(m))
		rc = av_doc_parse(&doc, m->valuestring, strlen(m->valuestring), AV_FMT_AUTO, file,
		    &lim, &err);
	else if (m != NULL)
		rc = av_doc_from_json(&doc, m, file, &lim, &err);
	else
		goto out;
	if (rc != 0) {
		reply_error(rc, &err);
		goto out;
	}
	if ((rc = av_component_prepare(doc, file, &err)) != 0) {
		reply_error(rc, &err);
	} else {
		char digest[65];
		av_manifest_digest(av_doc_root(doc), digest);
	}
	av_doc_destroy(doc);
out:
	cJSON_Delete(req);
	return 0;
}
