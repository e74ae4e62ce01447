/*
 * pytok.h - a Python tokenizer for static reading: names, numbers,
 * strings, operators and logical-line ends, with their lines.
 *
 * Used to read what Python files do without running them: the calls in
 * modeling code and notebooks (pycode.c) and the literal arguments of
 * setup() in setup.py (deps_py.c).  Comments are skipped, strings of every
 * prefix and quoting are one token, brackets are counted so that a logical
 * line ends only outside them, a backslash joins lines.  Indentation is not
 * reported.  Bad input never fails: an unterminated string ends at the end
 * of its line (or of the text, if triple-quoted).
 */
#ifndef ENGINE_SCAN_PYTOK_H
#define ENGINE_SCAN_PYTOK_H

#include <stdbool.h>
#include <stddef.h>

typedef enum av_pyt {
	AV_PYT_END = 0,
	AV_PYT_NAME,
	AV_PYT_NUMBER,
	AV_PYT_STRING,
	AV_PYT_OP,      /* one character: ( ) [ ] { } . , = : ; and the rest */
	AV_PYT_NEWLINE, /* the end of a logical line */
} av_pyt;

typedef struct av_pytok_t {
	av_pyt type;
	const char *s; /* the token's text in the source (a string: prefix and quotes included) */
	size_t len;
	int line;      /* 1-based line of the token's first character */
	int depth;     /* bracket depth before the token */
} av_pytok_t;

typedef struct av_pytok {
	const char *buf;
	size_t len, pos;
	int line;
	int depth;
	bool pending_newline; /* a logical line has content */
} av_pytok;

/* Starts tokenizing buf (len bytes; the tokenizer only reads it). */
void av_pytok_init(av_pytok *t, const char *buf, size_t len);

/* The next token into *tok; returns its type (AV_PYT_END at the end). */
av_pyt av_pytok_next(av_pytok *t, av_pytok_t *tok);

/*
 * The value of a STRING token: prefix and quotes removed, the escapes
 * \\ \' \" \n \t \r \0 decoded unless the string is raw.  Writes at most
 * cap - 1 bytes and a NUL into out; returns the value's full length.  An
 * f-string's value is its text, braces included.
 */
size_t av_pytok_string(const av_pytok_t *tok, char *out, size_t cap);

/* Whether the STRING token is a bytes or f-string (not a plain literal). */
bool av_pytok_is_fstring(const av_pytok_t *tok);

#endif
