/*
 * inspect.c - artifact inspection: hash, real format, pickle globals.
 *
 * This file holds the public entry points (inspect.h) and the result they
 * fill; the work is done by the files beside it, read in this order:
 * inspect_stream.c (the byte source, and streams over a region of it,
 * stored or inflated), inspect_probe.c (the real format by magic bytes,
 * and the checks of safetensors, GGUF, HDF5, ONNX and .npy),
 * inspect_zip.c (zip archives and the pickles inside), inspect_pickle.c
 * (the pickle walker) and inspect_rate.c (what each imported global can
 * do).  What they share is in inspect_int.h.
 *
 * This module does not judge: ratings go to the supply_chain plugin, which
 * decides what blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha256.h"
#include "inspect_int.h"

/* ---- names ---- */

const char *
av_aformat_name(av_aformat f)
{
	static const char *const names[] = {"unknown",     "zip",  "pytorch-zip", "keras", "pickle",
	                                    "safetensors", "gguf", "hdf5",        "onnx",  "npy"};

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "unknown";
}

const char *
av_rating_name(av_rating r)
{
	switch (r) {
	case AV_RATING_SAFE:
		return "safe";
	case AV_RATING_DANGEROUS:
		return "dangerous";
	default:
		return "suspicious";
	}
}

/* ---- the result ---- */

void
av_insp_note(av_insp *c, const char *fmt, ...)
{
	char *e = c->r->error;
	size_t n = strlen(e);
	va_list ap;

	if (n + 3 >= sizeof(c->r->error))
		return;
	if (n > 0) {
		strcpy(e + n, "; ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(e + n, sizeof(c->r->error) - n, fmt, ap);
	va_end(ap);
}

void
av_insp_add_global(av_insp *c, const char *module, const char *name, bool force_dangerous)
{
	av_inspect *r = c->r;

	for (size_t i = 0; i < r->nglobals; i++)
		if (strcmp(r->globals[i].module, module) == 0 &&
		    strcmp(r->globals[i].name, name) == 0)
			return;
	if (r->nglobals >= c->lim->max_globals) {
		if (!c->cut)
			av_insp_note(c, "more than %zu distinct globals; the list is cut short",
			             c->lim->max_globals);
		c->cut = true;
		return;
	}
	av_inspect_global *v = realloc(r->globals, (r->nglobals + 1) * sizeof(*v));
	if (v == NULL) {
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	r->globals = v;
	v += r->nglobals;
	v->module = strdup(module);
	v->name = strdup(name);
	if (v->module == NULL || v->name == NULL) {
		free(v->module);
		free(v->name);
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	v->rating = force_dangerous ? AV_RATING_DANGEROUS : av_inspect_rate(module, name);
	r->nglobals++;
}

/* ---- public functions ---- */

void
av_inspect_limits_default(av_inspect_limits *l)
{
	l->chunk = 1u << 20;
	l->hash_max = 0;
	l->parse_max = 64u << 20;
	l->max_globals = 1024;
	l->max_entries = 65536;
}

void
av_inspect_fini(av_inspect *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nglobals; i++) {
		free(r->globals[i].module);
		free(r->globals[i].name);
	}
	free(r->globals);
	memset(r, 0, sizeof(*r));
}

static int
run(av_insp *c, av_inspect *r)
{
	c->budget = c->lim->parse_max;
	av_insp_detect(c);
	if (c->rc != 0) {
		int rc = c->rc;
		av_inspect_fini(r);
		return rc;
	}
	return 0;
}

int
av_inspect_buffer(av_inspect *r, const char *name, const void *buf, size_t len,
                  const av_inspect_limits *lim, av_error *err)
{
	av_inspect_limits def;
	av_insp c = {.r = r, .name = name, .fd = -1, .mem = buf, .size = len, .err = err};

	memset(r, 0, sizeof(*r));
	if (lim == NULL) {
		av_inspect_limits_default(&def);
		lim = &def;
	}
	c.lim = lim;
	r->size = len;
	if (lim->hash_max == 0 || len <= lim->hash_max)
		av_sha256_hex(buf, len, r->sha256);
	else
		av_insp_note(&c, "not hashed: larger than the hash limit of %llu bytes",
		             (unsigned long long)lim->hash_max);
	return run(&c, r);
}

int
av_inspect_file(av_inspect *r, const char *path, const av_inspect_limits *lim, av_error *err)
{
	av_inspect_limits def;
	av_insp c = {.r = r, .name = path, .err = err};
	struct stat st;
	unsigned char *chunk = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (lim == NULL) {
		av_inspect_limits_default(&def);
		lim = &def;
	}
	c.lim = lim;
	c.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (c.fd < 0)
		return av_error_set(err, AV_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	if (fstat(c.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = av_error_set(err, AV_EIO, path, 0, 0, "not a regular file");
		goto out;
	}
	c.size = (uint64_t)st.st_size;
	r->size = c.size;
	if (lim->hash_max != 0 && c.size > lim->hash_max) {
		av_insp_note(&c, "not hashed: larger than the hash limit of %llu bytes",
		             (unsigned long long)lim->hash_max);
	} else {
		size_t csz = lim->chunk ? lim->chunk : 1u << 20;
		av_sha256 h;
		chunk = malloc(csz);
		if (chunk == NULL) {
			rc = av_error_set(err, AV_ENOMEM, path, 0, 0, "out of memory");
			goto out;
		}
		av_sha256_init(&h);
		for (uint64_t off = 0; off < c.size;) {
			ssize_t k = av_insp_read(&c, off, chunk, csz);
			if (k <= 0) {
				av_sha256_final_hex(&h, r->sha256);
				r->sha256[0] = '\0';
				rc = k < 0 ? c.rc
				           : av_error_set(err, AV_EIO, path, 0, 0,
				                          "file shrank while being read");
				goto out;
			}
			av_sha256_update(&h, chunk, (size_t)k);
			off += (uint64_t)k;
		}
		av_sha256_final_hex(&h, r->sha256);
	}
	rc = run(&c, r);
	if (rc != 0 && err != NULL && err->file[0] == '\0')
		snprintf(err->file, sizeof(err->file), "%s", path);
out:
	if (rc != 0)
		av_inspect_fini(r);
	free(chunk);
	close(c.fd);
	return rc;
}

cJSON *
av_inspect_to_json(const av_inspect *r)
{
	cJSON *o = cJSON_CreateObject(), *g;

	if (o == NULL)
		return NULL;
	if (!(r->sha256[0] ? cJSON_AddStringToObject(o, "sha256", r->sha256)
	                   : cJSON_AddNullToObject(o, "sha256")) ||
	    !cJSON_AddStringToObject(o, "format", av_aformat_name(r->format)) ||
	    !cJSON_AddNumberToObject(o, "size", (double)r->size) ||
	    (g = cJSON_AddArrayToObject(o, "globals")) == NULL)
		goto fail;
	for (size_t i = 0; i < r->nglobals; i++) {
		cJSON *e = cJSON_CreateObject();
		if (e == NULL)
			goto fail;
		cJSON_AddItemToArray(g, e);
		if (!cJSON_AddStringToObject(e, "module", r->globals[i].module) ||
		    !cJSON_AddStringToObject(e, "name", r->globals[i].name) ||
		    !cJSON_AddStringToObject(e, "rating", av_rating_name(r->globals[i].rating)))
			goto fail;
	}
	if (!(r->error[0] ? cJSON_AddStringToObject(o, "error", r->error)
	                  : cJSON_AddNullToObject(o, "error")))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}
