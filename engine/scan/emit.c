/*
 * emit.c - where each fact of a scanned manifest was found, and the YAML
 * that shows it as a "# found in FILE:LINE" comment beside the fact (see
 * scan_int.h).
 *
 * Scalars are written by doc.c's own writer (av_node_to_yaml on the single
 * node), so that quoting follows the same YAML 1.2 core-schema rules as
 * every other YAML aivet prints; this file adds the layout, the comments
 * and literal blocks for multi-line text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan_int.h"

/* ---- evidence ------------------------------------------------------------------ */

struct ev {
	const av_node *n;
	char *text;  /* the first three places */
	char *shown; /* text and "and N more", once there are more */
	int places;
};

struct av_evidence {
	struct ev *v;
	size_t cap, n;
};

av_evidence *
av_evidence_create(void)
{
	return calloc(1, sizeof(av_evidence));
}

void
av_evidence_destroy(av_evidence *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->cap; i++) {
		free(e->v[i].text);
		free(e->v[i].shown);
	}
	free(e->v);
	free(e);
}

static size_t
slot(const av_evidence *e, const av_node *n)
{
	uintptr_t h = (uintptr_t)n;
	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	size_t i = (size_t)(h >> 7) & (e->cap - 1);
	while (e->v[i].n != NULL && e->v[i].n != n)
		i = (i + 1) & (e->cap - 1);
	return i;
}

static int
grow(av_evidence *e)
{
	av_evidence ne = {.cap = e->cap ? e->cap * 2 : 256};
	if ((ne.v = calloc(ne.cap, sizeof(*ne.v))) == NULL)
		return AV_ENOMEM;
	for (size_t i = 0; i < e->cap; i++)
		if (e->v[i].n != NULL)
			ne.v[slot(&ne, e->v[i].n)] = e->v[i];
	free(e->v);
	e->v = ne.v;
	e->cap = ne.cap;
	return 0;
}

/* A place for a comment: control characters (a newline in a file name)
 * would end the comment, so they become '?'. */
static void
place(char *out, size_t cap, const char *file, int line)
{
	if (line > 0)
		snprintf(out, cap, "%s:%d", file, line);
	else
		snprintf(out, cap, "%s", file);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			*p = '?';
}

int
av_evidence_add(av_evidence *e, const av_node *n, const char *file, int line)
{
	char p[600];

	if (n == NULL || file == NULL)
		return 0;
	if ((e->n + 1) * 2 > e->cap && grow(e) != 0)
		return AV_ENOMEM;
	size_t i = slot(e, n);
	struct ev *x = &e->v[i];
	place(p, sizeof(p), file, line);
	if (x->n == NULL) {
		if ((x->text = strdup(p)) == NULL)
			return AV_ENOMEM;
		x->n = n;
		x->places = 1;
		e->n++;
		return 0;
	}
	if (strstr(x->text, p) != NULL)
		return 0;
	if (x->places < 3) {
		size_t l = strlen(x->text);
		char *t = realloc(x->text, l + strlen(p) + 3);
		if (t == NULL)
			return AV_ENOMEM;
		snprintf(t + l, strlen(p) + 3, ", %s", p);
		x->text = t;
	}
	if (++x->places > 3) {
		size_t l = strlen(x->text) + 32;
		char *t = realloc(x->shown, l);
		if (t == NULL)
			return AV_ENOMEM;
		snprintf(t, l, "%s and %d more", x->text, x->places - 3);
		x->shown = t;
	}
	return 0;
}

const char *
av_evidence_get(const av_evidence *e, const av_node *n)
{
	if (e == NULL || e->cap == 0 || n == NULL)
		return NULL;
	const struct ev *x = &e->v[slot(e, n)];
	if (x->n == NULL)
		return NULL;
	return x->shown != NULL ? x->shown : x->text;
}

/* ---- writing ------------------------------------------------------------------ */

struct out {
	char *s;
	size_t n, cap;
	bool oom;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->n + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 8192;
		while (cap < o->n + n + 1)
			cap *= 2;
		char *ns = realloc(o->s, cap);
		if (ns == NULL) {
			o->oom = true;
			return;
		}
		o->s = ns;
		o->cap = cap;
	}
	memcpy(o->s + o->n, s, n);
	o->n += n;
	o->s[o->n] = '\0';
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
indent(struct out *o, int n)
{
	for (int i = 0; i < n; i++)
		put(o, " ", 1);
}

/* A scalar as doc.c writes it, without the final newline. */
static void
scalar(struct out *o, const av_node *n)
{
	size_t len;
	char *y = av_node_to_yaml(n, &len);
	if (y == NULL) {
		o->oom = true;
		return;
	}
	while (len > 0 && y[len - 1] == '\n')
		len--;
	put(o, y, len);
	free(y);
}

static void
key(struct out *o, const char *k)
{
	av_node t = {.type = AV_STR, .str = k, .len = strlen(k)};
	scalar(o, &t);
	put(o, ":", 1);
}

static void
comment(struct out *o, const char *a, const char *b)
{
	if (a == NULL && b == NULL)
		return;
	puts_(o, "  # found in ");
	if (a != NULL)
		puts_(o, a);
	if (a != NULL && b != NULL)
		puts_(o, "; ");
	if (b != NULL)
		puts_(o, b);
}

static size_t
utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t k = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
	if (k == 0 || k > n)
		return 0;
	uint32_t c = s[0] & (0x7F >> k);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	*cp = c;
	return k;
}

static bool
printable(uint32_t c)
{
	return c == '\t' || (c >= 0x20 && c <= 0x7E) || c == 0x85 || (c >= 0xA0 && c <= 0xD7FF) ||
	    (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* Whether s reads back the same from a literal block: several lines,
 * printable characters, no carriage return, no line of blanks only, no
 * leading blank on the first line, no trailing blank, at most one final
 * newline. */
static bool
block_ok(const char *s, size_t n)
{
	if (n == 0 || memchr(s, '\n', n) == NULL || s[0] == ' ' || s[0] == '\t' || s[0] == '\n')
		return false;
	if (s[n - 1] == ' ' || s[n - 1] == '\t' || (n >= 2 && s[n - 1] == '\n' && s[n - 2] == '\n'))
		return false;
	bool blank_line = true;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_len((const unsigned char *)s + i, n - i, &cp);
		if (l == 0)
			return false;
		if (cp == '\n') {
			if (blank_line && i > 0 && s[i - 1] != '\n')
				return false;
			blank_line = true;
		} else if (cp == ' ' || cp == '\t') {
			/* stays blank */
		} else if (!printable(cp)) {
			return false;
		} else {
			blank_line = false;
		}
		i += l;
	}
	return true;
}

static void
block(struct out *o, const char *s, size_t n, int ind, const char *ev)
{
	bool final_nl = s[n - 1] == '\n';
	const char *end = s + (final_nl ? n - 1 : n);

	puts_(o, final_nl ? "|" : "|-");
	comment(o, ev, NULL);
	put(o, "\n", 1);
	while (s <= end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (len > 0) {
			indent(o, ind);
			put(o, s, len);
		}
		put(o, "\n", 1);
		if (nl == NULL)
			break;
		s = nl + 1;
	}
}

static bool
nonempty(const av_node *n)
{
	return (n->type == AV_SEQ || n->type == AV_MAP) && n->count > 0;
}

/*
 * The children of collection n at indentation ind.  inline_first: the first
 * child continues the current line (a sequence item "- key: ..."), and
 * extra (may be NULL) is the item's own evidence, shown on that line.
 */
static void
coll(struct out *o, const av_node *n, int ind, bool inline_first, const char *extra,
    const av_evidence *e)
{
	bool first = true;

	for (const av_node *c = n->first; c != NULL && !o->oom; c = c->next) {
		const char *ev = av_evidence_get(e, c);
		const char *ex = first && inline_first ? extra : NULL;
		if (!(first && inline_first))
			indent(o, ind);
		first = false;
		if (n->type == AV_SEQ) {
			put(o, "-", 1);
			if (nonempty(c)) {
				put(o, " ", 1);
				if (c->type == AV_MAP) {
					coll(o, c, ind + 2, true, ev, e);
				} else {
					comment(o, ev, ex);
					put(o, "\n", 1);
					coll(o, c, ind + 2, false, NULL, e);
				}
				continue;
			}
		} else {
			key(o, c->key);
			if (nonempty(c)) {
				comment(o, ex, ev);
				put(o, "\n", 1);
				coll(o, c, ind + 2, false, NULL, e);
				continue;
			}
		}
		put(o, " ", 1);
		if (c->type == AV_STR && block_ok(c->str, c->len)) {
			char both[4200];
			if (ex != NULL && ev != NULL)
				snprintf(both, sizeof(both), "%.2000s; %.2000s", ex, ev);
			block(o, c->str, c->len, ind + 2, ex && ev ? both : ex ? ex : ev);
			continue;
		}
		scalar(o, c);
		comment(o, ex, ev);
		put(o, "\n", 1);
	}
}

char *
av_evidence_yaml(const av_node *root, const av_evidence *e, const char *header, size_t *len)
{
	struct out o = {0};

	if (header != NULL) {
		for (const char *p = header; *p;) {
			const char *nl = strchr(p, '\n');
			size_t l = nl ? (size_t)(nl - p) : strlen(p);
			puts_(&o, "# ");
			for (size_t i = 0; i < l; i++) {
				char c = (unsigned char)p[i] < 0x20 ? '?' : p[i];
				put(&o, &c, 1);
			}
			put(&o, "\n", 1);
			p += l + (nl ? 1 : 0);
		}
	}
	if (nonempty(root)) {
		coll(&o, root, 0, false, NULL, e);
	} else {
		scalar(&o, root);
		put(&o, "\n", 1);
	}
	if (o.oom || o.s == NULL) {
		free(o.s);
		return NULL;
	}
	*len = o.n;
	return o.s;
}
