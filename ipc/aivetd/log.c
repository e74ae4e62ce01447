/*
 * log.c - logging for aivetd.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const char *log_prog = "aivetd";
static int log_level = AV_LOG_INFO;
static int log_journal;

void
av_log_init(const char *prog, int level)
{
	log_prog = prog;
	log_level = level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void
av_log(int level, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warning", "error"};
	static const int prio[] = {7, 6, 4, 3};
	char line[2048];
	va_list ap;
	int n;

	if (level < log_level)
		return;
	if (level < AV_LOG_DEBUG || level > AV_LOG_ERROR)
		level = AV_LOG_ERROR;
	if (log_journal) {
		n = snprintf(line, sizeof(line), "<%d>%s: ", prio[level], names[level]);
	} else {
		char ts[32];
		struct tm tm;
		time_t t = time(NULL);
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		n = snprintf(line, sizeof(line), "%s %s[%s]: ", ts, log_prog, names[level]);
	}
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	/* One write per line so lines from several threads never interleave. */
	strcat(line, "\n");
	fputs(line, stderr);
}
