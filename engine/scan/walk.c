/*
 * walk.c - the files of a folder, bounded (see scan_int.h).
 *
 * Folders are read with openat() relative to their parent's descriptor and
 * entries examined with fstatat(AT_SYMLINK_NOFOLLOW), so that a symbolic
 * link is seen as one and followed only after its resolved target has been
 * checked to lie inside the allowed folder (the Hugging Face cache keeps a
 * snapshot's files as links into the repository's blobs/ folder).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan_int.h"

#define MAX_DEPTH 64

void
av_scan_files_fini(av_scan_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].rel);
		free(f->v[i].path);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

struct walk {
	av_scan_files *out;
	const char *root;
	const char *allowed;
	size_t allowed_len;
	size_t max_files;
	av_diags *d;
	int rc;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
inside(const struct walk *w, const char *p)
{
	return strncmp(p, w->allowed, w->allowed_len) == 0 &&
	    (p[w->allowed_len] == '/' || p[w->allowed_len] == '\0' ||
		(w->allowed_len == 1 && w->allowed[0] == '/'));
}

static int
add_file(struct walk *w, const char *rel, const char *path, const struct stat *st, bool link)
{
	if (w->out->n >= w->max_files)
		return av_diags_add(w->d, AV_ELIMIT, w->root, 0, 0,
		    "more than %zu files: scan a smaller folder or raise the limit (--max-files)",
		    w->max_files);
	if (w->out->n == w->out->cap) {
		size_t cap = w->out->cap ? w->out->cap * 2 : 64;
		av_scan_file *v = realloc(w->out->v, cap * sizeof(*v));
		if (v == NULL)
			return AV_ENOMEM;
		w->out->v = v;
		w->out->cap = cap;
	}
	av_scan_file *f = &w->out->v[w->out->n];
	memset(f, 0, sizeof(*f));
	f->rel = strdup(rel);
	f->path = strdup(path);
	if (f->rel == NULL || f->path == NULL) {
		free(f->rel);
		free(f->path);
		return AV_ENOMEM;
	}
	f->size = (uint64_t)st->st_size;
	f->dev = (uint64_t)st->st_dev;
	f->ino = (uint64_t)st->st_ino;
	f->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
	f->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec;
	f->symlink = link;
	w->out->n++;
	return 0;
}

/* Walks the folder open as fd, whose path relative to the root is rel
 * ("" for the root) and absolute path abs. */
static int
walk_dir(struct walk *w, int fd, const char *rel, const char *abs, int depth)
{
	DIR *dir = fdopendir(fd);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (dir == NULL) {
		close(fd);
		av_diags_add(w->d, AV_OK, w->root, 0, 0, "%s: cannot read the folder: %s",
		    rel[0] ? rel : ".", strerror(errno));
		return 0;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, ".git") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **v = realloc(names, cap * sizeof(*v));
			if (v == NULL) {
				rc = AV_ENOMEM;
				break;
			}
			names = v;
		}
		if ((names[n] = strdup(e->d_name)) == NULL) {
			rc = AV_ENOMEM;
			break;
		}
		n++;
		if (n > w->max_files + 1) {
			rc = av_diags_add(w->d, AV_ELIMIT, w->root, 0, 0,
			    "%s: more than %zu entries in one folder", rel[0] ? rel : ".", w->max_files);
			break;
		}
	}
	if (names != NULL)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char crel[PATH_MAX], cabs[PATH_MAX];
		struct stat st;
		if (snprintf(crel, sizeof(crel), "%s%s%s", rel, rel[0] ? "/" : "", names[i]) >=
		    (int)sizeof(crel) ||
		    snprintf(cabs, sizeof(cabs), "%s/%s", abs, names[i]) >= (int)sizeof(cabs)) {
			av_diags_add(w->d, AV_OK, w->root, 0, 0, "%.200s...: path too long, left out",
			    crel);
			continue;
		}
		if (fstatat(dirfd(dir), names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
			av_diags_add(w->d, AV_OK, w->root, 0, 0, "%s: %s, left out", crel,
			    strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth + 1 >= MAX_DEPTH) {
				av_diags_add(w->d, AV_ELIMIT, w->root, 0, 0,
				    "%s: folders nested more than %d deep", crel, MAX_DEPTH);
				rc = AV_ELIMIT;
				break;
			}
			int cfd = openat(dirfd(dir), names[i],
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0) {
				av_diags_add(w->d, AV_OK, w->root, 0, 0, "%s: %s, left out", crel,
				    strerror(errno));
				continue;
			}
			rc = walk_dir(w, cfd, crel, cabs, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			rc = add_file(w, crel, cabs, &st, false);
		} else if (S_ISLNK(st.st_mode)) {
			char real[PATH_MAX];
			struct stat ts;
			if (realpath(cabs, real) == NULL) {
				av_diags_add(w->d, AV_OK, w->root, 0, 0,
				    "%s: a broken symbolic link, left out", crel);
			} else if (!inside(w, real)) {
				av_diags_add(w->d, AV_EIO, w->root, 0, 0,
				    "%s: a symbolic link to a file outside the folder: not followed, not "
				    "scanned", crel);
			} else if (stat(real, &ts) != 0 || !S_ISREG(ts.st_mode)) {
				av_diags_add(w->d, AV_OK, w->root, 0, 0,
				    "%s: a symbolic link to something other than a file: not followed",
				    crel);
			} else {
				rc = add_file(w, crel, real, &ts, true);
			}
		} else {
			av_diags_add(w->d, AV_OK, w->root, 0, 0, "%s: not a regular file, left out",
			    crel);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	return rc;
}

int
av_scan_walk(av_scan_files *out, const char *root, const char *allowed, size_t max_files,
    av_diags *d)
{
	struct walk w = {.out = out, .root = root, .allowed = allowed ? allowed : root,
		.max_files = max_files, .d = d};
	int fd;

	memset(out, 0, sizeof(*out));
	w.allowed_len = strlen(w.allowed);
	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return av_diags_add(d, AV_EIO, root, 0, 0, "cannot open the folder: %s",
		    strerror(errno));
	int rc = walk_dir(&w, fd, "", root, 0);
	if (rc != 0)
		av_scan_files_fini(out);
	return rc;
}
