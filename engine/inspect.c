/*
 * inspect.c - artifact inspection: hash, real format, pickle globals.
 *
 * Read in this order: the byte source (a file read with pread, or a
 * buffer), the stream (a window over a region of the source, optionally
 * inflated), the pickle walker, the format probes, the public functions.
 *
 * The pickle walker models the unpickler's stack and memo just enough to
 * know which strings STACK_GLOBAL would combine into a module and a name.
 * Only strings are tracked; every other value is an opaque placeholder.  If
 * the model is lost (stack underflow or overflow) the walker carries on in a
 * degraded mode where GLOBAL and INST are still exact and STACK_GLOBAL is
 * reported as an unresolved, dangerous import: we fail closed.  Nothing is
 * ever executed, and no value is built beyond short strings.
 *
 * This module does not judge: ratings go to the supply_chain plugin, which
 * decides what blocks.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "sha256.h"
#include "inspect.h"

#define WIN (64 * 1024)          /* stream window: the longest line or string we hold */
#define STR_MAX 1024             /* strings longer than this are not tracked */
#define STR_LIVE_MAX (32u << 20) /* bytes of tracked strings alive at once */
#define STACK_MAX (1u << 20)
#define MEMO_MAX (1u << 20)
#define UNRESOLVED "<unresolved>"

/* ---- names and ratings ---- */

const char *
av_aformat_name(av_aformat f)
{
	static const char *const names[] = {"unknown",     "zip",  "pytorch-zip", "keras", "pickle",
	                                    "safetensors", "gguf", "hdf5",        "onnx",  "npy"};

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "unknown";
}

const char *
av_rating_name(av_rating r)
{
	switch (r) {
	case AV_RATING_SAFE:
		return "safe";
	case AV_RATING_DANGEROUS:
		return "dangerous";
	default:
		return "suspicious";
	}
}

/* Modules every name of which is dangerous, with their submodules. */
static const char *const bad_modules[] = {"os",
                                          "posix",
                                          "nt",
                                          "subprocess",
                                          "sys",
                                          "shutil",
                                          "socket",
                                          "runpy",
                                          "webbrowser",
                                          "requests",
                                          "httplib",
                                          "http",
                                          "urllib",
                                          "urllib2",
                                          "urllib3",
                                          "pty",
                                          "commands",
                                          "importlib",
                                          "code",
                                          "codeop",
                                          "ctypes",
                                          "multiprocessing",
                                          "pickle",
                                          "_pickle",
                                          "cPickle",
                                          "dill",
                                          "cloudpickle",
                                          "joblib",
                                          "marshal",
                                          "asyncio",
                                          "pdb",
                                          "bdb",
                                          "timeit",
                                          "profile",
                                          "cProfile",
                                          "trace",
                                          "signal",
                                          "platform",
                                          "_posixsubprocess",
                                          "pip",
                                          "ftplib",
                                          "smtplib",
                                          "telnetlib",
                                          "ssl",
                                          "httpx",
                                          "aiohttp",
                                          "venv",
                                          "tempfile",
                                          "glob",
                                          "pathlib",
                                          "io",
                                          "_io",
                                          "fcntl",
                                          "resource",
                                          "mmap",
                                          "threading",
                                          "_thread",
                                          "ensurepip",
                                          "distutils",
                                          "setuptools",
                                          "pkgutil",
                                          "zipimport",
                                          "types",
                                          "sqlite3",
                                          "uuid",
                                          "imp"};

/* Single names that are dangerous. */
static const char *const bad_names[][2] = {
    {"builtins", "eval"},
    {"builtins", "exec"},
    {"builtins", "execfile"},
    {"builtins", "compile"},
    {"builtins", "open"},
    {"builtins", "__import__"},
    {"builtins", "getattr"},
    {"builtins", "setattr"},
    {"builtins", "delattr"},
    {"builtins", "globals"},
    {"builtins", "locals"},
    {"builtins", "vars"},
    {"builtins", "input"},
    {"builtins", "breakpoint"},
    {"builtins", "apply"},
    {"builtins", "file"},
    {"builtins", "reload"},
    {"builtins", "help"},
    {"builtins", "exit"},
    {"builtins", "quit"},
    {"operator", "attrgetter"},
    {"operator", "methodcaller"},
    {"_operator", "attrgetter"},
    {"_operator", "methodcaller"},
    {"functools", "reduce"},
    {"torch", "load"},
    {"torch.serialization", "load"},
    {"torch.hub", "load"},
    {"torch.storage", "_load_from_bytes"},
    {"numpy", "load"},
    {"numpy", "loads"},
    {"numpy.lib.npyio", "load"},
    {"keras.layers", "Lambda"},
    {"copyreg", "_extension_registry"},
    {UNRESOLVED, UNRESOLVED},
};

/* Data constructors that load only data. */
static const char *const safe_names[][2] = {
    {"collections", "OrderedDict"},
    {"collections", "defaultdict"},
    {"collections", "deque"},
    {"torch._utils", "_rebuild_tensor"},
    {"torch._tensor", "_rebuild_from_type_v2"},
    {"torch", "Size"},
    {"torch", "device"},
    {"torch", "dtype"},
    {"torch", "float16"},
    {"torch", "float32"},
    {"torch", "float64"},
    {"torch", "bfloat16"},
    {"torch", "half"},
    {"torch", "float"},
    {"torch", "double"},
    {"torch", "int8"},
    {"torch", "int16"},
    {"torch", "int32"},
    {"torch", "int64"},
    {"torch", "uint8"},
    {"torch", "bool"},
    {"torch", "long"},
    {"torch", "int"},
    {"torch", "short"},
    {"torch", "complex64"},
    {"torch", "complex128"},
    {"torch", "float8_e4m3fn"},
    {"torch", "float8_e5m2"},
    {"torch.nn.parameter", "Parameter"},
    {"torch.storage", "UntypedStorage"},
    {"torch.storage", "TypedStorage"},
    {"numpy.core.multiarray", "_reconstruct"},
    {"numpy._core.multiarray", "_reconstruct"},
    {"numpy.core.multiarray", "scalar"},
    {"numpy._core.multiarray", "scalar"},
    {"numpy", "dtype"},
    {"numpy", "ndarray"},
    {"numpy.core.numeric", "_frombuffer"},
    {"numpy._core.numeric", "_frombuffer"},
    {"_codecs", "encode"},
    {"builtins", "set"},
    {"builtins", "frozenset"},
    {"builtins", "slice"},
    {"builtins", "complex"},
    {"builtins", "bytearray"},
    {"builtins", "range"},
    {"builtins", "dict"},
    {"builtins", "list"},
    {"builtins", "tuple"},
    {"builtins", "int"},
    {"builtins", "float"},
    {"builtins", "bool"},
    {"builtins", "str"},
    {"builtins", "bytes"},
    {"datetime", "datetime"},
    {"datetime", "date"},
    {"datetime", "timedelta"},
    {"decimal", "Decimal"},
};

static bool
module_in(const char *module, const char *base)
{
	size_t n = strlen(base);

	return strncmp(module, base, n) == 0 && (module[n] == '\0' || module[n] == '.');
}

static bool
suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

av_rating
av_inspect_rate(const char *module, const char *name)
{
	/* Python 2 pickles name builtins "__builtin__"; some tools write "__builtins__". */
	if (strcmp(module, "__builtin__") == 0 || strcmp(module, "__builtins__") == 0)
		module = "builtins";
	for (size_t i = 0; i < sizeof(bad_modules) / sizeof(bad_modules[0]); i++)
		if (module_in(module, bad_modules[i]))
			return AV_RATING_DANGEROUS;
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
		if (strcmp(module, bad_names[i][0]) == 0 && strcmp(name, bad_names[i][1]) == 0)
			return AV_RATING_DANGEROUS;
	for (size_t i = 0; i < sizeof(safe_names) / sizeof(safe_names[0]); i++)
		if (strcmp(module, safe_names[i][0]) == 0 && strcmp(name, safe_names[i][1]) == 0)
			return AV_RATING_SAFE;
	/* torch._utils._rebuild_tensor_v2, _rebuild_parameter, ...; torch.FloatStorage, ... */
	if (strcmp(module, "torch._utils") == 0 && strncmp(name, "_rebuild_", 9) == 0)
		return AV_RATING_SAFE;
	if (strcmp(module, "torch") == 0 && suffix(name, "Storage") && strchr(name, '.') == NULL)
		return AV_RATING_SAFE;
	return AV_RATING_SUSPICIOUS;
}

/* ---- the byte source ---- */

struct ctx {
	const av_inspect_limits *lim;
	av_inspect *r;
	const char *name; /* file name, for the ONNX extension check */
	int fd;
	const unsigned char *mem;
	uint64_t size;
	uint64_t budget; /* parse bytes left */
	bool budget_hit;
	bool cut; /* max_globals reached */
	int rc;   /* AV_EIO or AV_ENOMEM: stop everything */
	av_error *err;
};

/* Appends a problem to r->error ("; " between problems). */
__attribute__((format(printf, 2, 3))) static void
note(struct ctx *c, const char *fmt, ...)
{
	char *e = c->r->error;
	size_t n = strlen(e);
	va_list ap;

	if (n + 3 >= sizeof(c->r->error))
		return;
	if (n > 0) {
		strcpy(e + n, "; ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(e + n, sizeof(c->r->error) - n, fmt, ap);
	va_end(ap);
}

/* Reads up to n bytes at off; returns the count (short only at the end), or -1. */
static ssize_t
src_read(struct ctx *c, uint64_t off, void *buf, size_t n)
{
	if (off >= c->size)
		return 0;
	if (n > c->size - off)
		n = (size_t)(c->size - off);
	if (c->mem != NULL) {
		memcpy(buf, c->mem + off, n);
		return (ssize_t)n;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(c->fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			if (c->rc == 0)
				c->rc = av_error_set(c->err, AV_EIO, NULL, 0, 0, "read failed: %s",
				                     strerror(errno));
			return -1;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/* Reads exactly n bytes at off; false if the file is shorter or reading failed. */
static bool
src_exact(struct ctx *c, uint64_t off, void *buf, size_t n)
{
	return src_read(c, off, buf, n) == (ssize_t)n;
}

static uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ---- streams: a window over a region, stored or deflated ---- */

struct stream {
	struct ctx *c;
	const char *what;  /* "data.pkl", or the file name */
	uint64_t off, end; /* region of the source still to read (compressed for z) */
	bool z, zinit, zerr;
	z_stream zs;
	unsigned char *zin;
	unsigned char *buf;
	size_t pos, len;
	uint64_t base; /* stream offset of buf[0] */
	bool eof;
};

static int
stream_open(struct stream *s, struct ctx *c, const char *what, uint64_t off, uint64_t len,
            bool deflated)
{
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->what = what;
	s->off = off;
	s->end = off + len;
	s->buf = malloc(WIN);
	if (s->buf == NULL)
		return AV_ENOMEM;
	if (deflated) {
		s->z = true;
		s->zin = malloc(WIN);
		if (s->zin == NULL || inflateInit2(&s->zs, -MAX_WBITS) != Z_OK) {
			free(s->zin);
			free(s->buf);
			return AV_ENOMEM;
		}
		s->zinit = true;
	}
	return 0;
}

static void
stream_close(struct stream *s)
{
	if (s->zinit)
		inflateEnd(&s->zs);
	free(s->zin);
	free(s->buf);
}

/* Takes n bytes from the parse budget; false (and the stream ends) when spent. */
static bool
spend(struct stream *s, size_t n)
{
	if (s->c->budget < n) {
		s->c->budget_hit = true;
		s->eof = true;
		return false;
	}
	s->c->budget -= n;
	return true;
}

/* Moves unread bytes to the front and reads more; sets eof at the end. */
static void
fill(struct stream *s)
{
	if (s->pos > 0) {
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->base += s->pos;
		s->len -= s->pos;
		s->pos = 0;
	}
	if (s->eof || s->len == WIN)
		return;
	size_t room = WIN - s->len;
	if (!s->z) {
		uint64_t left = s->end - s->off;
		size_t n = left < room ? (size_t)left : room;
		if (n == 0 || !spend(s, n)) {
			s->eof = true;
			return;
		}
		ssize_t k = src_read(s->c, s->off, s->buf + s->len, n);
		if (k <= 0) {
			s->eof = true;
			return;
		}
		s->off += (uint64_t)k;
		s->len += (size_t)k;
		return;
	}
	s->zs.next_out = s->buf + s->len;
	s->zs.avail_out = (uInt)room;
	while (s->zs.avail_out > 0 && !s->eof) {
		if (s->zs.avail_in == 0) {
			uint64_t left = s->end - s->off;
			size_t n = left < WIN ? (size_t)left : WIN;
			if (n == 0) {
				s->zerr =
				    true; /* compressed data ended before the deflate stream */
				s->eof = true;
				break;
			}
			if (!spend(s, n))
				break;
			ssize_t k = src_read(s->c, s->off, s->zin, n);
			if (k <= 0) {
				s->eof = true;
				break;
			}
			s->off += (uint64_t)k;
			s->zs.next_in = s->zin;
			s->zs.avail_in = (uInt)k;
		}
		int zr = inflate(&s->zs, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			s->eof = true;
		} else if (zr != Z_OK) {
			s->zerr = true;
			s->eof = true;
		}
	}
	s->len = WIN - s->zs.avail_out;
}

/* Makes n (<= WIN) bytes available at buf + pos; false at the end. */
static bool
need(struct stream *s, size_t n)
{
	while (s->len - s->pos < n && !s->eof)
		fill(s);
	if (s->len - s->pos < n && s->pos > 0)
		fill(s);
	return s->len - s->pos >= n;
}

/* Skips n bytes; a stored region is skipped without reading it. */
static bool
skip(struct stream *s, uint64_t n)
{
	size_t have = s->len - s->pos;

	if (n <= have) {
		s->pos += (size_t)n;
		return true;
	}
	n -= have;
	s->base += s->len;
	s->pos = s->len = 0;
	if (!s->z) {
		if (n > s->end - s->off) {
			s->off = s->end;
			s->eof = true;
			return false;
		}
		s->off += n;
		s->base += n;
		return true;
	}
	while (n > 0) {
		if (!need(s, 1))
			return false;
		size_t k = s->len - s->pos < n ? s->len - s->pos : (size_t)n;
		s->pos += k;
		n -= k;
	}
	return true;
}

static uint64_t
stream_offset(const struct stream *s)
{
	return s->base + s->pos;
}

/* ---- globals ---- */

static void
add_global(struct ctx *c, const char *module, const char *name, bool force_dangerous)
{
	av_inspect *r = c->r;

	for (size_t i = 0; i < r->nglobals; i++)
		if (strcmp(r->globals[i].module, module) == 0 &&
		    strcmp(r->globals[i].name, name) == 0)
			return;
	if (r->nglobals >= c->lim->max_globals) {
		if (!c->cut)
			note(c, "more than %zu distinct globals; the list is cut short",
			     c->lim->max_globals);
		c->cut = true;
		return;
	}
	av_inspect_global *v = realloc(r->globals, (r->nglobals + 1) * sizeof(*v));
	if (v == NULL) {
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	r->globals = v;
	v += r->nglobals;
	v->module = strdup(module);
	v->name = strdup(name);
	if (v->module == NULL || v->name == NULL) {
		free(v->module);
		free(v->name);
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	v->rating = force_dangerous ? AV_RATING_DANGEROUS : av_inspect_rate(module, name);
	r->nglobals++;
}

/* ---- the pickle walker ---- */

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
	struct ctx *c;
	struct stream *s;
	struct item *stack;
	size_t n, cap;
	bool lost;
	struct memo_ent *memo;
	size_t mcap, mused;
	uint64_t live;
	uint64_t op_at; /* offset of the opcode being walked */
	int pickles;  /* complete pickles (STOP seen) */
	size_t found; /* globals seen in this stream */
	bool problem; /* a problem was noted */
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
	note(w->c, "%s: %s", w->s->what, msg);
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
	struct stream *s = w->s;
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
		if (from >= WIN) {
			problem(w, "line longer than %d bytes at offset %llu", WIN,
			        (unsigned long long)stream_offset(s));
			return false;
		}
		if (!need(s, from + 1))
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
	struct stream *s = w->s;

	if (is_str && n <= STR_MAX) {
		if (!need(s, (size_t)n))
			return false;
		push(w, I_STR, pstr_new(w, (const char *)s->buf + s->pos, (size_t)n));
		s->pos += (size_t)n;
		return true;
	}
	if (!skip(s, n))
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
	add_global(w->c, m, nm, odd);
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
	struct stream *s = w->s;
	uint64_t at = stream_offset(s), v;
	const char *p;
	size_t n;
	unsigned char *b;

	if (!need(s, 1))
		return w->pickles > 0 && s->len == s->pos && !s->c->budget_hit ? 0 : -2;
	int op = s->buf[s->pos++];
	w->op_at = at;

/* Fixed-size argument of k bytes at b. */
#define ARG(k)                                                                                     \
	do {                                                                                       \
		if (!need(s, (k)))                                                                 \
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
		if (!need(s, 2) || s->buf[s->pos] != 0x80 || s->buf[s->pos + 1] > 5)
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
			add_global(w->c, UNRESOLVED, UNRESOLVED, true);
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

/* Walks a whole pickle stream; returns the number of complete pickles. */
static int
walk(struct ctx *c, struct stream *s)
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
			        (unsigned long long)stream_offset(s));
	} else if (rc == 0 && w.pickles == 0) {
		problem(&w, "empty pickle stream");
	}
	/* Garbage inflated from a corrupt entry may have been walked first: say why. */
	if (s->zerr && rc != -2)
		note(c, "%s: corrupt deflate data", s->what);
	clear_stack(&w);
	clear_memo(&w);
	free(w.stack);
	/* A stream that imported something counts as a pickle even if it then broke. */
	return w.pickles > 0 || w.found > 0 ? (w.pickles > 0 ? w.pickles : 1) : 0;
}

static void
walk_region(struct ctx *c, const char *what, uint64_t off, uint64_t len, bool deflated)
{
	struct stream s;

	if (stream_open(&s, c, what, off, len, deflated) != 0) {
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	walk(c, &s);
	stream_close(&s);
}

/* ---- zip ---- */

/* Reads a whole (small) entry into a new buffer of at most max bytes. */
static unsigned char *
read_entry(struct ctx *c, const char *what, uint64_t off, uint64_t clen, bool deflated, size_t max,
           size_t *len)
{
	struct stream s;
	unsigned char *out = NULL;
	size_t n = 0;

	if (stream_open(&s, c, what, off, clen, deflated) != 0)
		return NULL;
	for (;;) {
		if (!need(&s, 1))
			break;
		size_t k = s.len - s.pos;
		if (n + k > max) {
			note(c, "%s: larger than %zu bytes, not inspected", what, max);
			free(out);
			out = NULL;
			n = 0;
			break;
		}
		unsigned char *o = realloc(out, n + k + 1);
		if (o == NULL) {
			free(out);
			out = NULL;
			break;
		}
		out = o;
		memcpy(out + n, s.buf + s.pos, k);
		n += k;
		s.pos += k;
	}
	if (s.zerr && out != NULL) {
		note(c, "%s: corrupt deflate data", what);
		free(out);
		out = NULL;
	}
	stream_close(&s);
	*len = n;
	return out;
}

/* Finds Keras Lambda layers (arbitrary Python code) in a config.json tree. */
static void
keras_lambdas(struct ctx *c, const cJSON *j, int depth)
{
	if (depth > 200 || c->rc != 0)
		return;
	if (cJSON_IsObject(j)) {
		const cJSON *cn = cJSON_GetObjectItemCaseSensitive(j, "class_name");
		if (cJSON_IsString(cn) && strcmp(cn->valuestring, "Lambda") == 0)
			add_global(c, "keras.layers", "Lambda", false);
	}
	for (const cJSON *k = j->child; k != NULL; k = k->next)
		keras_lambdas(c, k, depth + 1);
}

struct zentry {
	const char *name; /* points into the central directory copy */
	size_t nlen;
	uint16_t method, flags;
	uint64_t csize, usize, off;
};

static bool
name_is(const struct zentry *e, const char *s)
{
	return e->nlen == strlen(s) && memcmp(e->name, s, e->nlen) == 0;
}

static bool
name_ends(const struct zentry *e, const char *s)
{
	size_t m = strlen(s);

	return e->nlen >= m && memcmp(e->name + e->nlen - m, s, m) == 0;
}

/* Finds where an entry's data begins, from its local header. */
static bool
entry_data(struct ctx *c, const struct zentry *e, const char *what, uint64_t *data)
{
	unsigned char h[30];

	if (e->flags & 1) {
		note(c, "%s: encrypted, not inspected", what);
		return false;
	}
	if (e->method != 0 && e->method != 8) {
		note(c, "%s: compression method %u, not inspected", what, e->method);
		return false;
	}
	if (!src_exact(c, e->off, h, sizeof(h)) || le32(h) != 0x04034b50) {
		note(c, "%s: bad local header at offset %llu", what, (unsigned long long)e->off);
		return false;
	}
	*data = e->off + 30 + le16(h + 26) + le16(h + 28);
	if (*data > c->size || e->csize > c->size - *data) {
		note(c, "%s: data runs past the end of the file", what);
		return false;
	}
	return true;
}

static void
zip_inspect(struct ctx *c)
{
	unsigned char tail[22 + 65535], z64[56];
	size_t tn = c->size < sizeof(tail) ? (size_t)c->size : sizeof(tail);
	uint64_t tail_off = c->size - tn, eocd = UINT64_MAX;
	unsigned char *cd = NULL;

	c->r->format = AV_FORMAT_ZIP;
	if (!src_exact(c, tail_off, tail, tn))
		return;
	for (size_t i = tn >= 22 ? tn - 22 + 1 : 0; i-- > 0;)
		if (le32(tail + i) == 0x06054b50 && i + 22 + le16(tail + i + 20) <= tn) {
			eocd = tail_off + i;
			break;
		}
	if (eocd == UINT64_MAX) {
		note(c, "zip: no end of central directory record");
		return;
	}
	const unsigned char *e = tail + (eocd - tail_off);
	uint64_t count = le16(e + 10), cdsize = le32(e + 12), cdoff = le32(e + 16);
	if (count == 0xffff || cdsize == 0xffffffff || cdoff == 0xffffffff) {
		unsigned char loc[20];
		if (eocd < 20 || !src_exact(c, eocd - 20, loc, 20) || le32(loc) != 0x07064b50 ||
		    !src_exact(c, le64(loc + 8), z64, sizeof(z64)) || le32(z64) != 0x06064b50) {
			note(c, "zip: bad zip64 end of central directory");
			return;
		}
		count = le64(z64 + 32);
		cdsize = le64(z64 + 40);
		cdoff = le64(z64 + 48);
	}
	if (cdoff > c->size || cdsize > c->size - cdoff) {
		note(c, "zip: central directory runs past the end of the file");
		return;
	}
	if (cdsize > c->budget) {
		note(c, "zip: central directory of %llu bytes exceeds the parse limit",
		     (unsigned long long)cdsize);
		return;
	}
	c->budget -= cdsize;
	cd = malloc(cdsize ? (size_t)cdsize : 1);
	if (cd == NULL) {
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	if (!src_exact(c, cdoff, cd, (size_t)cdsize))
		goto out;

	bool torch = false, config = false, kerasmeta = false;
	struct zentry cfg = {0};
	size_t pos = 0, seen = 0;
	for (uint64_t i = 0; i < count && c->rc == 0; i++) {
		if (seen++ >= c->lim->max_entries) {
			note(c, "zip: more than %zu entries; the rest not inspected",
			     c->lim->max_entries);
			break;
		}
		if (cdsize - pos < 46 || le32(cd + pos) != 0x02014b50) {
			note(c, "zip: bad central directory entry %llu", (unsigned long long)i);
			break;
		}
		const unsigned char *h = cd + pos;
		struct zentry z = {.flags = le16(h + 8),
		                   .method = le16(h + 10),
		                   .csize = le32(h + 20),
		                   .usize = le32(h + 24),
		                   .nlen = le16(h + 28),
		                   .off = le32(h + 42)};
		size_t xlen = le16(h + 30), clen = le16(h + 32);
		if (cdsize - pos - 46 < z.nlen + xlen + clen) {
			note(c, "zip: central directory entry %llu runs past its end",
			     (unsigned long long)i);
			break;
		}
		z.name = (const char *)h + 46;
		/* zip64 extra field: the 0xffffffff fields, in order usize, csize, offset. */
		const unsigned char *x = h + 46 + z.nlen, *xe = x + xlen;
		while (xe - x >= 4) {
			size_t id = le16(x), sz = le16(x + 2);
			if ((size_t)(xe - x - 4) < sz)
				break;
			if (id == 1) {
				const unsigned char *f = x + 4, *fe = f + sz;
				if (z.usize == 0xffffffff && fe - f >= 8)
					z.usize = le64(f), f += 8;
				if (z.csize == 0xffffffff && fe - f >= 8)
					z.csize = le64(f), f += 8;
				if (z.off == 0xffffffff && fe - f >= 8)
					z.off = le64(f);
			}
			x += 4 + sz;
		}
		pos += 46 + z.nlen + xlen + clen;

		char what[256];
		snprintf(what, sizeof(what), "%.*s", (int)(z.nlen > 200 ? 200 : z.nlen), z.name);
		if (name_is(&z, "data.pkl") || name_ends(&z, "/data.pkl"))
			torch = true;
		if (name_is(&z, "config.json")) {
			config = true;
			cfg = z;
		}
		if (name_is(&z, "metadata.json") || name_is(&z, "model.weights.h5"))
			kerasmeta = true;
		if (name_ends(&z, ".pkl") || name_ends(&z, ".pickle")) {
			uint64_t data;
			if (entry_data(c, &z, what, &data))
				walk_region(c, what, data, z.csize, z.method == 8);
		}
	}
	if (torch)
		c->r->format = AV_FORMAT_PYTORCH_ZIP;
	else if (config && kerasmeta) {
		uint64_t data;
		size_t len;
		c->r->format = AV_FORMAT_KERAS;
		if (entry_data(c, &cfg, "config.json", &data)) {
			unsigned char *j = read_entry(c, "config.json", data, cfg.csize,
			                              cfg.method == 8, 16u << 20, &len);
			cJSON *root = j != NULL ? cJSON_ParseWithLength((char *)j, len) : NULL;
			if (j != NULL && root == NULL)
				note(c, "config.json: not valid JSON");
			if (root != NULL)
				keras_lambdas(c, root, 0);
			cJSON_Delete(root);
			free(j);
		}
	}
out:
	free(cd);
}

/* ---- other formats ---- */

static void
safetensors_inspect(struct ctx *c, uint64_t hlen)
{
	c->r->format = AV_FORMAT_SAFETENSORS;
	if (hlen > c->size - 8) {
		note(c,
		     "safetensors: header length %llu runs past the end of the file (%llu bytes)",
		     (unsigned long long)hlen, (unsigned long long)c->size);
		return;
	}
	if (hlen > (100u << 20) || hlen > c->budget) {
		note(c, "safetensors: header length %llu exceeds the limit",
		     (unsigned long long)hlen);
		return;
	}
	c->budget -= hlen;
	char *h = malloc((size_t)hlen + 1);
	if (h == NULL) {
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	uint64_t data = c->size - 8 - hlen;
	cJSON *j = NULL;
	if (!src_exact(c, 8, h, (size_t)hlen))
		goto out;
	j = cJSON_ParseWithLength(h, (size_t)hlen);
	if (!cJSON_IsObject(j)) {
		note(c, "safetensors: header is not a JSON object");
		goto out;
	}
	for (const cJSON *t = j->child; t != NULL; t = t->next) {
		if (t->string != NULL && strcmp(t->string, "__metadata__") == 0)
			continue;
		const cJSON *dt = cJSON_GetObjectItemCaseSensitive(t, "dtype");
		const cJSON *sh = cJSON_GetObjectItemCaseSensitive(t, "shape");
		const cJSON *off = cJSON_GetObjectItemCaseSensitive(t, "data_offsets");
		if (!cJSON_IsString(dt) || !cJSON_IsArray(sh) || !cJSON_IsArray(off) ||
		    cJSON_GetArraySize(off) != 2) {
			note(c, "safetensors: tensor '%.100s' lacks dtype, shape or data_offsets",
			     t->string ? t->string : "");
			break;
		}
		double b = cJSON_GetArrayItem(off, 0)->valuedouble;
		double e = cJSON_GetArrayItem(off, 1)->valuedouble;
		if (!cJSON_IsNumber(cJSON_GetArrayItem(off, 0)) ||
		    !cJSON_IsNumber(cJSON_GetArrayItem(off, 1)) || b < 0 || e < b ||
		    e > (double)data) {
			note(
			    c,
			    "safetensors: tensor '%.100s' data_offsets outside the %llu data bytes",
			    t->string ? t->string : "", (unsigned long long)data);
			break;
		}
	}
out:
	cJSON_Delete(j);
	free(h);
}

static void
gguf_inspect(struct ctx *c, const unsigned char *head, size_t n)
{
	c->r->format = AV_FORMAT_GGUF;
	if (n < 8) {
		note(c, "gguf: truncated header");
		return;
	}
	uint32_t v = le32(head + 4);
	if (v > 0xffff) /* a big-endian file */
		v = (uint32_t)head[7] | (uint32_t)head[6] << 8 | (uint32_t)head[5] << 16 |
		    (uint32_t)head[4] << 24;
	if (v < 1 || v > 3) {
		note(c, "gguf: unsupported version %u", v);
		return;
	}
	if (n < (v == 1 ? 16u : 24u))
		note(c, "gguf: truncated header");
}

static void
npy_inspect(struct ctx *c, const unsigned char *head, size_t n)
{
	c->r->format = AV_FORMAT_NUMPY;
	if (n < 10 || head[6] < 1 || head[6] > 3) {
		note(c, "npy: bad header");
		return;
	}
	uint64_t hlen = head[6] == 1 ? le16(head + 8) : (n >= 12 ? le32(head + 8) : UINT64_MAX);
	uint64_t start = head[6] == 1 ? 10 : 12;
	if (hlen > 1u << 20 || hlen > c->size - start) {
		note(c, "npy: header length runs past the end of the file");
		return;
	}
	char *h = malloc((size_t)hlen + 1);
	if (h == NULL) {
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	if (src_exact(c, start, h, (size_t)hlen)) {
		h[hlen] = '\0';
		/* An object array ('O' dtype) stores its data as a pickle. */
		if (memchr(h, '\0', hlen) == NULL && (strstr(h, "'O'") || strstr(h, "'|O'")))
			walk_region(c, c->name ? c->name : "npy", start + hlen,
			            c->size - start - hlen, false);
	}
	free(h);
}

static bool
varint(const unsigned char *p, size_t n, size_t *i, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; *i < n && shift < 64; shift += 7) {
		unsigned char b = p[(*i)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

/* Does the head look like an ONNX ModelProto: valid fields of the right numbers and types? */
static bool
onnx_like(const struct ctx *c, const unsigned char *p, size_t n)
{
	size_t i = 0;
	int fields = 0;

	while (i < n && fields < 4) {
		uint64_t key, v;
		if (!varint(p, n, &i, &key))
			return fields > 0;
		uint64_t num = key >> 3, wt = key & 7;
		bool varint_field = num == 1 || num == 5;
		bool bytes_field = (num >= 2 && num <= 4) || (num >= 6 && num <= 8) || num == 14 ||
		                   num == 20 || num == 25;
		if (!(varint_field && wt == 0) && !(bytes_field && wt == 2))
			return false;
		if (!varint(p, n, &i, &v))
			return fields > 0;
		if (wt == 2) {
			if (v > c->size - i)
				return false;
			if (v > n - i)
				return true; /* runs past our head: plausible */
			i += (size_t)v;
		}
		fields++;
	}
	return fields > 0;
}

static bool
has_ext(const char *name, const char *ext)
{
	size_t n = name ? strlen(name) : 0, m = strlen(ext);

	return n > m && strcasecmp(name + n - m, ext) == 0;
}

static bool
hdf5_at(struct ctx *c, uint64_t off)
{
	unsigned char sig[8];

	return src_exact(c, off, sig, 8) && memcmp(sig, "\x89HDF\r\n\x1a\n", 8) == 0;
}

static void
detect(struct ctx *c)
{
	unsigned char head[256];
	ssize_t got = src_read(c, 0, head, sizeof(head));

	if (got < 0)
		return;
	size_t n = (size_t)got;
	if (n == 0) {
		note(c, "empty file");
		return;
	}
	if (n >= 4 && (le32(head) == 0x04034b50 || le32(head) == 0x06054b50)) {
		zip_inspect(c);
		return;
	}
	if (n >= 4 && memcmp(head, "GGUF", 4) == 0) {
		gguf_inspect(c, head, n);
		return;
	}
	for (uint64_t off = 0; off < c->size && off <= (1u << 20); off = off ? off * 2 : 512)
		if (hdf5_at(c, off)) {
			c->r->format = AV_FORMAT_HDF5;
			return;
		}
	if (n >= 6 && memcmp(head, "\x93NUMPY", 6) == 0) {
		npy_inspect(c, head, n);
		return;
	}
	if (n >= 9 && head[8] == '{' && !(head[0] == 0x80 && head[1] <= 5)) {
		safetensors_inspect(c, le64(head));
		return;
	}
	if (has_ext(c->name, ".onnx") && onnx_like(c, head, n)) {
		c->r->format = AV_FORMAT_ONNX;
		return;
	}
	/* A pickle: a PROTO opcode, or a stream that walks to STOP or imports something. */
	size_t before = c->r->nglobals;
	char saved[sizeof(c->r->error)];
	memcpy(saved, c->r->error, sizeof(saved));
	uint64_t budget = c->budget;
	struct stream s;
	if (stream_open(&s, c, c->name ? c->name : "pickle", 0, c->size, false) != 0) {
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	int pickles = walk(c, &s);
	stream_close(&s);
	if (pickles > 0 || (head[0] == 0x80 && n >= 2 && head[1] <= 5)) {
		c->r->format = AV_FORMAT_PICKLE;
		return;
	}
	for (size_t i = before; i < c->r->nglobals; i++) {
		free(c->r->globals[i].module);
		free(c->r->globals[i].name);
	}
	c->r->nglobals = before;
	memcpy(c->r->error, saved, sizeof(saved));
	c->budget = budget;
	c->budget_hit = false;
}

/* ---- public functions ---- */

void
av_inspect_limits_default(av_inspect_limits *l)
{
	l->chunk = 1u << 20;
	l->hash_max = 0;
	l->parse_max = 64u << 20;
	l->max_globals = 1024;
	l->max_entries = 65536;
}

void
av_inspect_fini(av_inspect *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nglobals; i++) {
		free(r->globals[i].module);
		free(r->globals[i].name);
	}
	free(r->globals);
	memset(r, 0, sizeof(*r));
}

static int
run(struct ctx *c, av_inspect *r)
{
	c->budget = c->lim->parse_max;
	detect(c);
	if (c->rc != 0) {
		int rc = c->rc;
		av_inspect_fini(r);
		return rc;
	}
	return 0;
}

int
av_inspect_buffer(av_inspect *r, const char *name, const void *buf, size_t len,
                  const av_inspect_limits *lim, av_error *err)
{
	av_inspect_limits def;
	struct ctx c = {.r = r, .name = name, .fd = -1, .mem = buf, .size = len, .err = err};

	memset(r, 0, sizeof(*r));
	if (lim == NULL) {
		av_inspect_limits_default(&def);
		lim = &def;
	}
	c.lim = lim;
	r->size = len;
	if (lim->hash_max == 0 || len <= lim->hash_max)
		av_sha256_hex(buf, len, r->sha256);
	else
		note(&c, "not hashed: larger than the hash limit of %llu bytes",
		     (unsigned long long)lim->hash_max);
	return run(&c, r);
}

int
av_inspect_file(av_inspect *r, const char *path, const av_inspect_limits *lim, av_error *err)
{
	av_inspect_limits def;
	struct ctx c = {.r = r, .name = path, .err = err};
	struct stat st;
	unsigned char *chunk = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (lim == NULL) {
		av_inspect_limits_default(&def);
		lim = &def;
	}
	c.lim = lim;
	c.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (c.fd < 0)
		return av_error_set(err, AV_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	if (fstat(c.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = av_error_set(err, AV_EIO, path, 0, 0, "not a regular file");
		goto out;
	}
	c.size = (uint64_t)st.st_size;
	r->size = c.size;
	if (lim->hash_max != 0 && c.size > lim->hash_max) {
		note(&c, "not hashed: larger than the hash limit of %llu bytes",
		     (unsigned long long)lim->hash_max);
	} else {
		size_t csz = lim->chunk ? lim->chunk : 1u << 20;
		av_sha256 h;
		chunk = malloc(csz);
		if (chunk == NULL) {
			rc = av_error_set(err, AV_ENOMEM, path, 0, 0, "out of memory");
			goto out;
		}
		av_sha256_init(&h);
		for (uint64_t off = 0; off < c.size;) {
			ssize_t k = src_read(&c, off, chunk, csz);
			if (k <= 0) {
				av_sha256_final_hex(&h, r->sha256);
				r->sha256[0] = '\0';
				rc = k < 0 ? c.rc
				           : av_error_set(err, AV_EIO, path, 0, 0,
				                          "file shrank while being read");
				goto out;
			}
			av_sha256_update(&h, chunk, (size_t)k);
			off += (uint64_t)k;
		}
		av_sha256_final_hex(&h, r->sha256);
	}
	rc = run(&c, r);
	if (rc != 0 && err != NULL && err->file[0] == '\0')
		snprintf(err->file, sizeof(err->file), "%s", path);
out:
	if (rc != 0)
		av_inspect_fini(r);
	free(chunk);
	close(c.fd);
	return rc;
}

cJSON *
av_inspect_to_json(const av_inspect *r)
{
	cJSON *o = cJSON_CreateObject(), *g;

	if (o == NULL)
		return NULL;
	if (!(r->sha256[0] ? cJSON_AddStringToObject(o, "sha256", r->sha256)
	                   : cJSON_AddNullToObject(o, "sha256")) ||
	    !cJSON_AddStringToObject(o, "format", av_aformat_name(r->format)) ||
	    !cJSON_AddNumberToObject(o, "size", (double)r->size) ||
	    (g = cJSON_AddArrayToObject(o, "globals")) == NULL)
		goto fail;
	for (size_t i = 0; i < r->nglobals; i++) {
		cJSON *e = cJSON_CreateObject();
		if (e == NULL)
			goto fail;
		cJSON_AddItemToArray(g, e);
		if (!cJSON_AddStringToObject(e, "module", r->globals[i].module) ||
		    !cJSON_AddStringToObject(e, "name", r->globals[i].name) ||
		    !cJSON_AddStringToObject(e, "rating", av_rating_name(r->globals[i].rating)))
			goto fail;
	}
	if (!(r->error[0] ? cJSON_AddStringToObject(o, "error", r->error)
	                  : cJSON_AddNullToObject(o, "error")))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}
