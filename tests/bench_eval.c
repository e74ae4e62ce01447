/*
 * bench_eval.c - what one evaluation costs, stage by stage, in one
 * thread: the request's JSON parse, the manifest tree, prepare, digest,
 * the component's conversion to Lua, each plugin alone, the whole
 * pipeline (av_evaluate) with no record, the canonical JSON and the
 * durable store commit.  Built, not run as a test:
 *
 *     bench_eval [SRCDIR] [N]
 *
 * SRCDIR (default $AIVET_SRCDIR, else ".") is the source tree whose
 * plugins/ and policies/ are loaded; N (default 2000) evaluations per
 * stage.  Each stage is timed over N distinct manifests (the same ~3 KB
 * manifest aivet-bench sends) and printed as microseconds per call.  The
 * cost of one plugin is the time of an evaluation running it alone minus
 * that of an evaluation running no plugin (the conversion baseline).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "component.h"
#include "doc.h"
#include "evaluate.h"
#include "manifest.h"
#include "plugin.h"
#include "plugin_int.h"
#include "proto.h"
#include "store.h"

#include "bench_manifest.h"


static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void
die(const char *what, const av_error *err)
{
	fprintf(stderr, "bench_eval: %s: %s\n", what, err != NULL ? err->msg : "failed");
	exit(1);
}

/* The request as aivet-bench sends it: the manifest as a JSON object. */
static char *
request_text(int i)
{
	char yaml[4096], *json;
	av_doc *doc;
	av_error err;
	size_t len;

	snprintf(yaml, sizeof(yaml), manifest_fmt, i, i);
	if (av_doc_parse(&doc, yaml, strlen(yaml), AV_FMT_AUTO, "bench", NULL, &err) != 0)
		die("parse", &err);
	json = av_node_to_json(av_doc_root(doc), &len);
	av_doc_destroy(doc);
	char *req = malloc(len + 64);
	if (json == NULL || req == NULL)
		die("out of memory", NULL);
	snprintf(req, len + 64, "{\"v\":1,\"op\":\"evaluate\",\"manifest\":%s}", json);
	free(json);
	return req;
}

/* The best of three runs of n evaluations choosing the given plugins
 * (NULL: every plugin), in microseconds: the machine is shared and noisy. */
static double
time_eval(av_runtime *rt, av_doc **docs, int n, const char *const *names, size_t nnames)
{
	double best = 0;
	av_error err;

	for (int rep = 0; rep < 3; rep++) {
		double t0 = now_us();
		for (int i = 0; i < n; i++) {
			av_verdict *v;
			if (av_runtime_evaluate_only(rt, av_doc_root(docs[i]), "default", 0, names,
				nnames, &v, &err) != 0)
				die("evaluate", &err);
			av_verdict_destroy(v);
		}
		double t = now_us() - t0;
		if (rep == 0 || t < best)
			best = t;
	}
	return best;
}

/* The best of three runs of n evaluations through the one pipeline with no
 * record: the digest of the prepared component, every plugin, the final
 * verdict, and its reply text. */
static double
time_pipeline(av_runtime *rt, av_doc **docs, int n)
{
	av_eval_env env = {.rt = rt};
	double best = 0;
	av_error err;

	for (int rep = 0; rep < 3; rep++) {
		double t0 = now_us();
		for (int i = 0; i < n; i++) {
			av_eval_in in = {.doc = docs[i], .file = "bench", .as_component = true};
			av_eval ev;
			av_eval_init(&ev);
			if (av_evaluate(&ev, &env, &in, &err) != 0)
				die("pipeline", &err);
			free(av_verdict_text(ev.v, NULL));
			av_eval_fini(&ev);
		}
		double t = now_us() - t0;
		if (rep == 0 || t < best)
			best = t;
	}
	return best;
}

static void
report(const char *stage, double us, int n)
{
	printf("  %-28s %9.1f us\n", stage, us / n);
}

int
main(int argc, char **argv)
{
	const char *src = argc > 1 ? argv[1] : getenv("AIVET_SRCDIR");
	int n = argc > 2 ? atoi(argv[2]) : 2000;
	char plugdir[1024], poldir[1024], db[] = "/tmp/bench_eval.XXXXXX", dbfile[1100];
	const char *pd[1] = {plugdir}, *po[1] = {poldir};
	av_policy_opts o = {0};
	av_policy *p;
	av_runtime *rt;
	av_store *st;
	av_diags d = {0};
	av_error err;
	double t0, base = 0;

	if (src == NULL)
		src = ".";
	if (n <= 0)
		n = 2000;
	snprintf(plugdir, sizeof(plugdir), "%s/plugins", src);
	snprintf(poldir, sizeof(poldir), "%s/policies", src);
	o.plugin_dirs = pd;
	o.nplugin_dirs = 1;
	o.policy_dirs = po;
	o.npolicy_dirs = 1;
	if (av_policy_load(&p, &o, &d) != 0) {
		fprintf(stderr, "bench_eval: cannot load the policy from %s\n", src);
		return 1;
	}
	if (av_runtime_create(&rt, p, &err) != 0)
		die("runtime", &err);
	if (mkdtemp(db) == NULL)
		die("mkdtemp", NULL);
	snprintf(dbfile, sizeof(dbfile), "%s/aivet.db", db);
	if (av_store_open(&st, dbfile, AV_STORE_COMMITTER, &err) != 0)
		die("store", &err);

	char **reqs = calloc((size_t)n, sizeof(*reqs));
	cJSON **js = calloc((size_t)n, sizeof(*js));
	av_doc **docs = calloc((size_t)n, sizeof(*docs));
	av_verdict **vs = calloc((size_t)n, sizeof(*vs));
	char **canon = calloc((size_t)n, sizeof(*canon));
	size_t *clen = calloc((size_t)n, sizeof(*clen));
	char digest[65];
	if (reqs == NULL || js == NULL || docs == NULL || vs == NULL || canon == NULL || clen == NULL)
		die("out of memory", NULL);
	for (int i = 0; i < n; i++)
		reqs[i] = request_text(i);
	printf("bench_eval: %d evaluations, request %zu bytes, %zu plugins\n", n, strlen(reqs[0]),
	    av_policy_nplugins(p));

	t0 = now_us();
	for (int i = 0; i < n; i++)
		if ((js[i] = cJSON_Parse(reqs[i])) == NULL)
			die("request JSON", NULL);
	report("request JSON (cJSON)", now_us() - t0, n);

	t0 = now_us();
	for (int i = 0; i < n; i++)
		if (av_doc_from_json(&docs[i], cJSON_GetObjectItem(js[i], "manifest"), "bench", NULL,
			&err) != 0)
			die("manifest tree", &err);
	report("manifest tree", now_us() - t0, n);

	t0 = now_us();
	for (int i = 0; i < n; i++)
		if (av_component_prepare(docs[i], "bench", &err) != 0)
			die("prepare", &err);
	report("prepare (validate)", now_us() - t0, n);

	t0 = now_us();
	for (int i = 0; i < n; i++)
		av_manifest_digest(av_doc_root(docs[i]), digest);
	report("digest (canonical sha256)", now_us() - t0, n);

	/* No plugin chosen: converting the component and the bookkeeping. */
	static const char *const none[1] = {""};
	base = time_eval(rt, docs, n, none, 0);
	report("Lua conversion + GC", base, n);

	double sum = 0;
	for (size_t k = 0; k < av_policy_nplugins(p); k++) {
		const char *name = av_policy_plugin(p, k)->name;
		char label[64];
		double t = time_eval(rt, docs, n, &name, 1) - base;
		sum += t;
		snprintf(label, sizeof(label), "plugin %s", name);
		report(label, t, n);
	}
	report("plugins, sum", sum, n);
	report("whole evaluation (best of 3)", time_eval(rt, docs, n, NULL, 0), n);
	report("pipeline + reply (best of 3)", time_pipeline(rt, docs, n), n);

	t0 = now_us();
	for (int i = 0; i < n; i++)
		if (av_runtime_evaluate(rt, av_doc_root(docs[i]), "default", 0, &vs[i], &err) != 0)
			die("evaluate", &err);
	report("evaluation kept for store", now_us() - t0, n);

	t0 = now_us();
	for (int i = 0; i < n; i++) {
		av_manifest_digest(av_doc_root(docs[i]), vs[i]->manifest_digest);
		if ((canon[i] = av_node_to_json(av_doc_root(docs[i]), &clen[i])) == NULL)
			die("canonical JSON", NULL);
	}
	report("canonical JSON", now_us() - t0, n);

	t0 = now_us();
	for (int i = 0; i < n; i++)
		if (av_store_put_evaluation(st, vs[i], canon[i], clen[i], "bench", &err) != 0)
			die("store", &err);
	report("store commit (1 writer)", now_us() - t0, n);

	t0 = now_us();
	for (int i = 0; i < n; i++) {
		cJSON *j = av_verdict_to_json(vs[i]);
		char *s = cJSON_PrintUnformatted(j);
		free(s);
		cJSON_Delete(j);
	}
	report("verdict reply JSON", now_us() - t0, n);

	for (int i = 0; i < n; i++) {
		cJSON_Delete(js[i]);
		av_doc_destroy(docs[i]);
		av_verdict_destroy(vs[i]);
		free(canon[i]);
		free(reqs[i]);
	}
	free(reqs), free(js), free(docs), free(vs), free(canon), free(clen);
	av_store_close(st);
	snprintf(dbfile, sizeof(dbfile), "rm -rf '%s'", db);
	if (system(dbfile) != 0)
		fprintf(stderr, "bench_eval: could not remove %s\n", db);
	av_runtime_destroy(rt);
	av_policy_unref(p);
	return 0;
}
