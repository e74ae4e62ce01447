/*
 * scan_facts.h - what scan.c (the files read, in parallel) hands to
 * facts.c (the manifest assembled from them), and the scan result itself.
 */
#ifndef ENGINE_SCAN_SCAN_FACTS_H
#define ENGINE_SCAN_SCAN_FACTS_H

#include <pthread.h>
#include <stdbool.h>

#include "deps.h"
#include "licid.h"
#include "pycode.h"
#include "revision.h"
#include "scan.h"
#include "scan_int.h"
#include "secrets.h"

#define AV_SCAN_PATH 4096

/* What was found in one file. */
struct av_scan_result {
	char *inspected;      /* artifacts[].inspected as compact JSON; NULL when unread */
	char error[AV_ERR_MSG]; /* why the file could not be read, or "" */
	bool fresh;           /* inspected in this run (not from the cache) */
	uint64_t hashed;      /* bytes hashed in this run */
	bool oom;
	bool text;            /* read as text */
	bool truncated;       /* only its first max_text bytes were read */
	char *readme;         /* the top-level README.md's text */
	size_t readme_len;
	av_secrets secrets;
	av_codefacts code;
	av_depfile depfile;
	av_deps deps;
	av_diags diags;       /* problems reading it (dependency files, notebooks) */
	bool license_file;
	av_licmatch lic;
	int auto_map_line;    /* a top-level *.json's auto_map, or 0 */
	bool lfs;             /* a Git LFS pointer: the file itself is not in this copy */
	char lfs_sha256[65];  /* the sha256 and size the pointer names */
	uint64_t lfs_size;
	bool custom_code;     /* a top-level modeling_*.py and the like */
};

/* One scan in progress. */
struct av_scan_run {
	av_scan_opts opts;
	char root[AV_SCAN_PATH];
	bool in_hf, in_git;
	av_hf_snapshot hf;
	av_git_head git;
	char repo_id[256];
	av_licdb *licdb;
	av_scan_files files;
	struct av_scan_result *res;
	size_t cached;
	double t0;
	/* the pool */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next, done;
	uint64_t bytes_total, bytes_done, bytes_hashed;
};

struct av_scan {
	av_doc *doc;
	av_evidence *ev;
	char root[AV_SCAN_PATH];
	av_scan_progress stats;
	size_t cached;
};

/* Builds the manifest from a finished run into a new *out (facts.c).
 * Returns 0, AV_ENOMEM or AV_EINTERNAL (the manifest does not validate; d
 * says why). */
int av_scan_assemble(struct av_scan_run *run, av_scan **out, av_diags *d);

#endif
