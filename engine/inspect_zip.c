/*
 * inspect_zip.c - zip archives: the central directory (zip64 included),
 * the pickles inside (*.pkl, *.pickle), and what tells a PyTorch or Keras
 * archive from a plain zip.
 *
 * Only the central directory is trusted for the list of entries; each
 * entry's data is found through its local header and checked against the
 * file's size before anything is read.  The directory counts against the
 * parse budget and max_entries bounds the entries examined.  A Keras
 * archive's config.json is read (at most 16 MiB) to find Lambda layers,
 * which carry Python code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "inspect_int.h"

/* Reads a whole (small) entry into a new buffer of at most max bytes. */
static unsigned char *
read_entry(av_insp *c, const char *what, uint64_t off, uint64_t clen, bool deflated, size_t max,
           size_t *len)
{
	av_insp_stream s;
	unsigned char *out = NULL;
	size_t n = 0;

	if (av_insp_stream_open(&s, c, what, off, clen, deflated) != 0)
		return NULL;
	for (;;) {
		if (!av_insp_need(&s, 1))
			break;
		size_t k = s.len - s.pos;
		if (n + k > max) {
			av_insp_note(c, "%s: larger than %zu bytes, not inspected", what, max);
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
		av_insp_note(c, "%s: corrupt deflate data", what);
		free(out);
		out = NULL;
	}
	av_insp_stream_close(&s);
	*len = n;
	return out;
}

/* Finds Keras Lambda layers (arbitrary Python code) in a config.json tree. */
static void
keras_lambdas(av_insp *c, const cJSON *j, int depth)
{
	if (depth > 200 || c->rc != 0)
		return;
	if (cJSON_IsObject(j)) {
		const cJSON *cn = cJSON_GetObjectItemCaseSensitive(j, "class_name");
		if (cJSON_IsString(cn) && strcmp(cn->valuestring, "Lambda") == 0)
			av_insp_add_global(c, "keras.layers", "Lambda", false);
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
entry_data(av_insp *c, const struct zentry *e, const char *what, uint64_t *data)
{
	unsigned char h[30];

	if (e->flags & 1) {
		av_insp_note(c, "%s: encrypted, not inspected", what);
		return false;
	}
	if (e->method != 0 && e->method != 8) {
		av_insp_note(c, "%s: compression method %u, not inspected", what, e->method);
		return false;
	}
	if (!av_insp_exact(c, e->off, h, sizeof(h)) || le32(h) != 0x04034b50) {
		av_insp_note(c, "%s: bad local header at offset %llu", what,
		             (unsigned long long)e->off);
		return false;
	}
	*data = e->off + 30 + le16(h + 26) + le16(h + 28);
	if (*data > c->size || e->csize > c->size - *data) {
		av_insp_note(c, "%s: data runs past the end of the file", what);
		return false;
	}
	return true;
}

void
av_insp_zip(av_insp *c)
{
	unsigned char tail[22 + 65535], z64[56];
	size_t tn = c->size < sizeof(tail) ? (size_t)c->size : sizeof(tail);
	uint64_t tail_off = c->size - tn, eocd = UINT64_MAX;
	unsigned char *cd = NULL;

	c->r->format = AV_FORMAT_ZIP;
	if (!av_insp_exact(c, tail_off, tail, tn))
		return;
	for (size_t i = tn >= 22 ? tn - 22 + 1 : 0; i-- > 0;)
		if (le32(tail + i) == 0x06054b50 && i + 22 + le16(tail + i + 20) <= tn) {
			eocd = tail_off + i;
			break;
		}
	if (eocd == UINT64_MAX) {
		av_insp_note(c, "zip: no end of central directory record");
		return;
	}
	const unsigned char *e = tail + (eocd - tail_off);
	uint64_t count = le16(e + 10), cdsize = le32(e + 12), cdoff = le32(e + 16);
	if (count == 0xffff || cdsize == 0xffffffff || cdoff == 0xffffffff) {
		unsigned char loc[20];
		if (eocd < 20 || !av_insp_exact(c, eocd - 20, loc, 20) || le32(loc) != 0x07064b50 ||
		    !av_insp_exact(c, le64(loc + 8), z64, sizeof(z64)) || le32(z64) != 0x06064b50) {
			av_insp_note(c, "zip: bad zip64 end of central directory");
			return;
		}
		count = le64(z64 + 32);
		cdsize = le64(z64 + 40);
		cdoff = le64(z64 + 48);
	}
	if (cdoff > c->size || cdsize > c->size - cdoff) {
		av_insp_note(c, "zip: central directory runs past the end of the file");
		return;
	}
	if (cdsize > c->budget) {
		av_insp_note(c, "zip: central directory of %llu bytes exceeds the parse limit",
		             (unsigned long long)cdsize);
		return;
	}
	c->budget -= cdsize;
	cd = malloc(cdsize ? (size_t)cdsize : 1);
	if (cd == NULL) {
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	if (!av_insp_exact(c, cdoff, cd, (size_t)cdsize))
		goto out;

	bool torch = false, config = false, kerasmeta = false;
	struct zentry cfg = {0};
	size_t pos = 0, seen = 0;
	for (uint64_t i = 0; i < count && c->rc == 0; i++) {
		if (seen++ >= c->lim->max_entries) {
			av_insp_note(c, "zip: more than %zu entries; the rest not inspected",
			             c->lim->max_entries);
			break;
		}
		if (cdsize - pos < 46 || le32(cd + pos) != 0x02014b50) {
			av_insp_note(c, "zip: bad central directory entry %llu",
			             (unsigned long long)i);
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
			av_insp_note(c, "zip: central directory entry %llu runs past its end",
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
				av_insp_walk_region(c, what, data, z.csize, z.method == 8);
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
				av_insp_note(c, "config.json: not valid JSON");
			if (root != NULL)
				keras_lambdas(c, root, 0);
			cJSON_Delete(root);
			free(j);
		}
	}
out:
	free(cd);
}
