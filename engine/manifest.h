/*
 * manifest.h - the aivet/v1 component manifest: schema validation,
 * identity and digest.
 *
 * The schema is documented field by field in docs/manifest.md; this module
 * is its executable form.  Validation reports every problem with file,
 * line and column, and a did-you-mean for misspelt keys.
 */
#ifndef ENGINE_MANIFEST_H
#define ENGINE_MANIFEST_H

#include "errors.h"
#include "doc.h"

/*
 * Validates root against the aivet/v1 schema.  Appends every problem to d
 * (file names the document).  Returns the number of errors (0: valid).
 */
int av_manifest_validate(const av_node *root, const char *file, av_diags *d);

/* Validates and stops at the first problem; returns 0 or AV_ESCHEMA. */
int av_manifest_check(const av_node *root, const char *file, av_error *err);

/* sha256 of the manifest's canonical JSON form: the same manifest written
 * as YAML or as JSON has the same digest. */
void av_manifest_digest(const av_node *root, char out[65]);

/*
 * Rewrites, in place, the shorthand forms into the full ones that plugins
 * see: a license written as a string (in licenses.code, .weights, .data,
 * .docs and dependencies[].license) becomes the map {id: <string>}, keeping
 * its position.  Nothing else changes; values of the wrong type are left
 * for the validator.  New nodes live in doc's arena.  Returns 0, or
 * AV_ENOMEM with err filled.
 */
int av_manifest_normalise(av_doc *doc, av_error *err);

#endif
