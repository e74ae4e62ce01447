/*
 * revision.c - the Hugging Face cache layout and a git clone's HEAD (see
 * revision.h).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "revision.h"
#include "util.h"

char *
av_hf_hub_dir(char *buf, size_t len)
{
	const char *e = getenv("HF_HUB_CACHE");
	int n;

	if (e == NULL || e[0] == '\0')
		e = getenv("HUGGINGFACE_HUB_CACHE");
	if (e != NULL && e[0] != '\0') {
		n = snprintf(buf, len, "%s", e);
	} else if ((e = getenv("HF_HOME")) != NULL && e[0] != '\0') {
		n = snprintf(buf, len, "%s/hub", e);
	} else if ((e = getenv("XDG_CACHE_HOME")) != NULL && e[0] != '\0') {
		n = snprintf(buf, len, "%s/huggingface/hub", e);
	} else if ((e = getenv("HOME")) != NULL && e[0] != '\0') {
		n = snprintf(buf, len, "%s/.cache/huggingface/hub", e);
	} else {
		return NULL;
	}
	return n > 0 && (size_t)n < len ? buf : NULL;
}

/* The first line of a small file, trimmed; false when unreadable. */
static bool
first_line(const char *path, char *out, size_t cap)
{
	char *buf;
	size_t len;
	av_error err;

	if (av_read_file(path, 64 * 1024, &buf, &len, &err) != 0)
		return false;
	size_t n = strcspn(buf, "\r\n");
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	bool ok = n > 0 && n < cap;
	if (ok) {
		memcpy(out, buf, n);
		out[n] = '\0';
	}
	free(buf);
	return ok;
}

static bool
is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
safe_component(const char *s, size_t n)
{
	if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

/* The newest snapshot folder of a repository (by modification time). */
static bool
newest_snapshot(const char *root, char *rev, size_t cap)
{
	char path[AV_REV_PATH + 64];
	DIR *d;
	struct dirent *e;
	long long best = -1;

	av_scan_fmt(path, sizeof(path), "%s/snapshots", root);
	if ((d = opendir(path)) == NULL)
		return false;
	while ((e = readdir(d)) != NULL) {
		char sub[AV_REV_PATH + 400];
		struct stat st;
		if (e->d_name[0] == '.' || strlen(e->d_name) >= cap)
			continue;
		av_scan_fmt(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		long long t = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		if (t > best || (t == best && strcmp(e->d_name, rev) > 0)) {
			best = t;
			snprintf(rev, cap, "%s", e->d_name);
		}
	}
	closedir(d);
	return best >= 0;
}

int
av_hf_resolve(av_hf_snapshot *s, const char *hub, const char *spec, char *note, size_t nlen,
    av_error *err)
{
	char hubbuf[AV_REV_PATH], org[128], name[128], want[128] = "", path[AV_REV_PATH + 512];
	const char *slash = strchr(spec, '/'), *at = strchr(spec, '@');

	memset(s, 0, sizeof(*s));
	if (note != NULL && nlen > 0)
		note[0] = '\0';
	if (slash == NULL || (at != NULL && at < slash))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "'%s' is not a folder nor a repository id ORG/NAME", spec);
	size_t ol = (size_t)(slash - spec);
	size_t nl = at ? (size_t)(at - slash - 1) : strlen(slash + 1);
	if (!safe_component(spec, ol) || !safe_component(slash + 1, nl) || ol >= sizeof(org) ||
	    nl >= sizeof(name) || (at != NULL && !safe_component(at + 1, strlen(at + 1))) ||
	    (at != NULL && strlen(at + 1) >= sizeof(want)))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "'%s' is not a folder nor a repository id ORG/NAME[@REVISION]", spec);
	memcpy(org, spec, ol);
	org[ol] = '\0';
	memcpy(name, slash + 1, nl);
	name[nl] = '\0';
	if (at != NULL)
		snprintf(want, sizeof(want), "%s", at + 1);
	if (hub == NULL && (hub = av_hf_hub_dir(hubbuf, sizeof(hubbuf))) == NULL)
		return av_error_set(err, AV_ENOTFOUND, NULL, 0, 0,
		    "no Hugging Face cache folder: set HF_HUB_CACHE or HF_HOME");
	static const char *const kinds[] = {"models", "datasets"};
	for (int k = 0; k < 2; k++) {
		av_scan_fmt(path, sizeof(path), "%s/%s--%s--%s", hub, kinds[k], org, name);
		if (is_dir(path)) {
			av_scan_fmt(s->repo_root, sizeof(s->repo_root), "%s", path);
			s->dataset = k == 1;
			break;
		}
	}
	if (s->repo_root[0] == '\0')
		return av_error_set(err, AV_ENOTFOUND, NULL, 0, 0,
		    "%s/%s is not in the Hugging Face cache %s (no models--%s--%s folder)", org, name,
		    hub, org, name);
	snprintf(s->repo_id, sizeof(s->repo_id), "%s/%s", org, name);
	const char *ref = want[0] ? want : "main";
	bool is_commit = strlen(ref) == 40 && av_scan_hex(ref, 40);
	if (is_commit) {
		snprintf(s->revision, sizeof(s->revision), "%.40s", ref);
	} else {
		char rev[128];
		av_scan_fmt(path, sizeof(path), "%s/refs/%s", s->repo_root, ref);
		if (first_line(path, rev, sizeof(rev)) && strlen(rev) == 40 && av_scan_hex(rev, 40)) {
			snprintf(s->revision, sizeof(s->revision), "%.40s", rev);
			snprintf(s->ref, sizeof(s->ref), "refs/%.100s", ref);
		}
	}
	if (s->revision[0] != '\0') {
		av_scan_fmt(path, sizeof(path), "%s/snapshots/%s", s->repo_root, s->revision);
		if (!is_dir(path)) {
			if (want[0] != '\0')
				return av_error_set(err, AV_ENOTFOUND, NULL, 0, 0,
				    "%s: revision %s is not downloaded (no snapshots/%s)", s->repo_id,
				    want, s->revision);
			if (note != NULL)
				snprintf(note, nlen, "refs/main names %.40s, which is not downloaded",
				    s->revision);
			s->revision[0] = '\0';
			s->ref[0] = '\0';
		}
	} else if (want[0] != '\0') {
		return av_error_set(err, AV_ENOTFOUND, NULL, 0, 0,
		    "%s: no ref or downloaded commit named %s", s->repo_id, want);
	}
	if (s->revision[0] == '\0') {
		if (!newest_snapshot(s->repo_root, s->revision, sizeof(s->revision)))
			return av_error_set(err, AV_ENOTFOUND, NULL, 0, 0,
			    "%s has no snapshot in the cache (%s/snapshots is empty)", s->repo_id,
			    s->repo_root);
		if (note != NULL && note[0] == '\0')
			snprintf(note, nlen, "no refs/main: the newest snapshot, %.40s, is scanned",
			    s->revision);
	}
	av_scan_fmt(s->dir, sizeof(s->dir), "%s/snapshots/%s", s->repo_root, s->revision);
	return 0;
}

bool
av_hf_from_path(av_hf_snapshot *s, const char *dir)
{
	char buf[AV_REV_PATH];
	size_t n = strlen(dir);

	memset(s, 0, sizeof(*s));
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, dir, n + 1);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	char *rev = strrchr(buf, '/');
	if (rev == NULL || strlen(rev + 1) >= sizeof(s->revision))
		return false;
	*rev = '\0';
	char *snap = strrchr(buf, '/');
	if (snap == NULL || strcmp(snap + 1, "snapshots") != 0)
		return false;
	*snap = '\0';
	char *repo = strrchr(buf, '/');
	if (repo == NULL)
		return false;
	const char *r = repo + 1, *kind_end = strstr(r, "--");
	if (kind_end == NULL)
		return false;
	bool dataset = strncmp(r, "datasets--", 10) == 0;
	if (!dataset && strncmp(r, "models--", 8) != 0)
		return false;
	const char *org = kind_end + 2, *sep = strstr(org, "--");
	if (sep == NULL || sep == org || sep[2] == '\0' || strstr(sep + 2, "--") != NULL)
		return false;
	snprintf(s->repo_id, sizeof(s->repo_id), "%.*s/%s", (int)(sep - org), org, sep + 2);
	snprintf(s->revision, sizeof(s->revision), "%s", rev + 1);
	av_scan_fmt(s->repo_root, sizeof(s->repo_root), "%s", buf);
	av_scan_fmt(s->dir, sizeof(s->dir), "%s", dir);
	s->dataset = dataset;
	/* which ref names it, if any */
	char path[AV_REV_PATH + 64], line[128];
	av_scan_fmt(path, sizeof(path), "%s/refs/main", s->repo_root);
	if (first_line(path, line, sizeof(line)) && strcmp(line, s->revision) == 0)
		snprintf(s->ref, sizeof(s->ref), "refs/main");
	return true;
}

/* ---- git -------------------------------------------------------------------- */

/* The sha of ref (e.g. "refs/heads/main") in gitdir: its loose file, else
 * packed-refs.  Fills where/line. */
static bool
resolve_ref(const char *gitdir, const char *ref, av_git_head *h, const char *prefix)
{
	char path[AV_REV_PATH + 256], line[128];
	char *buf;
	size_t len;
	av_error err;

	av_scan_fmt(path, sizeof(path), "%s/%s", gitdir, ref);
	if (first_line(path, line, sizeof(line)) && strlen(line) == 40 && av_scan_hex(line, 40)) {
		snprintf(h->revision, sizeof(h->revision), "%.40s", line);
		av_scan_fmt(h->where, sizeof(h->where), "%s/%.100s", prefix, ref);
		h->line = 1;
		return true;
	}
	av_scan_fmt(path, sizeof(path), "%s/packed-refs", gitdir);
	if (av_read_file(path, 64u << 20, &buf, &len, &err) != 0)
		return false;
	int no = 0;
	bool ok = false;
	size_t rl = strlen(ref);
	for (char *p = buf; p < buf + len && !ok;) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(buf + len - p);
		no++;
		if (n >= 41 + rl && av_scan_hex(p, 40) && p[40] == ' ' &&
		    memcmp(p + 41, ref, rl) == 0 && (n == 41 + rl || p[41 + rl] == '\r')) {
			memcpy(h->revision, p, 40);
			h->revision[40] = '\0';
			av_scan_fmt(h->where, sizeof(h->where), "%s/packed-refs", prefix);
			h->line = no;
			ok = true;
		}
		p = nl ? nl + 1 : buf + len;
	}
	free(buf);
	return ok;
}

/* origin's URL from .git/config, made safe to print. */
static void
remote_url(const char *gitdir, av_git_head *h)
{
	char path[AV_REV_PATH + 16];
	char *buf;
	size_t len;
	av_error err;
	bool in_origin = false;
	int no = 0;

	av_scan_fmt(path, sizeof(path), "%s/config", gitdir);
	if (av_read_file(path, 1u << 20, &buf, &len, &err) != 0)
		return;
	for (char *p = buf; p < buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(buf + len - p);
		no++;
		while (n > 0 && (*p == ' ' || *p == '\t'))
			p++, n--;
		if (n > 0 && *p == '[')
			in_origin = n >= 17 && strncmp(p, "[remote \"origin\"]", 17) == 0;
		else if (in_origin && n > 3 && strncmp(p, "url", 3) == 0) {
			char *v = p + 3;
			while (v < p + n && (*v == ' ' || *v == '\t' || *v == '='))
				v++;
			size_t vl = (size_t)(p + n - v);
			while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
				vl--;
			av_scan_safe_url(v, vl, h->remote, sizeof(h->remote));
			h->remote_line = no;
			break;
		}
		p = nl ? nl + 1 : buf + len;
	}
	free(buf);
}

int
av_git_read_head(av_git_head *h, const char *dir)
{
	char gitdir[AV_REV_PATH], path[AV_REV_PATH + 32], line[256];
	const char *prefix = ".git";

	memset(h, 0, sizeof(*h));
	av_scan_fmt(gitdir, sizeof(gitdir), "%s/.git", dir);
	if (!is_dir(gitdir)) {
		/* a worktree or submodule: ".git" is a file "gitdir: PATH" */
		if (!first_line(gitdir, line, sizeof(line)) || strncmp(line, "gitdir: ", 8) != 0)
			return AV_ENOTFOUND;
		if (line[8] == '/')
			av_scan_fmt(gitdir, sizeof(gitdir), "%s", line + 8);
		else
			av_scan_fmt(gitdir, sizeof(gitdir), "%s/%s", dir, line + 8);
		prefix = "(gitdir)";
		if (!is_dir(gitdir))
			return AV_ENOTFOUND;
	}
	/* a worktree's refs and config live in the common folder */
	char common[AV_REV_PATH + 300], cd[256];
	av_scan_fmt(common, sizeof(common), "%s/commondir", gitdir);
	if (first_line(common, cd, sizeof(cd))) {
		if (cd[0] == '/')
			av_scan_fmt(common, sizeof(common), "%s", cd);
		else
			av_scan_fmt(common, sizeof(common), "%s/%s", gitdir, cd);
	} else {
		av_scan_fmt(common, sizeof(common), "%s", gitdir);
	}
	av_scan_fmt(path, sizeof(path), "%s/HEAD", gitdir);
	if (!first_line(path, line, sizeof(line)))
		return AV_ENOTFOUND;
	if (strlen(line) == 40 && av_scan_hex(line, 40)) {
		snprintf(h->revision, sizeof(h->revision), "%.40s", line);
		av_scan_fmt(h->where, sizeof(h->where), "%s/HEAD", prefix);
		h->line = 1;
	} else if (strncmp(line, "ref: refs/", 10) == 0) {
		const char *ref = line + 5;
		if (strstr(ref, "..") != NULL)
			return AV_ENOTFOUND;
		if (strncmp(ref, "refs/heads/", 11) == 0)
			snprintf(h->branch, sizeof(h->branch), "%.120s", ref + 11);
		if (!resolve_ref(gitdir, ref, h, prefix) &&
		    (strcmp(common, gitdir) == 0 || !resolve_ref(common, ref, h, "(git common dir)")))
			return AV_ENOTFOUND; /* an unborn branch */
	} else {
		return AV_ENOTFOUND;
	}
	remote_url(common, h);
	return 0;
}
