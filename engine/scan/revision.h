/*
 * revision.h - which release a local copy is: the Hugging Face cache
 * layout that huggingface_hub fills, and a git clone's HEAD.
 *
 * The cache (huggingface_hub's "hub" folder: $HF_HUB_CACHE, else
 * $HF_HOME/hub, else ~/.cache/huggingface/hub) keeps each repository as
 * models--ORG--NAME (datasets--, spaces--) with snapshots/COMMIT/ folders
 * of symbolic links into blobs/, and refs/BRANCH files holding the commit a
 * branch pointed at when it was downloaded.  A clone's revision is the
 * commit its HEAD names, directly or through a branch (loose or packed
 * refs).  Only small files are read, each bounded.
 */
#ifndef ENGINE_SCAN_REVISION_H
#define ENGINE_SCAN_REVISION_H

#include <stdbool.h>
#include <stddef.h>

#include "errors.h"

#define AV_REV_PATH 4096

typedef struct av_hf_snapshot {
	char dir[AV_REV_PATH];       /* the snapshot folder */
	char repo_root[AV_REV_PATH]; /* its models--ORG--NAME folder */
	char repo_id[256];           /* "ORG/NAME" */
	char revision[64];           /* the commit: the snapshot folder's name */
	char ref[128];               /* "refs/main" when a ref file chose the snapshot, else "" */
	bool dataset;                /* a datasets-- repository */
} av_hf_snapshot;

/* The cache folder huggingface_hub uses, from the environment; NULL when
 * no home directory is known. */
char *av_hf_hub_dir(char *buf, size_t len);

/*
 * Finds spec ("ORG/NAME", "ORG/NAME@REVISION" where REVISION is a commit or
 * a ref name such as main) in the hub folder hub (NULL: av_hf_hub_dir), as
 * a model or else a dataset repository.  Without a revision, refs/main
 * chooses the snapshot; when it is missing or names no snapshot, the
 * newest snapshot is taken, and *note says so.  Returns 0, AV_ENOTFOUND
 * (err says what is missing and where it looked) or AV_EINVAL (spec is
 * not ORG/NAME).
 */
int av_hf_resolve(av_hf_snapshot *s, const char *hub, const char *spec, char *note, size_t nlen,
    av_error *err);

/* Whether dir (an absolute, resolved path) is a snapshot folder of the
 * cache layout (.../models--ORG--NAME/snapshots/COMMIT); fills s if so. */
bool av_hf_from_path(av_hf_snapshot *s, const char *dir);

typedef struct av_git_head {
	char revision[64];      /* the commit sha HEAD resolves to */
	char where[128];        /* the file it was read from, relative to the clone (".git/HEAD") */
	int line;
	char branch[128];       /* "main", or "" for a detached HEAD */
	char remote[512];       /* origin's URL without credentials, or "" */
	int remote_line;        /* the line of the URL in .git/config */
} av_git_head;

/* Reads the HEAD of the clone at dir.  Returns 0, AV_ENOTFOUND (not a clone
 * or HEAD does not resolve to a commit) or AV_EIO. */
int av_git_read_head(av_git_head *h, const char *dir);

#endif
