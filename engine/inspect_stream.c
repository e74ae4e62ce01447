/*
 * inspect_stream.c - the inspector's byte source and streams.
 *
 * The source is the file (read with pread, so that readers can jump around
 * a zip without seeking state) or a caller's buffer.  A stream is a window
 * of AV_INSP_WIN bytes over one region of it, stored or raw-deflated (a zip
 * entry); every byte read from the source is taken from the inspection's
 * parse budget, so no file makes the inspector read more than parse_max.
 * The parsers (inspect_pickle.c, inspect_zip.c, inspect_probe.c) read only
 * through these functions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "inspect_int.h"

/* ---- the byte source ---- */

ssize_t
av_insp_read(av_insp *c, uint64_t off, void *buf, size_t n)
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

bool
av_insp_exact(av_insp *c, uint64_t off, void *buf, size_t n)
{
	return av_insp_read(c, off, buf, n) == (ssize_t)n;
}

int
av_insp_stream_open(av_insp_stream *s, av_insp *c, const char *what, uint64_t off, uint64_t len,
                    bool deflated)
{
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->what = what;
	s->off = off;
	s->end = off + len;
	s->buf = malloc(AV_INSP_WIN);
	if (s->buf == NULL)
		return AV_ENOMEM;
	if (deflated) {
		s->z = true;
		s->zin = malloc(AV_INSP_WIN);
		if (s->zin == NULL || inflateInit2(&s->zs, -MAX_WBITS) != Z_OK) {
			free(s->zin);
			free(s->buf);
			return AV_ENOMEM;
		}
		s->zinit = true;
	}
	return 0;
}

void
av_insp_stream_close(av_insp_stream *s)
{
	if (s->zinit)
		inflateEnd(&s->zs);
	free(s->zin);
	free(s->buf);
}

/* Takes n bytes from the parse budget; false (and the stream ends) when spent. */
static bool
spend(av_insp_stream *s, size_t n)
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
fill(av_insp_stream *s)
{
	if (s->pos > 0) {
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->base += s->pos;
		s->len -= s->pos;
		s->pos = 0;
	}
	if (s->eof || s->len == AV_INSP_WIN)
		return;
	size_t room = AV_INSP_WIN - s->len;
	if (!s->z) {
		uint64_t left = s->end - s->off;
		size_t n = left < room ? (size_t)left : room;
		if (n == 0 || !spend(s, n)) {
			s->eof = true;
			return;
		}
		ssize_t k = av_insp_read(s->c, s->off, s->buf + s->len, n);
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
			size_t n = left < AV_INSP_WIN ? (size_t)left : AV_INSP_WIN;
			if (n == 0) {
				s->zerr =
				    true; /* compressed data ended before the deflate stream */
				s->eof = true;
				break;
			}
			if (!spend(s, n))
				break;
			ssize_t k = av_insp_read(s->c, s->off, s->zin, n);
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
	s->len = AV_INSP_WIN - s->zs.avail_out;
}

/* Fills until n bytes are available or the stream ends. */
bool
av_insp_need_more(av_insp_stream *s, size_t n)
{
	while (s->len - s->pos < n && !s->eof)
		fill(s);
	if (s->len - s->pos < n && s->pos > 0)
		fill(s);
	return s->len - s->pos >= n;
}

bool
av_insp_skip(av_insp_stream *s, uint64_t n)
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
		if (!av_insp_need(s, 1))
			return false;
		size_t k = s->len - s->pos < n ? s->len - s->pos : (size_t)n;
		s->pos += k;
		n -= k;
	}
	return true;
}
