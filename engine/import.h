/*
 * import.h - documents people already have, read as aivet/v1 manifests:
 * Hugging Face model and dataset cards (import_hf.c), CycloneDX ML-BOMs
 * (import_cdx.c) and SPDX 3 AI and dataset packages (import_spdx3.c).
 *
 * An importer maps what the document says and nothing more: what a format
 * cannot tell stays absent, so that the plugins and `aivet init` see that it
 * is missing.  docs/importers.md says field by field what each one reads.
 */
#ifndef ENGINE_IMPORT_H
#define ENGINE_IMPORT_H

#include <stddef.h>

#include "errors.h"
#include "doc.h"

/* Largest document an importer reads. */
#define AV_IMPORT_MAX_BYTES (8u * 1024 * 1024)

typedef enum av_input {
	AV_INPUT_UNKNOWN = 0,
	AV_INPUT_AIVET,     /* an aivet/v1 manifest, YAML or JSON */
	AV_INPUT_HF,        /* a Hugging Face model or dataset card (Markdown) */
	AV_INPUT_CYCLONEDX, /* a CycloneDX BOM, JSON */
	AV_INPUT_SPDX,      /* an SPDX 3 JSON-LD document */
} av_input;

/*
 * Guesses the format of a document from its content; filename (may be
 * NULL) only breaks ties (a ".md" file with no front matter is a card).
 * Binary content (NUL bytes) is AV_INPUT_UNKNOWN.
 */
av_input av_input_detect(const char *buf, size_t len, const char *filename);

/* "aivet", "hf", "cyclonedx", "spdx" (as for --input); "unknown". */
const char *av_input_name(av_input fmt);
/* The format named s (also "huggingface", "cdx", "spdx3"), or
 * AV_INPUT_UNKNOWN. */
av_input av_input_parse(const char *s);

/*
 * Reads buf (len bytes) in format fmt (AV_INPUT_UNKNOWN: detect) and
 * builds an aivet/v1 manifest; name is the file name used in messages and,
 * for cards, as the component name of last resort.  The result is checked
 * with av_manifest_validate.
 *
 * d receives the problems, each naming file:line:column where known, and
 * also notes (entries whose code is AV_OK) that say what the importer
 * chose or could not know: which of several models of a BOM it imported,
 * that a card has no front matter, that the version is unknown.
 *
 * On success returns 0 and *out owns the new document (destroy it with
 * av_doc_destroy).  On failure *out is NULL and the return is AV_EPARSE
 * (not well-formed, binary, broken front matter), AV_ESCHEMA (well-formed
 * but not a document of that format, e.g. a BOM with no components, or the
 * result does not validate), AV_ELIMIT (over AV_IMPORT_MAX_BYTES or a
 * parser bound), AV_EINVAL or AV_ENOMEM; d says what and where.
 */
int av_import(av_doc **out, const char *buf, size_t len, av_input fmt, const char *name,
    av_diags *d);

#endif
