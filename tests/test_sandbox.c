/*
 * test_sandbox.c - escapes and bombs against the plugin sandbox, each
 * played by a plugin inside a real runtime: coroutines, collectgarbage,
 * deep recursion, load, string.dump, tricks on the read-only component,
 * memory and pattern bombs, finalizers, and values that break the host's
 * assumptions.  Each test pins down the exact outcome (the engine.* finding
 * that replaces the plugin's, or the attack contained and the plugin's own
 * finding reported) and then checks that the same runtime evaluates a good
 * plugin normally.  Escapes already covered by test_plugin.c (io, os,
 * debug, package, getmetatable(""), plain rawset and setmetatable on the
 * component, plain infinite loops) are not repeated here.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "plugin.h"
#include "plugin_int.h"

/* One plugin under attack ("evil", area "evil", whose evaluate body is the
 * test's Lua code, with its plugin table in scope as P) beside a good one
 * that reads the component. */
static const char *const evil_fmt =
    "local P = {name = 'evil', area = 'evil', version = '1', description = 'attacks'}\n"
    "function P.evaluate(component, settings, report)\n"
    "%s\n"
    "end\n"
    "return P\n";

static const char *const good_src =
    "return {name = 'good', area = 'good', version = '1', description = 'reads',\n"
    "  evaluate = function(c, s, r)\n"
    "    r:finding{id = 'good.seen', severity = 'info', message = string.format(\n"
    "      '%s %s %s %d %s', c.name, c.use.impact, tostring(c.use.commercial), #c.tags,\n"
    "      table.concat(c.tags, ','))}\n"
    "  end}\n";

static const char *const manifest_yaml =
    "apiVersion: aivet/v1\nkind: model\nname: demo\nversion: '1'\n"
    "tags: [a, b]\nuse: {commercial: true, impact: low}\n";

#define GOOD_MESSAGE "demo low true 2 a,b"

static char dir[64];
static av_policy *policy;
static av_runtime *rt;
static av_doc *doc;

static void
write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void
setup(void)
{
	av_error err;

	setenv("AIVET_NOW", "2026-01-01", 1);
	snprintf(dir, sizeof(dir), "/tmp/avsbxXXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file("good.lua", good_src);
	ck_assert_int_eq(av_doc_parse(&doc, manifest_yaml, strlen(manifest_yaml), AV_FMT_YAML,
	    "m.yaml", NULL, &err), 0);
	policy = NULL;
	rt = NULL;
}

static void
teardown(void)
{
	char path[128];

	/* Closing the state runs what is left of the plugin's objects. */
	av_runtime_destroy(rt);
	av_policy_unref(policy);
	av_doc_destroy(doc);
	snprintf(path, sizeof(path), "%s/good.lua", dir);
	remove(path);
	snprintf(path, sizeof(path), "%s/evil.lua", dir);
	remove(path);
	rmdir(dir);
}

/* Loads the evil plugin with the body given and the good one, and makes
 * a runtime: 20 million instructions and 32 MiB per state. */
static void
arm(const char *body)
{
	char src[16384];
	const char *pd[] = {dir};
	av_policy_opts o = {0};
	av_diags d;
	av_error err;
	char buf[1024];

	snprintf(src, sizeof(src), evil_fmt, body);
	write_file("evil.lua", src);
	o.plugin_dirs = pd;
	o.nplugin_dirs = 1;
	o.instr_budget = 20000000;
	o.mem_limit = 32u << 20;
	av_diags_init(&d);
	int rc = av_policy_load(&policy, &o, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", av_error_format(&d.v[i], buf, sizeof(buf)));
	ck_assert_int_eq(rc, 0);
	av_diags_fini(&d);
	ck_assert_int_eq(av_runtime_create(&rt, policy, &err), 0);
}

static av_verdict *
evaluate(const char *const *names, size_t n)
{
	av_verdict *v = NULL;
	av_error err;

	av_error_clear(&err);
	int rc = av_runtime_evaluate_only(rt, av_doc_root(doc), NULL, av_now(), names, n, &v, &err);
	ck_assert_msg(rc == 0, "evaluate: %s", err.msg);
	return v;
}

static const av_finding *
finding(const av_verdict *v, const char *id)
{
	for (size_t i = 0; i < v->nfindings; i++)
		if (strcmp(v->findings[i].id, id) == 0)
			return &v->findings[i];
	return NULL;
}

static size_t
count_area(const av_verdict *v, const char *area)
{
	size_t n = 0;

	for (size_t i = 0; i < v->nfindings; i++)
		n += strcmp(v->findings[i].area, area) == 0;
	return n;
}

/* The good plugin's finding is there and says the component is intact. */
static void
good_seen(const av_verdict *v)
{
	const av_finding *g = finding(v, "good.seen");

	ck_assert_msg(g != NULL, "the good plugin did not report");
	ck_assert_str_eq(g->message, GOOD_MESSAGE);
}

/* After the attack the same runtime evaluates the good plugin alone
 * normally, and the component it sees is intact. */
static void
then_good_alone(void)
{
	const char *only[] = {"good"};
	av_verdict *v = evaluate(only, 1);

	ck_assert_uint_eq(v->nfindings, 1);
	good_seen(v);
	ck_assert_int_eq(v->decision, AV_APPROVED);
	av_verdict_destroy(v);
}

/* The attack is refused: exactly one engine finding, id, in place of the
 * evil plugin's own, saying needle; the good plugin ran in the same
 * evaluation; then the runtime carries on. */
static void
expect_refused(const char *body, const char *id, const char *needle)
{
	av_verdict *v;
	const av_finding *f;

	arm(body);
	v = evaluate(NULL, 0);
	f = finding(v, id);
	ck_assert_msg(f != NULL, "no %s; first finding: %s: %s", id,
	    v->nfindings ? v->findings[0].id : "-", v->nfindings ? v->findings[0].message : "-");
	ck_assert_uint_eq(count_area(v, "engine"), 1);
	ck_assert_int_eq(f->severity, AV_SEV_REVIEW);
	ck_assert_str_eq(f->evidence, "evil");
	ck_assert_str_eq(f->plugin, "evil");
	ck_assert_msg(strstr(f->message, needle) != NULL, "'%s' not in: %s", needle, f->message);
	ck_assert_int_eq(v->decision, AV_NEEDS_REVIEW);
	good_seen(v);
	av_verdict_destroy(v);
	then_good_alone();
}

/* The attack is contained: no engine finding, and the evil plugin got to
 * its end, where it reports evil.done (its assertions held). */
static void
expect_contained(const char *body)
{
	char full[8192];
	av_verdict *v;

	snprintf(full, sizeof(full), "%s\nreport:finding{id = 'evil.done', severity = 'info', "
	    "message = 'done'}", body);
	arm(full);
	v = evaluate(NULL, 0);
	ck_assert_msg(count_area(v, "engine") == 0, "%s", v->nfindings ? v->findings[0].message : "");
	ck_assert_ptr_nonnull(finding(v, "evil.done"));
	good_seen(v);
	ck_assert_int_eq(v->decision, AV_APPROVED);
	av_verdict_destroy(v);
	then_good_alone();
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- coroutines: not there, so they cannot dodge the count hook --- */

START_TEST(coroutine_loop_is_refused)
{
	expect_refused("coroutine.wrap(function() while true do end end)()",
	    "engine.plugin_error", "global 'coroutine'");
}
END_TEST

START_TEST(coroutine_wrap_nesting_is_refused)
{
	expect_refused(
	    "assert(not pcall(require, 'coroutine') and _G.coroutine == nil)\n"
	    "local co = _ENV['corou' .. 'tine'] or string.coroutine or table.coroutine\n"
	    "local w = co.wrap(function() return co.wrap(function() while true do end end)() end)\n"
	    "w()", "engine.plugin_error", "attempt to index a nil value (local 'co')");
}
END_TEST

/* --- collectgarbage: only "count" --- */

START_TEST(collectgarbage_stop_is_refused)
{
	expect_refused("collectgarbage('stop')\nlocal t = {} for i = 1, 1e7 do t[i] = {} end",
	    "engine.plugin_error", "only \"count\" is allowed in the sandbox");
}
END_TEST

START_TEST(garbage_is_collected_after_a_refused_stop)
{
	/* A million short-lived tables (about 60 MB in all) fit in 32 MiB
	 * only because the collector still runs. */
	expect_contained(
	    "assert(not pcall(collectgarbage, 'stop'))\n"
	    "for i = 1, 1e6 do local x = {i} end");
}
END_TEST

START_TEST(collectgarbage_mode_switches_are_refused)
{
	expect_contained(
	    "for _, o in ipairs{'step', 'incremental', 'generational', 'collect', 'restart',\n"
	    "    'setpause', 'setstepmul', 'isrunning', 'stop'} do\n"
	    "  local ok, e = pcall(collectgarbage, o, 100)\n"
	    "  assert(not ok and e:find('only \"count\" is allowed', 1, true), o)\n"
	    "end");
}
END_TEST

START_TEST(collectgarbage_count_is_allowed)
{
	expect_contained(
	    "local a, b = collectgarbage('count'), collectgarbage()\n"
	    "assert(math.type(a) == 'float' and a > 0 and b > 0 and a < 32 * 1024)");
}
END_TEST

/* --- deep recursion --- */

START_TEST(lua_recursion_is_stopped)
{
	double t0 = seconds();

	/* The Lua stack grows past the memory cap before Lua's own limit of
	 * a million slots. */
	expect_refused("local function f(n) return f(n + 1) + 1 end\nreturn f(1)",
	    "engine.plugin_memory", "exceeded the memory cap of 33554432 bytes");
	ck_assert_double_lt(seconds() - t0, 10.0);
}
END_TEST

START_TEST(metamethod_recursion_is_stopped)
{
	expect_refused(
	    "local t = setmetatable({}, {__index = function(s, k) return s[k .. 'x'] end})\n"
	    "return t.x", "engine.plugin_error", "stack overflow");
}
END_TEST

START_TEST(gsub_callback_recursion_is_stopped)
{
	expect_refused("local function f(s) return (s:gsub('.', f)) end\nf('ab')",
	    "engine.plugin_error", "stack overflow");
}
END_TEST

START_TEST(sort_comparator_recursion_is_stopped)
{
	expect_refused(
	    "local function cmp(a, b) table.sort({3, 2, 1}, cmp) return a < b end\n"
	    "table.sort({3, 2, 1}, cmp)", "engine.plugin_error", "stack overflow");
}
END_TEST

/* --- load and string.dump --- */

START_TEST(load_with_custom_env_is_contained)
{
	expect_contained(
	    "local env = {}\n"
	    "local f = assert(load('x = 1; return string, os, _ENV', 'c', 't', env))\n"
	    "local s, o, e = f()\n"
	    "assert(s == nil and o == nil and e == env and env.x == 1 and x == nil)\n"
	    "assert(load('return io or debug or package', 'c', 't', {})() == nil)\n"
	    "assert(load('return os.execute or os.getenv', 'c', 't', {os = os})() == nil)\n"
	    "assert(not pcall(load('name = 1', 'c', 't', component)))\n"
	    "assert(not pcall(load('upper = 1', 'c', 't', string)))\n"
	    "assert(component.name == 'demo' and string.upper ~= 1)\n"
	    "assert(not pcall(load('return x', 'c', 't', nil)))");
}
END_TEST

START_TEST(load_binary_mode_is_refused)
{
	expect_refused("load(string.char(27) .. 'LuaT', 'c', 'bt')", "engine.plugin_error",
	    "only text chunks (mode \"t\") can be loaded");
}
END_TEST

START_TEST(load_binary_chunk_as_text_fails)
{
	expect_contained(
	    "local f, e = load(string.char(27) .. 'LuaT\\0\\25\\147\\r\\n\\26\\n', 'c', 't')\n"
	    "assert(f == nil and e:find('binary chunk', 1, true))\n"
	    "assert(not pcall(load, function() return nil end))");
}
END_TEST

START_TEST(string_dump_is_absent)
{
	expect_refused(
	    "assert(('').dump == nil)\n"
	    "for k in pairs(string) do assert(k ~= 'dump') end\n"
	    "string.dump(P.evaluate)", "engine.plugin_error", "field 'dump'");
}
END_TEST

/* --- the read-only component --- */

START_TEST(next_sees_the_component)
{
	expect_contained(
	    "local n = 0\n"
	    "for k, v in next, component do n = n + 1 end\n"
	    "assert(n == 6 and next(component) ~= nil and next(component.use) ~= nil)\n"
	    "assert(rawget(component, 'name') == 'demo' and rawget(component.use, 'impact') == 'low')\n"
	    "assert(rawlen(component.tags) == 2 and #component.tags == 2)\n"
	    "assert(rawequal(component.tags, component.tags) and not rawequal(component, {}))\n"
	    "assert(getmetatable(component) == false and getmetatable(component.tags) == false)");
}
END_TEST

START_TEST(writing_through_next_is_refused)
{
	expect_refused(
	    "local k, v = next(component.use)\n"
	    "assert(k ~= nil)\n"
	    "component.use[k] = 'changed'", "engine.plugin_error", "component is read-only (key '");
}
END_TEST

START_TEST(writing_after_pairs_is_refused)
{
	expect_refused(
	    "for k, v in pairs(component) do\n"
	    "  if type(v) == 'table' then rawset(v, 1, 'x') end\n"
	    "end", "engine.plugin_error", "read-only (key '1')");
}
END_TEST

START_TEST(setmetatable_on_nested_proxy_is_refused)
{
	expect_refused("setmetatable(component.tags, nil)", "engine.plugin_error",
	    "cannot change a protected metatable");
}
END_TEST

START_TEST(table_remove_on_proxy_is_refused)
{
	expect_refused("table.remove(component.tags)", "engine.plugin_error",
	    "component is read-only (key '2')");
}
END_TEST

START_TEST(plugin_table_traps_are_contained)
{
	/* The plugin turns its own table into a trap for the host's lookup of
	 * evaluate: the host reads the field raw, so the next evaluation only
	 * finds evaluate missing. */
	av_verdict *v;
	const av_finding *f;

	arm("setmetatable(P, {__index = function() error('trap') end,\n"
	    "  __newindex = function() while true do end end})\n"
	    "rawset(P, 'evaluate', nil)");
	v = evaluate(NULL, 0);
	ck_assert_uint_eq(count_area(v, "engine"), 0);
	good_seen(v);
	av_verdict_destroy(v);
	v = evaluate(NULL, 0);
	f = finding(v, "engine.plugin_error");
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(strstr(f->message, "attempt to call a nil value") != NULL, "%s", f->message);
	good_seen(v);
	av_verdict_destroy(v);
	then_good_alone();
}
END_TEST

START_TEST(finalizers_are_refused)
{
	/* A __gc metamethod would run whenever the collector does, outside
	 * the instruction budget (even in lua_close). */
	expect_refused("setmetatable({}, {__gc = function() while true do end end})",
	    "engine.plugin_error", "__gc");
}
END_TEST

/* --- memory and matching bombs --- */

START_TEST(huge_rep_hits_memory_cap)
{
	expect_refused("local s = string.rep('x', 1e9, ',')", "engine.plugin_memory",
	    "exceeded the memory cap of 33554432 bytes");
}
END_TEST

START_TEST(impossible_rep_is_an_error)
{
	expect_refused("local s = ('x'):rep(math.maxinteger)", "engine.plugin_error",
	    "resulting string too large");
}
END_TEST

START_TEST(doubling_hits_memory_cap)
{
	expect_refused("local s = 'x'\nwhile true do s = s .. s end", "engine.plugin_memory",
	    "exceeded the memory cap");
}
END_TEST

START_TEST(long_gsub_is_bounded)
{
	double t0 = seconds();

	expect_refused("local s = ('a'):rep(8e6)\nreturn (s:gsub('a', 'b'))",
	    "engine.plugin_error", "pattern matching exceeded its budget of 10000000 steps");
	ck_assert_double_lt(seconds() - t0, 10.0);
}
END_TEST

START_TEST(long_plain_find_is_bounded)
{
	double t0 = seconds();

	/* Naively about 4e11 byte comparisons. */
	expect_refused("local hay, needle = ('a'):rep(4e6), ('a'):rep(1e5) .. 'b'\n"
	    "return hay:find(needle, 1, true)", "engine.plugin_error",
	    "pattern matching exceeded its budget");
	ck_assert_double_lt(seconds() - t0, 10.0);
}
END_TEST

/* --- values that break assumptions --- */

START_TEST(evaluate_returning_table_is_refused)
{
	expect_refused("return {id = 'evil.x'}", "engine.plugin_error",
	    "returned a table from evaluate");
}
END_TEST

START_TEST(finding_with_wrong_types_is_refused)
{
	expect_refused("report:finding{id = 5, severity = 'info', message = 'm'}",
	    "engine.plugin_error", "finding field 'id' must be a string, not a number");
}
END_TEST

START_TEST(finding_not_a_table_is_refused)
{
	expect_refused("report:finding('evil.x')", "engine.plugin_error", "table expected");
}
END_TEST

START_TEST(finding_on_wrong_self_is_refused)
{
	expect_refused("report.finding({id = 'evil.x', severity = 'info', message = 'm'})",
	    "engine.plugin_error", "aivet.report expected");
}
END_TEST

START_TEST(nan_message_is_refused)
{
	expect_refused("report:finding{id = 'evil.x', severity = 'info', message = 0/0}",
	    "engine.plugin_error", "finding field 'message' must be a string, not a number");
}
END_TEST

START_TEST(nan_risk_is_refused)
{
	expect_refused("report:risk(0/0)", "engine.plugin_error", "bad risk '");
}
END_TEST

START_TEST(huge_review_within_is_refused)
{
	expect_refused("report:finding{id = 'evil.x', severity = 'info', message = 'm',\n"
	    "  review_within = '99999999999999999999d'}", "engine.plugin_error",
	    "bad review_within '99999999999999999999d'");
}
END_TEST

START_TEST(largest_review_within_is_contained)
{
	/* The largest duration there is: review_by stays the profile's. */
	av_verdict *v;
	int64_t now = av_now();

	expect_contained("report:finding{id = 'evil.x', severity = 'info', message = 'm',\n"
	    "  review_within = '9223372036854775807s'}");
	v = evaluate(NULL, 0);
	ck_assert_int_eq(v->review_by, now + 365 * 86400LL);
	av_verdict_destroy(v);
}
END_TEST

START_TEST(unknown_severity_is_refused)
{
	expect_refused("report:finding{id = 'evil.x', severity = 'Block', message = 'm'}",
	    "engine.plugin_error", "bad severity 'Block'");
}
END_TEST

START_TEST(very_long_message_is_refused)
{
	expect_refused("report:finding{id = 'evil.x', severity = 'info',\n"
	    "  message = ('m'):rep(1 << 20)}", "engine.plugin_error",
	    "finding field 'message' is too long (1048576 bytes, at most 8192)");
}
END_TEST

START_TEST(thousands_of_findings_are_refused)
{
	expect_refused("for i = 1, 5000 do\n"
	    "  report:finding{id = 'evil.x', severity = 'info', message = 'm' .. i}\n"
	    "end", "engine.plugin_error", "more than 1000 findings");
}
END_TEST

START_TEST(a_thousand_findings_are_kept)
{
	av_verdict *v;

	arm("for i = 1, 1000 do\n"
	    "  report:finding{id = 'evil.x', severity = 'info', message = 'm' .. i}\n"
	    "end");
	v = evaluate(NULL, 0);
	ck_assert_uint_eq(count_area(v, "evil"), 1000);
	ck_assert_uint_eq(count_area(v, "engine"), 0);
	av_verdict_destroy(v);
	then_good_alone();
}
END_TEST

START_TEST(finding_id_with_nul_is_refused)
{
	expect_refused("report:finding{id = 'evil.x\\0../../etc', severity = 'info', message = 'm'}",
	    "engine.plugin_error", "finding field 'id' contains a NUL byte");
}
END_TEST

START_TEST(message_with_nul_is_refused)
{
	expect_refused("report:finding{id = 'evil.x', severity = 'info\\0', message = 'm'}",
	    "engine.plugin_error", "finding field 'severity' contains a NUL byte");
}
END_TEST

START_TEST(error_with_table_is_reported)
{
	expect_refused("error({code = 1})", "engine.plugin_error",
	    "failed: (error object is a table value)");
}
END_TEST

START_TEST(error_with_nil_is_reported)
{
	expect_refused("error(nil)", "engine.plugin_error", "failed: (error object is a nil value)");
}
END_TEST

START_TEST(error_with_looping_tostring_times_out)
{
	expect_refused("error(setmetatable({}, {__tostring = function() while true do end end}))",
	    "engine.plugin_timeout", "exceeded its instruction budget");
}
END_TEST

START_TEST(huge_error_message_is_cut)
{
	av_verdict *v;
	const av_finding *f;

	arm("error(('e'):rep(1 << 20))");
	v = evaluate(NULL, 0);
	ck_assert_ptr_nonnull(f = finding(v, "engine.plugin_error"));
	ck_assert_uint_lt(strlen(f->message), 1024);
	good_seen(v);
	av_verdict_destroy(v);
	then_good_alone();
}
END_TEST

static Suite *
sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *escapes = tcase_create("escapes");
	TCase *limits = tcase_create("limits");
	TCase *errors = tcase_create("errors");

	tcase_add_checked_fixture(escapes, setup, teardown);
	tcase_add_test(escapes, coroutine_loop_is_refused);
	tcase_add_test(escapes, coroutine_wrap_nesting_is_refused);
	tcase_add_test(escapes, collectgarbage_stop_is_refused);
	tcase_add_test(escapes, garbage_is_collected_after_a_refused_stop);
	tcase_add_test(escapes, collectgarbage_mode_switches_are_refused);
	tcase_add_test(escapes, collectgarbage_count_is_allowed);
	tcase_add_test(escapes, load_with_custom_env_is_contained);
	tcase_add_test(escapes, load_binary_mode_is_refused);
	tcase_add_test(escapes, load_binary_chunk_as_text_fails);
	tcase_add_test(escapes, string_dump_is_absent);
	tcase_add_test(escapes, next_sees_the_component);
	tcase_add_test(escapes, writing_through_next_is_refused);
	tcase_add_test(escapes, writing_after_pairs_is_refused);
	tcase_add_test(escapes, setmetatable_on_nested_proxy_is_refused);
	tcase_add_test(escapes, table_remove_on_proxy_is_refused);
	tcase_add_test(escapes, plugin_table_traps_are_contained);
	tcase_add_test(escapes, finalizers_are_refused);
	suite_add_tcase(s, escapes);

	tcase_add_checked_fixture(limits, setup, teardown);
	tcase_set_timeout(limits, 120);
	tcase_add_test(limits, lua_recursion_is_stopped);
	tcase_add_test(limits, metamethod_recursion_is_stopped);
	tcase_add_test(limits, gsub_callback_recursion_is_stopped);
	tcase_add_test(limits, sort_comparator_recursion_is_stopped);
	tcase_add_test(limits, huge_rep_hits_memory_cap);
	tcase_add_test(limits, impossible_rep_is_an_error);
	tcase_add_test(limits, doubling_hits_memory_cap);
	tcase_add_test(limits, long_gsub_is_bounded);
	tcase_add_test(limits, long_plain_find_is_bounded);
	tcase_add_test(limits, thousands_of_findings_are_refused);
	tcase_add_test(limits, a_thousand_findings_are_kept);
	tcase_add_test(limits, very_long_message_is_refused);
	suite_add_tcase(s, limits);

	tcase_add_checked_fixture(errors, setup, teardown);
	tcase_add_test(errors, evaluate_returning_table_is_refused);
	tcase_add_test(errors, finding_with_wrong_types_is_refused);
	tcase_add_test(errors, finding_not_a_table_is_refused);
	tcase_add_test(errors, finding_on_wrong_self_is_refused);
	tcase_add_test(errors, nan_message_is_refused);
	tcase_add_test(errors, nan_risk_is_refused);
	tcase_add_test(errors, huge_review_within_is_refused);
	tcase_add_test(errors, largest_review_within_is_contained);
	tcase_add_test(errors, unknown_severity_is_refused);
	tcase_add_test(errors, finding_id_with_nul_is_refused);
	tcase_add_test(errors, message_with_nul_is_refused);
	tcase_add_test(errors, error_with_table_is_reported);
	tcase_add_test(errors, error_with_nil_is_reported);
	tcase_add_test(errors, error_with_looping_tostring_times_out);
	tcase_add_test(errors, huge_error_message_is_cut);
	suite_add_tcase(s, errors);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sandbox_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
