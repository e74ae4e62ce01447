/*
 * test_client.c - libaivet-client against a real aivetd: the calls, their
 * errors, and one client shared by several threads.
 *
 * main starts the daemon (fork and exec, before any nng call in this
 * process, since nng's threads do not survive fork) on a temporary state
 * directory; each test, run in its own process by Check, connects to it.
 * Usage: test_client PATH-TO-AIVETD (AIVET_SRCDIR names the plugins).
 */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aivet_client.h"

static char sock[4200];

static const char manifest_fmt[] = "apiVersion: aivet/v1\n"
				   "kind: model\n"
				   "name: client-%s\n"
				   "version: \"%d\"\n"
				   "publisher: Example Lab\n"
				   "licenses:\n"
				   "  code: Apache-2.0\n"
				   "  weights: Apache-2.0\n";

static aivet_client *
connect_ok(void)
{
	aivet_client *c = NULL;
	int rc = aivet_connect(&c, sock, 10000);

	ck_assert_msg(rc == AIVET_OK, "connect: %s", aivet_strerror(rc));
	return c;
}

static int
evaluate(aivet_client *c, const char *tag, int n, aivet_reply **r)
{
	char m[512];
	int len = snprintf(m, sizeof(m), manifest_fmt, tag, n);

	return aivet_evaluate(c, m, (size_t)len, NULL, "client.yaml", r);
}

START_TEST(health_answers)
{
	aivet_client *c = connect_ok();
	aivet_reply *r = NULL;

	ck_assert_int_eq(aivet_health(c, &r), AIVET_OK);
	ck_assert(aivet_reply_ok(r));
	ck_assert_ptr_nonnull(strstr(aivet_reply_json(r), "\"status\":\"ok\""));
	ck_assert_ptr_null(aivet_reply_error_code(r));
	ck_assert_str_eq(aivet_client_url(c), sock);
	aivet_reply_free(r);
	aivet_close(c);
}
END_TEST

START_TEST(evaluate_then_verdict_agree)
{
	aivet_client *c = connect_ok();
	aivet_reply *r = NULL, *v = NULL;
	char dec[32];

	ck_assert_int_eq(evaluate(c, "core", 1, &r), AIVET_OK);
	ck_assert_ptr_nonnull(aivet_reply_decision(r));
	snprintf(dec, sizeof(dec), "%s", aivet_reply_decision(r));
	ck_assert_str_eq(aivet_reply_freshness(r), "current");
	ck_assert_int_eq(aivet_verdict(c, "client-core", "1", &v), AIVET_OK);
	ck_assert_str_eq(aivet_reply_decision(v), dec);
	aivet_reply_free(v);
	v = NULL;
	/* Without a version: the latest evaluated. */
	ck_assert_int_eq(aivet_verdict(c, "client-core", NULL, &v), AIVET_OK);
	ck_assert_ptr_nonnull(strstr(aivet_reply_json(v), "\"version\":\"1\""));
	aivet_reply_free(v);
	v = NULL;
	ck_assert_int_eq(aivet_list(c, &v), AIVET_OK);
	ck_assert_ptr_nonnull(strstr(aivet_reply_json(v), "client-core"));
	aivet_reply_free(v);
	aivet_reply_free(r);
	aivet_close(c);
}
END_TEST

typedef struct job {
	aivet_client *c;
	int id;
	int ok;
} job;

static void *
worker(void *arg)
{
	job *j = arg;
	char tag[32], name[64], ver[16];

	snprintf(tag, sizeof(tag), "t%d", j->id);
	snprintf(name, sizeof(name), "client-t%d", j->id);
	for (int i = 0; i < 15; i++) {
		aivet_reply *r = NULL, *v = NULL;
		snprintf(ver, sizeof(ver), "%d", i);
		if (evaluate(j->c, tag, i, &r) == AIVET_OK && aivet_reply_decision(r) != NULL &&
		    aivet_verdict(j->c, name, ver, &v) == AIVET_OK &&
		    strcmp(aivet_reply_decision(r), aivet_reply_decision(v)) == 0 &&
		    strstr(aivet_reply_json(v), name) != NULL)
			j->ok++;
		aivet_reply_free(r);
		aivet_reply_free(v);
	}
	return NULL;
}

START_TEST(one_client_many_threads)
{
	enum { N = 8 };
	aivet_client *c = connect_ok();
	pthread_t t[N];
	job j[N];

	for (int i = 0; i < N; i++) {
		j[i] = (job){c, i, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker, &j[i]), 0);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		ck_assert_msg(j[i].ok == 15, "thread %d: %d of 15 round trips right", i, j[i].ok);
	}
	aivet_close(c);
}
END_TEST

START_TEST(bad_manifest_is_a_remote_error_with_position)
{
	aivet_client *c = connect_ok();
	aivet_reply *r = NULL;
	static const char bad[] = "apiVersion: aivet/v1\nkind: model\nname: [\n";

	ck_assert_int_eq(aivet_evaluate(c, bad, sizeof(bad) - 1, NULL, "bad.yaml", &r),
	    AIVET_EREMOTE);
	ck_assert_ptr_nonnull(r);
	ck_assert(!aivet_reply_ok(r));
	ck_assert_ptr_nonnull(aivet_reply_error_code(r));
	ck_assert_ptr_nonnull(strstr(aivet_reply_error_message(r), "bad.yaml:"));
	ck_assert_ptr_null(aivet_reply_decision(r));
	aivet_reply_free(r);
	aivet_close(c);
}
END_TEST

START_TEST(unknown_component_and_profile)
{
	aivet_client *c = connect_ok();
	aivet_reply *r = NULL;
	char m[512];
	int len = snprintf(m, sizeof(m), manifest_fmt, "p", 1);

	ck_assert_int_eq(aivet_verdict(c, "client-never-seen", NULL, &r), AIVET_EREMOTE);
	ck_assert_str_eq(aivet_reply_error_code(r), "not_found");
	aivet_reply_free(r);
	r = NULL;
	ck_assert_int_eq(aivet_evaluate(c, m, (size_t)len, "no-such-profile", NULL, &r),
	    AIVET_EREMOTE);
	ck_assert_str_eq(aivet_reply_error_code(r), "not_found");
	aivet_reply_free(r);
	aivet_close(c);
}
END_TEST

START_TEST(raw_call_and_bad_requests)
{
	aivet_client *c = connect_ok();
	aivet_reply *r = NULL;
	static const char stats[] = "{\"v\":1,\"op\":\"stats\"}";
	static const char junk[] = "{not json";

	ck_assert_int_eq(aivet_call(c, stats, sizeof(stats) - 1, &r), AIVET_OK);
	ck_assert_ptr_nonnull(strstr(aivet_reply_json(r), "\"requests\""));
	aivet_reply_free(r);
	r = NULL;
	ck_assert_int_eq(aivet_call(c, junk, sizeof(junk) - 1, &r), AIVET_EREMOTE);
	ck_assert_str_eq(aivet_reply_error_code(r), "bad_request");
	aivet_reply_free(r);
	r = NULL;
	ck_assert_int_eq(aivet_call(c, NULL, 0, &r), AIVET_EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(aivet_verdict(c, NULL, NULL, &r), AIVET_EINVAL);
	aivet_close(c);
}
END_TEST

START_TEST(no_daemon_is_econnect)
{
	aivet_client *c = NULL;

	ck_assert_int_eq(aivet_connect(&c, "ipc:///nonexistent/aivet-test.sock", 500),
	    AIVET_ECONNECT);
	ck_assert_ptr_null(c);
	for (int code = AIVET_EIO; code <= AIVET_OK; code++)
		ck_assert_ptr_nonnull(aivet_strerror(code));
	aivet_close(NULL);
	aivet_reply_free(NULL);
}
END_TEST

static Suite *
client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *core = tcase_create("core"), *threads = tcase_create("threads");
	TCase *errors = tcase_create("errors");

	tcase_add_test(core, health_answers);
	tcase_add_test(core, evaluate_then_verdict_agree);
	tcase_add_test(threads, one_client_many_threads);
	tcase_set_timeout(threads, 90);
	tcase_add_test(errors, bad_manifest_is_a_remote_error_with_position);
	tcase_add_test(errors, unknown_component_and_profile);
	tcase_add_test(errors, raw_call_and_bad_requests);
	tcase_add_test(errors, no_daemon_is_econnect);
	suite_add_tcase(s, core);
	suite_add_tcase(s, threads);
	suite_add_tcase(s, errors);
	return s;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/aivet-client.XXXXXX", cmd[4200], path[4200];
	const char *src = getenv("AIVET_SRCDIR");
	struct stat st;
	pid_t pid;
	int failed, status;

	if (argc != 2 || src == NULL) {
		fprintf(stderr, "usage: AIVET_SRCDIR=SRC test_client AIVETD\n");
		return 2;
	}
	if (mkdtemp(dir) == NULL)
		return 2;
	setenv("AIVET_STATE_DIR", dir, 1);
	setenv("AIVET_DATA_DIR", src, 1);
	unsetenv("AIVET_SOCKET");
	snprintf(sock, sizeof(sock), "ipc://%s/aivetd.sock", dir);
	snprintf(path, sizeof(path), "%s/aivetd.sock", dir);
	if ((pid = fork()) == 0) {
		execl(argv[1], argv[1], "--workers", "4", (char *)NULL);
		_exit(127);
	}
	/* The socket file appears once the daemon listens. */
	for (int i = 0; i < 200 && stat(path, &st) != 0; i++)
		usleep(50000);
	if (stat(path, &st) != 0) {
		fprintf(stderr, "aivetd did not start\n");
		kill(pid, SIGKILL);
		return 1;
	}
	SRunner *sr = srunner_create(client_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "aivetd exited badly (status %d)\n", status);
		failed++;
	}
	return failed == 0 ? 0 : 1;
}
