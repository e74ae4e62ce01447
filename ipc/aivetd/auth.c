/*
 * auth.c - who may write: the configured writers (users and groups; by
 * default the daemon's own user and root), or an HTTP caller that sent the
 * configured token.  Refused attempts are audited and logged.
 *
 * This is about the peer, not the verdict: what a write does is the
 * engine's (engine/review.h).
 */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "server_int.h"
#include "store.h"

static bool
in_group(const char *user, const char *group)
{
	struct group gr, *gres = NULL;
	struct passwd pw, *pres = NULL;
	char gbuf[8192], pbuf[4096];

	if (getgrnam_r(group, &gr, gbuf, sizeof(gbuf), &gres) != 0 || gres == NULL)
		return false;
	for (char **m = gr.gr_mem; m != NULL && *m != NULL; m++)
		if (strcmp(*m, user) == 0)
			return true;
	return getpwnam_r(user, &pw, pbuf, sizeof(pbuf), &pres) == 0 && pres != NULL &&
	    pw.pw_gid == gr.gr_gid;
}

static bool
may_write(const av_config *c, const char *actor)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	/* The HTTP gateway names its caller "<http:token>" (not a possible
	 * user name) only after checking the configured bearer token
	 * (http.c); IPC actors come from the peer's uid, so no client can
	 * claim this name. */
	if (strcmp(actor, "<http:token>") == 0)
		return true;
	if (c->nwriter_users == 0 && c->nwriter_groups == 0) {
		if (strcmp(actor, "root") == 0)
			return true;
		return getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res != NULL &&
		    strcmp(pw.pw_name, actor) == 0;
	}
	for (size_t i = 0; i < c->nwriter_users; i++)
		if (strcmp(c->writer_users[i], actor) == 0)
			return true;
	for (size_t i = 0; i < c->nwriter_groups; i++)
		if (in_group(actor, c->writer_groups[i]))
			return true;
	return false;
}

int
av_srv_authorize(av_server *s, const char *actor, const char *action, const char *target)
{
	av_audit a = {0};
	av_error err;

	if (may_write(s->cfg, actor))
		return 0;
	a.at = av_now();
	a.actor = actor;
	a.action = action;
	a.target = target;
	a.detail = "{\"error\":\"forbidden\"}";
	a.denied = true;
	if (av_store_audit(s->wr, &a, &err) != 0)
		av_log(AV_LOG_ERROR, "cannot record a refused %s by %s: %s", action, actor, err.msg);
	av_log(AV_LOG_WARN, "refused: %s may not %s%s%s", actor, action, target ? " " : "",
	    target ? target : "");
	return AV_EFORBIDDEN;
}
