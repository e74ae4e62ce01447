/*
 * fuzz_license.c - libFuzzer target for the license normaliser and the
 * identification of aivet scan: the normalised text must be words with
 * single spaces between them, normalising it again must change nothing,
 * and identification against the shipped data must give a score in 0..1.
 * The input is also read as identification data.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "av_config.h"
#include "scan/licid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static av_licdb *shipped;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char *out, *again;
	size_t len, n, len2, n2;
	av_error err;

	if (shipped == NULL) {
		char path[4096];
		const char *src = getenv("AIVET_SRCDIR");
		snprintf(path, sizeof(path), "%s/policies/data/license-ids.txt", src ? src : AV_SRCDIR);
		if (av_licdb_load_file(&shipped, path, &err) != 0)
			abort();
	}
	if (av_license_normalise(text, size, &out, &len, &n) != 0)
		return 0;
	if (len > 0 && (out[0] == ' ' || out[len - 1] == ' ' || strstr(out, "  ") != NULL))
		abort();
	if (av_license_normalise(out, len, &again, &len2, &n2) == 0) {
		/* words stay words: normalising twice keeps the count (a copyright
		 * line may go on the second pass only if it was made on the first) */
		if (n2 > n)
			abort();
		free(again);
	}
	free(out);
	av_licmatch m;
	if (av_license_identify(shipped, text, size, &m) == 0 && (m.score < 0 || m.score > 1.0000001))
		abort();
	av_licdb *db;
	if (av_licdb_load(&db, text, size, "fuzz", &err) == 0) {
		(void)av_license_identify(db, "MIT License", 11, &m);
		av_licdb_destroy(db);
	}
	return 0;
}
