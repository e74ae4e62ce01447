/*
 * proto.h - protocol v1: JSON requests and replies over nng REQ/REP (and
 * the HTTP gateway).  Documented in docs/protocol.md.
 *
 * A request is one JSON object {"v":1,"op":"...",...}.  A reply is
 * {"ok":true,...} or {"ok":false,"error":{"code":"...","message":"..."}}.
 */
#ifndef IPC_PROTO_H
#define IPC_PROTO_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "errors.h"

#define AV_PROTO_VERSION 1

/* A new {"ok":true} object; NULL when out of memory. */
cJSON *av_reply_ok(void);
/* A new error reply for an AV_E* code; message may be NULL (the code's
 * description is used). */
cJSON *av_reply_error(int code, const char *message);
/* Serialises and frees a reply; returns a malloc'd string or NULL. */
char *av_reply_finish(cJSON *reply, size_t *len);

/* Field accessors for requests: NULL / default when absent; they set err
 * and return AV_EINVAL when the field has the wrong type. */
int av_req_str(const cJSON *req, const char *field, const char **out, av_error *err);
int av_req_bool(const cJSON *req, const char *field, int *out, av_error *err);

#endif
