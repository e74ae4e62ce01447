/*
 * hooks.c - running on_alert hooks off the request path (see hooks.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "log.h"

extern char **environ;

#define MAX_QUEUE 1024
#define MAX_TRIES 4

typedef struct job {
	const av_hook_config *hook;
	char *json;
	int tries;
	struct job *next;
} job;

struct av_hooks {
	const av_config *cfg;
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	job *head, *tail;
	size_t n;
	bool stopping;
};

static bool
wants(const av_hook_config *h, const char *topic)
{
	if (h->ntopics == 0)
		return true;
	for (size_t i = 0; i < h->ntopics; i++) {
		size_t n = strlen(h->topics[i]);
		/* "review" matches "review.due"; "review.due" matches itself. */
		if (strncmp(h->topics[i], topic, n) == 0 && (topic[n] == '\0' || topic[n] == '.'))
			return true;
	}
	return false;
}

void
av_hooks_post(av_hooks *h, const char *topic, const char *json)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->cfg->nhooks; i++) {
		const av_hook_config *hc = &h->cfg->hooks[i];
		job *j;
		if (!wants(hc, topic))
			continue;
		if ((j = calloc(1, sizeof(*j))) == NULL || (j->json = strdup(json)) == NULL) {
			free(j);
			av_log(AV_LOG_ERROR, "hook %s: out of memory, alert %s not delivered",
			    hc->argv[0], topic);
			continue;
		}
		j->hook = hc;
		pthread_mutex_lock(&h->mu);
		if (h->n >= MAX_QUEUE) {
			pthread_mutex_unlock(&h->mu);
			av_log(AV_LOG_ERROR, "hook %s: %d alerts queued, dropping %s", hc->argv[0],
			    MAX_QUEUE, topic);
			free(j->json);
			free(j);
			continue;
		}
		if (h->tail != NULL)
			h->tail->next = j;
		else
			h->head = j;
		h->tail = j;
		h->n++;
		pthread_cond_signal(&h->cv);
		pthread_mutex_unlock(&h->mu);
	}
}

/* Sleeps ms milliseconds unless the runner is stopping; true when stopping. */
static bool
nap(av_hooks *h, long ms)
{
	struct timespec ts;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->mu);
	while (!h->stopping && pthread_cond_timedwait(&h->cv, &h->mu, &ts) != ETIMEDOUT)
		;
	stop = h->stopping;
	pthread_mutex_unlock(&h->mu);
	return stop;
}

/* Runs one hook once: 0 when it exited 0 within its timeout. */
static int
run_once(av_hooks *h, const av_hook_config *hc, const char *json)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int fds[2], status = 0, rc;
	pid_t pid;
	size_t len = strlen(json), off = 0;
	long waited = 0;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		av_log(AV_LOG_ERROR, "hook %s: pipe: %s", hc->argv[0], strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&pid, hc->argv[0], &fa, &at, hc->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(fds[0]);
	if (rc != 0) {
		close(fds[1]);
		av_log(AV_LOG_ERROR, "hook %s: cannot start: %s", hc->argv[0], strerror(rc));
		return -1;
	}
	/* The alert is small; a hook that does not read it gets EPIPE
	 * (SIGPIPE is ignored in the daemon), which is not a failure by itself. */
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	while (off < len) {
		ssize_t n = write(fds[1], json + off, len - off);
		if (n < 0 && errno == EAGAIN && waited < hc->timeout * 1000) {
			nap(h, 10);
			waited += 10;
			continue;
		}
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (write(fds[1], "\n", 1) < 0) {
		/* the hook closed its stdin early */
	}
	close(fds[1]);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			av_log(AV_LOG_ERROR, "hook %s: waitpid: %s", hc->argv[0], strerror(errno));
			return -1;
		}
		if (waited >= hc->timeout * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			av_log(AV_LOG_WARN, "hook %s: killed after its timeout of %llds", hc->argv[0],
			    (long long)hc->timeout);
			return -1;
		}
		usleep(20000);
		waited += 20;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		av_log(AV_LOG_WARN, "hook %s: exited with status %d", hc->argv[0],
		    WEXITSTATUS(status));
	else
		av_log(AV_LOG_WARN, "hook %s: killed by signal %d", hc->argv[0],
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

static void *
runner(void *arg)
{
	av_hooks *h = arg;

	for (;;) {
		job *j;

		pthread_mutex_lock(&h->mu);
		while (h->head == NULL && !h->stopping)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->stopping) {
			pthread_mutex_unlock(&h->mu);
			break;
		}
		j = h->head;
		if ((h->head = j->next) == NULL)
			h->tail = NULL;
		h->n--;
		pthread_mutex_unlock(&h->mu);

		/* Tries with backoff: 1 s, 2 s, 4 s between them. */
		for (j->tries = 1; j->tries <= MAX_TRIES; j->tries++) {
			if (run_once(h, j->hook, j->json) == 0)
				break;
			if (j->tries == MAX_TRIES) {
				av_log(AV_LOG_ERROR, "hook %s: giving up after %d tries",
				    j->hook->argv[0], MAX_TRIES);
				break;
			}
			if (nap(h, 1000L << (j->tries - 1)))
				break;
		}
		free(j->json);
		free(j);
	}
	return NULL;
}

int
av_hooks_start(const av_config *cfg, av_hooks **out, av_error *err)
{
	av_hooks *h;

	*out = NULL;
	if (cfg->nhooks == 0)
		return 0;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	h->cfg = cfg;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (pthread_create(&h->thr, NULL, runner, h) != 0) {
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
		free(h);
		return av_error_set(err, AV_EINTERNAL, NULL, 0, 0, "cannot start the hook thread");
	}
	*out = h;
	return 0;
}

void
av_hooks_stop(av_hooks *h)
{
	size_t dropped = 0;

	if (h == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	h->stopping = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thr, NULL);
	while (h->head != NULL) {
		job *j = h->head;
		h->head = j->next;
		free(j->json);
		free(j);
		dropped++;
	}
	if (dropped)
		av_log(AV_LOG_WARN, "hooks: %zu queued alerts not run at shutdown", dropped);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	free(h);
}
