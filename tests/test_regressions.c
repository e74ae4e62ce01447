/*
 * test_regressions.c - replays every input under tests/fuzz/regressions/
 * through the fuzz target it was found with.  A file is named
 * "<target>-<what>", target being one of doc, manifest, proto, config, card,
 * bom, spdx, inspect, http, deps, license, scantext; the targets' own sources (tests/fuzz/fuzz_<target>.c)
 * are compiled in under the names av_fuzz_<target>, so that the replay runs
 * exactly the code the fuzzer ran, with its invariant checks (which abort).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "errors.h"
#include "file.h"

typedef int (*fuzz_fn)(const uint8_t *data, size_t size);

int av_fuzz_doc(const uint8_t *data, size_t size);
int av_fuzz_manifest(const uint8_t *data, size_t size);
int av_fuzz_proto(const uint8_t *data, size_t size);
int av_fuzz_config(const uint8_t *data, size_t size);
int av_fuzz_card(const uint8_t *data, size_t size);
int av_fuzz_bom(const uint8_t *data, size_t size);
int av_fuzz_spdx(const uint8_t *data, size_t size);
int av_fuzz_inspect(const uint8_t *data, size_t size);
int av_fuzz_http(const uint8_t *data, size_t size);
int av_fuzz_deps(const uint8_t *data, size_t size);
int av_fuzz_license(const uint8_t *data, size_t size);
int av_fuzz_scantext(const uint8_t *data, size_t size);

static const struct {
	const char *name;
	fuzz_fn fn;
} targets[] = {
	{"doc", av_fuzz_doc},
	{"manifest", av_fuzz_manifest},
	{"proto", av_fuzz_proto},
	{"config", av_fuzz_config},
	{"card", av_fuzz_card},
	{"bom", av_fuzz_bom},
	{"spdx", av_fuzz_spdx},
	{"inspect", av_fuzz_inspect},
	{"http", av_fuzz_http},
	{"deps", av_fuzz_deps},
	{"license", av_fuzz_license},
	{"scantext", av_fuzz_scantext},
};

#define MAX_FILES 4096
static char *files[MAX_FILES];
static int nfiles;
static char dir[4096];

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
list_files(void)
{
	const char *src = getenv("AIVET_SRCDIR");
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/regressions", src ? src : ".");
	DIR *d = opendir(dir);
	struct dirent *e;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && nfiles < MAX_FILES)
		if (e->d_name[0] != '.')
			files[nfiles++] = strdup(e->d_name);
	closedir(d);
	qsort(files, (size_t)nfiles, sizeof(files[0]), by_name);
}

START_TEST(directory_has_inputs)
{
	ck_assert_msg(nfiles > 0, "no regression inputs in %s", dir);
}
END_TEST

START_TEST(replay)
{
	const char *f = files[_i];
	fuzz_fn fn = NULL;
	for (size_t k = 0; k < sizeof(targets) / sizeof(targets[0]); k++) {
		size_t n = strlen(targets[k].name);
		if (strncmp(f, targets[k].name, n) == 0 && f[n] == '-')
			fn = targets[k].fn;
	}
	ck_assert_msg(fn != NULL, "%s: the name does not start with a known target", f);
	char path[8192], *buf;
	size_t len;
	av_error err;
	snprintf(path, sizeof(path), "%s/%s", dir, f);
	ck_assert_msg(av_read_file(path, 64u << 20, &buf, &len, &err) == 0, "%s: %s", f, err.msg);
	/* Crashes, sanitizer reports and the targets' invariant aborts fail
	 * the test (Check runs it in a child process). */
	ck_assert_int_eq(fn((const uint8_t *)buf, len), 0);
	free(buf);
}
END_TEST

static Suite *
regressions_suite(void)
{
	Suite *s = suite_create("regressions");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, directory_has_inputs);
	tcase_add_loop_test(tc, replay, 0, nfiles);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	list_files();
	SRunner *sr = srunner_create(regressions_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (int i = 0; i < nfiles; i++)
		free(files[i]);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
