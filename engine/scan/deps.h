/*
 * deps.h - the dependency files of a Python project, each read by its own
 * grammar: requirements*.txt (pip's requirement file format and PEP 508),
 * pyproject.toml (PEP 621 project tables, PEP 735 dependency groups,
 * Poetry's tables), setup.cfg, setup.py (read statically: only literal
 * lists passed to setup() or assigned to a module-level name), Pipfile,
 * Pipfile.lock, poetry.lock, uv.lock and conda's environment.yml.
 *
 * Each dependency found is a name, the version spec as written, its
 * ecosystem, whether it is pinned (an exact version, a commit, or a lock
 * file's entry) and whether hashes are recorded for it, with the line it
 * was found on.  What a file states in a way the reader cannot establish
 * statically (a computed install_requires, an unknown pip option) is a
 * note or an error in the diagnostics, never a guess.
 */
#ifndef ENGINE_SCAN_DEPS_H
#define ENGINE_SCAN_DEPS_H

#include <stdbool.h>
#include <stddef.h>

#include "errors.h"

typedef enum av_depfile {
	AV_DEPFILE_NONE = 0,
	AV_DEPFILE_REQUIREMENTS,
	AV_DEPFILE_PYPROJECT,
	AV_DEPFILE_SETUP_CFG,
	AV_DEPFILE_SETUP_PY,
	AV_DEPFILE_PIPFILE,
	AV_DEPFILE_PIPFILE_LOCK,
	AV_DEPFILE_POETRY_LOCK,
	AV_DEPFILE_UV_LOCK,
	AV_DEPFILE_CONDA_ENV,
} av_depfile;

/* Largest dependency file read. */
#define AV_DEPS_MAX_BYTES (8u << 20)

/*
 * Which reader a file needs, from its path relative to the scanned folder:
 * requirements*.txt, *requirements*.txt, constraints*.txt, any .txt in a
 * folder named requirements; pyproject.toml; setup.cfg; setup.py; Pipfile;
 * Pipfile.lock; poetry.lock; uv.lock; environment.yml / environment.yaml /
 * conda.yml / conda.yaml.  AV_DEPFILE_NONE for anything else.
 */
av_depfile av_depfile_of(const char *relpath);
/* "requirements", "pyproject", ... for messages. */
const char *av_depfile_name(av_depfile kind);

typedef struct av_dep {
	char *name;
	char *version;         /* the spec as written ("==2.1.0", ">=1,<2", "^1.2"), or NULL */
	const char *ecosystem; /* "pypi" or "conda" (static strings) */
	bool pinned;           /* exactly one version (==, ===, an exact Poetry or conda
	                          spec, a commit sha, a lock entry) */
	bool hashed;           /* hashes recorded for it (pip --hash, a lock file) */
	int line;              /* where it is declared in its file */
} av_dep;

typedef struct av_deps {
	av_dep *v;
	size_t n, cap;
} av_deps;

void av_deps_init(av_deps *d);
/* Frees every entry's strings and the list. */
void av_deps_fini(av_deps *d);

/*
 * Reads buf (len bytes) as a file of the given kind and appends what it
 * declares to out.  name (the file's path, for messages) is used in d,
 * which receives errors (code AV_EPARSE/AV_ELIMIT, with line) and notes
 * (code AV_OK: what was left out and why).  A line that cannot be read is an
 * error and the rest of the file is still read.  Returns 0, or AV_EPARSE
 * when the file as a whole could not be read (not valid TOML/YAML/JSON),
 * or AV_ENOMEM.
 */
int av_deps_parse(av_deps *out, av_depfile kind, const char *buf, size_t len, const char *name,
    av_diags *d);

/*
 * One PEP 508 requirement ("name[extra] >=1,<2 ; python_version>'3'", or
 * "name @ URL"), as appended by the readers: returns 0 and appends to out,
 * or AV_EPARSE (nothing appended) when s is not a requirement.  Exposed for
 * the tests.
 */
int av_deps_pep508(av_deps *out, const char *s, size_t len, int line, bool hashed);

/* PEP 503's normalised form of a package name into out: lower case, runs of
 * "-", "_" and "." as one "-". */
void av_deps_normalise_name(const char *name, char *out, size_t cap);

#endif
