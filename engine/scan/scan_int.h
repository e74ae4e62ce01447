/*
 * scan_int.h - what the files of the scanner (engine/scan/) share: the
 * list of files a walk found, the hash cache, the evidence of each fact,
 * and the YAML writer that prints it.
 */
#ifndef ENGINE_SCAN_SCAN_INT_H
#define ENGINE_SCAN_SCAN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "errors.h"

/* ---- the walk (walk.c) ---- */

typedef struct av_scan_file {
	char *rel;  /* path relative to the scanned folder, '/'-separated */
	char *path; /* the path to open: for a symbolic link, its resolved target */
	uint64_t size;
	uint64_t dev, ino;
	int64_t mtime_ns, ctime_ns;
	bool symlink;
} av_scan_file;

typedef struct av_scan_files {
	av_scan_file *v;
	size_t n, cap;
} av_scan_files;

/*
 * Lists the regular files under root (an absolute, resolved path) in
 * lexical order of their relative paths, skipping .git folders.  Symbolic
 * links are followed only to regular files whose resolved path lies under
 * allowed (an absolute, resolved path; root when NULL); other links,
 * special files and folders nested deeper than 64 levels are left out with
 * a note in d.  More than max_files files is an error (AV_ELIMIT): a scan
 * never reports on part of a folder as if it were the whole.
 */
int av_scan_walk(av_scan_files *out, const char *root, const char *allowed, size_t max_files,
    av_diags *d);
void av_scan_files_fini(av_scan_files *f);

/* ---- the hash cache (hashcache.c) ---- */

typedef struct av_hashcache av_hashcache;

/*
 * Opens (creating it, mode 0600) the cache database at path.  Entries are
 * keyed by device, inode, size, modification and change time; the whole
 * cache is emptied when it was written by another version of aivet, whose
 * inspector may judge files differently.  Returns 0, AV_EIO or AV_ENOMEM
 * with err filled.
 */
int av_hashcache_open(av_hashcache **out, const char *path, av_error *err);
void av_hashcache_close(av_hashcache *c);
/* The cached inspection (artifacts[].inspected as compact JSON) of f, a
 * new string the caller frees; NULL when absent. */
char *av_hashcache_get(av_hashcache *c, const av_scan_file *f);
/* Stores the inspection of f; errors are ignored (the cache is an
 * optimisation).  Call between begin and commit. */
void av_hashcache_put(av_hashcache *c, const av_scan_file *f, const char *json);
void av_hashcache_begin(av_hashcache *c);
void av_hashcache_commit(av_hashcache *c);

/* ---- evidence and the YAML writer (emit.c) ---- */

/* Where each fact of a document was found, keyed by its node. */
typedef struct av_evidence av_evidence;

av_evidence *av_evidence_create(void);
void av_evidence_destroy(av_evidence *e);
/* Records that node n was found in file (at line, when > 0); several
 * places for one node are kept, up to three, and counted beyond.  Returns
 * 0 or AV_ENOMEM. */
int av_evidence_add(av_evidence *e, const av_node *n, const char *file, int line);
/* The places recorded for n ("README.md:3, config.json:12 and 2 more"), or
 * NULL. */
const char *av_evidence_get(const av_evidence *e, const av_node *n);

/*
 * Writes root as block YAML with a "# found in PLACES" comment beside each
 * node that has evidence, after a header comment (may be NULL; each line
 * of it is prefixed with "# ").  A new NUL-terminated buffer the caller
 * frees; NULL when out of memory.
 */
char *av_evidence_yaml(const av_node *root, const av_evidence *e, const char *header,
    size_t *len);

#endif
