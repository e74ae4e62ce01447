/*
 * aivet-bench - drives aivetd with concurrent clients and reports
 * throughput and latency, next to a raw nng REQ/REP echo server measured in
 * the same run with the same payload and concurrency, so that figures are
 * ratios against a baseline and not absolute numbers from a noisy machine.
 *
 *   aivet-bench [--socket URL] [--clients N] [--count N | --duration SECONDS]
 *               [--mix MIX] [--disk-dir DIR]
 *
 * MIX is one kind, or weighted kinds ("evaluate=2,cached=3,verdict=5"):
 * evaluate (distinct manifests: nothing cached), cached (the same manifest
 * again), verdict (stored-verdict lookups), review (a record_review write on
 * the cached component).  --duration runs the clients for that long instead
 * of a fixed count, making each request when it is sent (a soak run).
 * Without --socket
 * the benchmark starts its own aivetd (next to this program) on a fresh
 * temporary state directory.
 *
 * When the mix has uncached evaluations it also measures the disk: the
 * latency of a one-row SQLite transaction in WAL mode with
 * synchronous=FULL (what one group commit costs at least), in a scratch
 * database beside the daemon's (or in --disk-dir), and the ceiling that
 * implies: with N clients at most N evaluations wait for a commit, so no
 * more than N per commit latency can be answered durably.  Then the store
 * alone: N threads storing evaluations of the bench's size through the
 * daemon's own group committer, each waiting for its commit (up to 500
 * each), which is what aivetd's store allows before any other cost.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <sqlite3.h>

#include "sha256.h"
#include "doc.h"
#include "store.h"
#include "verdict.h"

#include "bench_manifest.h"


typedef enum { MIX_EVALUATE, MIX_CACHED, MIX_VERDICT, MIX_REVIEW, MIX_MIXED } mix_kind;

#define NKINDS 4

/* Weights of each kind for MIX_MIXED: request i is of the kind its place in
 * the repeating pattern gives. */
static int weights[NKINDS] = {1, 0, 0, 0};

static mix_kind
kind_of(mix_kind mix, int i)
{
	int total = 0, k;

	if (mix != MIX_MIXED)
		return mix;
	for (k = 0; k < NKINDS; k++)
		total += weights[k];
	k = i % total;
	for (int kind = 0; kind < NKINDS; kind++) {
		if (k < weights[kind])
			return (mix_kind)kind;
		k -= weights[kind];
	}
	return MIX_VERDICT;
}

static int
parse_mix(const char *s, mix_kind *mix)
{
	static const char *names[] = {"evaluate", "cached", "verdict", "review"};
	char buf[128], *save = NULL;
	int n = 0;

	for (int k = 0; k < NKINDS; k++)
		if (strcmp(s, names[k]) == 0) {
			*mix = (mix_kind)k;
			return 0;
		}
	snprintf(buf, sizeof(buf), "%s", s);
	memset(weights, 0, sizeof(weights));
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		int k;
		if (eq == NULL)
			return -1;
		*eq = '\0';
		for (k = 0; k < NKINDS && strcmp(t, names[k]) != 0; k++)
			;
		if (k == NKINDS || atoi(eq + 1) < 0)
			return -1;
		weights[k] = atoi(eq + 1);
		n += weights[k];
	}
	*mix = MIX_MIXED;
	return n > 0 ? 0 : -1;
}

typedef struct run {
	nng_socket sock;
	mix_kind mix;
	int count;      /* requests per client */
	int clients;
	double duration; /* seconds; 0: count requests per client, made in advance */
	double until;   /* with a duration: when clients stop (now_s()) */
	bool echo;      /* baseline: payload is echoed */
	const char *payload; /* baseline payload */
	size_t plen;
	atomic_int next;
	atomic_int failures;
	double *lat;    /* seconds, one per request */
	char **reqs;    /* made before the clock starts */
} run;

typedef struct client {
	run *r;
	int id;
} client;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Distinct per run, so that uncached evaluations stay uncached against a
 * daemon that already saw an earlier run. */
static int run_id;

static char *
make_request(mix_kind mix, int i)
{
	char m[8192], *json, *out;
	int k;

	mix = kind_of(mix, i);
	k = mix == MIX_EVALUATE ? i : 0;
	av_doc *doc;
	size_t len;

	if (mix == MIX_VERDICT) {
		out = malloc(128);
		snprintf(out, 128, "{\"v\":1,\"op\":\"verdict\",\"name\":\"bench-model-0\"}");
		return out;
	}
	if (mix == MIX_REVIEW) {
		/* On the component the cached kind evaluates (primed before the run). */
		out = malloc(256);
		snprintf(out, 256, "{\"v\":1,\"op\":\"record_review\",\"name\":\"bench-model-0\","
		    "\"version\":\"2.%d\",\"decision\":\"%s\",\"note\":\"bench %d\"}", run_id,
		    i % 2 ? "approve" : "approve_with_conditions", i);
		return out;
	}
	snprintf(m, sizeof(m), manifest_fmt, k, run_id);
	/* The manifest travels as a JSON object, as the aivet CLI sends it. */
	if (av_doc_parse(&doc, m, strlen(m), AV_FMT_YAML, "bench", NULL, NULL) != 0)
		abort();
	json = av_node_to_json(av_doc_root(doc), &len);
	av_doc_destroy(doc);
	out = malloc(len + 64);
	sprintf(out, "{\"v\":1,\"op\":\"evaluate\",\"manifest\":%s}", json);
	free(json);
	return out;
}

static void *
client_main(void *arg)
{
	client *c = arg;
	run *r = c->r;
	nng_ctx ctx;

	nng_aio *aio;

	if (nng_ctx_open(&ctx, r->sock) != 0 || nng_aio_alloc(&aio, NULL, NULL) != 0)
		return NULL;
	nng_aio_set_timeout(aio, 30000);
	for (;;) {
		nng_msg *msg;
		char *req;
		size_t len;
		double t0;
		int i;

		if (r->until > 0 && now_s() >= r->until)
			break;
		i = atomic_fetch_add(&r->next, 1);
		if (i >= r->count * r->clients)
			break;
		if (r->echo) {
			req = NULL;
			len = r->plen;
		} else if (r->until > 0) {
			req = make_request(r->mix, i + 1);
			len = strlen(req);
		} else {
			req = r->reqs[i];
			r->reqs[i] = NULL;
			len = strlen(req);
		}
		t0 = now_s();
		nng_msg_alloc(&msg, 0);
		nng_msg_append(msg, req ? req : r->payload, len);
		free(req);
		nng_aio_set_msg(aio, msg);
		nng_ctx_send(ctx, aio);
		nng_aio_wait(aio);
		if (nng_aio_result(aio) != 0) {
			nng_msg_free(nng_aio_get_msg(aio));
			atomic_fetch_add(&r->failures, 1);
			continue;
		}
		nng_ctx_recv(ctx, aio);
		nng_aio_wait(aio);
		if (nng_aio_result(aio) != 0) {
			atomic_fetch_add(&r->failures, 1);
			continue;
		}
		msg = nng_aio_get_msg(aio);
		if (!r->echo && (nng_msg_len(msg) < 11 || memcmp(nng_msg_body(msg), "{\"ok\":true", 10)))
			atomic_fetch_add(&r->failures, 1);
		nng_msg_free(msg);
		r->lat[i] = now_s() - t0;
	}
	nng_aio_free(aio);
	nng_ctx_close(ctx);
	return NULL;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

typedef struct result {
	double rate, p50, p90, p99;
	int failures;
	int requests;
} result;

static result
drive(run *r)
{
	pthread_t th[256];
	client cl[256];
	int total = r->count * r->clients;
	double t0, el;
	result res;

	r->lat = calloc((size_t)total, sizeof(double));
	if (!r->echo && r->duration <= 0) {
		r->reqs = calloc((size_t)total, sizeof(char *));
		for (int i = 0; i < total; i++)
			r->reqs[i] = make_request(r->mix, i + 1);
	}
	atomic_store(&r->next, 0);
	atomic_store(&r->failures, 0);
	t0 = now_s();
	r->until = r->duration > 0 ? t0 + r->duration : 0;
	for (int i = 0; i < r->clients; i++) {
		cl[i] = (client){r, i};
		pthread_create(&th[i], NULL, client_main, &cl[i]);
	}
	for (int i = 0; i < r->clients; i++)
		pthread_join(th[i], NULL);
	el = now_s() - t0;
	if (atomic_load(&r->next) < total)
		total = atomic_load(&r->next);
	if (total < 1)
		total = 1;
	qsort(r->lat, (size_t)total, sizeof(double), cmp_d);
	res.rate = total / el;
	res.p50 = r->lat[total / 2] * 1e3;
	res.p90 = r->lat[total * 9 / 10] * 1e3;
	res.p99 = r->lat[total * 99 / 100] * 1e3;
	res.failures = atomic_load(&r->failures);
	res.requests = total;
	free(r->lat);
	free(r->reqs);
	r->reqs = NULL;
	return res;
}

/* The baseline: a REP echo server on N contexts, in this process. */
typedef struct echo_ctx {
	nng_ctx ctx;
	nng_aio *aio;
	int state; /* 0 receiving, 1 sending */
} echo_ctx;

static void
echo_cb(void *arg)
{
	echo_ctx *e = arg;

	if (nng_aio_result(e->aio) != 0) {
		if (e->state == 1)
			nng_msg_free(nng_aio_get_msg(e->aio));
		if (nng_aio_result(e->aio) == NNG_ECLOSED || nng_aio_result(e->aio) == NNG_ECANCELED)
			return;
		e->state = 0;
		nng_ctx_recv(e->ctx, e->aio);
		return;
	}
	if (e->state == 0) {
		e->state = 1;
		nng_aio_set_msg(e->aio, nng_aio_get_msg(e->aio));
		nng_ctx_send(e->ctx, e->aio);
	} else {
		e->state = 0;
		nng_ctx_recv(e->ctx, e->aio);
	}
}

/*
 * The durable-commit baseline: n one-row transactions (a row of the size of
 * a stored evaluation) in WAL mode with synchronous=FULL, one after the
 * other, in a scratch database in dir.  Returns the median and p99 commit
 * latency in ms, or -1 when the database cannot be used.
 */
static int
disk_baseline(const char *dir, int n, double *p50, double *p99)
{
	char path[4096], aux[4200], blob[4096];
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	double *lat = calloc((size_t)n, sizeof(double));
	int rc = -1;

	snprintf(path, sizeof(path), "%s/aivet-bench-disk.%d.db", dir, (int)getpid());
	memset(blob, 'x', sizeof(blob));
	if (lat == NULL || sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			     "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB);",
		NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES (?1)", -1, &ins, NULL) != SQLITE_OK)
		goto out;
	for (int i = 0; i < n; i++) {
		double t0 = now_s();
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_blob(ins, 1, blob, (int)sizeof(blob), SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto out;
		sqlite3_reset(ins);
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			goto out;
		lat[i] = (now_s() - t0) * 1e3;
	}
	qsort(lat, (size_t)n, sizeof(double), cmp_d);
	*p50 = lat[n / 2];
	*p99 = lat[n * 99 / 100];
	rc = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_close(db);
	free(lat);
	unlink(path);
	snprintf(aux, sizeof(aux), "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", path);
	unlink(aux);
	return rc;
}

/*
 * The store-alone baseline: `writers` threads each storing `puts`
 * evaluations through the store's group committer (synchronous=FULL), each
 * waiting for its own commit as an evaluate request does, with verdicts and
 * manifests of the bench's size: what aivetd's own store allows with that
 * many requests in flight, before any parsing, plugin or transport cost.
 * A scratch database in dir.  Returns puts per second, or -1.
 */
struct store_writer {
	av_store *s;
	int t, puts, failures;
	double *lat; /* each put's latency, ms */
};

static void *
store_writer_main(void *arg)
{
	struct store_writer *sw = arg;
	char manifest[sizeof(manifest_fmt) + 64];
	av_error err;

	for (int i = 0; i < sw->puts; i++) {
		int n = sw->t * 1000000 + i;
		int len = snprintf(manifest, sizeof(manifest), manifest_fmt, n, n);
		av_verdict *v = av_verdict_create();
		char name[48], version[16];

		if (v == NULL) {
			sw->failures++;
			continue;
		}
		snprintf(name, sizeof(name), "bench-model-%d", n);
		snprintf(version, sizeof(version), "2.%d", n);
		v->name = strdup(name);
		v->version = strdup(version);
		v->kind = strdup("model");
		v->profile = strdup("default");
		av_sha256_hex(manifest, (size_t)len, v->manifest_digest);
		av_sha256_hex("bench-policy", 12, v->policy_digest);
		v->evaluated_at = time(NULL);
		v->review_by = v->evaluated_at + 90 * 86400;
		/* About the findings the bench manifest gets from the built-in plugins. */
		for (int f = 0; f < 15; f++) {
			char id[48];
			snprintf(id, sizeof(id), "area%d.check.number_%d", f % 8, f);
			av_verdict_add(v, "license", id, f % 3 == 0 ? AV_SEV_REVIEW : AV_SEV_WARN,
			    "the component does not say what this check needs, so a reviewer "
			    "must look at it before it is used",
			    "licenses.weights: Apache-2.0 (from the manifest, line 20)",
			    "state the missing fact in the manifest and evaluate it again", "license");
		}
		av_verdict_decide(v);
		double t0 = now_s();
		if (av_store_put_evaluation(sw->s, v, manifest, (size_t)len, "bench", &err) != 0 &&
		    sw->failures++ == 0)
			fprintf(stderr, "aivet-bench: store baseline: %s\n", err.msg);
		sw->lat[i] = (now_s() - t0) * 1e3;
		av_verdict_destroy(v);
	}
	return NULL;
}

static double
store_baseline(const char *dir, int writers, int puts, double *p50, double *p99)
{
	char path[4096], aux[4200];
	struct store_writer *sw = calloc((size_t)writers, sizeof(*sw));
	pthread_t *th = calloc((size_t)writers, sizeof(*th));
	double *lat = calloc((size_t)writers * (size_t)puts, sizeof(double));
	av_store *s = NULL;
	av_error err;
	double t0, rate = -1;
	int failures = 0, started = 0;

	snprintf(path, sizeof(path), "%s/aivet-bench-store.%d.db", dir, (int)getpid());
	if (sw == NULL || th == NULL || lat == NULL ||
	    av_store_open(&s, path, AV_STORE_COMMITTER, &err) != 0)
		goto out;
	t0 = now_s();
	for (int i = 0; i < writers; i++) {
		sw[i] = (struct store_writer){s, i, puts, 0, lat + (size_t)i * (size_t)puts};
		if (pthread_create(&th[i], NULL, store_writer_main, &sw[i]) != 0)
			break;
		started++;
	}
	for (int i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		failures += sw[i].failures;
	}
	if (started == writers && failures == 0) {
		size_t n = (size_t)writers * (size_t)puts;
		rate = writers * puts / (now_s() - t0);
		qsort(lat, n, sizeof(double), cmp_d);
		*p50 = lat[n / 2];
		*p99 = lat[n * 99 / 100];
	}
out:
	av_store_close(s);
	free(lat);
	free(sw);
	free(th);
	unlink(path);
	snprintf(aux, sizeof(aux), "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", path);
	unlink(aux);
	return rate;
}

static void
usage(void)
{
	fprintf(stderr, "usage: aivet-bench [--socket URL] [--clients N] [--count N] "
			"[--mix evaluate|cached|verdict|review|evaluate=N,cached=N,verdict=N,review=N]\n"
			"                   [--duration SECONDS] [--daemon PATH] [--no-baseline] [--disk-dir DIR]\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"clients", required_argument, NULL, 'c'},
		{"count", required_argument, NULL, 'n'},
		{"mix", required_argument, NULL, 'm'},
		{"daemon", required_argument, NULL, 'd'},
		{"no-baseline", no_argument, NULL, 'B'},
		{"disk-dir", required_argument, NULL, 'D'},
		{"duration", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL, *daemon = NULL, *disk_dir = NULL;
	char own_url[512], state[] = "/tmp/aivet-bench.XXXXXX", exe[4096];
	int clients = 8, count = 2000, ch, baseline = 1;
	double duration = 0;
	mix_kind mix = MIX_EVALUATE;
	pid_t pid = 0;
	run r;
	result ours, base;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': url = optarg; break;
		case 'c': clients = atoi(optarg); break;
		case 'n': count = atoi(optarg); break;
		case 'd': daemon = optarg; break;
		case 'B': baseline = 0; break;
		case 'D': disk_dir = optarg; break;
		case 't': duration = atof(optarg); break;
		case 'm':
			if (parse_mix(optarg, &mix) != 0)
				usage();
			break;
		default: usage();
		}
	}
	if (clients < 1 || clients > 256 || count < 1 || duration < 0)
		usage();
	if (duration > 0)
		count = (1 << 22) / clients; /* a bound on what a run can send */
	run_id = (int)((time(NULL) ^ getpid()) % 1000000);
	if (url == NULL) {
		/* Fork and exec before any nng call: nng is not fork-safe. */
		ssize_t n;
		if (mkdtemp(state) == NULL)
			return 70;
		if (daemon == NULL) {
			n = readlink("/proc/self/exe", exe, sizeof(exe) - 16);
			if (n <= 0)
				return 70;
			exe[n] = '\0';
			strcpy(strrchr(exe, '/') + 1, "aivetd");
			daemon = exe;
		}
		snprintf(own_url, sizeof(own_url), "ipc://%s/aivetd.sock", state);
		url = own_url;
		if ((pid = fork()) == 0) {
			setenv("AIVET_STATE_DIR", state, 1);
			execl(daemon, "aivetd", "--log-level", "warn", (char *)NULL);
			_exit(127);
		}
	}
	nng_req0_open(&r.sock);
	for (int i = 0; i < 200; i++) {
		if (nng_dial(r.sock, url, NULL, 0) == 0)
			break;
		if (i == 199) {
			fprintf(stderr, "aivet-bench: cannot reach %s\n", url);
			return 69;
		}
		usleep(50000);
	}
	r.clients = clients;
	r.count = count;
	r.echo = false;
	r.mix = mix;
	r.duration = duration;
	if (mix != MIX_EVALUATE) {
		/* Prime: one evaluation so that cached and verdict hit the store. */
		run p = r;
		p.clients = 1;
		p.count = 1;
		p.mix = MIX_CACHED;
		p.duration = 0;
		drive(&p);
	}
	ours = drive(&r);
	nng_close(r.sock);

	char *payload = make_request(mix, 1);
	printf(duration > 0 ? "aivet-bench: %s, %d clients, %d requests, request %zu bytes\n"
			   : "aivet-bench: %s, %d clients x %d requests, request %zu bytes\n",
	    mix == MIX_EVALUATE ? "evaluate (uncached)"
	    : mix == MIX_CACHED ? "evaluate (cached)"
	    : mix == MIX_VERDICT ? "verdict"
	    : mix == MIX_REVIEW ? "record_review"
				 : "mixed",
	    clients, duration > 0 ? ours.requests : count, strlen(payload));
	printf("  aivetd    %9.0f req/s  p50 %6.3f ms  p90 %6.3f ms  p99 %6.3f ms  failures %d\n",
	    ours.rate, ours.p50, ours.p90, ours.p99, ours.failures);
	if (baseline) {
		nng_socket rep;
		echo_ctx ec[256];
		char eurl[600];
		snprintf(eurl, sizeof(eurl), "ipc:///tmp/aivet-bench-echo.%d.sock", (int)getpid());
		nng_rep0_open(&rep);
		nng_listen(rep, eurl, NULL, 0);
		for (int i = 0; i < clients; i++) {
			nng_ctx_open(&ec[i].ctx, rep);
			nng_aio_alloc(&ec[i].aio, echo_cb, &ec[i]);
			ec[i].state = 0;
			nng_ctx_recv(ec[i].ctx, ec[i].aio);
		}
		run b = r;
		nng_req0_open(&b.sock);
		nng_dial(b.sock, eurl, NULL, 0);
		b.echo = true;
		b.payload = payload;
		b.plen = strlen(payload);
		base = drive(&b);
		nng_close(b.sock);
		for (int i = 0; i < clients; i++)
			nng_aio_stop(ec[i].aio);
		nng_close(rep);
		for (int i = 0; i < clients; i++)
			nng_aio_free(ec[i].aio);
		printf("  raw echo  %9.0f req/s  p50 %6.3f ms  p90 %6.3f ms  p99 %6.3f ms\n",
		    base.rate, base.p50, base.p90, base.p99);
		printf("  ratio     %9.1f%% of raw nng REQ/REP echo throughput\n",
		    100.0 * ours.rate / base.rate);
	}
	if (baseline && (mix == MIX_EVALUATE || (mix == MIX_MIXED && weights[0] > 0))) {
		/* Beside the daemon's database: the same disk. */
		double d50, d99;
		const char *dir = disk_dir != NULL ? disk_dir : pid > 0 ? state : "/tmp";
		if (disk_baseline(dir, 200, &d50, &d99) == 0) {
			double ceiling = clients * 1e3 / d50;
			printf("  durable commit  p50 %6.3f ms  p99 %6.3f ms  (SQLite WAL, synchronous=FULL, "
			       "one-row transaction, in %s)\n", d50, d99, dir);
			printf("  commit ceiling %8.0f req/s with %d clients in flight; aivetd reaches "
			       "%.1f%% of it\n", ceiling, clients, 100.0 * ours.rate / ceiling);
		} else {
			fprintf(stderr, "aivet-bench: cannot measure the disk in %s\n", dir);
		}
		int puts = count > 0 ? (count < 500 ? count : 500) : 200;
		double s50 = 0, s99 = 0, store = store_baseline(dir, clients, puts, &s50, &s99);
		if (store > 0)
			printf("  store alone %9.0f puts/s  p50 %6.3f ms  p99 %6.3f ms  (%d writers, each "
			       "waiting for its group commit, %d puts each); aivetd reaches %.1f%% of it\n",
			    store, s50, s99, clients, puts, 100.0 * ours.rate / store);
		else
			fprintf(stderr, "aivet-bench: cannot run the store baseline in %s\n", dir);
	}
	free(payload);
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state);
		if (system(cmd) != 0)
			fprintf(stderr, "aivet-bench: could not remove %s\n", state);
	}
	return ours.failures ? 1 : 0;
}
