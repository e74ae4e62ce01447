/*
 * spdx.h - SPDX license expressions (SPDX specification, annex D).
 *
 * Parses an expression such as "(MIT OR Apache-2.0) AND GPL-2.0+ WITH
 * Classpath-exception-2.0" into a tree, lists the license and exception ids
 * it names, prints it in a canonical form and evaluates it against a set of
 * allowed licenses, choosing the best OR branch.
 *
 * Grammar (precedence WITH > AND > OR; operators are matched without regard
 * to case, and printed upper case):
 *
 *   expr     = and-expr *( "OR" and-expr )
 *   and-expr = with-expr *( "AND" with-expr )
 *   with-expr= simple [ "WITH" exception-id ] / "(" expr ")"
 *   simple   = license-id [ "+" ] / [ "DocumentRef-" idstring ":" ]
 *              "LicenseRef-" idstring
 *   idstring = 1*( ALPHA / DIGIT / "-" / "." )
 *
 * This module knows the grammar, not the SPDX license list: it does not say
 * whether "MIT" is a real license id (the license knowledge base does that),
 * and ids are kept as written.
 *
 * Work is bounded: an expression is at most AV_SPDX_MAX_LEN bytes and nests
 * parentheses at most AV_SPDX_MAX_DEPTH deep.  A parse makes one arena; the
 * tree, the id lists and the canonical string all live in it.
 */
#ifndef ENGINE_SPDX_H
#define ENGINE_SPDX_H

#include <stdbool.h>
#include <stddef.h>

#include "errors.h"

#define AV_SPDX_MAX_LEN 4096
#define AV_SPDX_MAX_DEPTH 64

typedef enum av_spdx_type {
	AV_SPDX_LICENSE, /* a license id, perhaps with "+" */
	AV_SPDX_REF,     /* LicenseRef-x or DocumentRef-x:LicenseRef-y */
	AV_SPDX_WITH,    /* id WITH exception: a leaf, like the two above */
	AV_SPDX_AND,
	AV_SPDX_OR,
} av_spdx_type;

/*
 * One node of a parsed expression.  Leaves (LICENSE, REF, WITH) have id set
 * and left/right NULL; WITH leaves also have exception.  AND and OR nodes have
 * left and right and no id.  Chains of one operator are left-deep:
 * "A OR B OR C" is OR(OR(A, B), C).  Nodes belong to the av_spdx they came
 * from and live until it is destroyed.
 */
typedef struct av_spdx_node {
	av_spdx_type type;
	const char *id;        /* leaves: the license id or reference */
	const char *exception; /* WITH: the exception id; else NULL */
	bool plus;             /* license id followed by "+" ("or later") */
	bool ref;              /* WITH: the id is a LicenseRef/DocumentRef */
	int column;            /* 1-based column of the id or the operator */
	const struct av_spdx_node *left, *right;
} av_spdx_node;

typedef struct av_spdx av_spdx;

/*
 * Parses len bytes at s.  On success returns 0 and sets *out to a new
 * expression that the caller destroys with av_spdx_destroy.  On failure
 * returns AV_EPARSE (bad syntax), AV_ELIMIT (longer than AV_SPDX_MAX_LEN,
 * nested deeper than AV_SPDX_MAX_DEPTH, or a canonical form that would be
 * longer than AV_SPDX_MAX_LEN, so that every canonical form parses) or
 * AV_ENOMEM, leaves *out NULL and fills err (which may be NULL) with line 1,
 * the 1-based column and a message naming what was expected there, e.g.
 * "expected license id after 'AND' at column 14".  s need not be
 * NUL-terminated; a NUL byte inside it is a syntax error.
 */
int av_spdx_parse(av_spdx **out, const char *s, size_t len, av_error *err);

/* Frees an expression and everything it owns; accepts NULL. */
void av_spdx_destroy(av_spdx *x);

/* The root of the tree; never NULL for a parsed expression. */
const av_spdx_node *av_spdx_root(const av_spdx *x);

/*
 * The canonical form: operators upper case, single spaces, parentheses only
 * around an operand whose operator differs from its parent's ("A OR (B AND
 * C)"), none around a single id.  Owned by x.
 */
const char *av_spdx_canonical(const av_spdx *x);

/*
 * The distinct license ids (and references), in order of first appearance,
 * compared without regard to case; "+" is not part of the id.  Owned by x.
 */
size_t av_spdx_nlicenses(const av_spdx *x);
const char *av_spdx_license(const av_spdx *x, size_t i);

/* The distinct exception ids, in order of first appearance.  Owned by x. */
size_t av_spdx_nexceptions(const av_spdx *x);
const char *av_spdx_exception(const av_spdx *x, size_t i);

/* The number of leaves: a buffer that large holds any choice. */
size_t av_spdx_nleaves(const av_spdx *x);

/* Says whether one leaf (LICENSE, REF or WITH node) is acceptable. */
typedef bool (*av_spdx_allow_fn)(const av_spdx_node *leaf, void *arg);

/*
 * Evaluates x: a leaf is satisfied when allow says so, AND when both sides
 * are, OR when either is.  Where both sides of an OR are satisfied it chooses
 * the one with fewer leaves (fewer licenses to comply with), the left one on a
 * tie.  Sets *ok, and on success writes the leaves of the chosen branches to
 * chosen (capacity cap, which must be at least av_spdx_nleaves(x)) and their
 * number to *nchosen; when not satisfied *nchosen is 0.  The leaves belong to
 * x.  Returns 0, or AV_EINVAL if cap is too small.
 */
int av_spdx_eval(bool *ok, const av_spdx_node **chosen, size_t *nchosen, const av_spdx *x,
                 av_spdx_allow_fn allow, void *arg, size_t cap);

/*
 * The usual allow function over a list of n allowed strings (compared
 * without regard to case).  A license leaf is allowed when its id is listed
 * ("GPL-2.0" also allows "GPL-2.0+", which includes that version), or when
 * its exact text with "+" is.  A WITH leaf is allowed when "id WITH
 * exception" is listed, or both the id and the exception are.
 */
bool av_spdx_allowed_in(const av_spdx_node *leaf, const char *const *allowed, size_t n);

/*
 * The Lua module aivet.spdx (lua_spdx.c): parse, ids, satisfies, normalize.
 * The plugin host registers it under package.preload["aivet.spdx"].
 */
struct lua_State;
int luaopen_aivet_spdx(struct lua_State *L);

#endif
