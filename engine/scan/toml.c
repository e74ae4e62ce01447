/*
 * toml.c - a TOML 1.0 reader into the document tree (see toml.h).
 *
 * One pass over the text: key/value lines, [table] and [[array of tables]]
 * headers, comments; values are strings of the four kinds, numbers,
 * booleans, dates (kept as strings), arrays and inline tables.  Every
 * allocation is bounded by the limits; errors stop at the first problem,
 * with its line and column.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

#define MAX_DEFINED 4096

struct tp {
	const char *s;
	size_t n, i;
	int line;
	size_t bol; /* offset of the current line's first byte */
	const char *name;
	av_doc *doc;
	av_limits lim;
	size_t nodes;
	av_error *err;
	int rc;
	/* tables defined by a [header]: defining one twice is an error */
	const av_node *defined[MAX_DEFINED];
	size_t ndefined;
	char *sbuf; /* string scratch */
	size_t scap;
};

static int fail(struct tp *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct tp *p, int code, const char *fmt, ...)
{
	va_list ap;

	if (p->rc == 0) {
		va_start(ap, fmt);
		p->rc = av_error_vset(p->err, code, p->name, p->line, (int)(p->i - p->bol) + 1, fmt,
		    ap);
		va_end(ap);
	}
	return p->rc;
}

static av_node *
node(struct tp *p, av_ntype t, int line, int col)
{
	if (p->rc != 0)
		return NULL;
	if (++p->nodes > p->lim.max_nodes) {
		fail(p, AV_ELIMIT, "more than %zu nodes", p->lim.max_nodes);
		return NULL;
	}
	av_node *nd = av_node_new(p->doc, t);
	if (nd == NULL) {
		fail(p, AV_ENOMEM, "out of memory");
		return NULL;
	}
	nd->line = line;
	nd->column = col;
	return nd;
}

static int
col(const struct tp *p)
{
	return (int)(p->i - p->bol) + 1;
}

static void
newline(struct tp *p)
{
	p->line++;
	p->bol = p->i;
}

static bool
at_end(const struct tp *p)
{
	return p->i >= p->n;
}

static char
cur(const struct tp *p)
{
	return p->i < p->n ? p->s[p->i] : '\0';
}

static void
skip_ws(struct tp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
		p->i++;
}

static void
skip_comment(struct tp *p)
{
	if (cur(p) == '#')
		while (p->i < p->n && p->s[p->i] != '\n')
			p->i++;
}

/* Whitespace, comments and newlines (inside arrays). */
static void
skip_all(struct tp *p)
{
	for (;;) {
		skip_ws(p);
		skip_comment(p);
		if (cur(p) == '\r' && p->i + 1 < p->n && p->s[p->i + 1] == '\n')
			p->i++;
		if (cur(p) != '\n')
			return;
		p->i++;
		newline(p);
	}
}

/* The end of a key/value or header line: blanks, a comment, a newline. */
static void
end_line(struct tp *p)
{
	skip_ws(p);
	skip_comment(p);
	if (cur(p) == '\r')
		p->i++;
	if (at_end(p))
		return;
	if (cur(p) != '\n') {
		fail(p, AV_EPARSE, "unexpected '%.1s' after a value (one key = value per line)",
		    p->s + p->i);
		return;
	}
	p->i++;
	newline(p);
}

static bool
sput(struct tp *p, size_t *len, const char *s, size_t n)
{
	if (*len + n + 1 > p->scap) {
		size_t cap = p->scap ? p->scap * 2 : 256;
		while (cap < *len + n + 1)
			cap *= 2;
		char *b = realloc(p->sbuf, cap);
		if (b == NULL) {
			fail(p, AV_ENOMEM, "out of memory");
			return false;
		}
		p->sbuf = b;
		p->scap = cap;
	}
	memcpy(p->sbuf + *len, s, n);
	*len += n;
	p->sbuf[*len] = '\0';
	return true;
}

static int
hexv(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool
put_cp(struct tp *p, size_t *len, uint32_t cp)
{
	char u[4];
	size_t k;

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		fail(p, AV_EPARSE, "invalid unicode escape");
		return false;
	}
	if (cp < 0x80)
		u[0] = (char)cp, k = 1;
	else if (cp < 0x800)
		u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), k = 2;
	else if (cp < 0x10000)
		u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
		u[2] = (char)(0x80 | (cp & 0x3F)), k = 3;
	else
		u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), k = 4;
	return sput(p, len, u, k);
}

/*
 * A string at p->i (a quote).  The value goes to p->sbuf (*len bytes).
 * Handles basic and literal strings, single and multi-line.
 */
static bool
string(struct tp *p, size_t *len)
{
	char q = cur(p);
	bool multi = p->i + 2 < p->n && p->s[p->i + 1] == q && p->s[p->i + 2] == q;
	bool basic = q == '"';

	*len = 0;
	if (!sput(p, len, "", 0))
		return false;
	p->i += multi ? 3 : 1;
	if (multi) { /* a newline right after the opening quotes is trimmed */
		if (cur(p) == '\r' && p->i + 1 < p->n && p->s[p->i + 1] == '\n')
			p->i++;
		if (cur(p) == '\n') {
			p->i++;
			newline(p);
		}
	}
	for (;;) {
		if (at_end(p)) {
			fail(p, AV_EPARSE, "unterminated string");
			return false;
		}
		char c = p->s[p->i];
		if (c == q) {
			if (!multi) {
				p->i++;
				return true;
			}
			if (p->i + 2 < p->n && p->s[p->i + 1] == q && p->s[p->i + 2] == q) {
				/* up to two more quotes belong to the string */
				size_t extra = 0;
				while (extra < 2 && p->i + 3 + extra < p->n &&
				    p->s[p->i + 3 + extra] == q)
					extra++;
				if (!sput(p, len, p->s + p->i, extra))
					return false;
				p->i += 3 + extra;
				return true;
			}
			if (!sput(p, len, &c, 1))
				return false;
			p->i++;
			continue;
		}
		if (c == '\n') {
			if (!multi) {
				fail(p, AV_EPARSE, "newline in a single-line string");
				return false;
			}
			p->i++;
			newline(p);
			if (!sput(p, len, "\n", 1))
				return false;
			continue;
		}
		if ((unsigned char)c < 0x20 && c != '\t' && !(multi && c == '\r')) {
			fail(p, AV_EPARSE, "control character in a string");
			return false;
		}
		if (c != '\\' || !basic) {
			if (c != '\r' && !sput(p, len, &c, 1))
				return false;
			p->i++;
			continue;
		}
		/* escapes of basic strings */
		p->i++;
		if (at_end(p)) {
			fail(p, AV_EPARSE, "unterminated string");
			return false;
		}
		c = cur(p);
		const char *simple = NULL;
		switch (c) {
		case 'b': simple = "\b"; break;
		case 't': simple = "\t"; break;
		case 'n': simple = "\n"; break;
		case 'f': simple = "\f"; break;
		case 'r': simple = "\r"; break;
		case 'e': simple = "\033"; break;
		case '"': simple = "\""; break;
		case '\\': simple = "\\"; break;
		default: break;
		}
		if (simple != NULL) {
			if (!sput(p, len, simple, 1))
				return false;
			p->i++;
			continue;
		}
		if (c == 'u' || c == 'U') {
			int k = c == 'u' ? 4 : 8;
			uint32_t cp = 0;
			p->i++;
			for (int j = 0; j < k; j++) {
				int h = p->i < p->n ? hexv(p->s[p->i]) : -1;
				if (h < 0) {
					fail(p, AV_EPARSE, "invalid unicode escape");
					return false;
				}
				cp = cp * 16 + (uint32_t)h;
				p->i++;
			}
			if (!put_cp(p, len, cp))
				return false;
			continue;
		}
		if (multi) { /* a line-ending backslash trims the newline and blanks after it */
			size_t j = p->i;
			while (j < p->n && (p->s[j] == ' ' || p->s[j] == '\t' || p->s[j] == '\r'))
				j++;
			if (j < p->n && p->s[j] == '\n') {
				p->i = j;
				while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
				    p->s[p->i] == '\n' || p->s[p->i] == '\r')) {
					if (p->s[p->i] == '\n') {
						p->i++;
						newline(p);
					} else {
						p->i++;
					}
				}
				continue;
			}
		}
		fail(p, AV_EPARSE, "invalid escape '\\%.1s'", p->s + p->i);
		return false;
	}
}

static bool
bare_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '-';
}

/* One key part (bare or quoted) into p->sbuf. */
static bool
key_part(struct tp *p, size_t *len)
{
	char c = cur(p);

	if (c == '"' || c == '\'') {
		if (p->i + 2 < p->n && p->s[p->i + 1] == c && p->s[p->i + 2] == c) {
			fail(p, AV_EPARSE, "a key cannot be a multi-line string");
			return false;
		}
		return string(p, len);
	}
	size_t st = p->i;
	while (p->i < p->n && bare_char(p->s[p->i]))
		p->i++;
	if (p->i == st) {
		fail(p, AV_EPARSE, "expected a key, found '%.1s'", at_end(p) ? " " : p->s + p->i);
		return false;
	}
	*len = 0;
	return sput(p, len, p->s + st, p->i - st);
}

static bool
defined_before(struct tp *p, const av_node *t)
{
	for (size_t i = 0; i < p->ndefined; i++)
		if (p->defined[i] == t)
			return true;
	return false;
}

/*
 * The child table named key of map m, made when absent.  A sequence (an
 * array of tables) stands for its last element.  Whether the key was
 * absent is returned in *made.
 */
static av_node *
subtable(struct tp *p, av_node *m, const char *key, int line, int column, bool *made)
{
	av_node *c = (av_node *)av_map_get(m, key);

	*made = false;
	if (c == NULL) {
		if ((c = node(p, AV_MAP, line, column)) == NULL)
			return NULL;
		c->key_line = line;
		c->key_column = column;
		if (av_map_set(p->doc, m, key, c) == NULL) {
			fail(p, AV_ENOMEM, "out of memory");
			return NULL;
		}
		*made = true;
		return c;
	}
	if (c->type == AV_SEQ && c->last != NULL && c->last->type == AV_MAP)
		return c->last;
	if (c->type != AV_MAP) {
		fail(p, AV_EPARSE, "key \"%.100s\" is not a table", key);
		return NULL;
	}
	return c;
}

static av_node *value(struct tp *p, int depth);

/* Dotted key parts up to the last; returns the map that gets the last part,
 * whose name is left in p->sbuf.  Implicit tables are created. */
static av_node *
dotted(struct tp *p, av_node *m, int *kline, int *kcol)
{
	size_t len;
	bool made;

	for (;;) {
		skip_ws(p);
		*kline = p->line;
		*kcol = col(p);
		if (!key_part(p, &len))
			return NULL;
		skip_ws(p);
		if (cur(p) != '.')
			return m;
		char *k = strdup(p->sbuf);
		if (k == NULL) {
			fail(p, AV_ENOMEM, "out of memory");
			return NULL;
		}
		p->i++;
		m = subtable(p, m, k, *kline, *kcol, &made);
		free(k);
		if (m == NULL)
			return NULL;
	}
}

/* key = value, into map m. */
static bool
keyval(struct tp *p, av_node *m, int depth)
{
	int kline, kcol;
	av_node *t = dotted(p, m, &kline, &kcol);

	if (t == NULL)
		return false;
	char *k = strdup(p->sbuf);
	if (k == NULL) {
		fail(p, AV_ENOMEM, "out of memory");
		return false;
	}
	if (av_map_get(t, k) != NULL) {
		fail(p, AV_EPARSE, "duplicate key \"%.100s\"", k);
		free(k);
		return false;
	}
	skip_ws(p);
	if (cur(p) != '=') {
		fail(p, AV_EPARSE, "expected '=' after key \"%.100s\"", k);
		free(k);
		return false;
	}
	p->i++;
	skip_ws(p);
	av_node *v = value(p, depth + 1);
	if (v == NULL) {
		free(k);
		return false;
	}
	v->key_line = kline;
	v->key_column = kcol;
	if (av_map_set(p->doc, t, k, v) == NULL) {
		free(k);
		fail(p, AV_ENOMEM, "out of memory");
		return false;
	}
	free(k);
	return true;
}

static bool
is_num_start(char c)
{
	return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'i' || c == 'n';
}

/* A date, time, number or boolean: the run of characters that may form one. */
static av_node *
scalar(struct tp *p, int line, int column)
{
	size_t st = p->i;
	char buf[128];

	while (p->i < p->n) {
		char c = p->s[p->i];
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '+' || c == '-' || c == '.' || c == ':' || c == '_')
			p->i++;
		else if (c == ' ' && p->i - st == 10 && p->i + 1 < p->n && p->s[p->i + 1] >= '0' &&
		    p->s[p->i + 1] <= '9' && p->s[st + 4] == '-')
			p->i++; /* "1979-05-27 07:32:00": a space may separate date and time */
		else
			break;
	}
	size_t n = p->i - st;
	if (n == 0 || n >= sizeof(buf)) {
		p->i = st;
		fail(p, AV_EPARSE, "expected a value, found '%.1s'", at_end(p) ? " " : p->s + p->i);
		return NULL;
	}
	memcpy(buf, p->s + st, n);
	buf[n] = '\0';
	if (strcmp(buf, "true") == 0 || strcmp(buf, "false") == 0) {
		av_node *b = node(p, AV_BOOL, line, column);
		if (b != NULL) {
			b->b = buf[0] == 't';
			b->str = av_doc_strdup(p->doc, buf, n);
			b->len = n;
		}
		return b;
	}
	/* Dates and times: digits with '-' at 4 or ':' at 2. */
	if (n >= 8 && ((buf[4] == '-' && buf[0] >= '0' && buf[0] <= '9') || buf[2] == ':')) {
		for (size_t k = 0; k < n; k++)
			if (!((buf[k] >= '0' && buf[k] <= '9') || strchr("-:.TtZz+ ", buf[k]) != NULL)) {
				p->i = st;
				fail(p, AV_EPARSE, "malformed date or time \"%.60s\"", buf);
				return NULL;
			}
		av_node *d = node(p, AV_STR, line, column);
		if (d != NULL) {
			d->str = av_doc_strdup(p->doc, buf, n);
			d->len = n;
		}
		return d;
	}
	/* Numbers: underscores only between digits. */
	char clean[128];
	size_t k = 0;
	for (size_t j = 0; j < n; j++) {
		if (buf[j] == '_') {
			if (j == 0 || j + 1 == n || !((buf[j - 1] >= '0' && buf[j - 1] <= '9') ||
			    (buf[j - 1] >= 'a' && buf[j - 1] <= 'f') || (buf[j - 1] >= 'A' &&
			    buf[j - 1] <= 'F')) || buf[j + 1] == '_') {
				p->i = st;
				fail(p, AV_EPARSE, "misplaced '_' in \"%.60s\"", buf);
				return NULL;
			}
			continue;
		}
		clean[k++] = buf[j];
	}
	clean[k] = '\0';
	const char *d = clean[0] == '+' || clean[0] == '-' ? clean + 1 : clean;
	char *end;
	if (strcmp(d, "inf") == 0 || strcmp(d, "nan") == 0) {
		av_node *f = node(p, AV_FLOAT, line, column);
		if (f != NULL) {
			f->d = d[0] == 'i' ? (clean[0] == '-' ? -INFINITY : INFINITY) : NAN;
			f->str = av_doc_strdup(p->doc, buf, n);
			f->len = n;
		}
		return f;
	}
	if (d[0] == '0' && (d[1] == 'x' || d[1] == 'o' || d[1] == 'b') && d == clean) {
		int base = d[1] == 'x' ? 16 : d[1] == 'o' ? 8 : 2;
		unsigned long long v = strtoull(d + 2, &end, base);
		if (*end == '\0' && d[2] != '\0' && v <= INT64_MAX) {
			av_node *in = node(p, AV_INT, line, column);
			if (in != NULL) {
				in->i = (int64_t)v;
				in->str = av_doc_strdup(p->doc, buf, n);
				in->len = n;
			}
			return in;
		}
	} else if (d[0] >= '0' && d[0] <= '9' && !(d[0] == '0' && d[1] >= '0' && d[1] <= '9')) {
		bool isfloat = strpbrk(d, ".eE") != NULL;
		if (!isfloat) {
			long long v = strtoll(clean, &end, 10);
			if (*end == '\0') {
				av_node *in = node(p, AV_INT, line, column);
				if (in != NULL) {
					in->i = v;
					in->str = av_doc_strdup(p->doc, buf, n);
					in->len = n;
				}
				return in;
			}
		} else {
			double v = strtod(clean, &end);
			const char *dot = strchr(d, '.');
			if (*end == '\0' && (dot == NULL || (dot[1] >= '0' && dot[1] <= '9'))) {
				av_node *f = node(p, AV_FLOAT, line, column);
				if (f != NULL) {
					f->d = v;
					f->str = av_doc_strdup(p->doc, buf, n);
					f->len = n;
				}
				return f;
			}
		}
	}
	p->i = st;
	fail(p, AV_EPARSE, "not a TOML value: \"%.60s\"", buf);
	return NULL;
}

static av_node *
value(struct tp *p, int depth)
{
	int line = p->line, column = col(p);
	char c = cur(p);

	if ((size_t)depth > p->lim.max_depth) {
		fail(p, AV_ELIMIT, "nested more than %zu levels deep", p->lim.max_depth);
		return NULL;
	}
	if (c == '"' || c == '\'') {
		size_t len;
		if (!string(p, &len))
			return NULL;
		av_node *s = node(p, AV_STR, line, column);
		if (s != NULL) {
			s->str = av_doc_strdup(p->doc, p->sbuf, len);
			s->len = len;
			if (s->str == NULL) {
				fail(p, AV_ENOMEM, "out of memory");
				return NULL;
			}
		}
		return s;
	}
	if (c == '[') {
		av_node *a = node(p, AV_SEQ, line, column);
		if (a == NULL)
			return NULL;
		p->i++;
		for (;;) {
			skip_all(p);
			if (cur(p) == ']') {
				p->i++;
				return a;
			}
			av_node *e = value(p, depth + 1);
			if (e == NULL)
				return NULL;
			av_seq_append(a, e);
			skip_all(p);
			if (cur(p) == ',') {
				p->i++;
				continue;
			}
			if (cur(p) == ']') {
				p->i++;
				return a;
			}
			fail(p, AV_EPARSE, "expected ',' or ']' in an array, found '%.1s'",
			    at_end(p) ? " " : p->s + p->i);
			return NULL;
		}
	}
	if (c == '{') {
		av_node *t = node(p, AV_MAP, line, column);
		if (t == NULL)
			return NULL;
		p->i++;
		skip_ws(p);
		if (cur(p) == '}') {
			p->i++;
			return t;
		}
		for (;;) {
			if (!keyval(p, t, depth + 1))
				return NULL;
			skip_ws(p);
			if (cur(p) == ',') {
				p->i++;
				skip_ws(p);
				continue;
			}
			if (cur(p) == '}') {
				p->i++;
				return t;
			}
			fail(p, AV_EPARSE, "expected ',' or '}' in an inline table, found '%.1s'",
			    at_end(p) ? " " : p->s + p->i);
			return NULL;
		}
	}
	if (is_num_start(c) || (c >= 'a' && c <= 'z'))
		return scalar(p, line, column);
	fail(p, AV_EPARSE, "expected a value, found '%.1s'", at_end(p) ? " " : p->s + p->i);
	return NULL;
}

/* [a.b] or [[a.b]] at p->i. */
static av_node *
header(struct tp *p, av_node *root)
{
	bool array = p->i + 1 < p->n && p->s[p->i + 1] == '[';
	int line = p->line, column = col(p);
	av_node *m = root;
	size_t len;

	p->i += array ? 2 : 1;
	for (;;) {
		skip_ws(p);
		int kline = p->line, kcol = col(p);
		if (!key_part(p, &len))
			return NULL;
		char *k = strdup(p->sbuf);
		if (k == NULL) {
			fail(p, AV_ENOMEM, "out of memory");
			return NULL;
		}
		skip_ws(p);
		bool last = cur(p) != '.';
		if (!last) {
			p->i++;
			bool made;
			m = subtable(p, m, k, kline, kcol, &made);
			free(k);
			if (m == NULL)
				return NULL;
			continue;
		}
		if (cur(p) != ']' || (array && (p->i + 1 >= p->n || p->s[p->i + 1] != ']'))) {
			free(k);
			fail(p, AV_EPARSE, "expected '%s' to close the table header",
			    array ? "]]" : "]");
			return NULL;
		}
		p->i += array ? 2 : 1;
		av_node *t;
		if (array) {
			av_node *seq = (av_node *)av_map_get(m, k);
			if (seq == NULL) {
				if ((seq = node(p, AV_SEQ, line, column)) == NULL) {
					free(k);
					return NULL;
				}
				if (av_map_set(p->doc, m, k, seq) == NULL) {
					free(k);
					fail(p, AV_ENOMEM, "out of memory");
					return NULL;
				}
				seq->key_line = kline;
				seq->key_column = kcol;
			} else if (seq->type != AV_SEQ) {
				fail(p, AV_EPARSE, "\"%.100s\" is not an array of tables", k);
				free(k);
				return NULL;
			}
			free(k);
			if ((t = node(p, AV_MAP, line, column)) == NULL)
				return NULL;
			t->key_line = line;
			t->key_column = column;
			av_seq_append(seq, t);
			return t;
		}
		bool made;
		t = subtable(p, m, k, kline, kcol, &made);
		free(k);
		if (t == NULL)
			return NULL;
		if (defined_before(p, t)) {
			fail(p, AV_EPARSE, "table defined twice");
			return NULL;
		}
		if (p->ndefined < MAX_DEFINED)
			p->defined[p->ndefined++] = t;
		return t;
	}
}

int
av_toml_parse(av_doc **out, const char *buf, size_t len, const char *name,
    const av_limits *lim, av_error *err)
{
	struct tp p = {.s = buf, .n = len, .line = 1, .name = name ? name : "<input>", .err = err};
	av_node *root, *t;

	*out = NULL;
	if (lim != NULL)
		p.lim = *lim;
	else
		av_limits_default(&p.lim);
	if (len > p.lim.max_bytes)
		return av_error_set(err, AV_ELIMIT, p.name, 0, 0,
		    "input is %zu bytes, more than the limit of %zu", len, p.lim.max_bytes);
	/* UTF-8 and no NUL, checked once. */
	for (size_t i = 0, line = 1, bol = 0; i < len;) {
		unsigned char c = (unsigned char)buf[i];
		size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
		    : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
		bool ok = k != 0 && c != 0 && i + k <= len;
		for (size_t j = 1; ok && j < k; j++)
			ok = ((unsigned char)buf[i + j] & 0xC0) == 0x80;
		if (ok && k == 3)
			ok = !(c == 0xE0 && (unsigned char)buf[i + 1] < 0xA0) &&
			    !(c == 0xED && (unsigned char)buf[i + 1] >= 0xA0);
		if (ok && k == 4)
			ok = !(c == 0xF0 && (unsigned char)buf[i + 1] < 0x90) &&
			    !(c == 0xF4 && (unsigned char)buf[i + 1] >= 0x90);
		if (!ok)
			return av_error_set(err, AV_EPARSE, p.name, (int)line, (int)(i - bol) + 1,
			    c == 0 ? "NUL byte" : "invalid UTF-8 (byte 0x%02X)", c);
		if (c == '\n')
			line++, bol = i + 1;
		i += k;
	}
	if ((p.doc = av_doc_create(p.name)) == NULL)
		return av_error_set(err, AV_ENOMEM, p.name, 0, 0, "out of memory");
	if ((root = node(&p, AV_MAP, 1, 1)) == NULL) {
		av_doc_destroy(p.doc);
		return p.rc;
	}
	av_doc_set_root(p.doc, root);
	t = root;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		p.i = 3, p.bol = 3;
	while (p.rc == 0) {
		skip_all(&p);
		if (at_end(&p))
			break;
		if (cur(&p) == '[')
			t = header(&p, root);
		else
			keyval(&p, t, 0);
		if (p.rc == 0)
			end_line(&p);
	}
	free(p.sbuf);
	if (p.rc != 0) {
		av_doc_destroy(p.doc);
		return p.rc;
	}
	*out = p.doc;
	return 0;
}
