/*
 * aivetd - the aivet daemon.  A small main: read the configuration, build
 * the server, then wait for signals (SIGTERM/SIGINT drain and exit 0,
 * SIGHUP reloads plugins and profiles).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "av_config.h"
#include "config.h"
#include "log.h"
#include "server.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: aivetd [-n] [-c FILE] [--socket URL] [--events URL] [--database PATH]\n"
	    "              [--state-dir DIR] [--workers N] [--log-level LEVEL]\n"
	    "\n"
	    "Runs in the foreground and logs to stderr. With no options it uses embedded\n"
	    "defaults: state in $AIVET_STATE_DIR, $XDG_STATE_HOME/aivet or ~/.local/state/aivet.\n"
	    "\n"
	    "  -c, --config FILE   read settings from a YAML file (see aivetd(8))\n"
	    "  -n, --check         check the configuration, plugins and profiles, then exit\n"
	    "      --socket URL    request socket (default ipc://STATE/aivetd.sock)\n"
	    "      --events URL    event socket (default ipc://STATE/aivetd-events.sock)\n"
	    "      --database PATH SQLite database (default STATE/aivet.db)\n"
	    "      --state-dir DIR state directory\n"
	    "      --workers N     worker threads (default: number of CPUs)\n"
	    "      --log-level L   debug, info, warn or error\n"
	    "      --watch         reload plugins and profiles when their files change\n"
	    "  -V, --version       print the version and exit\n");
}

static void
print_diags(const av_diags *d)
{
	char line[AV_ERR_MSG + AV_ERR_FILE + 32];

	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "aivetd: %s\n", av_error_format(&d->v[i], line, sizeof(line)));
}

static void
watch_dir(int fd, const char *dir)
{
	char sub[AV_PATH_MAX + 8];
	const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE;

	if (inotify_add_watch(fd, dir, mask) < 0)
		return;
	snprintf(sub, sizeof(sub), "%s/lib", dir);
	inotify_add_watch(fd, sub, mask);
	snprintf(sub, sizeof(sub), "%s/lib/aivet", dir);
	inotify_add_watch(fd, sub, mask);
	snprintf(sub, sizeof(sub), "%s/data", dir);
	inotify_add_watch(fd, sub, mask);
}

/* Watches every plugin and policy folder (and their lib/ and data/). */
static int
watch_policy_dirs(const av_config *c)
{
	char dir[AV_PATH_MAX + 16];
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/plugins", c->data_dir);
	watch_dir(fd, dir);
	snprintf(dir, sizeof(dir), "%s/policies", c->data_dir);
	watch_dir(fd, dir);
	for (size_t i = 0; i < c->nplugin_dirs; i++)
		watch_dir(fd, c->plugin_dirs[i]);
	for (size_t i = 0; i < c->npolicy_dirs; i++)
		watch_dir(fd, c->policy_dirs[i]);
	return fd;
}

/* Reads pending inotify events; true when any touched a .lua or .yaml file. */
static int
drain_events(int fd)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	int relevant = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			const char *dot = ev->len ? strrchr(ev->name, '.') : NULL;
			if (dot != NULL && (strcmp(dot, ".lua") == 0 || strcmp(dot, ".yaml") == 0))
				relevant = 1;
			p += sizeof(*ev) + ev->len;
		}
	}
	return relevant;
}

static int
set_path(char *dst, size_t len, const char *v, const char *what)
{
	if (snprintf(dst, len, "%s", v) >= (int)len) {
		fprintf(stderr, "aivetd: %s too long\n", what);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 'n'},
		{"socket", required_argument, NULL, 's'},
		{"events", required_argument, NULL, 'e'},
		{"database", required_argument, NULL, 'd'},
		{"state-dir", required_argument, NULL, 'S'},
		{"workers", required_argument, NULL, 'w'},
		{"log-level", required_argument, NULL, 'l'},
		{"watch", no_argument, NULL, 'W'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *socket = NULL, *events = NULL, *database = NULL;
	const char *state = NULL, *level = NULL;
	int workers = -1, check = 0, watch = 0, ch, rc = 0, wfd = -1;
	av_config cfg;
	av_server *srv = NULL;
	av_diags d;
	av_error err;
	sigset_t set;

	while ((ch = getopt_long(argc, argv, "c:nVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'n': check = 1; break;
		case 'W': watch = 1; break;
		case 's': socket = optarg; break;
		case 'e': events = optarg; break;
		case 'd': database = optarg; break;
		case 'S': state = optarg; break;
		case 'w': workers = atoi(optarg); break;
		case 'l': level = optarg; break;
		case 'V': printf("aivetd %s\n", AV_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 64;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 64;
	}
	/* A --state-dir moves every default that lives in it. */
	if (state != NULL && setenv("AIVET_STATE_DIR", state, 1) != 0)
		return 70;
	if (av_config_defaults(&cfg, &err) != 0) {
		fprintf(stderr, "aivetd: %s\n", err.msg);
		return 78;
	}
	av_diags_init(&d);
	if (config != NULL && av_config_load(&cfg, config, &d) != 0) {
		print_diags(&d);
		av_diags_fini(&d);
		av_config_fini(&cfg);
		return 78;
	}
	if ((socket && set_path(cfg.socket, sizeof(cfg.socket), socket, "--socket")) ||
	    (events && set_path(cfg.events, sizeof(cfg.events), events, "--events")) ||
	    (database && set_path(cfg.database, sizeof(cfg.database), database, "--database")))
		return 64;
	if (workers >= 0)
		cfg.workers = workers;
	if (level != NULL) {
		static const char *lv[] = {"debug", "info", "warn", "error"};
		cfg.log_level = -1;
		for (int i = 0; i < 4; i++)
			if (strcmp(level, lv[i]) == 0)
				cfg.log_level = i;
		if (cfg.log_level < 0) {
			fprintf(stderr, "aivetd: --log-level: '%s' is not debug, info, warn or error\n",
			    level);
			return 64;
		}
	}
	av_log_init("aivetd", cfg.log_level);

	/*
	 * Signals are taken synchronously by this thread alone: block them
	 * before nng or the store start any thread, so every thread inherits
	 * the mask.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (check) {
		/* -n: only the configuration and the policy set. */
		rc = av_server_check_policy(&cfg, &d);
		print_diags(&d);
		if (rc == 0)
			printf("aivetd: configuration ok\n");
		av_diags_fini(&d);
		av_config_fini(&cfg);
		return rc == 0 ? 0 : 78;
	}

	if (av_server_create(&srv, &cfg, &d, &err) != 0) {
		char line[AV_ERR_MSG + AV_ERR_FILE + 32];
		print_diags(&d);
		fprintf(stderr, "aivetd: %s\n", av_error_format(&err, line, sizeof(line)));
		av_diags_fini(&d);
		av_config_fini(&cfg);
		return err.code == AV_EIO ? 69 : 78;
	}
	av_diags_fini(&d);
	if (av_server_start(srv, &err) != 0) {
		fprintf(stderr, "aivetd: %s\n", err.msg);
		av_server_destroy(srv);
		av_config_fini(&cfg);
		return 70;
	}
	if (watch && (wfd = watch_policy_dirs(&cfg)) < 0)
		av_log(AV_LOG_WARN, "--watch: cannot watch the plugin folders; reload by SIGHUP");
	for (;;) {
		struct timespec tick = {0, 200 * 1000 * 1000};
		int sig = sigtimedwait(&set, NULL, wfd >= 0 ? &tick : NULL);
		if (sig < 0) {
			/* A burst of writes (an editor saving) settles before one reload. */
			if (wfd >= 0 && drain_events(wfd)) {
				av_log(AV_LOG_INFO, "plugin or profile files changed: reloading");
				av_diags_init(&d);
				av_server_reload(srv, &d);
				av_diags_fini(&d);
			}
			continue;
		}
		if (sig == SIGHUP) {
			av_log(AV_LOG_INFO, "SIGHUP: reloading plugins and profiles");
			av_diags_init(&d);
			av_server_reload(srv, &d);
			av_diags_fini(&d);
			continue;
		}
		av_log(AV_LOG_INFO, "%s: finishing requests in flight, then exiting",
		    sig == SIGINT ? "SIGINT" : "SIGTERM");
		break;
	}
	if (wfd >= 0)
		close(wfd);
	av_server_destroy(srv);
	av_config_fini(&cfg);
	av_log(AV_LOG_INFO, "stopped");
	return rc;
}
