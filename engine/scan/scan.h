/*
 * scan.h - what a local copy of a release actually holds, as an aivet/v1
 * manifest of facts: `aivet scan` and `aivet check DIR`.
 *
 * A scan walks a folder (a git clone, or a snapshot of the Hugging Face
 * cache: see revision.h), hashes and inspects every file (inspect.h),
 * reads the model card (the Hugging Face importer), identifies license
 * texts (licid.h), reads dependency files (deps.h), finds code that runs
 * at load (pycode.h) and secrets (secrets.h), and can join scanner reports
 * (vulns.h).  The result is a manifest holding only what was established,
 * each fact with the file and line it was found at, for the YAML output's
 * "# found in" comments.
 *
 * The client calls this, never the daemon: a scan opens paths.  Work is
 * bounded: files per scan, bytes read per text file, symbolic links only
 * inside the allowed folder, binary files only inspected (the inspector
 * streams them), a hash cache so that unchanged files are not read again.
 */
#ifndef ENGINE_SCAN_SCAN_H
#define ENGINE_SCAN_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "errors.h"

typedef struct av_scan_progress {
	size_t files, files_done;
	uint64_t bytes, bytes_done; /* all bytes, and those done (hashed or from the cache) */
	uint64_t bytes_hashed;      /* bytes read and hashed in this run */
	double seconds;             /* since the scan started */
} av_scan_progress;

typedef struct av_scan_opts {
	const char *license_data; /* identification data (policies/data/license-ids.txt);
	                             NULL: license files are listed, not identified */
	const char *cache;        /* the hash cache database; NULL: no cache */
	unsigned jobs;            /* files inspected in parallel; default 2, at most 64 */
	size_t max_files;         /* default 20000 */
	size_t max_text;          /* bytes read per text file; default 4 MiB */
	const char *allowed;      /* symbolic links may point anywhere under this folder;
	                             NULL: the scanned folder (a cache snapshot: its repository) */
	/* Called about every 200 ms from the calling thread while files are read. */
	void (*progress)(const av_scan_progress *p, void *arg);
	void *progress_arg;
} av_scan_opts;

/* Fills o with the defaults above. */
void av_scan_opts_default(av_scan_opts *o);

typedef struct av_scan av_scan;

/*
 * Scans the folder dir.  When dir is a snapshot of the Hugging Face cache
 * layout, the repository id and revision come from the layout; when it is a
 * git clone, from its HEAD.  Problems go to d: errors (code < 0) for what
 * could not be read and notes (code AV_OK) for what was left out and why.
 * On success *out owns the result (av_scan_destroy).  Returns 0, AV_EIO (dir
 * cannot be read), AV_ELIMIT (over max_files), AV_ENOMEM, or AV_EINTERNAL
 * if the manifest made does not validate (a bug; d says why).
 */
int av_scan_dir(av_scan **out, const char *dir, const av_scan_opts *opts, av_diags *d);

/*
 * Joins a scanner report (osv-scanner, pip-audit, grype, trivy JSON, or a
 * CycloneDX BOM with vulnerabilities) to the dependencies found: each
 * vulnerability is attached to every dependency of that name (and
 * ecosystem), and a package the report names but no file declared is added
 * as a dependency at the report's version.  name is the report's file name
 * (messages and evidence).  Returns 0, AV_EPARSE, AV_ELIMIT or AV_ENOMEM.
 */
int av_scan_add_vulns(av_scan *s, const char *buf, size_t len, const char *name, av_diags *d);

/* The manifest (owned by s). */
const av_node *av_scan_manifest(const av_scan *s);
/* A copy of the manifest as a new document the caller owns (to evaluate). */
av_doc *av_scan_copy(const av_scan *s);

/* The manifest as YAML with a "# found in FILE:LINE" comment beside each
 * fact, or as compact JSON: a new buffer the caller frees; NULL when out of
 * memory. */
char *av_scan_yaml(const av_scan *s, size_t *len);
char *av_scan_json(const av_scan *s, size_t *len);

/* What the scan read: files, bytes, bytes hashed in this run, files whose
 * inspection came from the cache, and seconds. */
void av_scan_stats(const av_scan *s, av_scan_progress *p, size_t *cached);

void av_scan_destroy(av_scan *s);

#endif
