/*
 * inspect_int.h - what the artifact inspector's files (inspect*.c) share;
 * not for other modules, which use inspect.h.
 *
 * One inspection is an av_insp: the result being filled, the limits, the
 * byte source (a file read with pread, or a buffer) and the parse budget.
 * Readers of a region of the source (a zip entry, a pickle, a .npy payload)
 * go through an av_insp_stream, a window over the region that inflates it
 * when it is deflated.  Problems with the content are appended to the
 * result's error string with av_insp_note; only a failure to read the file
 * or to allocate (rc) stops the inspection.
 */
#ifndef ENGINE_INSPECT_INT_H
#define ENGINE_INSPECT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <zlib.h>

#include "errors.h"
#include "inspect.h"

/* Stream window: the longest line or string a reader holds at once. */
#define AV_INSP_WIN (64 * 1024)
/* The name recorded for a STACK_GLOBAL whose operands are unknown. */
#define AV_INSP_UNRESOLVED "<unresolved>"

/* One inspection in progress. */
typedef struct av_insp {
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
} av_insp;

/* A window over a region of the source; buf[pos..len) is unread. */
typedef struct av_insp_stream {
	av_insp *c;
	const char *what;  /* "data.pkl", or the file name */
	uint64_t off, end; /* region of the source still to read (compressed for z) */
	bool z, zinit, zerr;
	z_stream zs;
	unsigned char *zin;
	unsigned char *buf;
	size_t pos, len;
	uint64_t base; /* stream offset of buf[0] */
	bool eof;
} av_insp_stream;

/* inspect.c: the result. */

/* Appends a problem to r->error ("; " between problems). */
void av_insp_note(av_insp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records an imported global once (rated by av_inspect_rate unless
 * force_dangerous); past max_globals the list is cut short with a note.
 * Out of memory sets c->rc. */
void av_insp_add_global(av_insp *c, const char *module, const char *name, bool force_dangerous);

/* inspect_stream.c: the byte source and streams over it. */

/* Reads up to n bytes at off; returns the count (short only at the end), or
 * -1 with c->rc and c->err set when reading failed. */
ssize_t av_insp_read(av_insp *c, uint64_t off, void *buf, size_t n);
/* Reads exactly n bytes at off; false if the file is shorter or reading failed. */
bool av_insp_exact(av_insp *c, uint64_t off, void *buf, size_t n);

/* Opens a stream over len bytes at off, inflated (raw deflate) when
 * deflated; what names it in notes and must outlive it.  Returns 0 or
 * AV_ENOMEM.  Every byte read from the source is taken from c->budget. */
int av_insp_stream_open(av_insp_stream *s, av_insp *c, const char *what, uint64_t off, uint64_t len,
                        bool deflated);
void av_insp_stream_close(av_insp_stream *s);
/* The slow path of av_insp_need. */
bool av_insp_need_more(av_insp_stream *s, size_t n);
/* Skips n bytes; a stored region is skipped without reading it. */
bool av_insp_skip(av_insp_stream *s, uint64_t n);

/* Makes n (<= AV_INSP_WIN) bytes available at buf + pos; false at the end.
 * Inline: the pickle walker asks for every opcode. */
static inline bool
av_insp_need(av_insp_stream *s, size_t n)
{
	return s->len - s->pos >= n || av_insp_need_more(s, n);
}

/* Offset within the (inflated) stream of the next unread byte. */
static inline uint64_t
av_insp_stream_offset(const av_insp_stream *s)
{
	return s->base + s->pos;
}

static inline uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* inspect_pickle.c: the pickle walker. */

/* Walks a whole pickle stream, recording its imports; returns the number
 * of complete pickles (1 for a broken stream that imported something). */
int av_insp_walk(av_insp *c, av_insp_stream *s);
/* Walks the pickle in len bytes at off (deflated or stored). */
void av_insp_walk_region(av_insp *c, const char *what, uint64_t off, uint64_t len, bool deflated);

/* inspect_zip.c: zip archives (PyTorch, Keras, plain). */

/* Reads the central directory, walks every *.pkl / *.pickle entry and
 * tells PyTorch and Keras archives from plain zips; sets r->format. */
void av_insp_zip(av_insp *c);

/* inspect_probe.c: the format probes. */

/* Finds the real format by magic bytes and inspects what it holds. */
void av_insp_detect(av_insp *c);

#endif
