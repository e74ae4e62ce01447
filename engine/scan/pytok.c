/*
 * pytok.c - the Python tokenizer of static reading (see pytok.h).
 */
#include <string.h>

#include "pytok.h"

void
av_pytok_init(av_pytok *t, const char *buf, size_t len)
{
	memset(t, 0, sizeof(*t));
	t->buf = buf;
	t->len = len;
	t->line = 1;
}

static bool
name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool
name_char(unsigned char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* The length of a string prefix (r, b, u, f, rb, br, fr, rf in any case)
 * at p when a quote follows it, else 0 (or 0 with *quote set for none). */
static size_t
string_prefix(const char *p, size_t n)
{
	size_t k = 0;
	while (k < 2 && k < n && strchr("rRbBuUfF", p[k]) != NULL && p[k] != '\0')
		k++;
	while (k > 0) {
		if (k < n && (p[k] == '"' || p[k] == '\''))
			return k;
		k--;
	}
	return 0;
}

/* Skips a string starting at t->pos (its quote) and returns its end. */
static void
skip_string(av_pytok *t)
{
	const char *b = t->buf;
	char q = b[t->pos];
	bool triple = t->pos + 2 < t->len && b[t->pos + 1] == q && b[t->pos + 2] == q;

	t->pos += triple ? 3 : 1;
	while (t->pos < t->len) {
		char c = b[t->pos];
		if (c == '\\') {
			if (t->pos + 1 < t->len && b[t->pos + 1] == '\n')
				t->line++;
			t->pos += 2;
			continue;
		}
		if (c == '\n') {
			if (!triple)
				return; /* unterminated: the line ends it */
			t->line++;
		}
		if (c == q) {
			if (!triple) {
				t->pos++;
				return;
			}
			if (t->pos + 2 < t->len && b[t->pos + 1] == q && b[t->pos + 2] == q) {
				t->pos += 3;
				return;
			}
		}
		t->pos++;
	}
	if (t->pos > t->len)
		t->pos = t->len;
}

av_pyt
av_pytok_next(av_pytok *t, av_pytok_t *tok)
{
	const char *b = t->buf;

	memset(tok, 0, sizeof(*tok));
	for (;;) {
		if (t->pos >= t->len) {
			if (t->pending_newline) {
				t->pending_newline = false;
				tok->type = AV_PYT_NEWLINE;
				tok->line = t->line;
				return tok->type;
			}
			tok->type = AV_PYT_END;
			tok->line = t->line;
			return tok->type;
		}
		unsigned char c = (unsigned char)b[t->pos];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
			t->pos++;
			continue;
		}
		if (c == '#') {
			while (t->pos < t->len && b[t->pos] != '\n')
				t->pos++;
			continue;
		}
		if (c == '\\' && t->pos + 1 < t->len &&
		    (b[t->pos + 1] == '\n' || (b[t->pos + 1] == '\r' && t->pos + 2 < t->len &&
			b[t->pos + 2] == '\n'))) {
			t->pos += b[t->pos + 1] == '\n' ? 2 : 3;
			t->line++;
			continue;
		}
		if (c == '\n') {
			t->pos++;
			int line = t->line++;
			if (t->depth == 0 && t->pending_newline) {
				t->pending_newline = false;
				tok->type = AV_PYT_NEWLINE;
				tok->line = line;
				return tok->type;
			}
			continue;
		}
		break;
	}
	size_t st = t->pos;
	unsigned char c = (unsigned char)b[st];
	tok->line = t->line;
	tok->depth = t->depth;
	t->pending_newline = true;
	size_t pre = name_start(c) ? string_prefix(b + st, t->len - st) : 0;
	if (c == '"' || c == '\'' || pre > 0) {
		t->pos += pre;
		skip_string(t);
		tok->type = AV_PYT_STRING;
	} else if (name_start(c)) {
		while (t->pos < t->len && name_char((unsigned char)b[t->pos]))
			t->pos++;
		tok->type = AV_PYT_NAME;
	} else if ((c >= '0' && c <= '9') ||
	    (c == '.' && st + 1 < t->len && b[st + 1] >= '0' && b[st + 1] <= '9')) {
		while (t->pos < t->len && (name_char((unsigned char)b[t->pos]) || b[t->pos] == '.'))
			t->pos++;
		tok->type = AV_PYT_NUMBER;
	} else {
		t->pos++;
		tok->type = AV_PYT_OP;
		if (c == '(' || c == '[' || c == '{')
			t->depth++;
		else if ((c == ')' || c == ']' || c == '}') && t->depth > 0)
			t->depth--;
		else if (c == ';' && t->depth == 0)
			t->pending_newline = true;
	}
	tok->s = b + st;
	tok->len = t->pos - st;
	return tok->type;
}

bool
av_pytok_is_fstring(const av_pytok_t *tok)
{
	for (size_t i = 0; i < tok->len && tok->s[i] != '"' && tok->s[i] != '\''; i++)
		if (strchr("fFbB", tok->s[i]) != NULL)
			return true;
	return false;
}

size_t
av_pytok_string(const av_pytok_t *tok, char *out, size_t cap)
{
	const char *s = tok->s, *e = tok->s + tok->len;
	bool raw = false;
	size_t n = 0;

	while (s < e && *s != '"' && *s != '\'') {
		if (*s == 'r' || *s == 'R')
			raw = true;
		s++;
	}
	if (s >= e) {
		if (cap > 0)
			out[0] = '\0';
		return 0;
	}
	char q = *s;
	size_t qn = e - s >= 6 && s[1] == q && s[2] == q ? 3 : 1;
	s += qn;
	/* the closing quotes, when the string was terminated */
	if ((size_t)(e - s) >= qn && e[-1] == q && (qn == 1 || (e[-2] == q && e[-3] == q)))
		e -= qn;
	while (s < e) {
		char c = *s++;
		if (c == '\\' && !raw && s < e) {
			char x = *s++;
			switch (x) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '0': c = '\0'; break;
			case '\\': case '\'': case '"': c = x; break;
			case '\n': continue;
			default:
				if (n + 1 < cap)
					out[n] = '\\';
				n++;
				c = x;
				break;
			}
		}
		if (n + 1 < cap)
			out[n] = c;
		n++;
	}
	if (cap > 0)
		out[n < cap ? n : cap - 1] = '\0';
	return n;
}
