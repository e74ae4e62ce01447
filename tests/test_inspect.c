/*
 * test_inspect.c - artifact inspection: formats by magic bytes, the pickle
 * walker on benign and malicious-shaped streams, zip archives, corrupt and
 * truncated input, limits, the JSON form.  Pickles are written here byte by
 * byte or read from tests/fixtures/artifacts; nothing is ever unpickled.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "inspect.h"

#define B(s) (s), sizeof(s) - 1

static av_inspect r;

static void
teardown(void)
{
	av_inspect_fini(&r);
}

static void
inspect_mem(const char *name, const void *buf, size_t len, const av_inspect_limits *lim)
{
	av_error err;

	ck_assert_int_eq(av_inspect_buffer(&r, name, buf, len, lim, &err), 0);
}

/* The rating of module.name in r, or -1 when not found. */
static int
rating_of(const char *module, const char *name)
{
	for (size_t i = 0; i < r.nglobals; i++)
		if (strcmp(r.globals[i].module, module) == 0 &&
		    strcmp(r.globals[i].name, name) == 0)
			return (int)r.globals[i].rating;
	return -1;
}

static void
fixture(char *buf, size_t len, const char *name)
{
	const char *src = getenv("AIVET_SRCDIR");

	snprintf(buf, len, "%s/tests/fixtures/artifacts/%s", src ? src : ".", name);
}

/* ---- a minimal zip writer (stored entries) ---- */

struct zbuf {
	unsigned char d[8192];
	size_t n;
	unsigned char cd[4096];
	size_t cn;
	int count;
};

static void
w16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
w32(unsigned char *p, unsigned long v)
{
	w16(p, (unsigned)(v & 0xffff));
	w16(p + 2, (unsigned)(v >> 16));
}

static void
zadd(struct zbuf *z, const char *name, const void *data, size_t len)
{
	size_t nl = strlen(name);
	unsigned long crc = crc32(0, data, (uInt)len);
	unsigned char *h = z->d + z->n, *c = z->cd + z->cn;

	memset(h, 0, 30);
	w32(h, 0x04034b50);
	w16(h + 4, 20);
	w32(h + 14, crc);
	w32(h + 18, len);
	w32(h + 22, len);
	w16(h + 26, (unsigned)nl);
	memcpy(h + 30, name, nl);
	memcpy(h + 30 + nl, data, len);
	memset(c, 0, 46);
	w32(c, 0x02014b50);
	w16(c + 4, 20);
	w16(c + 6, 20);
	w32(c + 16, crc);
	w32(c + 20, len);
	w32(c + 24, len);
	w16(c + 28, (unsigned)nl);
	w32(c + 42, z->n);
	memcpy(c + 46, name, nl);
	z->n += 30 + nl + len;
	z->cn += 46 + nl;
	z->count++;
}

static size_t
zfinish(struct zbuf *z)
{
	unsigned char *e;

	memcpy(z->d + z->n, z->cd, z->cn);
	e = z->d + z->n + z->cn;
	memset(e, 0, 22);
	w32(e, 0x06054b50);
	w16(e + 8, (unsigned)z->count);
	w16(e + 10, (unsigned)z->count);
	w32(e + 12, z->cn);
	w32(e + 16, z->n);
	z->n += z->cn + 22;
	return z->n;
}

/* Pickles written by hand. */
static const char os_system_global[] = "cos\nsystem\n(S'ls'\ntR.";
static const char eval_inst[] = "(S'1+1'\nibuiltins\neval\n.";
/* STACK_GLOBAL whose strings come back from the memo after being popped. */
static const char stack_global_memo[] = "\x80\x04"
                                        "\x8c\x02os\x94" /* memo 0 = "os" */
                                        "0"              /* POP */
                                        "\x8c\x06system"
                                        "r\x05\x01\x00\x00" /* LONG_BINPUT 0x105 */
                                        "0"
                                        "h\x00"             /* BINGET 0 */
                                        "j\x05\x01\x00\x00" /* LONG_BINGET 0x105 */
                                        "\x93"              /* STACK_GLOBAL */
                                        "\x8c\x04true\x85R.";

/* ---- core ---- */

START_TEST(benign_pickle_has_safe_global)
{
	char path[1024];
	av_error err;

	fixture(path, sizeof(path), "benign_ordereddict.pkl");
	ck_assert_int_eq(av_inspect_file(&r, path, NULL, &err), 0);
	ck_assert_str_eq(av_aformat_name(r.format), "pickle");
	ck_assert_int_eq(r.size, 56);
	ck_assert_str_eq(r.sha256,
	                 "a236785f57a8bc80331a652196dc66c48307ce1839d15f11a312f75bb394e0fc");
	ck_assert_int_eq(r.nglobals, 1);
	ck_assert_int_eq(rating_of("collections", "OrderedDict"), AV_RATING_SAFE);
	ck_assert_str_eq(r.error, "");
}
END_TEST

START_TEST(global_os_system_is_dangerous)
{
	inspect_mem("x.pkl", B(os_system_global), NULL);
	ck_assert_int_eq(r.format, AV_FORMAT_PICKLE);
	ck_assert_int_eq(r.nglobals, 1);
	ck_assert_int_eq(rating_of("os", "system"), AV_RATING_DANGEROUS);
	ck_assert_str_eq(r.error, "");
}
END_TEST

START_TEST(inst_builtins_eval_is_dangerous)
{
	inspect_mem(NULL, B(eval_inst), NULL);
	ck_assert_int_eq(r.format, AV_FORMAT_PICKLE);
	ck_assert_int_eq(rating_of("builtins", "eval"), AV_RATING_DANGEROUS);
	ck_assert_str_eq(r.error, "");
}
END_TEST

START_TEST(stack_global_resolved_through_memo)
{
	inspect_mem(NULL, B(stack_global_memo), NULL);
	ck_assert_int_eq(r.format, AV_FORMAT_PICKLE);
	ck_assert_int_eq(r.nglobals, 1);
	ck_assert_int_eq(rating_of("os", "system"), AV_RATING_DANGEROUS);
	ck_assert_str_eq(r.error, "");
}
END_TEST

START_TEST(escaped_string_cannot_hide_module)
{
	/* STRING 'o\x73' is "os"; UNICODE "sys\u0074em" is "system". */
	static const char p[] = "S'o\\x73'\nVsys\\u0074em\n\x93.";

	inspect_mem(NULL, B(p), NULL);
	ck_assert_int_eq(rating_of("os", "system"), AV_RATING_DANGEROUS);
}
END_TEST

START_TEST(python_made_fixtures)
{
	char path[1024];
	av_error err;

	fixture(path, sizeof(path), "reduce_posix_system_p0.pkl");
	ck_assert_int_eq(av_inspect_file(&r, path, NULL, &err), 0);
	ck_assert_int_eq(r.format, AV_FORMAT_PICKLE);
	ck_assert_int_eq(rating_of("posix", "system"), AV_RATING_DANGEROUS);
	av_inspect_fini(&r);

	fixture(path, sizeof(path), "reduce_posix_system_p4.pkl");
	ck_assert_int_eq(av_inspect_file(&r, path, NULL, &err), 0);
	ck_assert_int_eq(r.format, AV_FORMAT_PICKLE);
	ck_assert_int_eq(r.nglobals, 1);
	ck_assert_int_eq(rating_of("posix", "system"), AV_RATING_DANGEROUS);
	ck_assert_str_eq(r.error, "");
	av_inspect_fini(&r);

	fixture(path, sizeof(path), "torchlike_eval.zip");
	ck_assert_int_eq(av_inspect_file(&r, path, NULL, &err), 0);
	ck_assert_str_eq(av_aformat_name(r.format), "pytorch-zip");
	ck_assert_int_eq(rating_of("collections", "OrderedDict"), AV_RATING_SAFE);
	/* Protocol 2 names builtins "__builtin__", as Python 2 did. */
	ck_assert_int_eq(rating_of("__builtin__", "eval"), AV_RATING_DANGEROUS);
	ck_assert_str_eq(r.error, "");
	av_inspect_fini(&r);

	fixture(path, sizeof(path), "tiny.safetensors");
	ck_assert_int_eq(av_inspect_file(&r, path, NULL, &err), 0);
	ck_assert_str_eq(av_aformat_name(r.format), "safetensors");
	ck_assert_int_eq(r.nglobals, 0);
	ck_assert_str_eq(r.error, "");
}
END_TEST

START_TEST(multiple_pickles_in_one_stream)
{
	static const char p[] = "\x80\x02K\x01.\x80\x02"
	                        "cposix\nsystem\n.";

	inspect_mem(NULL, B(p), NULL);
	ck_assert_int_eq(r.format, AV_FORMAT_PICKLE);
	ck_assert_int_eq(rating_of("posix", "system"), AV_RATING_DANGEROUS);
	ck_assert_str_eq(r.error, "");
}
END_TEST

START_TEST(stored_zip_with_malicious_data_pkl)
{
	static struct zbuf z;
	static const char v[] = "3\n";
	size_t n;

	memset(&z, 0, sizeof(z));
	zadd(&z, "model/version", v, 2);
	zadd(&z, "model/data.pkl", B(stack_global_memo));
	zadd(&z, "model/data/0", "\0\0\0\0", 4);
	n = zfinish(&z);
	inspect_mem("model.pt", z.d, n, NULL);
	ck_assert_int_eq(r.format, AV_FORMAT_PYTORCH_ZIP);
	ck_assert_int_eq(rating_of("os", "system"), AV_RATING_DANGEROUS);
	ck_assert_str_eq(r.error, "");
}
END_TEST

START_TEST(keras_archive_with_lambda)
{
	static struct zbuf z;
	static const char cfg[] = "{\"class_name\": \"Functional\", \"config\": {\"layers\": "
	                          "[{\"class_name\": \"Lambda\", \"config\": {}}]}}";
	size_t n;

	memset(&z, 0, sizeof(z));
	zadd(&z, "metadata.json", B("{}"));
	zadd(&z, "config.json", B(cfg));
	zadd(&z, "model.weights.h5", B("\x89HDF\r\n\x1a\n"));
	n = zfinish(&z);
	inspect_mem("m.keras", z.d, n, NULL);
	ck_assert_str_eq(av_aformat_name(r.format), "keras");
	ck_assert_int_eq(rating_of("keras.layers", "Lambda"), AV_RATING_DANGEROUS);
}
END_TEST

START_TEST(plain_zip_is_zip)
{
	static struct zbuf z;
	size_t n;

	memset(&z, 0, sizeof(z));
	zadd(&z, "readme.txt", B("hello"));
	n = zfinish(&z);
	inspect_mem(NULL, z.d, n, NULL);
	ck_assert_str_eq(av_aformat_name(r.format), "zip");
	ck_assert_int_eq(r.nglobals, 0);
	ck_assert_str_eq(r.error, "");
}
END_TEST

START_TEST(gguf_hdf5_npy_onnx_by_magic)
{
	static const char gguf[] = "GGUF\x03\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
	static const char gguf9[] = "GGUF\x09\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
	static const char hdf5[] = "\x89HDF\r\n\x1a\n\0\0\0\0";
	static const char onnx[] = "\x08\x07\x12\x07pytorch\x1a\x03"
	                           "2.1:\x02\x10\x01";

	inspect_mem("m.gguf", B(gguf), NULL);
	ck_assert_str_eq(av_aformat_name(r.format), "gguf");
	ck_assert_str_eq(r.error, "");
	av_inspect_fini(&r);
	inspect_mem("m.gguf", B(gguf9), NULL);
	ck_assert_str_eq(av_aformat_name(r.format), "gguf");
	ck_assert_ptr_nonnull(strstr(r.error, "unsupported version 9"));
	av_inspect_fini(&r);
	inspect_mem("m.h5", B(hdf5), NULL);
	ck_assert_str_eq(av_aformat_name(r.format), "hdf5");
	av_inspect_fini(&r);
	inspect_mem("model.ONNX", B(onnx), NULL);
	ck_assert_str_eq(av_aformat_name(r.format), "onnx");
	av_inspect_fini(&r);
	/* The same bytes without the extension are not called ONNX. */
	inspect_mem("model.bin", B(onnx), NULL);
	ck_assert_str_eq(av_aformat_name(r.format), "unknown");
	ck_assert_int_eq(r.nglobals, 0);
}
END_TEST

START_TEST(npy_object_array_pickle_is_walked)
{
	char buf[256];
	const char *hdr = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
	size_t hl = 64, n = 0;

	memcpy(buf, "\x93NUMPY\x01\x00", 8);
	buf[8] = (char)hl;
	buf[9] = 0;
	memset(buf + 10, ' ', hl);
	memcpy(buf + 10, hdr, strlen(hdr));
	buf[10 + hl - 1] = '\n';
	n = 10 + hl;
	memcpy(buf + n, os_system_global, sizeof(os_system_global) - 1);
	n += sizeof(os_system_global) - 1;
	inspect_mem("a.npy", buf, n, NULL);
	ck_assert_str_eq(av_aformat_name(r.format), "npy");
	ck_assert_int_eq(rating_of("os", "system"), AV_RATING_DANGEROUS);
	av_inspect_fini(&r);
	/* A float array is not walked. */
	memcpy(buf + 10, "{'descr': '<f4',", 16);
	inspect_mem("a.npy", buf, n, NULL);
	ck_assert_str_eq(av_aformat_name(r.format), "npy");
	ck_assert_int_eq(r.nglobals, 0);
}
END_TEST

START_TEST(ratings)
{
	ck_assert_int_eq(av_inspect_rate("os", "system"), AV_RATING_DANGEROUS);
	ck_assert_int_eq(av_inspect_rate("os.path", "join"), AV_RATING_DANGEROUS);
	ck_assert_int_eq(av_inspect_rate("nt", "system"), AV_RATING_DANGEROUS);
	ck_assert_int_eq(av_inspect_rate("subprocess", "Popen"), AV_RATING_DANGEROUS);
	ck_assert_int_eq(av_inspect_rate("__builtin__", "eval"), AV_RATING_DANGEROUS);
	ck_assert_int_eq(av_inspect_rate("builtins", "getattr"), AV_RATING_DANGEROUS);
	ck_assert_int_eq(av_inspect_rate("_pickle", "loads"), AV_RATING_DANGEROUS);
	ck_assert_int_eq(av_inspect_rate("http.client", "HTTPConnection"), AV_RATING_DANGEROUS);
	ck_assert_int_eq(av_inspect_rate("runpy", "_run_code"), AV_RATING_DANGEROUS);
	ck_assert_int_eq(av_inspect_rate("torch._utils", "_rebuild_tensor_v2"), AV_RATING_SAFE);
	ck_assert_int_eq(av_inspect_rate("torch", "FloatStorage"), AV_RATING_SAFE);
	ck_assert_int_eq(av_inspect_rate("numpy.core.multiarray", "_reconstruct"), AV_RATING_SAFE);
	ck_assert_int_eq(av_inspect_rate("_codecs", "encode"), AV_RATING_SAFE);
	ck_assert_int_eq(av_inspect_rate("builtins", "set"), AV_RATING_SAFE);
	ck_assert_int_eq(av_inspect_rate("osx", "thing"), AV_RATING_SUSPICIOUS);
	ck_assert_int_eq(av_inspect_rate("sklearn.tree", "DecisionTreeClassifier"),
	                 AV_RATING_SUSPICIOUS);
	ck_assert_int_eq(av_inspect_rate("torch", "load"), AV_RATING_DANGEROUS);
}
END_TEST

START_TEST(json_form)
{
	inspect_mem(NULL, B(os_system_global), NULL);
	cJSON *j = av_inspect_to_json(&r);
	char *s = cJSON_PrintUnformatted(j);
	char want[512];
	snprintf(
	    want, sizeof(want),
	    "{\"sha256\":\"%s\",\"format\":\"pickle\",\"size\":%d,\"globals\":[{\"module\":\"os\","
	    "\"name\":\"system\",\"rating\":\"dangerous\"}],\"error\":null}",
	    r.sha256, (int)sizeof(os_system_global) - 1);
	ck_assert_str_eq(s, want);
	free(s);
	cJSON_Delete(j);
}
END_TEST

/* ---- errors ---- */

START_TEST(empty_file)
{
	inspect_mem(NULL, "", 0, NULL);
	ck_assert_int_eq(r.format, AV_FORMAT_UNKNOWN);
	ck_assert_str_eq(r.sha256,
	                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ck_assert_str_eq(r.error, "empty file");
}
END_TEST

START_TEST(truncated_pickles_keep_what_was_found)
{
	static const char t1[] = "cos\nsystem\n(S'ls'\ntR";
	static const char t2[] = "\x80\x02"
	                         "cos\nsys";

	inspect_mem("t.pkl", B(t1), NULL);
	ck_assert_int_eq(r.format, AV_FORMAT_PICKLE);
	ck_assert_int_eq(rating_of("os", "system"), AV_RATING_DANGEROUS);
	ck_assert_ptr_nonnull(strstr(r.error, "t.pkl: truncated at offset"));
	av_inspect_fini(&r);
	inspect_mem("t.pkl", B(t2), NULL);
	ck_assert_int_eq(r.format, AV_FORMAT_PICKLE);
	ck_assert_int_eq(r.nglobals, 0);
	ck_assert_ptr_nonnull(strstr(r.error, "truncated"));
}
END_TEST

START_TEST(huge_lengths_do_not_allocate)
{
	static const char p1[] = "\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7f";
	static const char p2[] = "\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\xff.";
	static const char p3[] = "\x80\x02T\xff\xff\xff\xff.";

	inspect_mem(NULL, B(p1), NULL);
	ck_assert_int_eq(r.format, AV_FORMAT_PICKLE);
	ck_assert_ptr_nonnull(strstr(r.error, "truncated"));
	av_inspect_fini(&r);
	inspect_mem(NULL, B(p2), NULL);
	ck_assert_ptr_nonnull(strstr(r.error, "truncated"));
	av_inspect_fini(&r);
	inspect_mem(NULL, B(p3), NULL);
	ck_assert_ptr_nonnull(strstr(r.error, "negative BINSTRING length"));
}
END_TEST

START_TEST(unresolvable_stack_global_fails_closed)
{
	static const char under[] = "\x80\x04\x93.";
	static const char nonstr[] = "\x80\x04K\x01K\x02\x93.";

	inspect_mem(NULL, B(under), NULL);
	ck_assert_int_eq(rating_of("<unresolved>", "<unresolved>"), AV_RATING_DANGEROUS);
	ck_assert_ptr_nonnull(strstr(r.error, "stack underflow at offset 2"));
	av_inspect_fini(&r);
	inspect_mem(NULL, B(nonstr), NULL);
	ck_assert_int_eq(rating_of("<unresolved>", "<unresolved>"), AV_RATING_DANGEROUS);
}
END_TEST

START_TEST(unknown_opcode_is_reported)
{
	static const char p[] = "\x80\x02\xff";

	inspect_mem("u.pkl", B(p), NULL);
	ck_assert_int_eq(r.format, AV_FORMAT_PICKLE);
	ck_assert_str_eq(r.error, "u.pkl: unknown opcode 0xff at offset 2");
}
END_TEST

START_TEST(safetensors_bad_headers)
{
	static const char oob[] = "\x40\x42\x0f\x00\x00\x00\x00\x00{}";
	char buf[128];
	const char *h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,64]}}";
	size_t hl = strlen(h);

	inspect_mem("m.safetensors", B(oob), NULL);
	ck_assert_str_eq(av_aformat_name(r.format), "safetensors");
	ck_assert_ptr_nonnull(strstr(r.error, "header length 1000000 runs past the end"));
	av_inspect_fini(&r);

	memset(buf, 0, sizeof(buf));
	buf[0] = (char)hl;
	memcpy(buf + 8, h, hl);
	inspect_mem("m.safetensors", buf, 8 + hl + 8, NULL);
	ck_assert_ptr_nonnull(strstr(r.error, "data_offsets outside the 8 data bytes"));
	av_inspect_fini(&r);

	buf[8 + 3] = '\x01'; /* break the JSON */
	inspect_mem("m.safetensors", buf, 8 + hl + 8, NULL);
	ck_assert_ptr_nonnull(strstr(r.error, "not a JSON object"));
}
END_TEST

START_TEST(corrupt_zips)
{
	static struct zbuf z;
	size_t n;

	memset(&z, 0, sizeof(z));
	zadd(&z, "a/data.pkl", B(os_system_global));
	n = zfinish(&z);
	/* Central directory offset beyond the file. */
	unsigned char saved = z.d[n - 6];
	z.d[n - 6] = 0x7f;
	inspect_mem(NULL, z.d, n, NULL);
	ck_assert_str_eq(av_aformat_name(r.format), "zip");
	ck_assert_ptr_nonnull(strstr(r.error, "central directory runs past"));
	av_inspect_fini(&r);
	/* No end record at all. */
	inspect_mem(NULL, z.d, 40, NULL);
	ck_assert_ptr_nonnull(strstr(r.error, "no end of central directory"));
	av_inspect_fini(&r);
	/* An entry claiming deflate over stored bytes. */
	z.d[n - 6] = saved;
	z.d[8] = 8;                                           /* local header method */
	z.d[30 + 10 + sizeof(os_system_global) - 1 + 10] = 8; /* central header method */
	inspect_mem(NULL, z.d, n, NULL);
	ck_assert_str_eq(av_aformat_name(r.format), "pytorch-zip");
	ck_assert_ptr_nonnull(strstr(r.error, "a/data.pkl: corrupt deflate data"));
}
END_TEST

START_TEST(random_bytes_are_unknown)
{
	unsigned char buf[4096];
	uint32_t x = 12345;

	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (unsigned char)(x >> 16);
		}
		buf[0] = 0xfe; /* not an opcode, not a magic */
		inspect_mem("r.bin", buf, sizeof(buf), NULL);
		ck_assert_int_eq(r.format, AV_FORMAT_UNKNOWN);
		ck_assert_int_eq(r.nglobals, 0);
		ck_assert_str_eq(r.error, "");
		av_inspect_fini(&r);
	}
}
END_TEST

START_TEST(missing_file_and_directory)
{
	av_error err;

	ck_assert_int_eq(av_inspect_file(&r, "/nonexistent/model.bin", NULL, &err), AV_EIO);
	ck_assert_str_eq(err.file, "/nonexistent/model.bin");
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot open"));
	ck_assert_int_eq(av_inspect_file(&r, "/", NULL, &err), AV_EIO);
	ck_assert_str_eq(err.msg, "not a regular file");
}
END_TEST

/* ---- limits ---- */

START_TEST(small_chunks_hash_the_same)
{
	char path[1024];
	av_error err;
	av_inspect_limits lim;

	fixture(path, sizeof(path), "torchlike_eval.zip");
	av_inspect_limits_default(&lim);
	lim.chunk = 7;
	ck_assert_int_eq(av_inspect_file(&r, path, &lim, &err), 0);
	ck_assert_str_eq(r.sha256,
	                 "d1f71ffd14c4b4add61061b008b9585968082c8c99fd50bdd2ef1577915c1e17");
}
END_TEST

START_TEST(hash_limit_leaves_sha_empty)
{
	av_inspect_limits lim;

	av_inspect_limits_default(&lim);
	lim.hash_max = 4;
	inspect_mem(NULL, B(os_system_global), &lim);
	ck_assert_str_eq(r.sha256, "");
	ck_assert_ptr_nonnull(strstr(r.error, "not hashed"));
	ck_assert_int_eq(rating_of("os", "system"), AV_RATING_DANGEROUS);
	cJSON *j = av_inspect_to_json(&r);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "sha256")));
	cJSON_Delete(j);
}
END_TEST

START_TEST(parse_limit_stops_the_walk)
{
	static unsigned char buf[300000];
	av_inspect_limits lim;
	size_t n = 0;

	/* PROTO 2, then many small ints, a GLOBAL at the very end. */
	buf[n++] = 0x80;
	buf[n++] = 2;
	while (n < sizeof(buf) - 40) {
		buf[n++] = 'K';
		buf[n++] = 1;
		buf[n++] = '0';
	}
	memcpy(buf + n, "cos\nsystem\n.", 12);
	n += 12;
	av_inspect_limits_default(&lim);
	lim.parse_max = 100000;
	inspect_mem(NULL, buf, n, &lim);
	ck_assert_int_eq(r.format, AV_FORMAT_PICKLE);
	ck_assert_ptr_nonnull(strstr(r.error, "parse limit of 100000 bytes"));
	ck_assert_int_eq(r.nglobals, 0);
	av_inspect_fini(&r);
	lim.parse_max = sizeof(buf);
	inspect_mem(NULL, buf, n, &lim);
	ck_assert_int_eq(rating_of("os", "system"), AV_RATING_DANGEROUS);
	ck_assert_str_eq(r.error, "");
}
END_TEST

START_TEST(global_list_is_bounded)
{
	char buf[8192];
	size_t n = 0;
	av_inspect_limits lim;

	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "cm%d\nf\n0", i);
	buf[n++] = 'N';
	buf[n++] = '.';
	av_inspect_limits_default(&lim);
	lim.max_globals = 10;
	inspect_mem(NULL, buf, n, &lim);
	ck_assert_int_eq(r.nglobals, 10);
	ck_assert_str_eq(r.error, "more than 10 distinct globals; the list is cut short");
}
END_TEST

START_TEST(long_line_is_refused)
{
	size_t n = 200000;
	char *buf = malloc(n);

	buf[0] = (char)0x80;
	buf[1] = 2;
	buf[2] = 'c';
	memset(buf + 3, 'a', n - 3);
	inspect_mem(NULL, buf, n, NULL);
	ck_assert_ptr_nonnull(strstr(r.error, "line longer than"));
	free(buf);
}
END_TEST

static Suite *
inspect_suite(void)
{
	Suite *s = suite_create("inspect");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, benign_pickle_has_safe_global);
	tcase_add_test(tc, global_os_system_is_dangerous);
	tcase_add_test(tc, inst_builtins_eval_is_dangerous);
	tcase_add_test(tc, stack_global_resolved_through_memo);
	tcase_add_test(tc, escaped_string_cannot_hide_module);
	tcase_add_test(tc, python_made_fixtures);
	tcase_add_test(tc, multiple_pickles_in_one_stream);
	tcase_add_test(tc, stored_zip_with_malicious_data_pkl);
	tcase_add_test(tc, keras_archive_with_lambda);
	tcase_add_test(tc, plain_zip_is_zip);
	tcase_add_test(tc, gguf_hdf5_npy_onnx_by_magic);
	tcase_add_test(tc, npy_object_array_pickle_is_walked);
	tcase_add_test(tc, ratings);
	tcase_add_test(tc, json_form);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, empty_file);
	tcase_add_test(tc, truncated_pickles_keep_what_was_found);
	tcase_add_test(tc, huge_lengths_do_not_allocate);
	tcase_add_test(tc, unresolvable_stack_global_fails_closed);
	tcase_add_test(tc, unknown_opcode_is_reported);
	tcase_add_test(tc, safetensors_bad_headers);
	tcase_add_test(tc, corrupt_zips);
	tcase_add_test(tc, random_bytes_are_unknown);
	tcase_add_test(tc, missing_file_and_directory);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, small_chunks_hash_the_same);
	tcase_add_test(tc, hash_limit_leaves_sha_empty);
	tcase_add_test(tc, parse_limit_stops_the_walk);
	tcase_add_test(tc, global_list_is_bounded);
	tcase_add_test(tc, long_line_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(inspect_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
