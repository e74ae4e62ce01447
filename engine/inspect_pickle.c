/*
 * inspect_pickle.c - the pickle walker: which globals a pickle stream would
 * import, without unpickling it.
 *
 * The walker models the unpickler's stack and memo just enough to know
 * which strings STACK_GLOBAL would combine into a module and a name.  Only
 * strings are tracked; every other value is an opaque placeholder.  If the
 * model is lost (stack underflow or overflow) the walker carries on in a
 * degraded mode where GLOBAL and INST are still exact and STACK_GLOBAL is
 * reported as an unresolved, dangerous import: we fail closed.  Nothing is
 * ever executed, and no value is built beyond short strings.
 *
 * Read in this order: tracked strings, the stack and the memo, the
 * argument readers, one opcode (step), a whole stream (av_insp_walk).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect_int.h"

#define STR_MAX 1024             /* strings longer than this are not tracked */
#define STR_LIVE_MAX (32u << 20) /* bytes of tracked strings alive at once */
#define STACK_MAX (1u << 20)
#define MEMO_MAX (1u << 20)

struct pstr {
	uint32_t refs, len;
	char s[];
};

enum { I_OTHER, I_MARK, I_STR };

struct item {
	int kind;
	struct pstr *s;
};

struct memo_ent {
	uint32_t key;
	bool used;
	struct pstr *s; /* NULL: a value that is not a tracked string */
};

struct walker {
	av_insp *c;
	av_insp_stream *s;
	struct item *stack;
	size_t n, cap;
	bool lost;
	struct memo_ent *memo;
	size_t mcap, mused;
	uint64_t live;
	uint64_t op_at; /* offset of the opcode being walked */
	int pickles;    /* complete pickles (STOP seen) */
	size_t found;   /* globals seen in this stream */
	bool problem;   /* a problem was noted */
};

static void
unref(struct walker *w, struct pstr *p)
{
	if (p != NULL && --p->refs == 0) {
		w->live -= p->len;
		free(p);
	}
}

/* A tracked string, or NULL when too long or too many bytes are alive. */
static struct pstr *
pstr_new(struct walker *w, const char *s, size_t n)
{
	if (n > STR_MAX || w->live + n > STR_LIVE_MAX)
		return NULL;
	struct pstr *p = malloc(sizeof(*p) + n + 1);
	if (p == NULL)
		return NULL;
	p->refs = 1;
	p->len = (uint32_t)n;
	memcpy(p->s, s, n);
	p->s[n] = '\0';
	w->live += n;
	return p;
}

__attribute__((format(printf, 2, 3))) static void
problem(struct walker *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (w->problem)
		return;
	w->problem = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	av_insp_note(w->c, "%s: %s", w->s->what, msg);
}

static void
clear_stack(struct walker *w)
{
	for (size_t i = 0; i < w->n; i++)
		unref(w, w->stack[i].s);
	w->n = 0;
}

static void
clear_memo(struct walker *w)
{
	for (size_t i = 0; i < w->mcap; i++)
		if (w->memo[i].used)
			unref(w, w->memo[i].s);
	free(w->memo);
	w->memo = NULL;
	w->mcap = w->mused = 0;
}

/* Switches to the degraded mode where the stack is no longer modelled. */
static void
lose(struct walker *w, const char *why)
{
	if (!w->lost)
		problem(w, "%s at offset %llu; imports by STACK_GLOBAL after it are unresolved",
		        why, (unsigned long long)w->op_at);
	w->lost = true;
	clear_stack(w);
}

/* Pushes an item, taking its reference. */
static void
push(struct walker *w, int kind, struct pstr *p)
{
	if (w->lost) {
		unref(w, p);
		return;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct item *v = cap > STACK_MAX ? NULL : realloc(w->stack, cap * sizeof(*v));
		if (v == NULL) {
			unref(w, p);
			lose(w, "stack too deep");
			return;
		}
		w->stack = v;
		w->cap = cap;
	}
	w->stack[w->n].kind = p != NULL ? I_STR : kind;
	w->stack[w->n].s = p;
	w->n++;
}

/* Pops one value (not a mark); the caller owns the returned reference. */
static struct item
pop(struct walker *w)
{
	struct item none = {I_OTHER, NULL};

	if (w->lost)
		return none;
	if (w->n == 0 || w->stack[w->n - 1].kind == I_MARK) {
		lose(w, "stack underflow");
		return none;
	}
	return w->stack[--w->n];
}

static void
drop(struct walker *w, int k)
{
	while (k-- > 0)
		unref(w, pop(w).s);
}

static void
pop_mark(struct walker *w)
{
	if (w->lost)
		return;
	while (w->n > 0 && w->stack[w->n - 1].kind != I_MARK)
		unref(w, w->stack[--w->n].s);
	if (w->n == 0) {
		lose(w, "no MARK on the stack");
		return;
	}
	w->n--;
}

static struct memo_ent *
memo_find(struct walker *w, uint32_t key, bool insert)
{
	if (insert && (w->mused + 1) * 2 > w->mcap) {
		size_t cap = w->mcap ? w->mcap * 2 : 64;
		if (cap / 2 > MEMO_MAX)
			return NULL;
		struct memo_ent *m = calloc(cap, sizeof(*m));
		if (m == NULL)
			return NULL;
		for (size_t i = 0; i < w->mcap; i++) {
			if (!w->memo[i].used)
				continue;
			size_t j = (w->memo[i].key * 2654435761u) & (cap - 1);
			while (m[j].used)
				j = (j + 1) & (cap - 1);
			m[j] = w->memo[i];
		}
		free(w->memo);
		w->memo = m;
		w->mcap = cap;
	}
	if (w->mcap == 0)
		return NULL;
	size_t j = (key * 2654435761u) & (w->mcap - 1);
	while (w->memo[j].used) {
		if (w->memo[j].key == key)
			return &w->memo[j];
		j = (j + 1) & (w->mcap - 1);
	}
	if (!insert)
		return NULL;
	w->memo[j].used = true;
	w->memo[j].key = key;
	w->memo[j].s = NULL;
	w->mused++;
	return &w->memo[j];
}

static void
memo_put(struct walker *w, uint64_t key)
{
	if (key > UINT32_MAX)
		return;
	struct memo_ent *e = memo_find(w, (uint32_t)key, true);
	if (e == NULL)
		return; /* the memo is full: later gets of this key resolve to nothing */
	unref(w, e->s);
	e->s = NULL;
	if (!w->lost && w->n > 0 && w->stack[w->n - 1].kind == I_STR) {
		e->s = w->stack[w->n - 1].s;
		e->s->refs++;
	} else if (!w->lost && (w->n == 0 || w->stack[w->n - 1].kind == I_MARK)) {
		lose(w, "memo store from an empty stack");
	}
}

static void
memo_get(struct walker *w, uint64_t key)
{
	struct memo_ent *e = key <= UINT32_MAX ? memo_find(w, (uint32_t)key, false) : NULL;

	if (e != NULL && e->s != NULL) {
		e->s->refs++;
		push(w, I_STR, e->s);
	} else {
		push(w, I_OTHER, NULL);
	}
}

/* Reads a line (without its newline) into *p, *n; false at the end or when too long. */
static bool
read_line(struct walker *w, const char **p, size_t *n)
{
	av_insp_stream *s = w->s;
	size_t from = 0;

	for (;;) {
		const unsigned char *b = s->buf + s->pos;
		const unsigned char *nl = memchr(b + from, '\n', s->len - s->pos - from);
		if (nl != NULL) {
			*p = (const char *)b;
			*n = (size_t)(nl - b);
			s->pos += *n + 1;
			return true;
		}
		from = s->len - s->pos;
		if (from >= AV_INSP_WIN) {
			problem(w, "line longer than %d bytes at offset %llu", AV_INSP_WIN,
			        (unsigned long long)av_insp_stream_offset(s));
			return false;
		}
		if (!av_insp_need(s, from + 1))
			return false;
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static size_t
put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18 & 0x07));
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decodes the argument of STRING (a quoted Python 2 repr with backslash
 * escapes) or of UNICODE (raw-unicode-escape: only \uXXXX and \UXXXXXXXX)
 * into a tracked string, so that escapes cannot hide a module name.
 */
static struct pstr *
decode_line(struct walker *w, const char *p, size_t n, bool unicode)
{
	char out[STR_MAX * 4 + 4];
	size_t o = 0;

	if (!unicode) {
		if (n < 2 || (p[0] != '\'' && p[0] != '"') || p[n - 1] != p[0])
			return NULL;
		p++;
		n -= 2;
	}
	if (n > STR_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch != '\\' || i + 1 == n) {
			o += unicode ? put_utf8(out + o, ch) : (out[o] = (char)ch, 1);
			continue;
		}
		char e = p[++i];
		int h1, h2;
		if (unicode) {
			int digits = e == 'u' ? 4 : e == 'U' ? 8 : 0;
			uint32_t cp = 0;
			bool okay = digits > 0 && i + (size_t)digits < n;
			for (int k = 1; okay && k <= digits; k++) {
				int h = hexval((unsigned char)p[i + (size_t)k]);
				okay = h >= 0;
				cp = cp << 4 | (uint32_t)(h < 0 ? 0 : h);
			}
			if (okay && cp <= 0x10ffff) {
				o += put_utf8(out + o, cp);
				i += (size_t)digits;
			} else {
				out[o++] = '\\';
				i--;
			}
			continue;
		}
		switch (e) {
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 'a':
			out[o++] = '\a';
			break;
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'v':
			out[o++] = '\v';
			break;
		case '\\':
		case '\'':
		case '"':
			out[o++] = e;
			break;
		case 'x':
			if (i + 2 < n && (h1 = hexval((unsigned char)p[i + 1])) >= 0 &&
			    (h2 = hexval((unsigned char)p[i + 2])) >= 0) {
				out[o++] = (char)(h1 << 4 | h2);
				i += 2;
			} else {
				return NULL; /* Python refuses it too */
			}
			break;
		default:
			if (e >= '0' && e <= '7') {
				int v = e - '0';
				for (int k = 0;
				     k < 2 && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7'; k++)
					v = v * 8 + (p[++i] - '0');
				out[o++] = (char)(v & 0xff);
			} else {
				out[o++] = '\\';
				out[o++] = e;
			}
		}
	}
	return pstr_new(w, out, o);
}

/* Reads a length-prefixed string or bytes payload; pushes a tracked string when is_str. */
static bool
payload(struct walker *w, uint64_t n, bool is_str)
{
	av_insp_stream *s = w->s;

	if (is_str && n <= STR_MAX) {
		if (!av_insp_need(s, (size_t)n))
			return false;
		push(w, I_STR, pstr_new(w, (const char *)s->buf + s->pos, (size_t)n));
		s->pos += (size_t)n;
		return true;
	}
	if (!av_insp_skip(s, n))
		return false;
	push(w, I_OTHER, NULL);
	return true;
}

static void
record(struct walker *w, const char *module, size_t mlen, const char *name, size_t nlen)
{
	char m[STR_MAX + 1], nm[STR_MAX + 1];

	snprintf(m, sizeof(m), "%.*s", (int)(mlen > STR_MAX ? STR_MAX : mlen), module);
	snprintf(nm, sizeof(nm), "%.*s", (int)(nlen > STR_MAX ? STR_MAX : nlen), name);
	/* A NUL inside a name, or a name too long to keep, is a disguise: fail closed. */
	bool odd = mlen > STR_MAX || nlen > STR_MAX ||
	           memchr(module, '\0', mlen > STR_MAX ? STR_MAX : mlen) ||
	           memchr(name, '\0', nlen > STR_MAX ? STR_MAX : nlen);
	w->found++;
	av_insp_add_global(w->c, m, nm, odd);
}

/* GLOBAL and INST: "module\nname\n". */
static bool
global_lines(struct walker *w)
{
	const char *p;
	size_t n;
	char module[STR_MAX + 1];
	size_t mlen;

	if (!read_line(w, &p, &n))
		return false;
	mlen = n > STR_MAX ? STR_MAX + 1 : n;
	memcpy(module, p, mlen > STR_MAX ? STR_MAX : mlen);
	if (!read_line(w, &p, &n))
		return false;
	record(w, module, mlen, p, n);
	return true;
}

static bool
decimal(const char *p, size_t n, uint64_t *v)
{
	*v = 0;
	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return false;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	return true;
}

/*
 * Walks one opcode; returns 1 to go on, 0 at a clean end of the stream, -1
 * on a problem (already noted).
 */
static int
step(struct walker *w)
{
	av_insp_stream *s = w->s;
	uint64_t at = av_insp_stream_offset(s), v;
	const char *p;
	size_t n;
	unsigned char *b;

	if (!av_insp_need(s, 1))
		return w->pickles > 0 && s->len == s->pos && !s->c->budget_hit ? 0 : -2;
	int op = s->buf[s->pos++];
	w->op_at = at;

/* Fixed-size argument of k bytes at b. */
#define ARG(k)                                                                                     \
	do {                                                                                       \
		if (!av_insp_need(s, (k)))                                                         \
			return -2;                                                                 \
		b = s->buf + s->pos;                                                               \
		s->pos += (k);                                                                     \
	} while (0)
#define LINE()                                                                                     \
	do {                                                                                       \
		if (!read_line(w, &p, &n))                                                         \
			return -2;                                                                 \
	} while (0)

	switch (op) {
	case '(':
		push(w, I_MARK, NULL);
		break;
	case '.': /* STOP */
		w->pickles++;
		clear_stack(w);
		clear_memo(w);
		w->lost = false;
		/* Another pickle may follow (torch's legacy format has several); anything else
		 * ends. */
		if (!av_insp_need(s, 2) || s->buf[s->pos] != 0x80 || s->buf[s->pos + 1] > 5)
			return 0;
		break;
	case '0':
		drop(w, 1);
		break;
	case '1':
		pop_mark(w);
		break;
	case '2':
		if (!w->lost && w->n > 0 && w->stack[w->n - 1].kind != I_MARK) {
			struct item t = w->stack[w->n - 1];
			if (t.s != NULL)
				t.s->refs++;
			push(w, t.kind, t.s);
		} else {
			lose(w, "DUP of nothing");
		}
		break;
	case 'F':
	case 'I':
	case 'L':
		LINE();
		push(w, I_OTHER, NULL);
		break;
	case 'J':
		ARG(4);
		push(w, I_OTHER, NULL);
		break;
	case 'K':
		ARG(1);
		push(w, I_OTHER, NULL);
		break;
	case 'M':
		ARG(2);
		push(w, I_OTHER, NULL);
		break;
	case 'G':
		ARG(8);
		push(w, I_OTHER, NULL);
		break;
	case 'N':
	case ')':
	case ']':
	case '}':
	case 0x88:
	case 0x89:
	case 0x8f:
		push(w, I_OTHER, NULL);
		break;
	case 'P':
		LINE();
		push(w, I_OTHER, NULL);
		break;
	case 'Q':
		drop(w, 1);
		push(w, I_OTHER, NULL);
		break;
	case 'R':
		drop(w, 2);
		push(w, I_OTHER, NULL);
		break;
	case 'S':
	case 'V':
		LINE();
		push(w, I_OTHER, decode_line(w, p, n, op == 'V'));
		break;
	case 'T': /* BINSTRING: a signed 4-byte length */
		ARG(4);
		if ((int32_t)le32(b) < 0) {
			problem(w, "negative BINSTRING length at offset %llu",
			        (unsigned long long)at);
			return -1;
		}
		if (!payload(w, le32(b), true))
			return -2;
		break;
	case 'U':
		ARG(1);
		if (!payload(w, b[0], true))
			return -2;
		break;
	case 'X':
		ARG(4);
		if (!payload(w, le32(b), true))
			return -2;
		break;
	case 0x8c:
		ARG(1);
		if (!payload(w, b[0], true))
			return -2;
		break;
	case 0x8d:
		ARG(8);
		if (!payload(w, le64(b), true))
			return -2;
		break;
	case 'B':
		ARG(4);
		if (!payload(w, le32(b), false))
			return -2;
		break;
	case 'C':
		ARG(1);
		if (!payload(w, b[0], false))
			return -2;
		break;
	case 0x8e:
	case 0x96:
		ARG(8);
		if (!payload(w, le64(b), false))
			return -2;
		break;
	case 0x8a:
		ARG(1);
		if (!payload(w, b[0], false))
			return -2;
		break;
	case 0x8b:
		ARG(4);
		if ((int32_t)le32(b) < 0) {
			problem(w, "negative LONG4 length at offset %llu", (unsigned long long)at);
			return -1;
		}
		if (!payload(w, le32(b), false))
			return -2;
		break;
	case 'a':
	case 'b':
		drop(w, 1);
		break;
	case 's':
		drop(w, 2);
		break;
	case 'e':
	case 'u':
	case 0x90:
		pop_mark(w);
		break;
	case 'd':
	case 'l':
	case 't':
	case 0x91:
		pop_mark(w);
		push(w, I_OTHER, NULL);
		break;
	case 'o':
		pop_mark(w);
		push(w, I_OTHER, NULL);
		break;
	case 'c':
		if (!global_lines(w))
			return -2;
		push(w, I_OTHER, NULL);
		break;
	case 'i':
		if (!global_lines(w))
			return -2;
		pop_mark(w);
		push(w, I_OTHER, NULL);
		break;
	case 0x93: { /* STACK_GLOBAL */
		struct item name = pop(w), module = pop(w);
		if (name.s != NULL && module.s != NULL)
			record(w, module.s->s, module.s->len, name.s->s, name.s->len);
		else {
			w->found++;
			av_insp_add_global(w->c, AV_INSP_UNRESOLVED, AV_INSP_UNRESOLVED, true);
		}
		unref(w, name.s);
		unref(w, module.s);
		push(w, I_OTHER, NULL);
		break;
	}
	case 'g':
		LINE();
		if (!decimal(p, n, &v)) {
			problem(w, "bad GET index at offset %llu", (unsigned long long)at);
			return -1;
		}
		memo_get(w, v);
		break;
	case 'h':
		ARG(1);
		memo_get(w, b[0]);
		break;
	case 'j':
		ARG(4);
		memo_get(w, le32(b));
		break;
	case 'p':
		LINE();
		if (!decimal(p, n, &v)) {
			problem(w, "bad PUT index at offset %llu", (unsigned long long)at);
			return -1;
		}
		memo_put(w, v);
		break;
	case 'q':
		ARG(1);
		memo_put(w, b[0]);
		break;
	case 'r':
		ARG(4);
		memo_put(w, le32(b));
		break;
	case 0x94:
		memo_put(w, w->mused);
		break;
	case 0x80:
		ARG(1);
		if (b[0] > 5) {
			problem(w, "unsupported pickle protocol %d at offset %llu", b[0],
			        (unsigned long long)at);
			return -1;
		}
		break;
	case 0x95:
		ARG(8);
		break; /* FRAME: only a hint for buffering */
	case 0x81:
		drop(w, 2);
		push(w, I_OTHER, NULL);
		break;
	case 0x92:
		drop(w, 3);
		push(w, I_OTHER, NULL);
		break;
	case 0x82:
	case 0x83:
	case 0x84: { /* EXT1/2/4: a global from copyreg's registry */
		size_t k = op == 0x82 ? 1 : op == 0x83 ? 2 : 4;
		char code[32];
		ARG(k);
		snprintf(code, sizeof(code), "extension %lu",
		         (unsigned long)(k == 1   ? b[0]
		                         : k == 2 ? le16(b)
		                                  : le32(b)));
		record(w, "copyreg", 7, code, strlen(code));
		push(w, I_OTHER, NULL);
		break;
	}
	case 0x85:
		drop(w, 1);
		push(w, I_OTHER, NULL);
		break;
	case 0x86:
		drop(w, 2);
		push(w, I_OTHER, NULL);
		break;
	case 0x87:
		drop(w, 3);
		push(w, I_OTHER, NULL);
		break;
	case 0x97:
		push(w, I_OTHER, NULL);
		break;
	case 0x98:
		drop(w, 1);
		push(w, I_OTHER, NULL);
		break;
	default:
		problem(w, "unknown opcode 0x%02x at offset %llu", op, (unsigned long long)at);
		return -1;
	}
#undef ARG
#undef LINE
	return 1;
}

int
av_insp_walk(av_insp *c, av_insp_stream *s)
{
	struct walker w = {.c = c, .s = s};
	int rc;

	while ((rc = step(&w)) == 1 && c->rc == 0)
		;
	if (rc == -2) {
		if (s->zerr)
			problem(&w, "corrupt deflate data");
		else if (c->budget_hit)
			problem(&w, "stopped at the parse limit of %llu bytes",
			        (unsigned long long)c->lim->parse_max);
		else
			problem(&w, "truncated at offset %llu",
			        (unsigned long long)av_insp_stream_offset(s));
	} else if (rc == 0 && w.pickles == 0) {
		problem(&w, "empty pickle stream");
	}
	/* Garbage inflated from a corrupt entry may have been walked first: say why. */
	if (s->zerr && rc != -2)
		av_insp_note(c, "%s: corrupt deflate data", s->what);
	clear_stack(&w);
	clear_memo(&w);
	free(w.stack);
	/* A stream that imported something counts as a pickle even if it then broke. */
	return w.pickles > 0 || w.found > 0 ? (w.pickles > 0 ? w.pickles : 1) : 0;
}

void
av_insp_walk_region(av_insp *c, const char *what, uint64_t off, uint64_t len, bool deflated)
{
	av_insp_stream s;

	if (av_insp_stream_open(&s, c, what, off, len, deflated) != 0) {
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	av_insp_walk(c, &s);
	av_insp_stream_close(&s);
}
