/*
 * pycode.h - what Python code and notebooks shipped with a model do when
 * they run, read statically: downloads at run time, exec/eval, processes
 * started, pickles loaded, and remote code trusted.
 *
 * The reader tokenizes the code (pytok.h), follows import aliases ("import
 * requests as r", "from subprocess import run") and looks at every call and
 * its literal arguments.  It reports what a call is, never what a program
 * computes: a URL built at run time is reported as a download without a
 * target.  Nothing is executed.
 */
#ifndef ENGINE_SCAN_PYCODE_H
#define ENGINE_SCAN_PYCODE_H

#include <stddef.h>

#include "errors.h"

enum {
	AV_CODE_REMOTE_CODE = 0, /* trust_remote_code=True */
	AV_CODE_DOWNLOAD,        /* fetches something over the network */
	AV_CODE_EXEC,            /* exec(...) */
	AV_CODE_EVAL,            /* eval(...) */
	AV_CODE_SUBPROCESS,      /* subprocess.*, os.system, os.popen, os.exec*, ... */
	AV_CODE_PICKLE_LOAD,     /* pickle/dill/joblib loads, numpy.load(allow_pickle=True) */
	AV_CODE_TORCH_LOAD,      /* torch.load without weights_only=True */
	AV_CODE_KINDS
};

/* "remote_code", "download", "exec", "eval", "subprocess", "pickle_load", "torch_load". */
const char *av_code_kind_name(int kind);

typedef struct av_codefact {
	int kind;
	int line;          /* in the file (for notebooks: the line of the JSON file) */
	char call[96];     /* the call as resolved ("requests.get", "torch.load", "!wget") */
	char target[256];  /* downloads: the literal URL (made safe to print) or repository id;
	                      "" when computed */
} av_codefact;

typedef struct av_codefacts {
	av_codefact *v;
	size_t n, cap;
} av_codefacts;

void av_codefacts_init(av_codefacts *f);
void av_codefacts_fini(av_codefacts *f);

/*
 * Reads Python source src (len bytes).  linemap, when not NULL, gives for
 * each source line i (0-based, nlines of them) the line to report; NULL
 * reports source lines as they are.  self_repo (may be NULL) is the
 * repository being scanned ("org/name"): from_pretrained() of it is not a
 * download of another repository.  Appends facts to out; returns 0 or
 * AV_ENOMEM.
 */
int av_pycode_scan(av_codefacts *out, const char *src, size_t len, const int *linemap,
    size_t nlines, const char *self_repo);

/*
 * Reads a Jupyter notebook (JSON): every code cell as Python, with its
 * shell lines ("!wget ...", "%pip install ...") as commands, and markdown
 * cells for trust_remote_code.  Problems (not JSON, over the bounds) go to
 * d naming name.  Returns 0, AV_EPARSE or AV_ENOMEM.
 */
int av_notebook_scan(av_codefacts *out, const char *buf, size_t len, const char *name,
    const char *self_repo, av_diags *d);

/* Any other text (README examples, configs): trust_remote_code=True or
 * "trust_remote_code": true.  Returns 0 or AV_ENOMEM. */
int av_text_remote_code(av_codefacts *out, const char *buf, size_t len);

#endif
