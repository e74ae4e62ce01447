/*
 * local.c - evaluating in-process (`aivet check --local`, and the policy
 * set of `aivet policies --local` and the plugin commands).
 *
 * The verdict comes from the engine's one pipeline (engine/evaluate.h), the
 * same the daemon runs: with --database it reads that record (read-only:
 * nothing is stored) so that waivers, human reviews and schedules bear on
 * the verdict exactly as in the daemon's reply; without it the record is
 * empty.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "clock.h"
#include "evaluate.h"
#include "paths.h"
#include "store.h"

int
cli_local_policy_opts(cli_policy_dirs *pd, av_policy_opts *po)
{
	char data[AV_PATH_MAX];

	memset(po, 0, sizeof(*po));
	if (av_data_dir(data, sizeof(data)) == NULL)
		return -1;
	snprintf(pd->plug, sizeof(pd->plug), "%s/plugins", data);
	snprintf(pd->pol, sizeof(pd->pol), "%s/policies", data);
	pd->pd[0] = pd->plug;
	pd->qd[0] = pd->pol;
	for (size_t i = 0; i < cli.nplugin_dirs; i++)
		pd->pd[i + 1] = cli.plugin_dirs[i];
	for (size_t i = 0; i < cli.npolicy_dirs; i++)
		pd->qd[i + 1] = cli.policy_dirs[i];
	po->plugin_dirs = pd->pd;
	po->nplugin_dirs = cli.nplugin_dirs + 1;
	po->policy_dirs = pd->qd;
	po->npolicy_dirs = cli.npolicy_dirs + 1;
	return 0;
}

int
cli_load_local_policy(void)
{
	cli_policy_dirs pd;
	av_policy_opts po;
	av_diags d;
	int rc;

	if (cli.policy != NULL)
		return 0;
	if (cli_local_policy_opts(&pd, &po) != 0)
		return EX_SOFT;
	av_diags_init(&d);
	rc = av_policy_load(&cli.policy, &po, &d);
	cli_print_diags(&d);
	av_diags_fini(&d);
	return rc == 0 ? 0 : EX_SOFT;
}

/* The runtime, and the record of --database, on first use. */
static int
open_local(void)
{
	av_error err;
	int ex;

	if ((ex = cli_load_local_policy()) != 0)
		return ex;
	if (cli.rt == NULL && av_runtime_create(&cli.rt, cli.policy, &err) != 0) {
		fprintf(stderr, "aivet: %s\n", err.msg);
		return EX_SOFT;
	}
	if (cli.database != NULL && cli.rd == NULL &&
	    av_store_open(&cli.rd, cli.database, AV_STORE_READONLY, &err) != 0) {
		fprintf(stderr, "aivet: --database %s: %s\n", cli.database, err.msg);
		return EX_SOFT;
	}
	return 0;
}

cJSON *
cli_evaluate_local(av_doc *doc, const char *path, int *ex)
{
	av_eval_env env = {0};
	av_eval_in in = {0};
	av_eval ev;
	av_error err;
	cJSON *j = NULL;

	if ((*ex = open_local()) != 0)
		return NULL;
	env.rt = cli.rt;
	env.rd = cli.rd;
	env.now = av_now();
	in.doc = doc;
	in.file = path;
	in.profile = cli.profile != NULL ? cli.profile : "default";
	in.refresh = true; /* evaluated here, never answered from the record */
	av_eval_init(&ev);
	if (av_evaluate(&ev, &env, &in, &err) != 0) {
		char line[AV_ERR_MSG + AV_ERR_FILE + 32];
		fprintf(stderr, "%s\n", av_error_format(&err, line, sizeof(line)));
		*ex = err.code == AV_ENOTFOUND ? EX_USAGE_ :
		    err.code == AV_ENOMEM || err.code == AV_ESTORE || err.code == AV_EIO ? EX_SOFT :
		    EX_DATA;
	} else if ((j = av_verdict_to_json(ev.v)) == NULL) {
		fprintf(stderr, "aivet: out of memory\n");
		*ex = EX_SOFT;
	}
	av_eval_fini(&ev);
	return j;
}

void
cli_local_fini(void)
{
	av_store_close(cli.rd);
	av_runtime_destroy(cli.rt);
	av_policy_unref(cli.policy);
	cli.rd = NULL;
	cli.rt = NULL;
	cli.policy = NULL;
}
