/*
 * deps_int.h - what the dependency readers (deps_*.c) share.
 */
#ifndef ENGINE_SCAN_DEPS_INT_H
#define ENGINE_SCAN_DEPS_INT_H

#include "deps.h"
#include "doc.h"

/* Appends one dependency (strings copied; version may be NULL).  0 or
 * AV_ENOMEM. */
int av_deps_add(av_deps *out, const char *name, size_t nlen, const char *version, size_t vlen,
    const char *ecosystem, bool pinned, bool hashed, int line);

/* Whether a version written after "==" is one exact version (no "*"). */
bool av_deps_exact(const char *v, size_t n);

/* The readers of each kind (deps_pip.c, deps_py.c, deps_lock.c). */
int av_deps_requirements(av_deps *out, const char *buf, size_t len, const char *name,
    av_diags *d);
int av_deps_setup_cfg(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d);
int av_deps_setup_py(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d);
int av_deps_pyproject(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d);
int av_deps_pipfile(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d);
int av_deps_pipfile_lock(av_deps *out, const char *buf, size_t len, const char *name,
    av_diags *d);
int av_deps_poetry_lock(av_deps *out, const char *buf, size_t len, const char *name,
    av_diags *d);
int av_deps_uv_lock(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d);
int av_deps_conda_env(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d);

#endif
