/*
 * test_markdown.c - sections, canonical sections and content detection of
 * Markdown cards, and the aivet.markdown Lua module.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "markdown.h"

static av_md_section *
split(const char *t, size_t *n)
{
	av_md_section *v = NULL;
	av_error err;
	av_error_clear(&err);
	ck_assert_int_eq(av_md_split(t, strlen(t), &v, n, &err), 0);
	return v;
}

static void
canon(const char *t, av_md_canon c[AV_SEC_COUNT])
{
	av_error err;
	av_error_clear(&err);
	ck_assert_int_eq(av_md_canonical(t, strlen(t), c, &err), 0);
}

static bool
classified(const char *heading, int id)
{
	return (av_md_classify(heading, strlen(heading)) & (1u << id)) != 0;
}

START_TEST(atx_and_setext_headings_with_levels_and_lines)
{
	const char *t = "intro\n"
			"# Title #\n"
			"text\n"
			"Setext one\n"
			"==========\n"
			"body\n"
			"Setext two\n"
			"---\n"
			"  ### Deep ###   \n"
			"last\n";
	size_t n;
	av_md_section *v = split(t, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(v[0].level, 1);
	ck_assert_int_eq(v[0].line, 2);
	ck_assert_uint_eq(v[0].heading_len, 5);
	ck_assert(memcmp(v[0].heading, "Title", 5) == 0);
	ck_assert_int_eq(v[1].level, 1);
	ck_assert_int_eq(v[1].line, 4);
	ck_assert(memcmp(v[1].heading, "Setext one", 10) == 0);
	ck_assert_int_eq(v[2].level, 2);
	ck_assert_int_eq(v[2].line, 7);
	ck_assert_int_eq(v[3].level, 3);
	ck_assert_uint_eq(v[3].heading_len, 4);
	/* A level-1 section ends at the next level-1 heading; its own text
	 * at the next heading of any level. */
	ck_assert_uint_eq(v[0].end, v[1].start);
	ck_assert_uint_eq(v[1].own_end, v[2].start);
	ck_assert_uint_eq(v[1].end, strlen(t));
	ck_assert_uint_eq(v[2].end, strlen(t));
	ck_assert(strncmp(t + v[3].body, "last\n", 5) == 0);
	free(v);
}
END_TEST

START_TEST(headings_in_fences_comments_and_front_matter_are_ignored)
{
	const char *t = "---\n"
			"license: mit\n"
			"# not a heading: yaml comment\n"
			"---\n"
			"## Real\n"
			"```bash\n"
			"# pip install things\n"
			"```\n"
			"~~~~\n"
			"## still code\n"
			"```\n"
			"~~~~\n"
			"<!-- a comment\n"
			"## Hidden\n"
			"-->\n"
			"#hashtag is not a heading\n"
			"    # indented code is not a heading\n"
			"- item\n"
			"---\n"
			"## Second\n";
	size_t n;
	av_md_section *v = split(t, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert(memcmp(v[0].heading, "Real", 4) == 0);
	ck_assert_int_eq(v[0].line, 5);
	ck_assert(memcmp(v[1].heading, "Second", 6) == 0);
	ck_assert_int_eq(v[1].line, 20);
	free(v);
}
END_TEST

START_TEST(crlf_and_no_final_newline)
{
	const char *t = "# One\r\nbody\r\n## Two\r\nmore";
	size_t n;
	av_md_section *v = split(t, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(v[0].heading_len, 3);
	ck_assert_uint_eq(v[1].heading_len, 3);
	ck_assert_uint_eq(v[1].end, strlen(t));
	free(v);
}
END_TEST

START_TEST(fuzzy_heading_classes)
{
	ck_assert(classified("Intended Uses", AV_SEC_INTENDED_USE));
	ck_assert(classified("#### **Direct Use**", AV_SEC_INTENDED_USE));
	ck_assert(classified("Downstream Use [optional]", AV_SEC_INTENDED_USE));
	ck_assert(classified("3.1 Uses", AV_SEC_INTENDED_USE));
	ck_assert(!classified("How to use", AV_SEC_INTENDED_USE));
	ck_assert(!classified("Intended Users", AV_SEC_INTENDED_USE));
	ck_assert(classified("Intended Users", AV_SEC_USERS));
	ck_assert(classified("Out-of-Scope Use", AV_SEC_OUT_OF_SCOPE));
	ck_assert(!classified("Out-of-Scope Use", AV_SEC_INTENDED_USE));
	ck_assert(classified("Misuse and malicious use", AV_SEC_OUT_OF_SCOPE));
	ck_assert(classified("Prohibited uses", AV_SEC_OUT_OF_SCOPE));
	uint32_t brl = av_md_classify("Bias, Risks, and Limitations", 28);
	ck_assert(brl & (1u << AV_SEC_RISKS));
	ck_assert(brl & (1u << AV_SEC_BIAS));
	ck_assert(brl & (1u << AV_SEC_LIMITATIONS));
	ck_assert(classified("Ethical considerations", AV_SEC_RISKS));
	ck_assert(classified("Training Data", AV_SEC_TRAINING_DATA));
	ck_assert(!classified("Training Data", AV_SEC_TRAINING_PROCEDURE));
	ck_assert(classified("Training procedure", AV_SEC_TRAINING_PROCEDURE));
	ck_assert(classified("Fine-tuning", AV_SEC_TRAINING_PROCEDURE));
	ck_assert(classified("Testing Data, Factors & Metrics", AV_SEC_EVALUATION));
	ck_assert(classified("Benchmark results", AV_SEC_EVALUATION));
	ck_assert(classified("Carbon footprint", AV_SEC_ENVIRONMENTAL_IMPACT));
	ck_assert(classified("Red teaming", AV_SEC_SAFETY_TESTING));
	ck_assert(classified("Responsible AI considerations", AV_SEC_SAFETY_TESTING));
	ck_assert(classified("Language(s)", AV_SEC_LANGUAGES));
	ck_assert(classified("Supported languages", AV_SEC_LANGUAGES));
	ck_assert(!classified("A Large Language Model", AV_SEC_LANGUAGES));
	ck_assert(classified("Application domains", AV_SEC_DOMAINS));
	ck_assert_uint_eq(av_md_classify("Model Details", 13), 0);
	ck_assert_uint_eq(av_md_classify("", 0), 0);
	ck_assert_uint_eq(av_md_classify("🤗 ***", 7), 0);
}
END_TEST

START_TEST(placeholders_are_not_content)
{
	const char *empty[] = {
		"[More Information Needed]",
		"<!-- Describe the uses here. -->\n[More Information Needed]\n",
		"{{ direct_use | default(\"[More Information Needed]\", true)}}",
		"[More Information Needed](https://example.org/contribute)",
		"TBD", "N/A.", "TODO", "[optional]", "More information needed.",
		"### Direct Use\n\n[More Information Needed]\n### Downstream Use [optional]\nTBD\n",
		"- **Hours used:** \n- **Cloud Provider:** [More Information Needed]\n",
		"",
	};
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
		ck_assert_msg(!av_md_has_content(empty[i], strlen(empty[i])), "counted: %s", empty[i]);
	const char *full[] = {
		"The model answers questions about invoices.",
		"TBD: the model is trained on public invoices only.",
		"[More Information Needed]\nIt is meant for research use only.",
		"English and French",
		"模型用于研究", /* no spaces: each character counts */
	};
	for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i++)
		ck_assert_msg(av_md_has_content(full[i], strlen(full[i])), "missed: %s", full[i]);
	ck_assert_uint_eq(av_md_content_words("one two | - three", 17), 3);
}
END_TEST

START_TEST(canonical_sections_of_a_card)
{
	const char *t = "---\nlicense: mit\n---\n"
			"# Model Card for Quill\n"
			"## Uses\n"
			"### Direct Use\n"
			"Quill drafts replies to customer e-mails for review by staff.\n"
			"### Out-of-Scope Use\n"
			"[More Information Needed]\n"
			"## Bias, Risks, and Limitations\n"
			"<!-- fill in -->\n"
			"{{ bias | default(\"[More Information Needed]\", true) }}\n"
			"Training Details\n"
			"----------------\n"
			"### Training Data\n"
			"Synthetic support threads written by the team.\n";
	av_md_canon c[AV_SEC_COUNT];
	canon(t, c);
	ck_assert(c[AV_SEC_INTENDED_USE].present);
	ck_assert(c[AV_SEC_INTENDED_USE].content);
	ck_assert(c[AV_SEC_OUT_OF_SCOPE].present);
	ck_assert(!c[AV_SEC_OUT_OF_SCOPE].content);
	ck_assert_int_eq(c[AV_SEC_OUT_OF_SCOPE].line, 8);
	ck_assert(c[AV_SEC_RISKS].present && !c[AV_SEC_RISKS].content);
	ck_assert(c[AV_SEC_LIMITATIONS].present && !c[AV_SEC_LIMITATIONS].content);
	ck_assert(c[AV_SEC_TRAINING_DATA].present && c[AV_SEC_TRAINING_DATA].content);
	ck_assert_uint_eq(c[AV_SEC_TRAINING_DATA].words, 7);
	/* The setext "Training Details" holds the training data subsection. */
	ck_assert(c[AV_SEC_TRAINING_PROCEDURE].present);
	ck_assert(!c[AV_SEC_EVALUATION].present);
	ck_assert(!c[AV_SEC_LANGUAGES].present);
	ck_assert_ptr_null(c[AV_SEC_EVALUATION].heading);
}
END_TEST

START_TEST(the_fullest_matching_section_wins)
{
	const char *t = "## Limitations\nTBD\n## Known limitations and caveats\n"
			"It fails on handwriting and on scanned tables.\n";
	av_md_canon c[AV_SEC_COUNT];
	canon(t, c);
	ck_assert(c[AV_SEC_LIMITATIONS].content);
	ck_assert_int_eq(c[AV_SEC_LIMITATIONS].line, 3);
}
END_TEST

START_TEST(over_the_byte_bound_is_refused)
{
	size_t len = AV_MD_MAX_BYTES + 1;
	char *t = malloc(len);
	ck_assert_ptr_nonnull(t);
	memset(t, 'a', len);
	av_md_section *v = (void *)1;
	size_t n = 1;
	av_error err;
	av_error_clear(&err);
	ck_assert_int_eq(av_md_split(t, len, &v, &n, &err), AV_ELIMIT);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "over the limit"));
	free(t);
}
END_TEST

START_TEST(too_many_headings_is_refused)
{
	size_t count = AV_MD_MAX_SECTIONS + 1;
	char *t = malloc(count * 4 + 1);
	ck_assert_ptr_nonnull(t);
	for (size_t i = 0; i < count; i++)
		memcpy(t + i * 4, "# x\n", 4);
	t[count * 4] = '\0';
	av_md_section *v;
	size_t n;
	av_error err;
	av_error_clear(&err);
	ck_assert_int_eq(av_md_split(t, count * 4, &v, &n, &err), AV_ELIMIT);
	ck_assert_int_eq(err.line, AV_MD_MAX_SECTIONS + 1);
	free(t);
}
END_TEST

START_TEST(unclosed_constructs_and_binary_do_not_crash)
{
	const char *odd[] = {"```\n# in an unclosed fence", "<!-- never closed\n# x",
		"#", "######", "####### seven", "---\nno closing front matter\n# H\n",
		"\n\n===\n---\n", "x\n=", "\xff\xfe\x00\x01# a"};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		size_t len = i == 8 ? 7 : strlen(odd[i]);
		av_md_canon c[AV_SEC_COUNT];
		av_error err;
		ck_assert_int_eq(av_md_canonical(odd[i], len, c, &err), 0);
		av_md_content_words(odd[i], len);
	}
	size_t n;
	av_md_section *v = split("```\n# in an unclosed fence", &n);
	ck_assert_uint_eq(n, 0);
	free(v);
	v = split("---\nno closing front matter\n# H\n", &n);
	ck_assert_uint_eq(n, 1);
	free(v);
}
END_TEST

/* ---- Lua ---- */

static lua_State *
lua_with_module(void)
{
	lua_State *L = luaL_newstate();
	ck_assert_ptr_nonnull(L);
	luaL_openlibs(L);
	luaL_requiref(L, "aivet.markdown", luaopen_aivet_markdown, 0);
	lua_setglobal(L, "md");
	return L;
}

static void
run_lua(lua_State *L, const char *chunk)
{
	if (luaL_dostring(L, chunk) != LUA_OK)
		ck_abort_msg("lua: %s", lua_tostring(L, -1));
}

START_TEST(lua_sections_find_has_content_canonical)
{
	lua_State *L = lua_with_module();
	run_lua(L,
	    "local card = '# T\\n## Intended uses & limitations\\nFor drafting replies only.\\n'"
	    "  .. '### Direct use\\nTBD\\n## Evaluation\\n[More Information Needed]\\n'\n"
	    "local s = md.sections(card)\n"
	    "assert(#s == 4, #s)\n"
	    "assert(s[2].heading == 'Intended uses & limitations' and s[2].level == 2)\n"
	    "assert(s[2].line == 2 and s[2].text:find('Direct use'))\n"
	    "local f = md.find(card, 'intended_use')\n"
	    "assert(f and f.heading == 'Intended uses & limitations')\n"
	    "assert(md.find(card, 'Intended Use').line == 2)\n"
	    "assert(md.find(card, 'evaluation').heading == 'Evaluation')\n"
	    "assert(md.find(card, 'training_data') == nil)\n"
	    "assert(md.find(card, 'no such heading') == nil)\n"
	    "assert(md.has_content('TBD') == false)\n"
	    "local ok, w = md.has_content('Three real words')\n"
	    "assert(ok and w == 3)\n"
	    "local c = md.canonical(card)\n"
	    "assert(c.intended_use.present and c.intended_use.content)\n"
	    "assert(c.limitations.present and c.limitations.content)\n"
	    "assert(c.evaluation.present and not c.evaluation.content)\n"
	    "assert(c.risks.present == false and c.risks.heading == nil)\n"
	    "assert(#md.NAMES == 13)\n"
	    "local k = md.classify('Bias, Risks, and Limitations')\n"
	    "assert(#k == 3)\n");
	lua_close(L);
}
END_TEST

START_TEST(lua_bad_arguments_raise)
{
	lua_State *L = lua_with_module();
	ck_assert_int_ne(luaL_dostring(L, "md.sections({})"), LUA_OK);
	ck_assert_ptr_nonnull(strstr(lua_tostring(L, -1), "bad argument #1 to 'sections'"));
	lua_pop(L, 1);
	ck_assert_int_ne(luaL_dostring(L, "md.find('x')"), LUA_OK);
	lua_close(L);
}
END_TEST

static Suite *
markdown_suite(void)
{
	Suite *s = suite_create("markdown");
	TCase *core = tcase_create("core");
	tcase_add_test(core, atx_and_setext_headings_with_levels_and_lines);
	tcase_add_test(core, headings_in_fences_comments_and_front_matter_are_ignored);
	tcase_add_test(core, crlf_and_no_final_newline);
	tcase_add_test(core, fuzzy_heading_classes);
	tcase_add_test(core, placeholders_are_not_content);
	tcase_add_test(core, canonical_sections_of_a_card);
	tcase_add_test(core, the_fullest_matching_section_wins);
	suite_add_tcase(s, core);
	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, over_the_byte_bound_is_refused);
	tcase_add_test(limits, too_many_headings_is_refused);
	suite_add_tcase(s, limits);
	TCase *errors = tcase_create("errors");
	tcase_add_test(errors, unclosed_constructs_and_binary_do_not_crash);
	suite_add_tcase(s, errors);
	TCase *lua = tcase_create("lua");
	tcase_add_test(lua, lua_sections_find_has_content_canonical);
	tcase_add_test(lua, lua_bad_arguments_raise);
	suite_add_tcase(s, lua);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(markdown_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
