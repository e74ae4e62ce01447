/*
 * deps_py.c - setup.py read statically: the literal lists of requirements
 * passed to setup() (install_requires, setup_requires, tests_require,
 * extras_require), directly or through a module-level name assigned a
 * literal list.  Nothing is run: what is computed (a list built by a
 * function, read from a file, concatenated) is reported as not read.
 */
#include <stdlib.h>
#include <string.h>

#include "deps_int.h"
#include "pytok.h"

#define MAX_TOKENS 500000

struct toks {
	av_pytok_t *v;
	size_t n;
};

static bool
is_op(const struct toks *t, size_t i, char c)
{
	return i < t->n && t->v[i].type == AV_PYT_OP && t->v[i].s[0] == c;
}

static bool
is_name(const struct toks *t, size_t i, const char *s)
{
	return i < t->n && t->v[i].type == AV_PYT_NAME && t->v[i].len == strlen(s) &&
	    memcmp(t->v[i].s, s, t->v[i].len) == 0;
}

/* The index of the bracket closing the one at i, or t->n. */
static size_t
closing(const struct toks *t, size_t i)
{
	int depth = 0;
	for (size_t k = i; k < t->n; k++) {
		if (t->v[k].type != AV_PYT_OP)
			continue;
		char c = t->v[k].s[0];
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if ((c == ')' || c == ']' || c == '}') && --depth == 0)
			return k;
	}
	return t->n;
}

/* A module-level "NAME = [" or "NAME = (": the index of the bracket. */
static size_t
assignment(const struct toks *t, const av_pytok_t *name)
{
	for (size_t i = 0; i + 2 < t->n; i++) {
		bool start = i == 0 || t->v[i - 1].type == AV_PYT_NEWLINE;
		if (start && t->v[i].type == AV_PYT_NAME && t->v[i].depth == 0 &&
		    t->v[i].len == name->len && memcmp(t->v[i].s, name->s, name->len) == 0 &&
		    is_op(t, i + 1, '=') && (is_op(t, i + 2, '[') || is_op(t, i + 2, '(')))
			return i + 2;
	}
	return t->n;
}

struct ctx {
	const struct toks *t;
	av_deps *out;
	const char *file;
	av_diags *d;
	const char *what;
};

static int
read_list(struct ctx *c, size_t i, int hops)
{
	const struct toks *t = c->t;
	char val[1024];

	if (i < t->n && t->v[i].type == AV_PYT_NAME && hops < 4 &&
	    (is_op(t, i + 1, ',') || is_op(t, i + 1, ')') || is_op(t, i + 1, '}'))) {
		size_t a = assignment(t, &t->v[i]);
		if (a < t->n)
			return read_list(c, a, hops + 1);
	}
	if (!(is_op(t, i, '[') || is_op(t, i, '('))) {
		av_diags_add(c->d, AV_OK, c->file, i < t->n ? t->v[i].line : 0, 0,
		    "%s is computed when setup.py runs: not read", c->what);
		return 0;
	}
	size_t end = closing(t, i);
	int lvl = t->v[i].depth + 1;
	for (size_t k = i + 1; k < end; k++) {
		const av_pytok_t *tk = &t->v[k];
		if (tk->depth != lvl || (tk->type == AV_PYT_OP && tk->s[0] == ','))
			continue;
		if (tk->type == AV_PYT_STRING && !av_pytok_is_fstring(tk) &&
		    (is_op(t, k + 1, ',') || k + 1 == end)) {
			size_t n = av_pytok_string(tk, val, sizeof(val));
			if (n >= sizeof(val))
				continue;
			int rc = av_deps_pep508(c->out, val, n, tk->line, false);
			if (rc == AV_ENOMEM)
				return rc;
			if (rc != 0)
				av_diags_add(c->d, AV_EPARSE, c->file, tk->line, 0,
				    "not a requirement (PEP 508): %.100s", val);
			continue;
		}
		av_diags_add(c->d, AV_OK, c->file, tk->line, 0,
		    "an element of %s is computed when setup.py runs: not read", c->what);
		while (k + 1 < end && !(is_op(t, k + 1, ',') && t->v[k + 1].depth == lvl))
			k++;
	}
	return 0;
}

static int
read_extras(struct ctx *c, size_t i)
{
	const struct toks *t = c->t;

	if (!is_op(t, i, '{')) {
		av_diags_add(c->d, AV_OK, c->file, i < t->n ? t->v[i].line : 0, 0,
		    "extras_require is computed when setup.py runs: not read");
		return 0;
	}
	size_t end = closing(t, i);
	for (size_t k = i + 1; k < end; k++) {
		if (t->v[k].type == AV_PYT_OP && t->v[k].s[0] == ':' && t->v[k].depth == t->v[i].depth + 1) {
			int rc = read_list(c, k + 1, 0);
			if (rc != 0)
				return rc;
			if (is_op(t, k + 1, '[') || is_op(t, k + 1, '('))
				k = closing(t, k + 1);
		}
	}
	return 0;
}

int
av_deps_setup_py(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d)
{
	struct toks t = {0};
	size_t cap = 0;
	av_pytok tz;
	av_pytok_t tok;
	int rc = 0;
	bool found = false;

	av_pytok_init(&tz, buf, len);
	while (av_pytok_next(&tz, &tok) != AV_PYT_END) {
		if (t.n >= MAX_TOKENS) {
			av_diags_add(d, AV_ELIMIT, name, tok.line, 0,
			    "more than %d tokens: the rest not read", MAX_TOKENS);
			break;
		}
		if (t.n == cap) {
			cap = cap ? cap * 2 : 1024;
			av_pytok_t *v = realloc(t.v, cap * sizeof(*v));
			if (v == NULL) {
				free(t.v);
				return AV_ENOMEM;
			}
			t.v = v;
		}
		t.v[t.n++] = tok;
	}
	struct ctx c = {.t = &t, .out = out, .file = name, .d = d};
	for (size_t i = 0; i + 1 < t.n && rc == 0; i++) {
		if (!is_name(&t, i, "setup") || !is_op(&t, i + 1, '(') ||
		    (i > 0 && is_op(&t, i - 1, '.') && !is_name(&t, i - 2, "setuptools")) ||
		    (i > 0 && is_name(&t, i - 1, "def")))
			continue;
		found = true;
		size_t end = closing(&t, i + 1);
		int depth = t.v[i + 1].depth + 1;
		for (size_t k = i + 2; k + 2 < end && rc == 0; k++) {
			if (t.v[k].type != AV_PYT_NAME || t.v[k].depth != depth || !is_op(&t, k + 1, '='))
				continue;
			if (is_name(&t, k, "install_requires") || is_name(&t, k, "setup_requires") ||
			    is_name(&t, k, "tests_require")) {
				c.what = is_name(&t, k, "install_requires") ? "install_requires"
				    : is_name(&t, k, "setup_requires") ? "setup_requires" : "tests_require";
				rc = read_list(&c, k + 2, 0);
			} else if (is_name(&t, k, "extras_require")) {
				c.what = "extras_require";
				rc = read_extras(&c, k + 2);
			}
		}
		i = end;
	}
	if (!found && rc == 0)
		av_diags_add(d, AV_OK, name, 0, 0, "no call to setup(): no requirements read");
	free(t.v);
	return rc;
}
