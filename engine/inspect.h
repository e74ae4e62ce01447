/*
 * inspect.h - artifact inspection: what a model file really is, and what a
 * pickle inside it would import.
 *
 * The client (never the daemon) runs this on artifact files named in a
 * manifest before sending a request.  It streams the file through SHA-256,
 * finds the real format by magic bytes (zip, PyTorch zip, Keras, raw pickle,
 * safetensors, GGUF, HDF5, ONNX, NumPy .npy) and, for pickle streams (a raw
 * pickle, *.pkl entries of a zip, object arrays in .npy), walks the opcodes
 * the way picklescan and modelscan do, recording every global the stream
 * would import (GLOBAL, INST, STACK_GLOBAL resolved through the stack and the
 * memo) with a rating.  Nothing is executed or deserialised.
 *
 * Work is bounded by av_inspect_limits: the hash reads the file once in
 * chunks; parsing reads at most parse_max bytes of pickle or metadata;
 * nothing is allocated from a length found in the file without a bound.
 * A corrupt or truncated file is not a failure: the result keeps what was
 * found and says what was wrong in its error string.
 */
#ifndef ENGINE_INSPECT_H
#define ENGINE_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "errors.h"

typedef enum av_aformat {
	AV_FORMAT_UNKNOWN,
	AV_FORMAT_ZIP,
	AV_FORMAT_PYTORCH_ZIP,
	AV_FORMAT_KERAS,
	AV_FORMAT_PICKLE,
	AV_FORMAT_SAFETENSORS,
	AV_FORMAT_GGUF,
	AV_FORMAT_HDF5,
	AV_FORMAT_ONNX,
	AV_FORMAT_NUMPY,
} av_aformat;

/* "unknown", "zip", "pytorch-zip", "keras", "pickle", "safetensors", "gguf", "hdf5", "onnx", "npy".
 */
const char *av_aformat_name(av_aformat f);

typedef enum av_rating {
	AV_RATING_SAFE,       /* on the allow-list of data-only constructors */
	AV_RATING_SUSPICIOUS, /* neither listed safe nor known dangerous */
	AV_RATING_DANGEROUS,  /* can run code, touch files, processes or the network */
} av_rating;

/* "safe", "suspicious", "dangerous". */
const char *av_rating_name(av_rating r);

/*
 * Rates one imported global.  Dangerous: whole modules such as os, posix,
 * nt, subprocess, sys, shutil, socket, runpy, webbrowser, requests, urllib,
 * http.client, pty, importlib, ctypes, multiprocessing, pickle (and their
 * submodules), and names such as builtins.eval/exec/compile/open/__import__/
 * getattr.  Safe: data constructors such as collections.OrderedDict,
 * torch._utils._rebuild_*, torch.*Storage, numpy.core.multiarray._reconstruct.
 * Anything else is suspicious.
 */
av_rating av_inspect_rate(const char *module, const char *name);

typedef struct av_inspect_limits {
	size_t chunk;       /* read size for hashing; default 1 MiB */
	uint64_t hash_max;  /* hash at most this many bytes; 0 = whole file (default) */
	uint64_t parse_max; /* pickle/metadata bytes parsed per stream; default 64 MiB */
	size_t max_globals; /* distinct globals kept; default 1024 */
	size_t max_entries; /* zip entries examined; default 65536 */
} av_inspect_limits;

/* Fills l with the defaults above. */
void av_inspect_limits_default(av_inspect_limits *l);

typedef struct av_inspect_global {
	char *module;
	char *name;
	av_rating rating;
} av_inspect_global;

/*
 * The facts about one file.  Initialised and owned by av_inspect_file /
 * av_inspect_buffer; freed with av_inspect_fini.
 */
typedef struct av_inspect {
	av_aformat format;
	uint64_t size;
	char sha256[65];            /* hex; empty when hash_max stopped the hash */
	av_inspect_global *globals; /* distinct (module, name) pairs, in order found */
	size_t nglobals;
	char error[AV_ERR_MSG]; /* empty, or what was wrong with the content */
} av_inspect;

/*
 * Inspects the file at path with limits lim (NULL for the defaults).
 * Returns 0 and fills *r (which the caller then frees with av_inspect_fini)
 * whenever the file could be read, even if its content is corrupt: then
 * r->error says what and where (byte offsets).  Returns AV_EIO if the file
 * cannot be opened or read (err names the path and the reason; *r is left
 * empty and needs no fini), AV_ENOMEM if memory ran out.
 */
int av_inspect_file(av_inspect *r, const char *path, const av_inspect_limits *lim, av_error *err);

/*
 * The same over a buffer of len bytes; name (may be NULL) supplies the file
 * name whose extension the ONNX check looks at.  The buffer is only read.
 */
int av_inspect_buffer(av_inspect *r, const char *name, const void *buf, size_t len,
                      const av_inspect_limits *lim, av_error *err);

/* Frees what r owns and clears it; accepts a cleared or NULL r. */
void av_inspect_fini(av_inspect *r);

/*
 * Returns a new cJSON object {sha256, format, size, globals: [{module, name,
 * rating}], error} (sha256 and error are null when empty), which the caller
 * owns; NULL when out of memory.  This is a manifest's artifacts[].inspected.
 */
cJSON *av_inspect_to_json(const av_inspect *r);

#endif
