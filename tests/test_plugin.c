/*
 * test_plugin.c - the plugin host: contract checks at load, the sandbox
 * refusing escapes, instruction and memory limits, fail-closed findings,
 * profiles (extends, remaps, cycles, unknown keys), settings checked
 * against settings_schema (types, one_of, min, max), risk and review dates,
 * the helper modules, and `aivet plugin test`.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "clock.h"
#include "plugin.h"
#include "plugin_int.h"

static char fx[2048];

static const char *
fixture(const char *rel)
{
	static char buf[8][4096];
	static int k;
	char *b = buf[k++ % 8];

	snprintf(b, 4096, "%.2000s/%.1000s", fx, rel);
	return b;
}

static void
setup(void)
{
	const char *src = getenv("AIVET_SRCDIR");

	snprintf(fx, sizeof(fx), "%.1900s/tests/fixtures", src != NULL ? src : ".");
	setenv("AIVET_NOW", "2026-01-01", 1);
}

/* Collected log lines, to check what the host says. */
static char logbuf[16384];

/* The instruction budgets load() and sandbox_run() use (0: the default). */
static uint64_t policy_budget = 2000000;
static uint64_t sandbox_budget = 1000000;

static void
logger(void *arg, int level, const char *msg)
{
	(void)arg;
	(void)level;
	strncat(logbuf, msg, sizeof(logbuf) - strlen(logbuf) - 2);
	strcat(logbuf, "\n");
}

static int
load(av_policy **p, const char *const *pdirs, size_t np, const char *const *poldirs, size_t npol,
    av_diags *d)
{
	av_policy_opts o = {0};

	o.plugin_dirs = pdirs;
	o.nplugin_dirs = np;
	o.policy_dirs = poldirs;
	o.npolicy_dirs = npol;
	o.instr_budget = policy_budget;
	o.mem_limit = 32u << 20;
	o.log = logger;
	av_diags_init(d);
	logbuf[0] = '\0';
	return av_policy_load(p, &o, d);
}

static av_policy *
load_good(void)
{
	const char *pd[] = {fixture("plugins/good")};
	const char *pol[] = {fixture("policies/good")};
	av_policy *p = NULL;
	av_diags d;
	int rc = load(&p, pd, 1, pol, 1, &d);

	if (rc != 0) {
		char buf[1024];
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "%s\n", av_error_format(&d.v[i], buf, sizeof(buf)));
	}
	ck_assert_int_eq(rc, 0);
	av_diags_fini(&d);
	return p;
}

static av_doc *
manifest(const char *yaml)
{
	av_doc *doc = NULL;
	av_error err;

	ck_assert_int_eq(av_doc_parse(&doc, yaml, strlen(yaml), AV_FMT_YAML, "m.yaml", NULL, &err), 0);
	return doc;
}

static const char *const basic =
    "apiVersion: aivet/v1\nkind: model\nname: demo\nversion: '1'\n"
    "tags: [a, b]\nuse: {commercial: true, impact: low}\n";

static av_verdict *
eval(av_runtime *rt, const char *yaml, const char *profile)
{
	av_doc *doc = manifest(yaml);
	av_verdict *v = NULL;
	av_error err;

	av_error_clear(&err);
	int rc = av_runtime_evaluate(rt, av_doc_root(doc), profile, av_now(), &v, &err);
	if (rc != 0)
		fprintf(stderr, "evaluate: %s\n", err.msg);
	ck_assert_int_eq(rc, 0);
	av_doc_destroy(doc);
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

static bool
diags_have(const av_diags *d, const char *needle)
{
	char buf[1024];

	for (size_t i = 0; i < d->n; i++)
		if (strstr(av_error_format(&d->v[i], buf, sizeof(buf)), needle) != NULL)
			return true;
	return false;
}

/* --- core --- */

START_TEST(loads_plugins_and_digest)
{
	av_policy *p = load_good();
	av_policy *q = load_good();

	ck_assert_uint_eq(av_policy_nplugins(p), 4);
	ck_assert_str_eq(av_policy_plugin(p, 0)->name, "alpha");
	ck_assert_uint_eq(strlen(av_policy_digest(p)), 64);
	ck_assert_str_eq(av_policy_digest(p), av_policy_digest(q));
	ck_assert(av_policy_has_profile(p, "strict"));
	ck_assert(!av_policy_has_profile(p, "nope"));
	cJSON *j = av_policy_describe(p);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "plugins")), 4);
	cJSON_Delete(j);
	av_policy_unref(p);
	av_policy_unref(q);
}
END_TEST

START_TEST(evaluates_with_settings_and_defaults)
{
	av_policy *p = load_good();
	av_runtime *rt;
	av_error err;

	ck_assert_int_eq(av_runtime_create(&rt, p, &err), 0);
	av_verdict *v = eval(rt, basic, NULL);
	ck_assert_str_eq(v->name, "demo");
	ck_assert_str_eq(v->kind, "model");
	ck_assert_str_eq(v->profile, "default");
	ck_assert_str_eq(v->policy_digest, av_policy_digest(p));
	ck_assert_str_eq(finding(v, "fixture.seen")->message, "hello demo limit 3");
	ck_assert_str_eq(finding(v, "fixture.seen")->evidence, "name");
	ck_assert_str_eq(finding(v, "fixture.seen")->plugin, "alpha");
	ck_assert_str_eq(finding(v, "fixture2.keys")->message, "6 keys, 2 tags, next=true");
	ck_assert_int_eq(finding(v, "fixture.commercial")->severity, AV_SEV_WARN);
	ck_assert_int_eq(v->decision, AV_APPROVED);
	/* Sorted by severity, highest first. */
	ck_assert_str_eq(v->findings[0].id, "fixture.commercial");
	av_verdict_destroy(v);
	/* strict extends default: label inherited, limit overridden, remapped. */
	v = eval(rt, basic, "strict");
	ck_assert_str_eq(finding(v, "fixture.seen")->message, "hello demo limit 7");
	ck_assert_int_eq(finding(v, "fixture.commercial")->severity, AV_SEV_REVIEW);
	ck_assert_int_eq(finding(v, "fixture.seen")->severity, AV_SEV_INFO);
	ck_assert_int_eq(v->decision, AV_NEEDS_REVIEW);
	av_verdict_destroy(v);
	av_runtime_destroy(rt);
	av_policy_unref(p);
}
END_TEST

START_TEST(applies_to_skips_other_kinds)
{
	av_policy *p = load_good();
	av_runtime *rt;
	av_error err;

	ck_assert_int_eq(av_runtime_create(&rt, p, &err), 0);
	av_verdict *v = eval(rt, "kind: dataset\nname: d\nversion: '1'\n", NULL);
	ck_assert_ptr_null(finding(v, "fixture2.keys"));
	ck_assert_ptr_nonnull(finding(v, "fixture.seen"));
	av_verdict_destroy(v);
	av_runtime_destroy(rt);
	av_policy_unref(p);
}
END_TEST

START_TEST(later_plugin_replaces_by_name)
{
	const char *pd[] = {fixture("plugins/good"), fixture("plugins/override")};
	const char *pol[] = {fixture("policies/good")};
	av_policy *p;
	av_runtime *rt;
	av_diags d;
	av_error err;

	ck_assert_int_eq(load(&p, pd, 2, pol, 1, &d), 0);
	av_diags_fini(&d);
	ck_assert_ptr_nonnull(strstr(logbuf, "replaces"));
	size_t n = av_policy_nplugins(p);
	bool found = false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(av_policy_plugin(p, i)->name, "alpha") == 0) {
			ck_assert_str_eq(av_policy_plugin(p, i)->version, "2.0.0");
			found = true;
		}
	ck_assert(found);
	ck_assert_int_eq(av_runtime_create(&rt, p, &err), 0);
	av_verdict *v = eval(rt, basic, NULL);
	ck_assert_ptr_nonnull(finding(v, "fixture.override"));
	ck_assert_ptr_null(finding(v, "fixture.seen"));
	av_verdict_destroy(v);
	av_runtime_destroy(rt);
	av_policy_unref(p);
}
END_TEST

START_TEST(helper_modules)
{
	av_policy *p = load_good();
	av_runtime *rt;
	av_error err;

	ck_assert_int_eq(av_runtime_create(&rt, p, &err), 0);
	av_verdict *v = eval(rt, "kind: code\nname: c\nversion: '==2.0.1'\nlicense: fixture-1\n",
	    NULL);
	/* The later data file overrode the category, field by field. */
	ck_assert_str_eq(finding(v, "libs.license")->message,
	    "fixture-community source-available false");
	ck_assert_str_eq(finding(v, "libs.pinned")->message, "true 1");
	ck_assert_str_eq(finding(v, "libs.now")->message, "2026-01-01");
	ck_assert_str_eq(finding(v, "libs.spdx")->message, "table");
	av_verdict_destroy(v);
	v = eval(rt, "kind: code\nname: c\nversion: '>=1.0'\nlicense: APACHE-2.0\n", NULL);
	ck_assert_str_eq(finding(v, "libs.license")->message, "Apache-2.0 permissive true");
	ck_assert_str_eq(finding(v, "libs.pinned")->message, "false -1");
	av_verdict_destroy(v);
	av_runtime_destroy(rt);
	av_policy_unref(p);
}
END_TEST

START_TEST(risk_and_review_by)
{
	av_policy *p = load_good();
	av_runtime *rt;
	av_error err;
	int64_t now = av_now(), t;
	char buf[32];

	ck_assert_int_eq(av_time_parse("2026-01-01", &t), 0);
	ck_assert_int_eq(now, t);
	ck_assert_int_eq(av_runtime_create(&rt, p, &err), 0);
	/* low impact, only info/warn: low, one year. */
	av_verdict *v = eval(rt, basic, NULL);
	ck_assert_int_eq(v->risk, AV_RISK_LOW);
	ck_assert_str_eq(av_date_format(v->review_by, buf, sizeof(buf)), "2027-01-01");
	av_verdict_destroy(v);
	/* public audience: medium, 180 days. */
	v = eval(rt, "kind: model\nname: m\nuse: {audience: public}\n", NULL);
	ck_assert_int_eq(v->risk, AV_RISK_MEDIUM);
	ck_assert_int_eq(v->review_by, now + 180 * 86400LL);
	av_verdict_destroy(v);
	/* high-stakes domain: high; strict's high interval is 30 days. */
	v = eval(rt, "kind: model\nname: m\nuse: {high_stakes_domains: [medical]}\n", "strict");
	ck_assert_int_eq(v->risk, AV_RISK_HIGH);
	ck_assert_int_eq(v->review_by, now + 30 * 86400LL);
	av_verdict_destroy(v);
	/* a block finding: high, rejected. */
	v = eval(rt, "kind: model\nname: blocked\n", NULL);
	ck_assert_int_eq(v->risk, AV_RISK_HIGH);
	ck_assert_int_eq(v->decision, AV_REJECTED);
	ck_assert_int_eq(v->review_by, now + 90 * 86400LL);
	av_verdict_destroy(v);
	/* decisions.review_by earlier than the interval wins. */
	v = eval(rt, "kind: model\nname: m\ndecisions: {review_by: '2026-02-01'}\n", NULL);
	ck_assert_str_eq(av_date_format(v->review_by, buf, sizeof(buf)), "2026-02-01");
	av_verdict_destroy(v);
	/* report:risk raises the floor. */
	v = eval(rt, "kind: model\nname: m\n", "chaos_risk");
	ck_assert_int_eq(v->risk, AV_RISK_HIGH);
	av_verdict_destroy(v);
	ck_assert_int_eq(av_policy_interval(p, "strict", AV_RISK_HIGH), 30 * 86400LL);
	ck_assert_int_eq(av_policy_interval(p, "strict", AV_RISK_LOW), 365 * 86400LL);
	ck_assert_int_eq(av_policy_lead(p, NULL), 30 * 86400LL);
	av_runtime_destroy(rt);
	av_policy_unref(p);
}
END_TEST

/* Loads the good plugins with one temporary default profile whose plugins
 * section is plugins_yaml. */
static av_policy *
load_with_profile(const char *plugins_yaml, char dir[static 32])
{
	const char *pd[] = {fixture("plugins/good")};
	const char *pol[] = {dir};
	char path[256];
	av_policy *p;
	av_diags d;
	FILE *f;

	snprintf(dir, 32, "/tmp/avprofXXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/default.yaml", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "apiVersion: aivet/v1\nkind: profile\nname: default\nplugins:\n%s", plugins_yaml);
	fclose(f);
	ck_assert_int_eq(load(&p, pd, 1, pol, 1, &d), 0);
	av_diags_fini(&d);
	remove(path);
	rmdir(dir);
	return p;
}

START_TEST(review_within_shortens_review_by)
{
	char dir[32];
	av_policy *p = load_with_profile("  alpha: {within: 10d}\n  chaos: {enabled: false}\n", dir);
	av_runtime *rt;
	av_error err;

	ck_assert_int_eq(av_runtime_create(&rt, p, &err), 0);
	av_verdict *v = eval(rt, basic, NULL);
	ck_assert_int_eq(v->risk, AV_RISK_LOW);
	ck_assert_int_eq(v->review_by, av_now() + 10 * 86400LL);
	av_verdict_destroy(v);
	av_runtime_destroy(rt);
	av_policy_unref(p);
}
END_TEST

/* --- errors --- */

START_TEST(contract_errors_at_load)
{
	const char *pd[] = {fixture("plugins/bad_contract")};
	av_policy *p = NULL;
	av_diags d;

	ck_assert_int_ne(load(&p, pd, 1, NULL, 0, &d), 0);
	ck_assert_ptr_null(p);
	ck_assert(diags_have(&d, "noeval.lua: plugin table: 'evaluate' must be a function"));
	ck_assert(diags_have(&d, "syntax.lua:2:"));
	av_diags_fini(&d);
}
END_TEST

START_TEST(schema_errors_at_load)
{
	const char *pd[] = {fixture("plugins/bad_schema")};
	av_policy *p = NULL;
	av_diags d;

	ck_assert_int_ne(load(&p, pd, 1, NULL, 0, &d), 0);
	ck_assert(diags_have(&d, "settings_schema.limit: default is a string, not a integer"));
	ck_assert(diags_have(&d, "settings_schema.x: type must be"));
	av_diags_fini(&d);
}
END_TEST

START_TEST(profile_settings_checked_against_schema)
{
	const char *pd[] = {fixture("plugins/good")};
	const char *pol[] = {fixture("policies/bad_setting")};
	av_policy *p = NULL;
	av_diags d;

	ck_assert_int_ne(load(&p, pd, 1, pol, 1, &d), 0);
	ck_assert(diags_have(&d, "p.yaml:6:12: setting alpha.limit must be of type integer"));
	ck_assert(diags_have(&d, "p.yaml:7:5: plugin alpha has no setting 'colour'"));
	av_diags_fini(&d);
}
END_TEST

START_TEST(profile_cycle_and_unknown_key)
{
	const char *pol[] = {fixture("policies/cycle")};
	const char *pol2[] = {fixture("policies/unknown_key")};
	av_policy *p = NULL;
	av_diags d;

	ck_assert_int_ne(load(&p, NULL, 0, pol, 1, &d), 0);
	ck_assert(diags_have(&d, "extends forms a cycle"));
	av_diags_fini(&d);
	ck_assert_int_ne(load(&p, NULL, 0, pol2, 1, &d), 0);
	ck_assert(diags_have(&d, "p.yaml:6:3: unknown key 'due_son' in review"));
	av_diags_fini(&d);
}
END_TEST

START_TEST(unknown_profile_is_not_found)
{
	av_policy *p = load_good();
	av_runtime *rt;
	av_verdict *v = NULL;
	av_error err;
	av_doc *doc = manifest(basic);

	ck_assert_int_eq(av_runtime_create(&rt, p, &err), 0);
	ck_assert_int_eq(av_runtime_evaluate(rt, av_doc_root(doc), "nope", 0, &v, &err),
	    AV_ENOTFOUND);
	ck_assert_ptr_null(v);
	av_doc_destroy(doc);
	av_runtime_destroy(rt);
	av_policy_unref(p);
}
END_TEST

static void
expect_engine(const char *profile, const char *id, const char *needle)
{
	av_policy *p = load_good();
	av_runtime *rt;
	av_error err;

	ck_assert_int_eq(av_runtime_create(&rt, p, &err), 0);
	av_verdict *v = eval(rt, basic, profile);
	const av_finding *f = finding(v, id);
	ck_assert_msg(f != NULL, "no %s for %s", id, profile);
	ck_assert_int_eq(f->severity, AV_SEV_REVIEW);
	ck_assert_str_eq(f->area, "engine");
	ck_assert_str_eq(f->evidence, "chaos");
	if (needle != NULL)
		ck_assert_msg(strstr(f->message, needle) != NULL, "%s", f->message);
	/* The other plugins carried on. */
	ck_assert_ptr_nonnull(finding(v, "fixture.seen"));
	ck_assert_ptr_nonnull(finding(v, "fixture2.keys"));
	ck_assert_int_eq(v->decision, AV_NEEDS_REVIEW);
	av_verdict_destroy(v);
	/* The runtime still works afterwards. */
	v = eval(rt, basic, NULL);
	ck_assert_ptr_null(finding(v, id));
	ck_assert_int_eq(v->decision, AV_APPROVED);
	av_verdict_destroy(v);
	av_runtime_destroy(rt);
	av_policy_unref(p);
}

START_TEST(bad_finding_id_names_plugin_line_value)
{
	expect_engine("chaos_bad_id", "engine.plugin_error",
	    "chaos.lua:11: plugin chaos: bad finding id 'other.thing'");
}
END_TEST

START_TEST(bad_severity_names_value)
{
	expect_engine("chaos_bad_severity", "engine.plugin_error", "bad severity 'fatal'");
}
END_TEST

START_TEST(bad_field_and_review_within)
{
	expect_engine("chaos_bad_field", "engine.plugin_error", "unknown finding field 'sevrity'");
	expect_engine("chaos_bad_within", "engine.plugin_error", "bad review_within 'soon'");
}
END_TEST

START_TEST(garbage_return_is_error)
{
	expect_engine("chaos_garbage", "engine.plugin_error", "returned a number");
}
END_TEST

START_TEST(plugin_error_does_not_stop_others)
{
	av_policy *p = load_good();
	av_runtime *rt;
	av_error err;

	ck_assert_int_eq(av_runtime_create(&rt, p, &err), 0);
	av_verdict *v = eval(rt, basic, "failing");
	const av_finding *f = finding(v, "engine.plugin_error");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->message, "alpha.lua:29: boom"));
	ck_assert_str_eq(f->evidence, "alpha");
	ck_assert_ptr_nonnull(finding(v, "fixture2.keys"));
	ck_assert_ptr_nonnull(strstr(logbuf, "plugin alpha: about to fail"));
	ck_assert_ptr_nonnull(strstr(logbuf, "stack traceback"));
	av_verdict_destroy(v);
	av_runtime_destroy(rt);
	av_policy_unref(p);
}
END_TEST

static void
expect_write_refused(const char *what, const char *needle)
{
	char yaml[256], dir[32];
	av_policy *p;
	av_runtime *rt;
	av_error err;

	snprintf(yaml, sizeof(yaml), "  beta: {write: %s}\n  chaos: {enabled: false}\n", what);
	p = load_with_profile(yaml, dir);
	ck_assert_int_eq(av_runtime_create(&rt, p, &err), 0);
	av_verdict *v = eval(rt, basic, NULL);
	const av_finding *e = finding(v, "engine.plugin_error");
	ck_assert_msg(e != NULL, "write %s was not refused", what);
	ck_assert_msg(strstr(e->message, needle) != NULL, "%s", e->message);
	av_verdict_destroy(v);
	/* The component seen by the next evaluation is intact. */
	v = eval(rt, basic, NULL);
	ck_assert_str_eq(finding(v, "fixture.seen")->message, "seen demo limit 3");
	av_verdict_destroy(v);
	av_runtime_destroy(rt);
	av_policy_unref(p);
}

START_TEST(component_is_read_only)
{
	expect_write_refused("top", "plugin beta: component is read-only (key 'name')");
	expect_write_refused("nested", "plugin beta: component is read-only (key 'impact')");
	expect_write_refused("list", "plugin beta: component is read-only (key '1')");
	expect_write_refused("rawset", "read-only (key 'name')");
	expect_write_refused("rawset_nested", "read-only (key 'impact')");
	expect_write_refused("insert", "component is read-only");
	expect_write_refused("setmetatable", "protected metatable");
	expect_write_refused("settings", "plugin beta: settings is read-only (key 'write')");
}
END_TEST

/* --- sandbox --- */

static int
sandbox_run(const char *code, char *msg, size_t len, av_sandbox *sb)
{
	int rc;

	memset(sb, 0, sizeof(*sb));
	sb->budget = sandbox_budget;
	sb->limit = 16u << 20;
	ck_assert_int_eq(av_sandbox_open(sb), 0);
	rc = av_sandbox_load(sb, code, strlen(code), "=probe");
	if (rc == LUA_OK)
		rc = av_sandbox_call(sb, 0, 0);
	snprintf(msg, len, "%s", rc != LUA_OK && lua_tostring(sb->L, -1) ? lua_tostring(sb->L, -1) : "");
	return rc;
}

static const char *const escapes[] = {
	"io.open('/etc/passwd')",
	"os.execute('true')",
	"os.getenv('HOME')",
	"os.remove('/tmp/x')",
	"dofile('/etc/passwd')",
	"loadfile('/etc/passwd')",
	"require('io')",
	"require('os')",
	"package.loadlib('libc.so.6', 'system')",
	"debug.getinfo(1)",
	"collectgarbage('collect')",
	"string.dump(print)",
	"local f = function() end; load(string.dump(f))",
	"assert(load('\\27LuaT\\0'))",
	"assert(load('return 1', 'x', 'b'))",
	"getmetatable('').__index = {}",
	"getmetatable('').__index.upper = nil",
	"string.upper = nil",
	"rawset(string, 'upper', print)",
	"setmetatable(string, {})",
	"math.pi = 3",
	"coroutine.create(print)",
	"local s = ''; s.x = 1",
	"assert(not rawequal(_G, nil) and _G.string ~= nil); getmetatable(_G).__index.string = 1",
	NULL,
};

START_TEST(sandbox_refuses_escapes)
{
	char msg[2048];
	av_sandbox sb;

	for (int i = 0; escapes[i] != NULL; i++) {
		int rc = sandbox_run(escapes[i], msg, sizeof(msg), &sb);
		ck_assert_msg(rc != LUA_OK, "escape allowed: %s", escapes[i]);
		av_sandbox_close(&sb);
	}
}
END_TEST

START_TEST(sandbox_allows_the_basics)
{
	char msg[2048];
	av_sandbox sb;
	const char *ok =
	    "assert(string.format('%d', 3) == '3'); assert(('abc'):upper() == 'ABC')\n"
	    "assert(table.concat({1, 2}, ',') == '1,2'); assert(math.max(1, 2) == 2)\n"
	    "assert(utf8.len('\\u{e9}') == 1); assert(type(os.time()) == 'number')\n"
	    "assert(os.date('!%Y', 0) == '1970'); assert(collectgarbage('count') > 0)\n"
	    "local f = assert(load('return x', 'c', 't', {x = 5})); assert(f() == 5)\n"
	    "local g = assert(load('y = 1; return y')); assert(g() == 1 and y == nil)\n"
	    "local n = 0; for k in pairs(string) do n = n + 1 end; assert(n > 10)\n"
	    "assert(next(string) ~= nil); assert(pcall(error, 'x') == false)\n"
	    "mine = 1; assert(mine == 1)\n"
	    "local t = require 'aivet.time'; assert(t.parse_date(nil) == nil)\n"
	    "assert(t.parse_duration('2d') == 172800 and t.parse_date('2026-01-02') == 1767312000)\n"
	    "assert(t.parse_date('soon') == nil and not pcall(t.parse_date, {}))\n"
	    "assert(t.now() == 1767225600 and t.format_date(0) == '1970-01-01')\n";

	ck_assert_msg(sandbox_run(ok, msg, sizeof(msg), &sb) == LUA_OK, "%s", msg);
	av_sandbox_close(&sb);
}
END_TEST

START_TEST(chunks_have_their_own_globals)
{
	char msg[2048];
	av_sandbox sb;

	ck_assert_int_eq(sandbox_run("shared = 1; string = nil", msg, sizeof(msg), &sb), LUA_OK);
	const char *second = "assert(shared == nil); assert(string.format)";
	ck_assert_int_eq(av_sandbox_load(&sb, second, strlen(second), "=second"), LUA_OK);
	ck_assert_msg(av_sandbox_call(&sb, 0, 0) == LUA_OK, "%s", lua_tostring(sb.L, -1));
	av_sandbox_close(&sb);
}
END_TEST

/* --- limits --- */

START_TEST(infinite_loop_hits_budget)
{
	char msg[2048];
	av_sandbox sb;

	ck_assert_int_ne(sandbox_run("while true do end", msg, sizeof(msg), &sb), LUA_OK);
	ck_assert(sb.timed_out);
	ck_assert_msg(strstr(msg, "instruction budget") != NULL, "%s", msg);
	av_sandbox_close(&sb);
	ck_assert_int_ne(sandbox_run("while true do pcall(function() while true do end end) end",
	    msg, sizeof(msg), &sb), LUA_OK);
	ck_assert(sb.timed_out);
	av_sandbox_close(&sb);
}
END_TEST

START_TEST(allocation_bomb_hits_cap)
{
	char msg[2048];
	av_sandbox sb;

	ck_assert_int_ne(sandbox_run("local t = {} for i = 1, 1e8 do t[i] = {i} end", msg,
	    sizeof(msg), &sb), LUA_OK);
	ck_assert(sb.mem_exceeded);
	ck_assert(!sb.timed_out);
	ck_assert_uint_le(sb.used, sb.limit);
	av_sandbox_close(&sb);
	ck_assert_int_ne(sandbox_run("local s = string.rep('x', 1 << 30)", msg, sizeof(msg), &sb),
	    LUA_OK);
	ck_assert(sb.mem_exceeded);
	av_sandbox_close(&sb);
}
END_TEST

START_TEST(plugin_timeout_finding)
{
	expect_engine("chaos", "engine.plugin_timeout", "instruction budget");
	expect_engine("chaos_swallow", "engine.plugin_timeout", NULL);
}
END_TEST

START_TEST(plugin_memory_finding)
{
	expect_engine("chaos_bomb", "engine.plugin_memory", "memory cap");
}
END_TEST

/* --- pattern matching --- */

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(slow_patterns_hit_match_budget)
{
	static const char *const profiles[] = {
	    "chaos_slow_match", "chaos_slow_match2", "chaos_slow_gsub", "chaos_slow_gmatch",
	};

	/* Under the default instruction budget (50 million), one call runs
	 * out of its own budget of 10 million steps first. */
	policy_budget = 0;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		double t0 = seconds();
		expect_engine(profiles[i], "engine.plugin_error",
		    "pattern matching exceeded its budget of 10000000 steps");
		/* Unbounded, the slowest of these takes tens of seconds. */
		ck_assert_msg(seconds() - t0 < 5.0, "%s took %.1f s", profiles[i], seconds() - t0);
	}
	/* Under a smaller one, the steps spend the instruction budget. */
	policy_budget = 2000000;
	expect_engine("chaos_slow_match2", "engine.plugin_timeout",
	    "exceeded its instruction budget");
}
END_TEST

START_TEST(caught_match_errors_spend_the_budget)
{
	/* Each caught failure charges its steps as instructions, and no new
	 * matching starts past the budget, so a loop of them ends at once. */
	double t0;

	policy_budget = 0;
	t0 = seconds();
	expect_engine("chaos_slow_swallow", "engine.plugin_timeout", "instruction budget");
	ck_assert_msg(seconds() - t0 < 5.0, "took %.1f s", seconds() - t0);
}
END_TEST

START_TEST(sandbox_matching_is_bounded)
{
	char msg[2048];
	av_sandbox sb;

	sandbox_budget = 0; /* the default, 50 million */
	ck_assert_int_ne(sandbox_run("return ('a'):rep(3000):find('.-.-b')", msg, sizeof(msg), &sb),
	    LUA_OK);
	ck_assert_msg(strstr(msg, "pattern matching exceeded its budget") != NULL, "%s", msg);
	ck_assert(!sb.timed_out);
	av_sandbox_close(&sb);
	ck_assert_int_ne(sandbox_run("return string.match(string.rep('(', 5000000), '%b()')",
	    msg, sizeof(msg), &sb), LUA_OK);
	ck_assert_msg(strstr(msg, "pattern matching exceeded its budget") != NULL, "%s", msg);
	av_sandbox_close(&sb);
	/* The library table holds the bounded functions and cannot be changed. */
	ck_assert_int_eq(sandbox_run(
	    "assert(string.find == ('').find and string.gsub == ('').gsub)\n"
	    "assert(not pcall(function() string.find = nil end))\n"
	    "assert(('key=val'):match('(%w+)=(%w+)') == 'key')",
	    msg, sizeof(msg), &sb), LUA_OK);
	av_sandbox_close(&sb);
	/* With a budget of one million instructions, matching stops there. */
	sandbox_budget = 1000000;
	ck_assert_int_ne(sandbox_run("return ('a'):rep(3000):find('.-.-b')", msg, sizeof(msg), &sb),
	    LUA_OK);
	ck_assert_msg(strstr(msg, "instruction budget of 1000000 exceeded") != NULL, "%s", msg);
	ck_assert(sb.timed_out);
	av_sandbox_close(&sb);
	/* A caught failure spent the budget: the next matching call is
	 * refused at once. */
	ck_assert_int_ne(sandbox_run(
	    "local ok, e = pcall(string.find, ('a'):rep(3000), '.-.-b')\n"
	    "assert(not ok and type(e) == 'string')\n"
	    "return e:find('budget')", msg, sizeof(msg), &sb), LUA_OK);
	ck_assert_msg(strstr(msg, "instruction budget of 1000000 exceeded") != NULL, "%s", msg);
	ck_assert(sb.timed_out);
	av_sandbox_close(&sb);
}
END_TEST

/*
 * The bounded functions against Lua's own: every case is run through both
 * (with pcall, so errors compare too) and the results must be identical.
 */
static const char *const compare_script =
    "local cases = {\n"
    "  {'hello world', 'o'}, {'hello world', 'o w'}, {'hello world', 'l+'},\n"
    "  {'hello world', '(h)(e)(l)'}, {'hello world', '()ll()'}, {'hello', '^h'},\n"
    "  {'hello', '^e'}, {'hello', 'o$'}, {'hel$lo', 'l$l'}, {'', ''}, {'', '.-'},\n"
    "  {'abc', ''}, {'aaab', 'a-b'}, {'aaab', 'a*'}, {'aaab', 'a?b'}, {'aaa', 'a-'},\n"
    "  {'f(a(b)c)d', '%b()'}, {'[[x]]', '%b[]'}, {'THE (quick) fox', '%f[%a]%a+'},\n"
    "  {'THE (quick) fox', '%f[%l]%a+'}, {'x = 10, y = 20', '(%w+)%s*=%s*(%d+)'},\n"
    "  {'abcabc', '(abc)%1'}, {'abab', '(a)(b)%2'}, {'a.b', '%.'}, {'a+b', 'a+b', 1, true},\n"
    "  {'1234', '%d%d?%d?'}, {'  trim  ', '^%s*(.-)%s*$'}, {'a,b,,c', '([^,]*)'},\n"
    "  {'caps ABC def', '%u+'}, {'x\\0y', '%z'}, {'x\\0y', '\\0'}, {'tab\\there', '%c'},\n"
    "  {'hex 0x1F', '%x+', 5}, {'hello', 'l', -2}, {'hello', 'l', -100}, {'hello', 'l', 10},\n"
    "  {'hello', '', 6}, {'hello', '', 7}, {'[a]', '[]]'}, {'a-z', '[a%-z]+'},\n"
    "  {'date 2026-01-02', '(%d+)-(%d+)-(%d+)'}, {'a', '(()'}, {'a', '%'},\n"
    "  {'a', '[a'}, {'a', '(a'}, {'a', 'a)'}, {'a', '%1'}, {'a', '%b'}, {'a', '%fx'},\n"
    "  {'MiXeD', '[%u][%l]'}, {'p.q', '[.]'}, {'word1 word2', '%f[%w]%w+', 3},\n"
    "  {'key: value', '^(%w+):%s*(.*)$'}, {'aaa', '()a()', 2}, {'abc', '[^a]+'},\n"
    "  {'abc', '.-$'}, {'%', '%%'}, {'a.b.c', '.', 1, true}, {'plain [x]', '[x]', 1, true},\n"
    "}\n"
    "local function pack(ok, ...)\n"
    "  local t = {n = select('#', ...) + 1, ok, ...}\n"
    "  -- Only Lua's own functions are named in argument errors.\n"
    "  if not ok then t[2] = t[2]:gsub(\"to '[^']*'\", 'to ?') end\n"
    "  return t\n"
    "end\n"
    "local function same(a, b)\n"
    "  if a.n ~= b.n then return false end\n"
    "  for i = 1, a.n do if a[i] ~= b[i] then return false end end\n"
    "  return true\n"
    "end\n"
    "local function show(t)\n"
    "  local o = {} for i = 1, t.n do o[i] = tostring(t[i]) end\n"
    "  return table.concat(o, ',')\n"
    "end\n"
    "local function check(what, a, b)\n"
    "  if not same(a, b) then\n"
    "    error(what .. ': lua ' .. show(a) .. ' bounded ' .. show(b), 0)\n"
    "  end\n"
    "end\n"
    "local function all(f, s, p, i)\n"
    "  local out = {n = 0}\n"
    "  for a, b, c in f(s, p, i) do\n"
    "    out.n = out.n + 1; out[out.n] = tostring(a) .. '|' .. tostring(b) .. '|' .. tostring(c)\n"
    "    if out.n > 100 then break end\n"
    "  end\n"
    "  return table.concat(out, ';', 1, out.n)\n"
    "end\n"
    "local n = 0\n"
    "for _, c in ipairs(cases) do\n"
    "  local s, p, i, plain = c[1], c[2], c[3], c[4]\n"
    "  local tag = string.format('%q %q', s, p)\n"
    "  check('find ' .. tag, pack(pcall(string.find, s, p, i, plain)),\n"
    "    pack(pcall(B.find, s, p, i, plain)))\n"
    "  check('match ' .. tag, pack(pcall(string.match, s, p, i)), pack(pcall(B.match, s, p, i)))\n"
    "  check('gmatch ' .. tag, pack(pcall(all, string.gmatch, s, p, i)),\n"
    "    pack(pcall(all, B.gmatch, s, p, i)))\n"
    "  local reps = {'<%0>', '%1', '%%', '%2', 'x%', {hello = 'HI', o = 1, l = false},\n"
    "    function(a, b) return b and (a .. b) or nil end, function() return {} end, 7}\n"
    "  for _, r in ipairs(reps) do\n"
    "    for _, max in ipairs({false, 0, 1, 2}) do\n"
    "      local m = max or nil\n"
    "      check('gsub ' .. tag .. ' ' .. tostring(r) .. ' ' .. tostring(m),\n"
    "        pack(pcall(string.gsub, s, p, r, m)), pack(pcall(B.gsub, s, p, r, m)))\n"
    "      n = n + 1\n"
    "    end\n"
    "  end\n"
    "  n = n + 3\n"
    "end\n"
    "check('gsub bad repl', pack(pcall(string.gsub, 'a', 'a', true)),\n"
    "  pack(pcall(B.gsub, 'a', 'a', true)))\n"
    "check('find no args', pack(pcall(string.find)), pack(pcall(B.find)))\n"
    "return n\n";

START_TEST(bounded_matching_agrees_with_lua)
{
	lua_State *L = luaL_newstate();
	uint64_t charged = 0;

	ck_assert_ptr_nonnull(L);
	luaL_openlibs(L);
	lua_newtable(L);
	av_strmatch_register(L, -1, &charged, NULL);
	lua_setglobal(L, "B");
	ck_assert_int_eq(luaL_loadstring(L, compare_script), LUA_OK);
	int rc = lua_pcall(L, 0, 1, 0);
	ck_assert_msg(rc == LUA_OK, "%s", lua_tostring(L, -1));
	ck_assert_int_gt(lua_tointeger(L, -1), 60 * 3);
	ck_assert_uint_gt(charged, 0);
	/* Where Lua's own would run for tens of seconds, the copy stops. */
	const char *slow = "return B.find(('a'):rep(3000), '.-.-b')";
	ck_assert_int_eq(luaL_loadstring(L, slow), LUA_OK);
	ck_assert_int_ne(lua_pcall(L, 0, 1, 0), LUA_OK);
	ck_assert_msg(strstr(lua_tostring(L, -1),
	    "pattern matching exceeded its budget of 10000000 steps") != NULL, "%s",
	    lua_tostring(L, -1));
	lua_close(L);
}
END_TEST

/* --- plugin test --- */

START_TEST(plugin_test_runs_tests)
{
	const char *pol[] = {fixture("policies/good")};
	const char *paths[] = {fixture("plugins/harness")};
	av_policy_opts o = {0};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	o.policy_dirs = pol;
	o.npolicy_dirs = 1;
	ck_assert_int_eq(av_plugin_test(&o, paths, 1, NULL, "text", f), 1);
	fclose(f);
	ck_assert_msg(strstr(out, "PASS test_blocks_other_publishers\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "PASS test_reads_manifest_files\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "FAIL test_fails_on_purpose: expected decision 'approved', got "
	    "'rejected'; findings: gate.publisher(block) (") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "gate_test.lua:21)\n2 passed, 1 failed\n") != NULL, "%s", out);
	free(out);

	out = NULL;
	f = open_memstream(&out, &len);
	ck_assert_int_eq(av_plugin_test(&o, paths, 1, "blocks", "tap", f), 0);
	fclose(f);
	ck_assert_str_eq(out, "TAP version 13\n1..1\nok 1 - test_blocks_other_publishers\n");
	free(out);

	out = NULL;
	f = open_memstream(&out, &len);
	ck_assert_int_eq(av_plugin_test(&o, paths, 1, "purpose", "json", f), 1);
	fclose(f);
	cJSON *j = cJSON_Parse(out);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(cJSON_GetObjectItem(j, "failed")->valueint, 1);
	cJSON_Delete(j);
	free(out);
	ck_assert_int_eq(av_plugin_test(&o, paths, 1, NULL, "xml", stdout), AV_EINVAL);
}
END_TEST

/* --- settings: one_of, min, max --- */

/* A plugin whose settings_schema bounds every setting, and reports what it
 * was given. */
static const char *const bounded_plugin =
    "return {\n"
    "  name = 'bounded', area = 'fixture', version = '1', description = 'bounded settings',\n"
    "  settings_schema = {\n"
    "    level = {type = 'string', default = 'warn', one_of = {'info', 'warn', 'review', 'block'}},\n"
    "    limit = {type = 'integer', default = 3, min = 1, max = 10},\n"
    "    ratio = {type = 'number', default = 0.5, min = 0, max = 1},\n"
    "    kinds = {type = 'list', default = {'model'}, one_of = {'model', 'dataset', 'code'}},\n"
    "  },\n"
    "  evaluate = function(component, settings, report)\n"
    "    report:finding{id = 'fixture.settings', severity = 'info', message = settings.level ..\n"
    "      ' ' .. settings.limit .. ' ' .. settings.ratio .. ' ' .. #settings.kinds .. ' ' ..\n"
    "      settings.kinds[#settings.kinds]}\n"
    "  end,\n"
    "}\n";

/* Writes plugin_lua as <tmp>/plugins/p.lua and, unless NULL, a default
 * profile whose plugins section is plugins_yaml (its first setting on line
 * 6, values from column 12 for a 5-letter name), loads them, and removes
 * the files.  Returns av_policy_load's code; d is left for the caller. */
static int
load_files(const char *plugin_lua, const char *plugins_yaml, av_policy **p, av_diags *d)
{
	char dir[32], pdir[64], poldir[64], plugin[96], profile[96];
	const char *pd[] = {pdir};
	const char *pol[] = {poldir};
	FILE *f;
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/avsetXXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(pdir, sizeof(pdir), "%s/plugins", dir);
	snprintf(poldir, sizeof(poldir), "%s/policies", dir);
	snprintf(plugin, sizeof(plugin), "%s/p.lua", pdir);
	snprintf(profile, sizeof(profile), "%s/default.yaml", poldir);
	ck_assert_int_eq(mkdir(pdir, 0700), 0);
	ck_assert_int_eq(mkdir(poldir, 0700), 0);
	ck_assert_ptr_nonnull(f = fopen(plugin, "w"));
	fputs(plugin_lua, f);
	fclose(f);
	if (plugins_yaml != NULL) {
		ck_assert_ptr_nonnull(f = fopen(profile, "w"));
		fprintf(f, "apiVersion: aivet/v1\nkind: profile\nname: default\nplugins:\n%s",
		    plugins_yaml);
		fclose(f);
	}
	*p = NULL;
	rc = load(p, pd, 1, pol, 1, d);
	remove(plugin);
	remove(profile);
	rmdir(pdir);
	rmdir(poldir);
	rmdir(dir);
	return rc;
}

/* The message of the bounded plugin's finding under the default profile. */
static void
check_bounded_message(av_policy *p, const char *want)
{
	av_runtime *rt;
	av_error err;

	ck_assert_int_eq(av_runtime_create(&rt, p, &err), 0);
	av_verdict *v = eval(rt, basic, NULL);
	const av_finding *f = finding(v, "fixture.settings");
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->message, want);
	av_verdict_destroy(v);
	av_runtime_destroy(rt);
}

START_TEST(bounded_settings_load_and_reach_the_plugin)
{
	av_policy *p;
	av_diags d;

	ck_assert_int_eq(load_files(bounded_plugin, NULL, &p, &d), 0);
	av_diags_fini(&d);
	check_bounded_message(p, "warn 3 0.5 1 model");
	av_policy_unref(p);
	ck_assert_int_eq(load_files(bounded_plugin,
	    "  bounded:\n    level: block\n    limit: 10\n    ratio: 1\n    kinds: [dataset, code]\n",
	    &p, &d), 0);
	av_diags_fini(&d);
	check_bounded_message(p, "block 10 1 2 code");
	av_policy_unref(p);
}
END_TEST

START_TEST(enum_typo_in_profile_is_refused_with_file_line)
{
	av_policy *p;
	av_diags d;

	ck_assert_int_eq(load_files(bounded_plugin, "  bounded:\n    level: wrn\n", &p, &d),
	    AV_ECONFIG);
	ck_assert_ptr_null(p);
	ck_assert(diags_have(&d, "default.yaml:6:12: setting bounded.level must be one of info, "
	    "warn, review or block, not 'wrn'"));
	av_diags_fini(&d);
	/* In a list, the element that is not allowed is named at its own column. */
	ck_assert_int_eq(load_files(bounded_plugin, "  bounded:\n    kinds: [model, weights]\n", &p,
	    &d), AV_ECONFIG);
	ck_assert(diags_have(&d, "default.yaml:6:20: setting bounded.kinds may only hold model, "
	    "dataset or code, not 'weights'"));
	av_diags_fini(&d);
	/* Matching is exact: case counts. */
	ck_assert_int_eq(load_files(bounded_plugin, "  bounded:\n    level: Warn\n", &p, &d),
	    AV_ECONFIG);
	av_diags_fini(&d);
}
END_TEST

START_TEST(number_out_of_range_in_profile_is_refused_with_file_line)
{
	av_policy *p;
	av_diags d;

	ck_assert_int_eq(load_files(bounded_plugin,
	    "  bounded:\n    limit: 11\n    ratio: -0.25\n", &p, &d), AV_ECONFIG);
	ck_assert_ptr_null(p);
	ck_assert(diags_have(&d, "default.yaml:6:12: setting bounded.limit must be at most 10, "
	    "not 11"));
	ck_assert(diags_have(&d, "default.yaml:7:12: setting bounded.ratio must be at least 0, "
	    "not -0.25"));
	av_diags_fini(&d);
	ck_assert_int_eq(load_files(bounded_plugin, "  bounded:\n    limit: 0\n", &p, &d),
	    AV_ECONFIG);
	ck_assert(diags_have(&d, "default.yaml:6:12: setting bounded.limit must be at least 1, "
	    "not 0"));
	av_diags_fini(&d);
	/* The type is still checked first. */
	ck_assert_int_eq(load_files(bounded_plugin, "  bounded:\n    limit: 2.5\n", &p, &d),
	    AV_ECONFIG);
	ck_assert(diags_have(&d, "setting bounded.limit must be of type integer, not float"));
	av_diags_fini(&d);
}
END_TEST

/* One plugin with one setting whose schema entry is entry. */
static int
load_schema(const char *entry, av_diags *d)
{
	char lua[1024];
	av_policy *p;
	int rc;

	snprintf(lua, sizeof(lua),
	    "return {name = 'badset', area = 'fixture', version = '1', description = 'x',\n"
	    "  settings_schema = {level = %s},\n  evaluate = function() end}\n", entry);
	rc = load_files(lua, NULL, &p, d);
	ck_assert_ptr_null(p);
	return rc;
}

START_TEST(bad_one_of_min_max_are_plugin_load_errors)
{
	static const struct {
		const char *entry, *msg;
	} cases[] = {
	    {"{type = 'string', one_of = 'warn'}", "one_of must be a non-empty list"},
	    {"{type = 'string', one_of = {}}", "one_of must be a non-empty list"},
	    {"{type = 'string', one_of = {'info', 2}}", "one_of value 2 is not a string"},
	    {"{type = 'string', one_of = {'info', 'info'}}", "one_of lists 'info' twice"},
	    {"{type = 'boolean', one_of = {true}}", "one_of is for a string, number, integer or list"},
	    {"{type = 'string', default = 'wrn', one_of = {'info', 'warn'}}",
	        "the default must be one of info or warn, not 'wrn'"},
	    {"{type = 'list', default = {'a', 'z'}, one_of = {'a', 'b'}}",
	        "the default may only hold a or b, not 'z'"},
	    {"{type = 'string', min = 1}", "min is for a number or integer setting, not a string"},
	    {"{type = 'integer', max = '10'}", "max must be a number, not a string"},
	    {"{type = 'integer', min = 5, max = 1}", "min 5 is above max 1"},
	    {"{type = 'integer', default = 20, min = 1, max = 10}",
	        "the default must be at most 10, not 20"},
	    {"{type = 'integer', one_of = {1, 50}, max = 10}", "one_of value 50 is outside min and max"},
	    {"{type = 'string', oneof = {'a'}}", "unknown field 'oneof'"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		av_diags d;
		char want[256];
		ck_assert_int_eq(load_schema(cases[i].entry, &d), AV_EPLUGIN);
		snprintf(want, sizeof(want), "p.lua: plugin badset: settings_schema.level: %s",
		    cases[i].msg);
		ck_assert_msg(diags_have(&d, want), "%s: no '%s'", cases[i].entry, want);
		av_diags_fini(&d);
	}
}
END_TEST

static Suite *
plugin_suite(void)
{
	Suite *s = suite_create("plugin");
	TCase *core = tcase_create("core");
	TCase *errors = tcase_create("errors");
	TCase *sandbox = tcase_create("sandbox");
	TCase *limits = tcase_create("limits");
	TCase *ptest = tcase_create("plugin_test");
	TCase *settings = tcase_create("settings");

	tcase_add_checked_fixture(core, setup, NULL);
	tcase_add_test(core, loads_plugins_and_digest);
	tcase_add_test(core, evaluates_with_settings_and_defaults);
	tcase_add_test(core, applies_to_skips_other_kinds);
	tcase_add_test(core, later_plugin_replaces_by_name);
	tcase_add_test(core, helper_modules);
	tcase_add_test(core, risk_and_review_by);
	tcase_add_test(core, review_within_shortens_review_by);
	suite_add_tcase(s, core);

	tcase_add_checked_fixture(errors, setup, NULL);
	tcase_add_test(errors, contract_errors_at_load);
	tcase_add_test(errors, schema_errors_at_load);
	tcase_add_test(errors, profile_settings_checked_against_schema);
	tcase_add_test(errors, profile_cycle_and_unknown_key);
	tcase_add_test(errors, unknown_profile_is_not_found);
	tcase_add_test(errors, bad_finding_id_names_plugin_line_value);
	tcase_add_test(errors, bad_severity_names_value);
	tcase_add_test(errors, bad_field_and_review_within);
	tcase_add_test(errors, garbage_return_is_error);
	tcase_add_test(errors, plugin_error_does_not_stop_others);
	tcase_add_test(errors, component_is_read_only);
	suite_add_tcase(s, errors);

	tcase_add_checked_fixture(sandbox, setup, NULL);
	tcase_add_test(sandbox, sandbox_refuses_escapes);
	tcase_add_test(sandbox, sandbox_allows_the_basics);
	tcase_add_test(sandbox, chunks_have_their_own_globals);
	tcase_add_test(sandbox, bounded_matching_agrees_with_lua);
	suite_add_tcase(s, sandbox);

	tcase_add_checked_fixture(limits, setup, NULL);
	tcase_set_timeout(limits, 120);
	tcase_add_test(limits, infinite_loop_hits_budget);
	tcase_add_test(limits, allocation_bomb_hits_cap);
	tcase_add_test(limits, plugin_timeout_finding);
	tcase_add_test(limits, plugin_memory_finding);
	tcase_add_test(limits, slow_patterns_hit_match_budget);
	tcase_add_test(limits, caught_match_errors_spend_the_budget);
	tcase_add_test(limits, sandbox_matching_is_bounded);
	suite_add_tcase(s, limits);

	tcase_add_checked_fixture(settings, setup, NULL);
	tcase_add_test(settings, bounded_settings_load_and_reach_the_plugin);
	tcase_add_test(settings, enum_typo_in_profile_is_refused_with_file_line);
	tcase_add_test(settings, number_out_of_range_in_profile_is_refused_with_file_line);
	tcase_add_test(settings, bad_one_of_min_max_are_plugin_load_errors);
	suite_add_tcase(s, settings);

	tcase_add_checked_fixture(ptest, setup, NULL);
	tcase_add_test(ptest, plugin_test_runs_tests);
	suite_add_tcase(s, ptest);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(plugin_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
