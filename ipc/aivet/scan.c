/*
 * scan.c - `aivet scan PATH|ORG/NAME` and the scanning half of
 * `aivet check DIR`: a local copy of a release read into an aivet/v1
 * manifest of facts by the engine (engine/scan/scan.h).
 *
 *   aivet scan [--vulns FILE]... [--jobs N] [--max-files N] [--no-cache]
 *              [-f yaml|json] [-q] PATH | ORG/NAME[@REVISION]
 *
 * A PATH is a folder (a git clone, or any snapshot folder); ORG/NAME is
 * looked up in the Hugging Face cache.  The manifest goes to stdout, notes
 * and problems to stderr, and progress too when stderr is a terminal.  The
 * hash cache lives in the state directory (STATE/scan-cache.db).  Exit
 * status: 0, or 65 when a file could not be read or parsed (the manifest is
 * still printed: what was not read is left out, never reported as safe),
 * 64 for usage errors, 70 for internal errors.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_scan.h"
#include "file.h"
#include "paths.h"
#include "scan/revision.h"
#include "scan/scan.h"
#include "scan/vulns.h"

/* Options shared by `scan` and `check DIR` (set by their option parsers). */
static struct {
	const char *vulns[16];
	size_t nvulns;
	unsigned jobs;
	size_t max_files;
	bool no_cache;
} so = {.jobs = 0};

int
cli_scan_option(int opt, const char *arg)
{
	char *end;
	unsigned long v;

	switch (opt) {
	case 'U':
		if (so.nvulns >= sizeof(so.vulns) / sizeof(so.vulns[0])) {
			fprintf(stderr, "aivet: at most 16 --vulns reports\n");
			return EX_USAGE_;
		}
		so.vulns[so.nvulns++] = arg;
		return 0;
	case 'J':
		v = strtoul(arg, &end, 10);
		if (*end != '\0' || v == 0 || v > 64) {
			fprintf(stderr, "aivet: --jobs takes a number from 1 to 64\n");
			return EX_USAGE_;
		}
		so.jobs = (unsigned)v;
		return 0;
	case 'M':
		v = strtoul(arg, &end, 10);
		if (*end != '\0' || v == 0) {
			fprintf(stderr, "aivet: --max-files takes a positive number\n");
			return EX_USAGE_;
		}
		so.max_files = v;
		return 0;
	case 'N':
		so.no_cache = true;
		return 0;
	}
	return EX_USAGE_;
}

bool
cli_scan_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- progress on a terminal -------------------------------------------------------- */

static void
human(char *buf, size_t len, double bytes)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	int u = 0;
	while (bytes >= 1000 && u < 4) {
		bytes /= 1000;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}

static void
progress(const av_scan_progress *p, void *arg)
{
	char done[32], total[32], rate[32];

	(void)arg;
	human(done, sizeof(done), (double)p->bytes_done);
	human(total, sizeof(total), (double)p->bytes);
	human(rate, sizeof(rate), p->seconds > 0 ? (double)p->bytes_hashed / p->seconds : 0);
	fprintf(stderr, "\r\033[Kscanning: %zu/%zu files, %s of %s, hashing at %s/s", p->files_done,
	    p->files, done, total, rate);
	fflush(stderr);
}

/* ---- running a scan --------------------------------------------------------------------- */

static void
print_diags(const av_diags *d, int *errors)
{
	char line[AV_ERR_MSG + AV_ERR_FILE + 32];

	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].code < 0)
			(*errors)++;
		else if (cli.quiet)
			continue;
		fprintf(stderr, "%s%s\n", d->v[i].code == AV_OK ? "note: " : "",
		    av_error_format(&d->v[i], line, sizeof(line)));
	}
}

/*
 * Scans target (a folder, or ORG/NAME[@REV] in the Hugging Face cache) and
 * joins the --vulns reports.  Returns 0 with *out, or an exit code; *errors
 * counts the problems printed.
 */
static int
run_scan(const char *target, av_scan **out, int *errors)
{
	char data[AV_PATH_MAX], ids[AV_PATH_MAX + 64], state[AV_PATH_MAX], cache[AV_PATH_MAX + 32];
	av_hf_snapshot snap;
	av_scan_opts opt;
	av_diags d;
	av_error err;
	const char *dir = target;
	int rc;
	bool tty = isatty(STDERR_FILENO) && !cli.quiet;

	*out = NULL;
	av_scan_opts_default(&opt);
	if (so.jobs > 0)
		opt.jobs = so.jobs;
	else {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		opt.jobs = n > 1 ? (unsigned)(n > 8 ? 8 : n) : 1;
	}
	if (so.max_files > 0)
		opt.max_files = so.max_files;
	if (av_data_dir(data, sizeof(data)) != NULL) {
		snprintf(ids, sizeof(ids), "%s/policies/data/license-ids.txt", data);
		opt.license_data = ids;
	}
	if (!so.no_cache && av_state_dir(state, sizeof(state)) != NULL &&
	    av_mkdirs(state, 0700) == 0 &&
	    snprintf(cache, sizeof(cache), "%s/scan-cache.db", state) < (int)sizeof(cache))
		opt.cache = cache;
	if (tty)
		opt.progress = progress;
	if (!cli_scan_is_dir(target)) {
		char note[256];
		if (strchr(target, '/') == NULL || target[0] == '/' || target[0] == '.' ||
		    access(target, F_OK) == 0) {
			fprintf(stderr, "aivet scan: %s: not a folder%s\n", target,
			    access(target, F_OK) == 0 ? "" : " (no such file or folder)");
			return EX_DATA;
		}
		if ((rc = av_hf_resolve(&snap, NULL, target, note, sizeof(note), &err)) != 0) {
			fprintf(stderr, "aivet scan: %s\n", err.msg);
			return rc == AV_EINVAL ? EX_USAGE_ : EX_DATA;
		}
		if (note[0] != '\0' && !cli.quiet)
			fprintf(stderr, "note: %s: %s\n", snap.repo_id, note);
		dir = snap.dir;
		opt.allowed = snap.repo_root;
	}
	av_diags_init(&d);
	rc = av_scan_dir(out, dir, &opt, &d);
	if (tty)
		fprintf(stderr, "\r\033[K");
	for (size_t i = 0; rc == 0 && i < so.nvulns; i++) {
		char *buf;
		size_t len;
		if (av_read_file(so.vulns[i], AV_VULNS_MAX_BYTES, &buf, &len, &err) != 0) {
			av_diags_add(&d, err.code, so.vulns[i], 0, 0, "%s", err.msg);
			continue;
		}
		int vr = av_scan_add_vulns(*out, buf, len, so.vulns[i], &d);
		free(buf);
		if (vr == AV_ENOMEM || vr == AV_EINTERNAL)
			rc = vr;
	}
	print_diags(&d, errors);
	av_diags_fini(&d);
	if (rc == 0 && tty) {
		av_scan_progress p;
		size_t cached;
		char all[32], hashed[32], rate[32];
		av_scan_stats(*out, &p, &cached);
		human(all, sizeof(all), (double)p.bytes);
		human(hashed, sizeof(hashed), (double)p.bytes_hashed);
		human(rate, sizeof(rate), p.seconds > 0 ? (double)p.bytes_hashed / p.seconds : 0);
		fprintf(stderr, "scanned %zu files, %s (%s hashed at %s/s, %zu from the cache) in %.1f s\n",
		    p.files, all, hashed, rate, cached, p.seconds);
	}
	if (rc != 0) {
		av_scan_destroy(*out);
		*out = NULL;
		if (rc == AV_ENOMEM || rc == AV_EINTERNAL)
			return EX_SOFT;
		return EX_DATA;
	}
	return 0;
}

int
cli_scan_load(const char *dir, av_doc **out)
{
	av_scan *s;
	int errors = 0;
	int ex = run_scan(dir, &s, &errors);

	*out = NULL;
	if (ex != 0)
		return ex;
	*out = av_scan_copy(s);
	av_scan_destroy(s);
	if (*out == NULL)
		return EX_SOFT;
	/* What could not be read is not vouched for: the gate says so. */
	return errors > 0 ? EX_DATA : 0;
}

static void
usage_scan(FILE *f)
{
	fprintf(f,
	    "usage: aivet scan [options] PATH | ORG/NAME[@REVISION]\n"
	    "\n"
	    "Reads a local copy of a release (a folder: a git clone or a snapshot; or ORG/NAME,\n"
	    "the newest snapshot of that repository in the Hugging Face cache) and prints an\n"
	    "aivet/v1 manifest of the facts found, each with the file and line it came from.\n"
	    "\n"
	    "options:\n"
	    "  -f, --format FMT       yaml (default, with '# found in' comments) or json\n"
	    "      --vulns FILE       join a scanner report (osv-scanner, pip-audit, grype,\n"
	    "                         trivy JSON, or a CycloneDX BOM) to the dependencies\n"
	    "      --jobs N           files inspected in parallel (default: the CPUs, up to 8)\n"
	    "      --max-files N      refuse folders with more files (default 20000)\n"
	    "      --no-cache         hash every file again (no hash cache)\n"
	    "  -q, --quiet            no notes, no progress\n");
}

/* Whether a global option takes the next word as its value (so that the
 * command is found after it). */
static bool
takes_arg(const char *a)
{
	static const char *const with[] = {"-s", "-f", "-p", "--socket", "--format", "--profile",
		"--fail-on", "--plugin-dir", "--policy-dir", "--timeout", "--run", "--from-card",
		"--input", "--vulns", "--jobs", "--max-files", NULL};

	for (int i = 0; with[i] != NULL; i++)
		if (strcmp(a, with[i]) == 0)
			return true;
	return false;
}

int
cli_scan_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"vulns", required_argument, NULL, 'U'},
		{"jobs", required_argument, NULL, 'J'},
		{"max-files", required_argument, NULL, 'M'},
		{"no-cache", no_argument, NULL, 'N'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = NULL, *fmt = "yaml";
	int ch, ex;

	for (int i = 1; i < argc && cmd == NULL; i++) {
		if (argv[i][0] != '-')
			cmd = argv[i];
		else if (takes_arg(argv[i]))
			i++;
	}
	if (cmd == NULL || strcmp(cmd, "scan") != 0)
		return -1;
	while ((ch = getopt_long(argc, argv, "f:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f': fmt = optarg; break;
		case 'q': cli.quiet = true; break;
		case 'h': usage_scan(stdout); return 0;
		case 'U': case 'J': case 'M': case 'N':
			if ((ex = cli_scan_option(ch, optarg)) != 0)
				return ex;
			break;
		default: usage_scan(stderr); return EX_USAGE_;
		}
	}
	if (strcmp(fmt, "yaml") != 0 && strcmp(fmt, "json") != 0) {
		fprintf(stderr, "aivet scan: --format takes yaml or json\n");
		return EX_USAGE_;
	}
	argc -= optind + 1;
	argv += optind + 1;
	if (argc != 1) {
		usage_scan(stderr);
		return EX_USAGE_;
	}
	av_scan *s;
	int errors = 0;
	if ((ex = run_scan(argv[0], &s, &errors)) != 0)
		return ex;
	size_t len;
	char *text = strcmp(fmt, "json") == 0 ? av_scan_json(s, &len) : av_scan_yaml(s, &len);
	av_scan_destroy(s);
	if (text == NULL)
		return EX_SOFT;
	if (strcmp(fmt, "json") == 0) {
		cJSON *j = cJSON_ParseWithLength(text, len);
		char *pretty = j ? cJSON_Print(j) : NULL;
		cJSON_Delete(j);
		if (pretty != NULL) {
			puts(pretty);
			free(pretty);
		} else {
			fwrite(text, 1, len, stdout);
			putchar('\n');
		}
	} else {
		fwrite(text, 1, len, stdout);
	}
	free(text);
	if (fflush(stdout) != 0)
		return EX_SOFT;
	return errors > 0 ? EX_DATA : 0;
}
