/*
 * licid.h - which license a text is: normalisation by the SPDX matching
 * guidelines, and identification against the data aivet ships in
 * policies/data/license-ids.txt (made by policies/gen-license-ids.py).
 *
 * A text is normalised into a stream of words: case folded, whitespace,
 * punctuation, quotes, dashes and bullets treated as separators, list
 * numbering and copyright lines removed, "http"/"https" dropped, British
 * spellings mapped to American ones (docs/scan.md gives the exact rules; the
 * generator implements the same rules and a unit test checks that both
 * agree on every reference text).  Identification then uses one of two
 * methods:
 *
 *  - text: the Dice similarity of the sets of word trigrams (hashed, and for
 *    long texts sampled by hash) of the text and of each reference text;
 *  - markers: for licenses whose reference texts are not shipped (the AI
 *    model licenses, and short pointer files to Creative Commons licenses),
 *    a title near the top of the text plus distinctive defined terms.
 *
 * The data holds hashes and short phrases, never the texts themselves.
 * This module reads only the buffers it is given.
 */
#ifndef ENGINE_SCAN_LICID_H
#define ENGINE_SCAN_LICID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"

/* The largest text identified; longer texts are cut at this many bytes. */
#define AV_LICID_MAX_TEXT (1u << 20)
/* A text match counts from this Dice similarity on. */
#define AV_LICID_THRESHOLD 0.80
/* Titles count only within the first this many words. */
#define AV_LICID_TITLE_WORDS 60

typedef struct av_licdb av_licdb;

/*
 * Reads identification data (the format of policies/data/license-ids.txt)
 * from buf; name is used in errors.  Every malformed line is an error with
 * its line number.  On success *out owns the data (free it with
 * av_licdb_destroy).  Returns 0, AV_EPARSE, AV_ELIMIT or AV_ENOMEM.
 */
int av_licdb_load(av_licdb **out, const char *buf, size_t len, const char *name, av_error *err);
/* The same from a file (at most 8 MiB); AV_EIO when it cannot be read. */
int av_licdb_load_file(av_licdb **out, const char *path, av_error *err);
void av_licdb_destroy(av_licdb *db);
/* How many licenses the data describes. */
size_t av_licdb_count(const av_licdb *db);

/*
 * Normalises text (len bytes, any content) into words separated by single
 * spaces, in a new NUL-terminated buffer *out (*outlen bytes, the caller
 * frees it); *nwords is the number of words.  At most AV_LICID_MAX_TEXT bytes
 * of input are read.  Returns 0 or AV_ENOMEM.
 */
int av_license_normalise(const char *text, size_t len, char **out, size_t *outlen, size_t *nwords);

enum { AV_LICID_NONE = 0, AV_LICID_TEXT, AV_LICID_MARKERS };

/* "text", "markers" ("none" for AV_LICID_NONE). */
const char *av_licid_method_name(int method);

typedef struct av_licmatch {
	bool identified;  /* score reached the method's threshold */
	int method;       /* AV_LICID_* of the answer */
	char id[64];      /* the license id (SPDX or Hugging Face id); "" when none is close */
	double score;     /* 0..1: Dice similarity, or the share of markers found */
	size_t words;     /* words in the normalised text */
} av_licmatch;

/*
 * Identifies text against db.  When no license reaches its threshold, m
 * still names the closest one by text similarity (identified false).
 * Returns 0 or AV_ENOMEM.
 */
int av_license_identify(const av_licdb *db, const char *text, size_t len, av_licmatch *m);

/* The trigram hash of three words as the generator computes it (exposed
 * for the tests that compare the two). */
uint32_t av_licid_hash3(const char *a, size_t al, const char *b, size_t bl, const char *c,
    size_t cl);

#endif
