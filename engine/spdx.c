/*
 * spdx.c - SPDX license expression parser, printer and evaluator.
 *
 * A hand-written lexer and recursive-descent parser over a byte buffer.  Only
 * parentheses recurse (bounded by AV_SPDX_MAX_DEPTH); chains of AND and OR are
 * built in loops.  Every node and string lives in one bump arena owned by the
 * av_spdx, so a parse costs a handful of allocations whatever its length.
 * This is not a license database: see the license knowledge base for that.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spdx.h"

/* ---- arena ---- */

struct block {
	struct block *next;
	size_t used, cap;
	_Alignas(max_align_t) unsigned char data[];
};

struct av_spdx {
	struct block *blocks;
	const av_spdx_node *root;
	const char *canonical;
	const char **licenses, **exceptions;
	size_t nlicenses, nexceptions, nleaves;
};

static void *
arena_alloc(av_spdx *x, size_t n)
{
	struct block *b = x->blocks;

	n = (n + 15) & ~(size_t)15;
	if (b == NULL || b->cap - b->used < n) {
		size_t cap = n > 8192 ? n : 8192;
		b = malloc(sizeof(*b) + cap);
		if (b == NULL)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = x->blocks;
		x->blocks = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

static char *
arena_strndup(av_spdx *x, const char *s, size_t n)
{
	char *p = arena_alloc(x, n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void
av_spdx_destroy(av_spdx *x)
{
	if (x == NULL)
		return;
	for (struct block *b = x->blocks, *next; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(x);
}

/* ---- lexer ---- */

enum tok { T_END, T_LPAREN, T_RPAREN, T_AND, T_OR, T_WITH, T_ID, T_BAD };

struct parser {
	av_spdx *x;
	const char *s;
	size_t len, pos; /* pos: just past the current token */
	enum tok tok;
	size_t start, tlen; /* current token */
	bool plus;          /* T_ID followed by '+' */
	int depth;
	size_t nleaves;
	av_error *err;
	int rc;
};

static bool
idchar(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == ':';
}

static bool
word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static void
next(struct parser *p)
{
	const char *s = p->s;
	size_t i = p->pos;

	while (i < p->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	p->start = i;
	p->plus = false;
	if (i == p->len) {
		p->tok = T_END;
		p->tlen = 0;
		p->pos = i;
		return;
	}
	if (s[i] == '(' || s[i] == ')') {
		p->tok = s[i] == '(' ? T_LPAREN : T_RPAREN;
		p->tlen = 1;
		p->pos = i + 1;
		return;
	}
	if (!idchar((unsigned char)s[i])) {
		p->tok = T_BAD;
		p->tlen = 1;
		p->pos = i + 1;
		return;
	}
	size_t j = i;
	while (j < p->len && idchar((unsigned char)s[j]))
		j++;
	p->tlen = j - i;
	if (word_is(s + i, p->tlen, "AND"))
		p->tok = T_AND;
	else if (word_is(s + i, p->tlen, "OR"))
		p->tok = T_OR;
	else if (word_is(s + i, p->tlen, "WITH"))
		p->tok = T_WITH;
	else {
		p->tok = T_ID;
		if (j < p->len && s[j] == '+') {
			p->plus = true;
			j++;
		}
	}
	p->pos = j;
}

static int
col(const struct parser *p)
{
	return (int)p->start + 1;
}

/* Describes the current token for an error message. */
static const char *
found(const struct parser *p, char *buf, size_t len)
{
	unsigned char c;

	switch (p->tok) {
	case T_END:
		return "end of expression";
	case T_BAD:
		c = (unsigned char)p->s[p->start];
		if (isprint(c))
			snprintf(buf, len, "unexpected character '%c'", c);
		else
			snprintf(buf, len, "unexpected byte 0x%02x", c);
		return buf;
	default:
		snprintf(buf, len, "'%.*s%s'", p->tlen > 40 ? 40 : (int)p->tlen, p->s + p->start,
		         p->tlen > 40 ? "..." : "");
		return buf;
	}
}

/*
 * Records the first error: "<what> at column N[, found <token>]".  When
 * with_found is true the current token is named.
 */
__attribute__((format(printf, 5, 6))) static const av_spdx_node *
fail(struct parser *p, int code, int column, bool with_found, const char *fmt, ...)
{
	char msg[AV_ERR_MSG], what[64];
	va_list ap;

	if (p->rc != 0)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->rc = av_error_set(p->err, code, NULL, 1, column, "%s at column %d%s%s", msg, column,
	                     with_found ? ", found " : "",
	                     with_found ? found(p, what, sizeof(what)) : "");
	return NULL;
}

static const av_spdx_node *
nomem(struct parser *p)
{
	if (p->rc == 0)
		p->rc = av_error_set(p->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	return NULL;
}

static av_spdx_node *
node(struct parser *p, av_spdx_type type, int column)
{
	av_spdx_node *n = arena_alloc(p->x, sizeof(*n));

	if (n == NULL) {
		nomem(p);
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->column = column;
	return n;
}

static bool
has_prefix(const char *s, size_t n, const char *pre)
{
	size_t m = strlen(pre);

	return n >= m && strncasecmp(s, pre, m) == 0;
}

/* An idstring: one or more of ALPHA DIGIT "-" "."; returns its length. */
static size_t
idstring(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '.'))
		i++;
	return i;
}

/*
 * Checks the current T_ID token as a simple expression and makes its leaf,
 * taking a following "WITH exception" into it.
 */
static const av_spdx_node *
simple(struct parser *p)
{
	const char *s = p->s + p->start;
	size_t n = p->tlen, k;
	int c = col(p);
	av_spdx_type type = AV_SPDX_LICENSE;

	if (has_prefix(s, n, "DocumentRef-")) {
		k = 12 + idstring(s + 12, n - 12);
		if (k == 12)
			return fail(p, AV_EPARSE, c + 12, false,
			            "expected idstring after 'DocumentRef-'");
		if (k == n || s[k] != ':')
			return fail(p, AV_EPARSE, c + (int)k, false,
			            "expected ':LicenseRef-' after a DocumentRef");
		k++;
		if (!has_prefix(s + k, n - k, "LicenseRef-"))
			return fail(p, AV_EPARSE, c + (int)k, false,
			            "expected 'LicenseRef-' after ':'");
		k += 11;
		size_t m = idstring(s + k, n - k);
		if (m == 0)
			return fail(p, AV_EPARSE, c + (int)k, false,
			            "expected idstring after 'LicenseRef-'");
		if (k + m != n)
			return fail(p, AV_EPARSE, c + (int)(k + m), false, "unexpected ':'");
		type = AV_SPDX_REF;
	} else if (has_prefix(s, n, "LicenseRef-")) {
		k = 11 + idstring(s + 11, n - 11);
		if (k == 11)
			return fail(p, AV_EPARSE, c + 11, false,
			            "expected idstring after 'LicenseRef-'");
		if (k != n)
			return fail(p, AV_EPARSE, c + (int)k, false, "unexpected ':'");
		type = AV_SPDX_REF;
	} else {
		k = idstring(s, n);
		if (k != n)
			return fail(p, AV_EPARSE, c + (int)k, false,
			            "unexpected ':' in license id");
	}
	if (p->plus && type == AV_SPDX_REF)
		return fail(p, AV_EPARSE, c + (int)n, false,
		            "'+' is not allowed after a LicenseRef");

	av_spdx_node *leaf = node(p, type, c);
	if (leaf == NULL)
		return NULL;
	leaf->plus = p->plus;
	leaf->id = arena_strndup(p->x, s, n);
	if (leaf->id == NULL)
		return nomem(p);
	p->nleaves++;
	next(p);
	if (p->tok != T_WITH)
		return leaf;

	/* id WITH exception: the leaf becomes a WITH leaf. */
	next(p);
	if (p->tok != T_ID || p->plus || idstring(p->s + p->start, p->tlen) != p->tlen)
		return fail(p, AV_EPARSE, col(p), true, "expected exception id after 'WITH'");
	leaf->ref = type == AV_SPDX_REF;
	leaf->type = AV_SPDX_WITH;
	leaf->exception = arena_strndup(p->x, p->s + p->start, p->tlen);
	if (leaf->exception == NULL)
		return nomem(p);
	next(p);
	return leaf;
}

static const av_spdx_node *expr(struct parser *p);

/* with-expr: a simple expression (with its WITH) or a parenthesised one. */
static const av_spdx_node *
operand(struct parser *p, const char *after)
{
	if (p->tok == T_ID)
		return simple(p);
	if (p->tok != T_LPAREN)
		return fail(p, AV_EPARSE, col(p), true, "expected license id or '(' %s", after);
	int open = col(p);
	if (++p->depth > AV_SPDX_MAX_DEPTH)
		return fail(p, AV_ELIMIT, open, false, "parentheses nested deeper than %d",
		            AV_SPDX_MAX_DEPTH);
	next(p);
	const av_spdx_node *n = expr(p);
	if (n == NULL)
		return NULL;
	if (p->tok != T_RPAREN)
		return fail(p, AV_EPARSE, col(p), true,
		            "expected ')' to close '(' of column %d, or an operator", open);
	p->depth--;
	next(p);
	if (p->tok == T_WITH)
		return fail(p, AV_EPARSE, col(p), false,
		            "'WITH' must follow a license id, not a parenthesised expression");
	return n;
}

static const av_spdx_node *
chain(struct parser *p, enum tok op)
{
	const av_spdx_node *left =
	    op == T_OR ? chain(p, T_AND) : operand(p, p->depth ? "after '('" : "at start");

	while (left != NULL && p->tok == op) {
		int c = col(p);
		const char *after = op == T_OR ? "after 'OR'" : "after 'AND'";
		next(p);
		const av_spdx_node *right = op == T_OR ? NULL : operand(p, after);
		if (op == T_OR) {
			/* An and-expr, reporting errors at its first operand as "after 'OR'". */
			right = operand(p, after);
			while (right != NULL && p->tok == T_AND) {
				int ac = col(p);
				next(p);
				const av_spdx_node *r2 = operand(p, "after 'AND'");
				if (r2 == NULL)
					return NULL;
				av_spdx_node *a = node(p, AV_SPDX_AND, ac);
				if (a == NULL)
					return NULL;
				a->left = right;
				a->right = r2;
				right = a;
			}
		}
		if (right == NULL)
			return NULL;
		av_spdx_node *n = node(p, op == T_OR ? AV_SPDX_OR : AV_SPDX_AND, c);
		if (n == NULL)
			return NULL;
		n->left = left;
		n->right = right;
		left = n;
	}
	return left;
}

static const av_spdx_node *
expr(struct parser *p)
{
	return chain(p, T_OR);
}

/* ---- printing ---- */

struct out {
	char *buf; /* NULL while measuring */
	size_t n;
};

static void
put(struct out *o, const char *s)
{
	size_t m = strlen(s);

	if (o->buf != NULL)
		memcpy(o->buf + o->n, s, m);
	o->n += m;
}

static void
print(struct out *o, const av_spdx_node *n)
{
	switch (n->type) {
	case AV_SPDX_LICENSE:
	case AV_SPDX_REF:
	case AV_SPDX_WITH:
		put(o, n->id);
		if (n->plus)
			put(o, "+");
		if (n->type == AV_SPDX_WITH) {
			put(o, " WITH ");
			put(o, n->exception);
		}
		return;
	case AV_SPDX_AND:
	case AV_SPDX_OR:
		for (int side = 0; side < 2; side++) {
			const av_spdx_node *c = side ? n->right : n->left;
			bool paren =
			    (c->type == AV_SPDX_AND || c->type == AV_SPDX_OR) && c->type != n->type;
			if (side)
				put(o, n->type == AV_SPDX_AND ? " AND " : " OR ");
			if (paren)
				put(o, "(");
			print(o, c);
			if (paren)
				put(o, ")");
		}
		return;
	}
}

/* ---- id lists ---- */

static void
collect(av_spdx *x, const av_spdx_node *n)
{
	if (n->type == AV_SPDX_AND || n->type == AV_SPDX_OR) {
		collect(x, n->left);
		collect(x, n->right);
		return;
	}
	size_t i;
	for (i = 0; i < x->nlicenses; i++)
		if (strcasecmp(x->licenses[i], n->id) == 0)
			break;
	if (i == x->nlicenses)
		x->licenses[x->nlicenses++] = n->id;
	if (n->exception == NULL)
		return;
	for (i = 0; i < x->nexceptions; i++)
		if (strcasecmp(x->exceptions[i], n->exception) == 0)
			break;
	if (i == x->nexceptions)
		x->exceptions[x->nexceptions++] = n->exception;
}

int
av_spdx_parse(av_spdx **out, const char *s, size_t len, av_error *err)
{
	struct parser p = {.s = s, .len = len, .err = err};

	*out = NULL;
	if (s == NULL)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "no expression");
	if (len > AV_SPDX_MAX_LEN)
		return av_error_set(err, AV_ELIMIT, NULL, 1, AV_SPDX_MAX_LEN + 1,
		                    "expression longer than %d bytes", AV_SPDX_MAX_LEN);
	p.x = calloc(1, sizeof(*p.x));
	if (p.x == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	next(&p);
	p.x->root = expr(&p);
	if (p.x->root != NULL && p.tok != T_END) {
		if (p.tok == T_RPAREN)
			fail(&p, AV_EPARSE, col(&p), false, "unmatched ')'");
		else
			fail(&p, AV_EPARSE, col(&p), true,
			     "expected 'AND', 'OR' or end of expression");
	}
	if (p.rc != 0)
		goto fail;

	struct out o = {0};
	print(&o, p.x->root);
	/* Keep every canonical form parseable: it may add spaces and parentheses. */
	if (o.n > AV_SPDX_MAX_LEN) {
		p.rc =
		    av_error_set(err, AV_ELIMIT, NULL, 1, 0,
		                 "canonical form would be longer than %d bytes", AV_SPDX_MAX_LEN);
		goto fail;
	}
	o.buf = arena_alloc(p.x, o.n + 1);
	p.x->licenses = arena_alloc(p.x, p.nleaves * sizeof(char *));
	p.x->exceptions = arena_alloc(p.x, p.nleaves * sizeof(char *));
	if (o.buf == NULL || p.x->licenses == NULL || p.x->exceptions == NULL) {
		nomem(&p);
		goto fail;
	}
	o.n = 0;
	print(&o, p.x->root);
	o.buf[o.n] = '\0';
	p.x->canonical = o.buf;
	p.x->nleaves = p.nleaves;
	collect(p.x, p.x->root);
	*out = p.x;
	return 0;
fail:
	av_spdx_destroy(p.x);
	return p.rc;
}

const av_spdx_node *
av_spdx_root(const av_spdx *x)
{
	return x->root;
}

const char *
av_spdx_canonical(const av_spdx *x)
{
	return x->canonical;
}

size_t
av_spdx_nlicenses(const av_spdx *x)
{
	return x->nlicenses;
}

const char *
av_spdx_license(const av_spdx *x, size_t i)
{
	return i < x->nlicenses ? x->licenses[i] : NULL;
}

size_t
av_spdx_nexceptions(const av_spdx *x)
{
	return x->nexceptions;
}

const char *
av_spdx_exception(const av_spdx *x, size_t i)
{
	return i < x->nexceptions ? x->exceptions[i] : NULL;
}

size_t
av_spdx_nleaves(const av_spdx *x)
{
	return x->nleaves;
}

/* ---- evaluation ---- */

/*
 * Writes the leaves of the best satisfying choice for n at buf + *n_out.
 * A subtree writes at most as many entries as it has leaves, so the right
 * side of an OR is evaluated just after the left and moved down if chosen.
 */
static bool
eval(const av_spdx_node *n, const av_spdx_node **buf, size_t *at, av_spdx_allow_fn allow, void *arg)
{
	size_t start = *at, a, b;
	bool l, r;

	switch (n->type) {
	case AV_SPDX_AND:
		if (!eval(n->left, buf, at, allow, arg) || !eval(n->right, buf, at, allow, arg)) {
			*at = start;
			return false;
		}
		return true;
	case AV_SPDX_OR:
		l = eval(n->left, buf, at, allow, arg);
		a = *at - start;
		r = eval(n->right, buf, at, allow, arg);
		b = *at - start - a;
		if (l && (!r || a <= b)) {
			*at = start + a;
			return true;
		}
		if (r) {
			memmove(buf + start, buf + start + a, b * sizeof(*buf));
			*at = start + b;
			return true;
		}
		*at = start;
		return false;
	default:
		if (!allow(n, arg))
			return false;
		buf[(*at)++] = n;
		return true;
	}
}

int
av_spdx_eval(bool *ok, const av_spdx_node **chosen, size_t *nchosen, const av_spdx *x,
             av_spdx_allow_fn allow, void *arg, size_t cap)
{
	*ok = false;
	*nchosen = 0;
	if (cap < x->nleaves)
		return AV_EINVAL;
	*ok = eval(x->root, chosen, nchosen, allow, arg);
	if (!*ok)
		*nchosen = 0;
	return 0;
}

static bool
listed(const char *const *allowed, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (allowed[i] != NULL && strlen(allowed[i]) == len &&
		    strncasecmp(allowed[i], s, len) == 0)
			return true;
	return false;
}

bool
av_spdx_allowed_in(const av_spdx_node *leaf, const char *const *allowed, size_t n)
{
	char buf[2 * AV_SPDX_MAX_LEN + 16];
	int m;

	if (leaf->type == AV_SPDX_WITH) {
		m = snprintf(buf, sizeof(buf), "%s%s WITH %s", leaf->id, leaf->plus ? "+" : "",
		             leaf->exception);
		if (m > 0 && (size_t)m < sizeof(buf) && listed(allowed, n, buf, (size_t)m))
			return true;
		return (listed(allowed, n, leaf->id, strlen(leaf->id)) ||
		        (leaf->plus && listed(allowed, n, buf, strlen(leaf->id) + 1))) &&
		       listed(allowed, n, leaf->exception, strlen(leaf->exception));
	}
	if (listed(allowed, n, leaf->id, strlen(leaf->id)))
		return true;
	if (!leaf->plus)
		return false;
	m = snprintf(buf, sizeof(buf), "%s+", leaf->id);
	return m > 0 && (size_t)m < sizeof(buf) && listed(allowed, n, buf, (size_t)m);
}
