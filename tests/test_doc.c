/*
 * test_doc.c - the document tree: scalar typing, positions, bounds, errors,
 * JSON and YAML output and their round trips, and the builder.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc.h"

static av_doc *
parse_ok(const char *s, av_format fmt)
{
	av_doc *d = NULL;
	av_error e;
	int rc = av_doc_parse(&d, s, strlen(s), fmt, "t.yaml", NULL, &e);

	ck_assert_msg(rc == 0, "parse failed: %s at %d:%d", e.msg, e.line, e.column);
	return d;
}

static int
parse_err(const char *s, av_format fmt, const av_limits *lim, av_error *e)
{
	av_doc *d = NULL;
	int rc = av_doc_parse(&d, s, strlen(s), fmt, "t.yaml", lim, e);

	ck_assert_ptr_null(d);
	ck_assert_int_ne(rc, 0);
	ck_assert_int_eq(e->code, rc);
	ck_assert_str_eq(e->file, "t.yaml");
	return rc;
}

/* Structural equality: types, values, keys and order; not positions. */
static bool
node_eq(const av_node *a, const av_node *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case AV_NULL:
		return true;
	case AV_BOOL:
		return a->b == b->b;
	case AV_INT:
		return a->i == b->i;
	case AV_FLOAT:
		return (isnan(a->d) && isnan(b->d)) || a->d == b->d;
	case AV_STR:
		return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
	case AV_SEQ:
	case AV_MAP:
		if (a->count != b->count)
			return false;
		for (const av_node *x = a->first, *y = b->first; x; x = x->next, y = y->next) {
			if (a->type == AV_MAP && strcmp(x->key, y->key) != 0)
				return false;
			if (!node_eq(x, y))
				return false;
		}
		return true;
	}
	return false;
}

START_TEST(core_schema_types)
{
	av_doc *d = parse_ok("n1: null\nn2: ~\nn3:\nb1: true\nb2: False\nyes: yes\noff: off\n"
	    "i1: 42\ni2: -7\ni3: 0x1F\ni4: 0o17\nf1: 1.5\nf2: -.inf\nf3: .nan\nf4: 1e3\n"
	    "s1: '42'\ns2: \"true\"\ns3: 1.2.3\ns4: !!str 12\ns5: |\n  block\nbig: 99999999999999999999\n"
	    "v: 1.0\nsha: 41b61a33\n", AV_FMT_YAML);
	const av_node *r = av_doc_root(d);

	ck_assert_int_eq(r->type, AV_MAP);
	ck_assert_int_eq(av_map_get(r, "n1")->type, AV_NULL);
	ck_assert_int_eq(av_map_get(r, "n2")->type, AV_NULL);
	ck_assert_int_eq(av_map_get(r, "n3")->type, AV_NULL);
	ck_assert(av_map_get(r, "b1")->b);
	ck_assert_int_eq(av_map_get(r, "b2")->type, AV_BOOL);
	ck_assert(!av_map_get(r, "b2")->b);
	ck_assert_str_eq(av_map_str(r, "yes"), "yes");
	ck_assert_str_eq(av_map_str(r, "off"), "off");
	ck_assert_int_eq(av_map_get(r, "i1")->i, 42);
	ck_assert_int_eq(av_map_get(r, "i2")->i, -7);
	ck_assert_int_eq(av_map_get(r, "i3")->i, 31);
	ck_assert_int_eq(av_map_get(r, "i4")->i, 15);
	ck_assert_str_eq(av_map_get(r, "i3")->str, "0x1F");
	ck_assert_int_eq(av_map_get(r, "f1")->type, AV_FLOAT);
	ck_assert(av_map_get(r, "f1")->d == 1.5);
	ck_assert(isinf(av_map_get(r, "f2")->d) && av_map_get(r, "f2")->d < 0);
	ck_assert(isnan(av_map_get(r, "f3")->d));
	ck_assert(av_map_get(r, "f4")->d == 1000.0);
	ck_assert_str_eq(av_map_str(r, "s1"), "42");
	ck_assert_str_eq(av_map_str(r, "s2"), "true");
	ck_assert_str_eq(av_map_str(r, "s3"), "1.2.3");
	ck_assert_str_eq(av_map_str(r, "s4"), "12");
	ck_assert_str_eq(av_map_str(r, "s5"), "block\n");
	ck_assert_int_eq(av_map_get(r, "big")->type, AV_FLOAT);
	ck_assert_int_eq(av_map_get(r, "v")->type, AV_FLOAT);
	ck_assert_str_eq(av_map_get(r, "v")->str, "1.0");
	ck_assert_str_eq(av_map_str(r, "sha"), "41b61a33");
	ck_assert_ptr_null(av_map_str(r, "i1")); /* wrong type */
	ck_assert_ptr_null(av_map_get(r, "absent"));
	av_doc_destroy(d);
}
END_TEST

START_TEST(positions_are_one_based)
{
	av_doc *d = parse_ok("a: 1\nlist:\n  - x\n  - k: v\n", AV_FMT_YAML);
	const av_node *r = av_doc_root(d);
	const av_node *a = av_map_get(r, "a");
	const av_node *k = av_node_at(r, "list.1.k");

	ck_assert_int_eq(a->line, 1);
	ck_assert_int_eq(a->column, 4);
	ck_assert_int_eq(a->key_line, 1);
	ck_assert_int_eq(a->key_column, 1);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->str, "v");
	ck_assert_int_eq(k->line, 4);
	ck_assert_int_eq(k->column, 8);
	ck_assert_int_eq(k->key_column, 5);
	ck_assert_str_eq(av_node_at(r, "list.0")->str, "x");
	ck_assert_ptr_null(av_node_at(r, "list.2"));
	ck_assert_ptr_null(av_node_at(r, "a.b"));
	ck_assert_str_eq(av_doc_name(d), "t.yaml");
	av_doc_destroy(d);
}
END_TEST

START_TEST(empty_document_is_null)
{
	av_doc *d = parse_ok("# only a comment\n", AV_FMT_AUTO);
	ck_assert_int_eq(av_doc_root(d)->type, AV_NULL);
	av_doc_destroy(d);
}
END_TEST

START_TEST(json_and_yaml_give_equal_trees)
{
	const char *y = "name: m\nn: 3\nf: 2.5\nok: true\nnone: null\nl:\n  - a\n  - {x: 1}\n"
	    "u: \"caf\\u00e9 \\t\"\n";
	const char *j = " {\"name\": \"m\", \"n\": 3, \"f\": 2.5, \"ok\": true, \"none\": null,\n"
	    "\"l\": [\"a\", {\"x\":1}], \"u\": \"caf\\u00e9 \\t\"}";
	av_doc *dy = parse_ok(y, AV_FMT_YAML), *dj = parse_ok(j, AV_FMT_AUTO);

	ck_assert(node_eq(av_doc_root(dy), av_doc_root(dj)));
	ck_assert_int_eq(av_map_get(av_doc_root(dj), "l")->line, 2);
	char *a = av_node_to_json(av_doc_root(dy), NULL);
	char *b = av_node_to_json(av_doc_root(dj), NULL);
	ck_assert_str_eq(a, b);
	ck_assert_str_eq(a, "{\"name\":\"m\",\"n\":3,\"f\":2.5,\"ok\":true,\"none\":null,"
	    "\"l\":[\"a\",{\"x\":1}],\"u\":\"caf\xc3\xa9 \\t\"}");
	free(a);
	free(b);
	av_doc_destroy(dy);
	av_doc_destroy(dj);
}
END_TEST

/* JSON writes characters beyond U+FFFF as surrogate pairs; YAML has no such
 * escape, so the reader joins them. */
START_TEST(json_surrogate_pairs_are_joined)
{
	av_doc *d = parse_ok("{\"s\": \"a\\uD83E\\uDD17b\", \"t\": \"\\\\uD83E\"}", AV_FMT_JSON);
	ck_assert_str_eq(av_map_str(av_doc_root(d), "s"), "a\xF0\x9F\xA4\x97" "b");
	/* An escaped backslash before "u" is not an escape. */
	ck_assert_str_eq(av_map_str(av_doc_root(d), "t"), "\\uD83E");
	av_doc_destroy(d);
}
END_TEST

START_TEST(json_output_escapes_and_numbers)
{
	av_doc *d = av_doc_create(NULL);
	av_node *m = av_node_new(d, AV_MAP);

	av_map_set(d, m, "ctl", av_node_new_str(d, "a\"b\\c\n\x01\x1f", 8));
	av_map_set(d, m, "f", av_node_new_float(d, 1.0));
	av_map_set(d, m, "g", av_node_new_float(d, 0.1));
	av_map_set(d, m, "nan", av_node_new_float(d, NAN));
	av_map_set(d, m, "inf", av_node_new_float(d, INFINITY));
	av_map_set(d, m, "i", av_node_new_int(d, -9007199254740993LL));
	av_map_set(d, m, "e", av_node_new(d, AV_SEQ));
	av_doc_set_root(d, m);
	size_t len;
	char *j = av_node_to_json(m, &len);
	ck_assert_str_eq(j, "{\"ctl\":\"a\\\"b\\\\c\\n\\u0001\\u001f\",\"f\":1.0,\"g\":0.1,"
	    "\"nan\":null,\"inf\":null,\"i\":-9007199254740993,\"e\":[]}");
	ck_assert_uint_eq(len, strlen(j));
	free(j);
	av_doc_destroy(d);
}
END_TEST

static void
round_trip(const char *src)
{
	av_doc *d = parse_ok(src, AV_FMT_YAML), *d2 = NULL;
	av_error e;
	char *y = av_node_to_yaml(av_doc_root(d), NULL);

	ck_assert_ptr_nonnull(y);
	int rc = av_doc_parse(&d2, y, strlen(y), AV_FMT_YAML, "rt", NULL, &e);
	ck_assert_msg(rc == 0, "re-parse failed: %s at %d:%d in\n%s", e.msg, e.line, e.column, y);
	ck_assert_msg(node_eq(av_doc_root(d), av_doc_root(d2)), "round trip differs:\n%s", y);
	free(y);
	av_doc_destroy(d);
	av_doc_destroy(d2);
}

START_TEST(yaml_round_trip)
{
	round_trip("a: 1\nb: '1'\nc: 'true'\nd: 'null'\ne: ''\nf: '~'\ng: '- x'\nh: 'a: b'\n"
	    "i: 'x #y'\nj: \"line\\nbreak\\ttab\"\nk: \"caf\\u00e9\"\nl: ' lead'\nm: 'trail '\n"
	    "n: '0x1F'\no: '.inf'\np: '1e3'\nq: '...'\nr: '[x]'\ns: 'a,b'\n'key: x': 1\n"
	    "'': empty key\nu: \"\\x01\\u0085\\u2028\\ufeff\"\nv: 2.5\nw: .nan\nx: -.inf\n"
	    "y: [[], {}, [1, [2, {z: [3]}]]]\nz:\n  - - a\n    - b\n  - k: v\n    k2: [x]\n");
	round_trip("[1, two, {three: 3}]");
	round_trip("plain");
	round_trip("'123'");
	round_trip("~");
}
END_TEST

START_TEST(builder_and_copy)
{
	av_doc *d = av_doc_create("built");
	av_node *m = av_node_new(d, AV_MAP), *s = av_node_new(d, AV_SEQ);

	av_seq_append(s, av_node_new_cstr(d, "x"));
	av_seq_append(s, av_node_new_bool(d, true));
	av_map_set(d, m, "a", av_node_new_int(d, 1));
	av_map_set(d, m, "list", s);
	av_map_set(d, m, "a", av_node_new_cstr(d, "replaced"));
	av_doc_set_root(d, m);
	ck_assert_uint_eq(m->count, 2);
	ck_assert_str_eq(m->first->key, "a");
	ck_assert_str_eq(av_map_str(m, "a"), "replaced");
	ck_assert_str_eq(av_node_at(m, "list.1")->str, "true");
	ck_assert_str_eq(av_doc_name(d), "built");

	av_doc *d2 = av_doc_create(NULL);
	av_node *c = av_node_copy(d2, m);
	av_doc_destroy(d); /* the copy must not share memory with d */
	ck_assert_str_eq(av_map_str(c, "a"), "replaced");
	ck_assert(av_node_at(c, "list.1")->b);
	ck_assert_str_eq(av_node_at(c, "list.0")->str, "x");
	ck_assert_str_eq(av_doc_name(d2), "<input>");
	char *j = av_node_to_json(c, NULL);
	ck_assert_str_eq(j, "{\"a\":\"replaced\",\"list\":[\"x\",true]}");
	free(j);
	av_doc_destroy(d2);
	av_doc_destroy(NULL);
}
END_TEST

START_TEST(aliases_expand)
{
	av_doc *d = parse_ok("base: &b {x: 1, y: [2]}\nuse: *b\nlist: [*b, *b]\ns: &s str\nt: *s\n",
	    AV_FMT_YAML);
	const av_node *r = av_doc_root(d);

	ck_assert_int_eq(av_node_at(r, "use.y.0")->i, 2);
	ck_assert_int_eq(av_node_at(r, "list.1.x")->i, 1);
	ck_assert_ptr_null(av_node_at(r, "list.1")->key);
	ck_assert_str_eq(av_map_str(r, "t"), "str");
	ck_assert_int_eq(av_map_get(r, "use")->line, 2);
	av_doc_destroy(d);
	/* An anchored key can be used as a value or as another key. */
	d = parse_ok("&k name: 1\nother: *k\nm: {*k : 2}\n", AV_FMT_YAML);
	r = av_doc_root(d);
	ck_assert_str_eq(av_map_str(r, "other"), "name");
	ck_assert_int_eq(av_node_at(r, "m.name")->i, 2);
	av_doc_destroy(d);
}
END_TEST

START_TEST(parse_speed)
{
	/* A manifest-sized document (about 3 KB) parses in well under 100 us. */
	char buf[4096];
	size_t n = 0;
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "apiVersion: aivet/v1\nkind: model\n");
	for (int i = 0; n < 3000; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		    "section%d:\n  name: item-%d\n  enabled: true\n  size: %d\n  tags: [a, b]\n", i,
		    i, i * 7);
	struct timespec t0, t1;
	int reps = 200;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < reps; i++) {
		av_doc *d = NULL;
		ck_assert_int_eq(av_doc_parse(&d, buf, n, AV_FMT_YAML, NULL, NULL, NULL), 0);
		av_doc_destroy(d);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double us = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
	    1e3 / reps;
	fprintf(stderr, "parse of %zu bytes: %.1f us\n", n, us);
	/* Generous so that sanitizer builds pass: this catches quadratic
	 * behaviour, not a slow machine.  The figure is printed. */
	ck_assert_msg(us < 20000, "parse took %.1f us", us);
}
END_TEST

START_TEST(limit_bytes_checked_first)
{
	size_t n = 2 * 1024 * 1024;
	char *big = malloc(n + 1);
	av_error e;
	av_doc *d = NULL;

	memset(big, 'a', n);
	big[n] = '\0';
	big[0] = '[';
	ck_assert_int_eq(parse_err(big, AV_FMT_AUTO, NULL, &e), AV_ELIMIT);
	ck_assert_ptr_nonnull(strstr(e.msg, "bytes"));
	/* With a raised bound the same size parses. */
	av_limits l;
	av_limits_default(&l);
	l.max_bytes = 4 * 1024 * 1024;
	memset(big, 'a', n);
	memcpy(big, "k: ", 3);
	ck_assert_int_eq(av_doc_parse(&d, big, n, AV_FMT_YAML, NULL, &l, &e), 0);
	ck_assert_uint_eq(av_map_get(av_doc_root(d), "k")->len, n - 3);
	av_doc_destroy(d);
	free(big);
}
END_TEST

static char *
nested(int depth)
{
	char *s = malloc((size_t)depth * 2 + 1);
	for (int i = 0; i < depth; i++) {
		s[i] = '[';
		s[depth + i] = ']';
	}
	s[2 * depth] = '\0';
	return s;
}

START_TEST(limit_depth)
{
	char *s = nested(10000);
	av_error e;
	av_limits l;

	ck_assert_int_eq(parse_err(s, AV_FMT_YAML, NULL, &e), AV_ELIMIT);
	ck_assert_ptr_nonnull(strstr(e.msg, "64"));
	ck_assert_int_eq(e.line, 1);
	ck_assert_int_eq(e.column, 65);
	av_limits_default(&l);
	l.max_depth = 20000;
	av_doc *d = NULL;
	ck_assert_int_eq(av_doc_parse(&d, s, strlen(s), AV_FMT_YAML, NULL, &l, &e), 0);
	char *j = av_node_to_json(av_doc_root(d), NULL);
	ck_assert_str_eq(j, s);
	free(j);
	av_doc_destroy(d);
	free(s);
	s = nested(64);
	d = parse_ok(s, AV_FMT_JSON);
	av_doc_destroy(d);
	free(s);
}
END_TEST

START_TEST(limit_alias_bomb)
{
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	    "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
	    "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	av_error e;
	av_limits l;
	clock_t t0 = clock();

	ck_assert_int_eq(parse_err(bomb, AV_FMT_YAML, NULL, &e), AV_ELIMIT);
	ck_assert_ptr_nonnull(strstr(e.msg, "alias"));
	/* Without the alias bound, the node bound stops it before expansion. */
	av_limits_default(&l);
	l.max_aliases = 1000;
	ck_assert_int_eq(parse_err(bomb, AV_FMT_YAML, &l, &e), AV_ELIMIT);
	ck_assert_ptr_nonnull(strstr(e.msg, "nodes"));
	ck_assert_int_eq(e.line, 5); /* e: 111111 nodes */
	ck_assert((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
}
END_TEST

START_TEST(limit_nodes)
{
	av_limits l;
	av_error e;

	av_limits_default(&l);
	l.max_nodes = 5;
	ck_assert_int_eq(parse_err("[1, 2, 3, 4, 5]", AV_FMT_YAML, &l, &e), AV_ELIMIT);
	ck_assert_int_eq(e.column, 14);
	l.max_nodes = 6;
	av_doc *d = NULL;
	ck_assert_int_eq(av_doc_parse(&d, "[1, 2, 3, 4, 5]", 15, AV_FMT_YAML, NULL, &l, &e), 0);
	av_doc_destroy(d);
}
END_TEST

START_TEST(error_duplicate_key)
{
	av_error e;

	ck_assert_int_eq(parse_err("name: a\nother: 1\nname: b\n", AV_FMT_YAML, NULL, &e),
	    AV_EPARSE);
	ck_assert_ptr_nonnull(strstr(e.msg, "duplicate key \"name\""));
	ck_assert_ptr_nonnull(strstr(e.msg, "line 1"));
	ck_assert_ptr_nonnull(strstr(e.msg, "line 3"));
	ck_assert_int_eq(e.line, 3);
	ck_assert_int_eq(e.column, 1);
	/* The same key in different maps is fine. */
	av_doc *d = parse_ok("a: {name: 1}\nb: {name: 2}\n", AV_FMT_YAML);
	av_doc_destroy(d);
	ck_assert_int_eq(parse_err("{\"a\": 1, \"a\": 2}", AV_FMT_JSON, NULL, &e), AV_EPARSE);
}
END_TEST

START_TEST(error_collection_key)
{
	av_error e;

	ck_assert_int_eq(parse_err("? [a, b]\n: 1\n", AV_FMT_YAML, NULL, &e), AV_EPARSE);
	ck_assert_ptr_nonnull(strstr(e.msg, "key must be a string"));
	ck_assert_int_eq(e.line, 1);
	ck_assert_int_eq(e.column, 3);
	ck_assert_int_eq(parse_err("x: &m {a: 1}\n*m : 2\n", AV_FMT_YAML, NULL, &e), AV_EPARSE);
}
END_TEST

START_TEST(error_syntax_has_position)
{
	av_error e;
	char buf[1024];

	ck_assert_int_eq(parse_err("a: b: c\n", AV_FMT_YAML, NULL, &e), AV_EPARSE);
	ck_assert_ptr_nonnull(strstr(e.msg, "mapping values are not allowed"));
	ck_assert_int_eq(e.line, 1);
	ck_assert_int_eq(e.column, 5);
	av_error_format(&e, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "t.yaml:1:5: "));
	ck_assert_int_eq(parse_err("a: [1, 2\nb: 3\n", AV_FMT_YAML, NULL, &e), AV_EPARSE);
	ck_assert_int_gt(e.line, 0);
	ck_assert_int_eq(parse_err("a: *nope\n", AV_FMT_YAML, NULL, &e), AV_EPARSE);
	ck_assert_ptr_nonnull(strstr(e.msg, "nope"));
	ck_assert_int_eq(parse_err("a: &r [*r]\n", AV_FMT_YAML, NULL, &e), AV_EPARSE);
}
END_TEST

START_TEST(error_multi_document)
{
	av_error e;

	ck_assert_int_eq(parse_err("a: 1\n---\nb: 2\n", AV_FMT_YAML, NULL, &e), AV_EPARSE);
	ck_assert_int_eq(e.line, 2);
	ck_assert_ptr_nonnull(strstr(e.msg, "second document"));
}
END_TEST

START_TEST(error_invalid_utf8)
{
	av_error e;

	ck_assert_int_eq(parse_err("a: ok\nb: caf\xc3(\n", AV_FMT_YAML, NULL, &e), AV_EPARSE);
	ck_assert_int_eq(e.line, 2);
	ck_assert_int_eq(e.column, 8); /* the byte that breaks the sequence */
	ck_assert_int_eq(parse_err("a: \xff\n", AV_FMT_YAML, NULL, &e), AV_EPARSE);
	/* NUL and other control characters are refused too. */
	av_doc *d = NULL;
	ck_assert_int_eq(av_doc_parse(&d, "a: \0b", 5, AV_FMT_YAML, NULL, NULL, &e), AV_EPARSE);
}
END_TEST

START_TEST(error_json_strictness)
{
	av_error e;

	ck_assert_int_eq(parse_err("a: 1", AV_FMT_JSON, NULL, &e), AV_EPARSE);
	ck_assert_ptr_nonnull(strstr(e.msg, "'{' or '['"));
	ck_assert_int_eq(parse_err("{a: 1}", AV_FMT_JSON, NULL, &e), AV_EPARSE);
	ck_assert_int_eq(parse_err("{\"a\": yes}", AV_FMT_JSON, NULL, &e), AV_EPARSE);
	ck_assert_int_eq(e.column, 7);
	ck_assert_int_eq(parse_err("{\"a\": 'x'}", AV_FMT_JSON, NULL, &e), AV_EPARSE);
	ck_assert_int_eq(parse_err("[0x10]", AV_FMT_JSON, NULL, &e), AV_EPARSE);
	ck_assert_int_eq(parse_err("[1, 2] 3", AV_FMT_JSON, NULL, &e), AV_EPARSE);
	ck_assert_int_eq(parse_err("{\"a\": 1", AV_FMT_JSON, NULL, &e), AV_EPARSE);
}
END_TEST

static Suite *
doc_suite(void)
{
	Suite *s = suite_create("doc");
	TCase *core = tcase_create("core");
	TCase *limits = tcase_create("limits");
	TCase *errors = tcase_create("errors");

	tcase_add_test(core, core_schema_types);
	tcase_add_test(core, positions_are_one_based);
	tcase_add_test(core, empty_document_is_null);
	tcase_add_test(core, json_and_yaml_give_equal_trees);
	tcase_add_test(core, json_output_escapes_and_numbers);
	tcase_add_test(core, json_surrogate_pairs_are_joined);
	tcase_add_test(core, yaml_round_trip);
	tcase_add_test(core, builder_and_copy);
	tcase_add_test(core, aliases_expand);
	tcase_add_test(core, parse_speed);
	tcase_add_test(limits, limit_bytes_checked_first);
	tcase_add_test(limits, limit_depth);
	tcase_add_test(limits, limit_alias_bomb);
	tcase_add_test(limits, limit_nodes);
	tcase_add_test(errors, error_duplicate_key);
	tcase_add_test(errors, error_collection_key);
	tcase_add_test(errors, error_syntax_has_position);
	tcase_add_test(errors, error_multi_document);
	tcase_add_test(errors, error_invalid_utf8);
	tcase_add_test(errors, error_json_strictness);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	suite_add_tcase(s, errors);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(doc_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
