/*
 * doc_emit.c - writing a document out: compact JSON, and block-style YAML
 * that reads back as the same document.
 *
 * Both write into a growing buffer that turns out of memory into a NULL
 * result.  Strings are checked as UTF-8 on the way out: JSON escapes what
 * it must and replaces invalid bytes with U+FFFD; YAML writes a plain
 * scalar only when av_doc_type_plain would read it back as the same string,
 * a literal block for multi-line text when that is exact, and a quoted
 * string otherwise.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc_int.h"

/* ---- Output --------------------------------------------------------------- */

struct out {
	char *p;
	size_t len, cap;
	bool oom;
};

static void
out_put(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->cap - o->len < n + 1) {
		size_t cap = o->cap ? o->cap : 256;
		while (cap - o->len < n + 1)
			cap *= 2;
		char *p = realloc(o->p, cap);
		if (p == NULL) {
			o->oom = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static void
out_ch(struct out *o, char c)
{
	out_put(o, &c, 1);
}

static char *
out_done(struct out *o, size_t *len)
{
	if (!o->oom && o->p == NULL)
		out_put(o, "", 0);
	if (o->oom) {
		free(o->p);
		return NULL;
	}
	if (len != NULL)
		*len = o->len;
	return o->p;
}

/* Decodes one UTF-8 sequence; returns its length, or 0 if invalid. */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];
	size_t l;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		l = 2, v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		l = 3, v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		l = 4, v = c & 0x07;
	} else {
		return 0;
	}
	if (n < l)
		return 0;
	for (size_t i = 1; i < l; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if ((l == 3 && v < 0x800) || (l == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
	    (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return l;
}

static void
json_string(struct out *o, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0; /* start of bytes copied verbatim */
	char esc[8];

	out_ch(o, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		const char *e = NULL;
		size_t l = 1;
		uint32_t cp;
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++; /* the common case: printable ASCII, copied verbatim */
			continue;
		}
		if (c == '"')
			e = "\\\"";
		else if (c == '\\')
			e = "\\\\";
		else if (c == '\n')
			e = "\\n";
		else if (c == '\t')
			e = "\\t";
		else if (c == '\r')
			e = "\\r";
		else if (c == '\b')
			e = "\\b";
		else if (c == '\f')
			e = "\\f";
		else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			e = esc;
		} else if (c >= 0x80 && (l = utf8_next(s + i, n - i, &cp)) == 0) {
			e = "\\ufffd"; /* not UTF-8: never emit invalid JSON */
			l = 1;
		} else if (c >= 0x80 && (cp == 0x85 || cp == 0x2028 || cp == 0x2029)) {
			/* Line breaks to a YAML reader (ours reads JSON with libyaml),
			 * which would fold them inside a quoted string. */
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
			e = esc;
		}
		if (e != NULL) {
			out_put(o, str + run, i - run);
			out_str(o, e);
			run = i + l;
		}
		i += l;
	}
	out_put(o, str + run, n - run);
	out_ch(o, '"');
}

static void
json_node(struct out *o, const av_node *n)
{
	char buf[40];

	switch (n->type) {
	case AV_NULL:
		out_str(o, "null");
		break;
	case AV_BOOL:
		out_str(o, n->b ? "true" : "false");
		break;
	case AV_INT:
		snprintf(buf, sizeof(buf), "%" PRId64, n->i);
		out_str(o, buf);
		break;
	case AV_FLOAT:
		if (!isfinite(n->d)) {
			out_str(o, "null");
			break;
		}
		av_doc_fmt_double(buf, sizeof(buf), n->d);
		out_str(o, buf);
		break;
	case AV_STR:
		json_string(o, n->str, n->len);
		break;
	case AV_SEQ:
		out_ch(o, '[');
		for (const av_node *c = n->first; c != NULL; c = c->next) {
			json_node(o, c);
			if (c->next != NULL)
				out_ch(o, ',');
		}
		out_ch(o, ']');
		break;
	case AV_MAP:
		out_ch(o, '{');
		for (const av_node *c = n->first; c != NULL; c = c->next) {
			json_string(o, c->key, strlen(c->key));
			out_ch(o, ':');
			json_node(o, c);
			if (c->next != NULL)
				out_ch(o, ',');
		}
		out_ch(o, '}');
		break;
	}
}

char *
av_node_to_json(const av_node *n, size_t *len)
{
	struct out o = {0};

	/* A manifest is a few KiB: one allocation instead of a doubling series. */
	if ((o.p = malloc(4096)) != NULL)
		o.cap = 4096;
	json_node(&o, n);
	return out_done(&o, len);
}

/* Could s be written as a plain YAML scalar and read back as this string? */
static bool
yaml_plain_ok(const char *s, size_t n)
{
	av_node t = {0};

	if (n == 0 || strchr("-?:,[]{}#&*!|>'\"%@` \t", s[0]) != NULL || s[n - 1] == ' ' ||
	    s[n - 1] == ':' || strncmp(s, "...", 3) == 0)
		return false;
	av_doc_type_plain(&t, s, n);
	if (t.type != AV_STR)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7F)
			return false;
		if ((c == ':' || c == ',') && i + 1 < n && s[i + 1] == ' ')
			return false;
		if (c == '#' && s[i - 1] == ' ')
			return false;
		if (c == ',' || c == '[' || c == ']' || c == '{' || c == '}')
			return false; /* would end a plain scalar inside flow context */
	}
	return true;
}

/* Characters a YAML reader accepts unescaped inside double quotes. */
static bool
yaml_printable(uint32_t cp)
{
	return (cp >= 0x20 && cp <= 0x7E) || cp == 0xA0 || (cp > 0xA0 && cp <= 0xD7FF) ||
	    (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

static void
yaml_scalar_str(struct out *o, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char esc[16];

	if (yaml_plain_ok(str, n)) {
		out_put(o, str, n);
		return;
	}
	out_ch(o, '"');
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_next(s + i, n - i, &cp);
		if (l == 0) {
			out_str(o, "\\uFFFD");
			i++;
			continue;
		}
		if (cp == '"')
			out_str(o, "\\\"");
		else if (cp == '\\')
			out_str(o, "\\\\");
		else if (cp == '\n')
			out_str(o, "\\n");
		else if (cp == '\t')
			out_str(o, "\\t");
		else if (yaml_printable(cp))
			out_put(o, str + i, l);
		else {
			if (cp <= 0xFF)
				snprintf(esc, sizeof(esc), "\\x%02X", (unsigned)cp);
			else if (cp <= 0xFFFF)
				snprintf(esc, sizeof(esc), "\\u%04X", (unsigned)cp);
			else
				snprintf(esc, sizeof(esc), "\\U%08X", (unsigned)cp);
			out_str(o, esc);
		}
		i += l;
	}
	out_ch(o, '"');
}

static void
yaml_scalar(struct out *o, const av_node *n)
{
	char buf[40];

	switch (n->type) {
	case AV_NULL:
		out_str(o, "null");
		break;
	case AV_BOOL:
		out_str(o, n->b ? "true" : "false");
		break;
	case AV_INT:
		snprintf(buf, sizeof(buf), "%" PRId64, n->i);
		out_str(o, buf);
		break;
	case AV_FLOAT:
		if (isnan(n->d))
			out_str(o, ".nan");
		else if (isinf(n->d))
			out_str(o, n->d < 0 ? "-.inf" : ".inf");
		else {
			av_doc_fmt_double(buf, sizeof(buf), n->d);
			out_str(o, buf);
		}
		break;
	case AV_STR:
		yaml_scalar_str(o, n->str, n->len);
		break;
	case AV_SEQ:
		out_str(o, "[]");
		break;
	case AV_MAP:
		out_str(o, "{}");
		break;
	}
}

static void
indent(struct out *o, int n)
{
	static const char sp[] = "                                ";

	while (n > 0) {
		int k = n < 32 ? n : 32;
		out_put(o, sp, (size_t)k);
		n -= k;
	}
}

static bool
nonempty_coll(const av_node *n)
{
	return (n->type == AV_SEQ || n->type == AV_MAP) && n->count > 0;
}

/*
 * Can s (several lines) be written as a literal block scalar and read back
 * as this string?  Kept strict: printable characters and tabs only, no
 * carriage returns, no line that starts with a blank at the first line
 * (it would set the indentation), no blank-only lines, no blank at the
 * very end, and at most one final newline.
 */
static bool
yaml_block_ok(const char *s, size_t n)
{
	bool bol = true;
	uint32_t cp;

	if (n == 0 || memchr(s, '\n', n) == NULL || s[0] == ' ' || s[0] == '\t' || s[0] == '\n')
		return false;
	if (n >= 2 && s[n - 1] == '\n' && s[n - 2] == '\n')
		return false;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_next((const unsigned char *)s + i, n - i, &cp);
		if (l == 0)
			return false;
		if (cp == '\n') {
			bol = true;
		} else {
			if (cp != '\t' && !yaml_printable(cp))
				return false;
			if (bol && (cp == ' ' || cp == '\t')) {
				/* a line of blanks only */
				size_t j = i;
				while (j < n && (s[j] == ' ' || s[j] == '\t'))
					j++;
				if (j == n || s[j] == '\n')
					return false;
			}
			bol = false;
		}
		i += l;
	}
	return s[n - 1] != ' ' && s[n - 1] != '\t';
}

static void
indent(struct out *o, int n);

/* A literal block: "|" (one final newline) or "|-" (none), lines indented. */
static void
yaml_block(struct out *o, const char *s, size_t n, int ind)
{
	bool final_nl = s[n - 1] == '\n';
	const char *end = s + (final_nl ? n - 1 : n);

	out_str(o, final_nl ? "|\n" : "|-\n");
	while (s <= end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (len > 0) {
			indent(o, ind);
			out_put(o, s, len);
		}
		out_ch(o, '\n');
		if (nl == NULL)
			break;
		s = nl + 1;
	}
}

static void yaml_coll(struct out *o, const av_node *n, int ind, bool inline_first);

static void
yaml_coll(struct out *o, const av_node *n, int ind, bool inline_first)
{
	bool first = true;

	for (const av_node *c = n->first; c != NULL; c = c->next) {
		if (!(first && inline_first))
			indent(o, ind);
		first = false;
		if (n->type == AV_SEQ) {
			out_ch(o, '-');
			if (nonempty_coll(c)) {
				out_ch(o, ' ');
				yaml_coll(o, c, ind + 2, true);
				continue;
			}
		} else {
			yaml_scalar_str(o, c->key, strlen(c->key));
			out_ch(o, ':');
			if (nonempty_coll(c)) {
				out_ch(o, '\n');
				yaml_coll(o, c, ind + 2, false);
				continue;
			}
		}
		out_ch(o, ' ');
		if (c->type == AV_STR && yaml_block_ok(c->str, c->len)) {
			yaml_block(o, c->str, c->len, ind + 2);
			continue;
		}
		yaml_scalar(o, c);
		out_ch(o, '\n');
	}
}

char *
av_node_to_yaml(const av_node *n, size_t *len)
{
	struct out o = {0};

	if (nonempty_coll(n)) {
		yaml_coll(&o, n, 0, false);
	} else {
		yaml_scalar(&o, n);
		out_ch(&o, '\n');
	}
	return out_done(&o, len);
}
