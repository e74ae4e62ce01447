/*
 * bench_store.c - throughput of durable evaluation writes through the
 * store's group committer: THREADS writers, each storing PUTS distinct
 * verdicts with a ~3 KB manifest, every write acknowledged only once its
 * batch is committed with synchronous=FULL.
 *
 *     bench_store [DB] [THREADS] [PUTS] [async]
 *
 * DB defaults to ./bench_store.db, which is removed first; THREADS to 8,
 * PUTS (per thread) to 2000.  With "async", each thread keeps up to 32
 * writes in flight through av_store_put_evaluation_async instead of
 * waiting for each.  Prints puts/s, batches and checkpoints.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"
#include "store.h"

#define WINDOW 32

static bool async_mode;

struct worker {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	int in_flight;
	av_verdict *slots[WINDOW];
	av_store *s;
	int t, puts, failures;
	double max_latency;
	char manifest[3072];
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct slot {
	struct worker *w;
	av_verdict *v;
};

static void
settled(void *arg, int rc, int64_t id, const av_error *err)
{
	struct slot *sl = arg;
	struct worker *w = sl->w;

	(void)id;
	av_verdict_destroy(sl->v);
	pthread_mutex_lock(&w->lock);
	if (rc != 0 && w->failures++ == 0)
		fprintf(stderr, "bench_store: %s\n", err->msg);
	w->in_flight--;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->lock);
	free(sl);
}

static void *
run(void *arg)
{
	struct worker *w = arg;
	char name[32], version[16];
	av_error err;

	snprintf(name, sizeof(name), "bench-%d", w->t);
	for (int i = 0; i < w->puts; i++) {
		av_verdict *v = av_verdict_create();
		if (v == NULL) {
			w->failures++;
			continue;
		}
		snprintf(version, sizeof(version), "%d", i);
		int n = snprintf(w->manifest, 64, "name: %s\nversion: %s\n", name, version);
		w->manifest[n] = '#';
		v->name = strdup(name);
		v->version = strdup(version);
		v->kind = strdup("model");
		v->profile = strdup("default");
		av_sha256_hex(w->manifest, sizeof(w->manifest) - 1, v->manifest_digest);
		av_sha256_hex("bench-policy", 12, v->policy_digest);
		v->evaluated_at = 1700000000 + i;
		v->review_by = v->evaluated_at + 90 * 86400;
		av_verdict_add(v, "license", "license.weights.noncommercial", AV_SEV_REVIEW,
		    "weights are licensed for non-commercial use only", "licenses.weights", NULL,
		    "license");
		av_verdict_decide(v);
		if (async_mode) {
			/* The manifest buffer is shared: async writes here store a copy of the
			 * first one per digest, which is all the benchmark needs. */
			struct slot *sl = malloc(sizeof(*sl));
			pthread_mutex_lock(&w->lock);
			while (w->in_flight >= WINDOW)
				pthread_cond_wait(&w->cv, &w->lock);
			w->in_flight++;
			pthread_mutex_unlock(&w->lock);
			*sl = (struct slot){w, v};
			if (av_store_put_evaluation_async(w->s, v, NULL, 0, "bench", settled, sl, &err) !=
			    0) {
				fprintf(stderr, "bench_store: %s\n", err.msg);
				exit(1);
			}
			continue;
		}
		double t0 = now_s();
		if (av_store_put_evaluation(w->s, v, w->manifest, sizeof(w->manifest) - 1, "bench",
			&err) != 0) {
			if (w->failures++ == 0)
				fprintf(stderr, "bench_store: %s\n", err.msg);
		}
		double dt = now_s() - t0;
		if (dt > w->max_latency)
			w->max_latency = dt;
		av_verdict_destroy(v);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "bench_store.db";
	int threads = argc > 2 ? atoi(argv[2]) : 8;
	int puts = argc > 3 ? atoi(argv[3]) : 2000;
	char side[4096];
	av_store *s;
	av_store_stats st;
	av_error err;
	int failures = 0;
	double max_latency = 0;

	if (threads < 1 || threads > 256 || puts < 1) {
		fprintf(stderr, "usage: bench_store [DB] [THREADS 1..256] [PUTS]\n");
		return 64;
	}
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	if (av_store_open(&s, path, AV_STORE_COMMITTER, &err) != 0) {
		fprintf(stderr, "bench_store: %s: %s\n", path, err.msg);
		return 1;
	}
	struct worker *w = calloc((size_t)threads, sizeof(*w));
	async_mode = argc > 4 && strcmp(argv[4], "async") == 0;
	pthread_t *th = calloc((size_t)threads, sizeof(*th));
	if (w == NULL || th == NULL) {
		fprintf(stderr, "bench_store: out of memory\n");
		return 1;
	}
	double t0 = now_s();
	for (int t = 0; t < threads; t++) {
		w[t].s = s;
		w[t].t = t;
		w[t].puts = puts;
		pthread_mutex_init(&w[t].lock, NULL);
		pthread_cond_init(&w[t].cv, NULL);
		memset(w[t].manifest, 'm', sizeof(w[t].manifest) - 1);
		pthread_create(&th[t], NULL, run, &w[t]);
	}
	for (int t = 0; t < threads; t++) {
		pthread_join(th[t], NULL);
		pthread_mutex_lock(&w[t].lock);
		while (w[t].in_flight > 0)
			pthread_cond_wait(&w[t].cv, &w[t].lock);
		pthread_mutex_unlock(&w[t].lock);
		failures += w[t].failures;
		if (w[t].max_latency > max_latency)
			max_latency = w[t].max_latency;
	}
	double dt = now_s() - t0;
	if (av_store_get_stats(s, &st, &err) != 0)
		fprintf(stderr, "bench_store: %s\n", err.msg);
	av_store_close(s);
	printf("%s, %d threads x %d puts: %.3f s, %.0f puts/s, %llu batches (%.1f writes each), "
	       "%llu checkpoints, max latency %.2f ms, %d failures\n",
	    /* the SQLite backend's upkeep is a WAL checkpoint */
	    async_mode ? "async" : "sync", threads, puts, dt, threads * puts / dt, (unsigned long long)st.batches,
	    st.batches ? (double)st.items / (double)st.batches : 0.0,
	    (unsigned long long)st.upkeeps, max_latency * 1e3, failures);
	free(w);
	free(th);
	return failures == 0 ? 0 : 1;
}
