/*
 * inspect_probe.c - the format probes: what a file really is by its magic
 * bytes, and the checks of formats that hold no code (safetensors, GGUF,
 * HDF5, ONNX) or may (NumPy .npy object arrays, which hold a pickle).
 *
 * A probe reads a header and checks that its lengths fit in the file; it
 * never allocates from a length it has not bounded.  Zip archives go to
 * inspect_zip.c and pickles to inspect_pickle.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "inspect_int.h"

static void
safetensors_inspect(av_insp *c, uint64_t hlen)
{
	c->r->format = AV_FORMAT_SAFETENSORS;
	if (hlen > c->size - 8) {
		av_insp_note(
		    c, "safetensors: header length %llu runs past the end of the file (%llu bytes)",
		    (unsigned long long)hlen, (unsigned long long)c->size);
		return;
	}
	if (hlen > (100u << 20) || hlen > c->budget) {
		av_insp_note(c, "safetensors: header length %llu exceeds the limit",
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
	if (!av_insp_exact(c, 8, h, (size_t)hlen))
		goto out;
	j = cJSON_ParseWithLength(h, (size_t)hlen);
	if (!cJSON_IsObject(j)) {
		av_insp_note(c, "safetensors: header is not a JSON object");
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
			av_insp_note(
			    c, "safetensors: tensor '%.100s' lacks dtype, shape or data_offsets",
			    t->string ? t->string : "");
			break;
		}
		double b = cJSON_GetArrayItem(off, 0)->valuedouble;
		double e = cJSON_GetArrayItem(off, 1)->valuedouble;
		if (!cJSON_IsNumber(cJSON_GetArrayItem(off, 0)) ||
		    !cJSON_IsNumber(cJSON_GetArrayItem(off, 1)) || b < 0 || e < b ||
		    e > (double)data) {
			av_insp_note(
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
gguf_inspect(av_insp *c, const unsigned char *head, size_t n)
{
	c->r->format = AV_FORMAT_GGUF;
	if (n < 8) {
		av_insp_note(c, "gguf: truncated header");
		return;
	}
	uint32_t v = le32(head + 4);
	if (v > 0xffff) /* a big-endian file */
		v = (uint32_t)head[7] | (uint32_t)head[6] << 8 | (uint32_t)head[5] << 16 |
		    (uint32_t)head[4] << 24;
	if (v < 1 || v > 3) {
		av_insp_note(c, "gguf: unsupported version %u", v);
		return;
	}
	if (n < (v == 1 ? 16u : 24u))
		av_insp_note(c, "gguf: truncated header");
}

static void
npy_inspect(av_insp *c, const unsigned char *head, size_t n)
{
	c->r->format = AV_FORMAT_NUMPY;
	if (n < 10 || head[6] < 1 || head[6] > 3) {
		av_insp_note(c, "npy: bad header");
		return;
	}
	uint64_t hlen = head[6] == 1 ? le16(head + 8) : (n >= 12 ? le32(head + 8) : UINT64_MAX);
	uint64_t start = head[6] == 1 ? 10 : 12;
	if (hlen > 1u << 20 || hlen > c->size - start) {
		av_insp_note(c, "npy: header length runs past the end of the file");
		return;
	}
	char *h = malloc((size_t)hlen + 1);
	if (h == NULL) {
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	if (av_insp_exact(c, start, h, (size_t)hlen)) {
		h[hlen] = '\0';
		/* An object array ('O' dtype) stores its data as a pickle. */
		if (memchr(h, '\0', hlen) == NULL && (strstr(h, "'O'") || strstr(h, "'|O'")))
			av_insp_walk_region(c, c->name ? c->name : "npy", start + hlen,
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
onnx_like(const av_insp *c, const unsigned char *p, size_t n)
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
hdf5_at(av_insp *c, uint64_t off)
{
	unsigned char sig[8];

	return av_insp_exact(c, off, sig, 8) && memcmp(sig, "\x89HDF\r\n\x1a\n", 8) == 0;
}

/*
 * The order matters: a zip or GGUF magic at offset 0 decides at once; HDF5
 * may sit behind a user block (at 0, 512, 1024, ... up to 1 MiB); then the
 * NumPy magic; safetensors has no magic, only an 8-byte length followed by
 * '{', and a pickle starting with PROTO is not taken for one; ONNX has none
 * either, so only a .onnx name whose head parses as a ModelProto counts.
 * What is left is walked as a pickle, and kept as one only if it walks to
 * STOP, imports something or starts with PROTO; otherwise what the walk
 * noted is taken back and the format stays unknown.
 */
void
av_insp_detect(av_insp *c)
{
	unsigned char head[256];
	ssize_t got = av_insp_read(c, 0, head, sizeof(head));

	if (got < 0)
		return;
	size_t n = (size_t)got;
	if (n == 0) {
		av_insp_note(c, "empty file");
		return;
	}
	if (n >= 4 && (le32(head) == 0x04034b50 || le32(head) == 0x06054b50)) {
		av_insp_zip(c);
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
	av_insp_stream s;
	if (av_insp_stream_open(&s, c, c->name ? c->name : "pickle", 0, c->size, false) != 0) {
		c->rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		return;
	}
	int pickles = av_insp_walk(c, &s);
	av_insp_stream_close(&s);
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
