/*
 * test_scan_vulns.c - scanner reports read into one list: osv-scanner,
 * pip-audit, grype, trivy and CycloneDX, and CVSS v3 base scores.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/vulns.h"

static av_vulns
read_report(const char *json, const char *format)
{
	av_vulns v;
	av_diags d;
	av_vulns_init(&v);
	av_diags_init(&d);
	ck_assert_int_eq(av_vulns_parse(&v, json, strlen(json), "r.json", &d), 0);
	ck_assert_str_eq(v.format, format);
	av_diags_fini(&d);
	return v;
}

static const av_vuln *
find(const av_vulns *v, const char *id)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i].id, id) == 0)
			return &v->v[i];
	ck_abort_msg("no %s", id);
	return NULL;
}

START_TEST(osv_scanner_groups_aliases_and_takes_max_severity)
{
	av_vulns v = read_report(
	    "{\"results\":[{\"source\":{\"path\":\"requirements.txt\",\"type\":\"lockfile\"},"
	    "\"packages\":[{\"package\":{\"name\":\"jinja2\",\"version\":\"2.4.1\",\"ecosystem\":\"PyPI\"},"
	    "\"vulnerabilities\":[{\"id\":\"GHSA-462w-v97r-4m45\",\"summary\":\"Sandbox escape\","
	    "\"affected\":[{\"package\":{\"name\":\"jinja2\",\"ecosystem\":\"PyPI\"},\"ranges\":[{"
	    "\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.10.1\"}]}]}]},"
	    "{\"id\":\"PYSEC-2019-217\",\"summary\":\"same flaw\"},"
	    "{\"id\":\"GHSA-xxxx\",\"database_specific\":{\"severity\":\"MODERATE\"}},"
	    "{\"id\":\"GHSA-yyyy\",\"severity\":[{\"type\":\"CVSS_V3\","
	    "\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}]}],"
	    "\"groups\":[{\"ids\":[\"GHSA-462w-v97r-4m45\",\"PYSEC-2019-217\"],\"max_severity\":\"7.5\"},"
	    "{\"ids\":[\"GHSA-xxxx\"],\"max_severity\":\"\"},{\"ids\":[\"GHSA-yyyy\"]}]}]}]}",
	    "osv-scanner");
	ck_assert_uint_eq(v.n, 3);
	const av_vuln *x = find(&v, "GHSA-462w-v97r-4m45");
	ck_assert_str_eq(x->package, "jinja2");
	ck_assert_str_eq(x->version, "2.4.1");
	ck_assert_str_eq(x->ecosystem, "pypi");
	ck_assert_str_eq(x->severity, "high");
	ck_assert_str_eq(x->fixed_in, "2.10.1");
	ck_assert_str_eq(x->summary, "Sandbox escape");
	ck_assert_str_eq(find(&v, "GHSA-xxxx")->severity, "medium");
	ck_assert_str_eq(find(&v, "GHSA-yyyy")->severity, "critical");
	av_vulns_fini(&v);
}
END_TEST

START_TEST(pip_audit_has_no_severity)
{
	av_vulns v = read_report(
	    "{\"dependencies\":[{\"name\":\"jinja2\",\"version\":\"2.4.1\",\"vulns\":[{"
	    "\"id\":\"PYSEC-2019-217\",\"fix_versions\":[\"2.10.1\"],\"aliases\":[\"CVE-2019-10906\"],"
	    "\"description\":\"In Pallets Jinja before 2.10.1, ...\"}]},"
	    "{\"name\":\"torch\",\"version\":\"2.1.0\",\"vulns\":[]},"
	    "{\"name\":\"local\",\"skip_reason\":\"not on PyPI\"}],\"fixes\":[]}", "pip-audit");
	ck_assert_uint_eq(v.n, 1);
	const av_vuln *x = find(&v, "PYSEC-2019-217");
	ck_assert_ptr_null(x->severity); /* unknown: the plugin fails closed on it */
	ck_assert_str_eq(x->fixed_in, "2.10.1");
	av_vulns_fini(&v);
}
END_TEST

START_TEST(grype_trivy_and_cyclonedx)
{
	av_vulns v = read_report(
	    "{\"matches\":[{\"vulnerability\":{\"id\":\"CVE-2024-1\",\"severity\":\"Negligible\","
	    "\"fix\":{\"versions\":[\"1.2\"],\"state\":\"fixed\"}},\"artifact\":{\"name\":\"numpy\","
	    "\"version\":\"1.0\",\"type\":\"python\",\"purl\":\"pkg:pypi/numpy@1.0\"}}]}", "grype");
	ck_assert_str_eq(find(&v, "CVE-2024-1")->severity, "low");
	ck_assert_str_eq(find(&v, "CVE-2024-1")->ecosystem, "pypi");
	av_vulns_fini(&v);
	v = read_report(
	    "{\"SchemaVersion\":2,\"Results\":[{\"Target\":\"requirements.txt\",\"Type\":\"pip\","
	    "\"Vulnerabilities\":[{\"VulnerabilityID\":\"CVE-2024-2\",\"PkgName\":\"requests\","
	    "\"InstalledVersion\":\"2.0\",\"FixedVersion\":\"2.32.0, 3.0.0\",\"Severity\":\"CRITICAL\","
	    "\"Title\":\"leak\"}]}]}", "trivy");
	ck_assert_str_eq(find(&v, "CVE-2024-2")->fixed_in, "2.32.0");
	ck_assert_str_eq(find(&v, "CVE-2024-2")->severity, "critical");
	av_vulns_fini(&v);
	v = read_report(
	    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"bom-ref\":\"c1\","
	    "\"name\":\"torch\",\"version\":\"2.0.0\",\"purl\":\"pkg:pypi/torch@2.0.0\"}],"
	    "\"vulnerabilities\":[{\"id\":\"CVE-2024-3\",\"ratings\":[{\"severity\":\"medium\"},"
	    "{\"severity\":\"high\"}],\"affects\":[{\"ref\":\"c1\"},{\"ref\":\"missing\"}]}]}",
	    "cyclonedx");
	ck_assert_uint_eq(v.n, 1);
	ck_assert_str_eq(find(&v, "CVE-2024-3")->package, "torch");
	ck_assert_str_eq(find(&v, "CVE-2024-3")->severity, "high");
	av_vulns_fini(&v);
}
END_TEST

START_TEST(unknown_reports_are_refused)
{
	static const char *bad[] = {"not json", "{\"something\": []}", "[1, 2]", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		av_vulns v;
		av_diags d;
		av_vulns_init(&v);
		av_diags_init(&d);
		ck_assert_int_eq(av_vulns_parse(&v, bad[i], strlen(bad[i]), "r.json", &d), AV_EPARSE);
		ck_assert_uint_eq(d.n, 1);
		av_vulns_fini(&v);
		av_diags_fini(&d);
	}
}
END_TEST

START_TEST(cvss3_base_scores)
{
	static const struct {
		const char *v;
		double score;
		const char *sev;
	} cases[] = {
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "critical"},
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "medium"},
		{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "high"},
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", 3.7, "low"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double s;
		const char *sev = av_cvss3_severity(cases[i].v, &s);
		ck_assert_msg(sev && strcmp(sev, cases[i].sev) == 0 && s > cases[i].score - 0.01 &&
		    s < cases[i].score + 0.01, "%s: %.1f %s", cases[i].v, s, sev ? sev : "-");
	}
	double s;
	ck_assert_ptr_null(av_cvss3_severity("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", &s));
	ck_assert_ptr_null(av_cvss3_severity("CVSS:4.0/AV:N/AC:L/AT:N", &s));
	ck_assert_ptr_null(av_cvss3_severity("CVSS:3.1/AV:N", &s));
}
END_TEST

static Suite *
scan_vulns_suite(void)
{
	Suite *s = suite_create("scan_vulns");
	TCase *tc = tcase_create("reports");
	tcase_add_test(tc, osv_scanner_groups_aliases_and_takes_max_severity);
	tcase_add_test(tc, pip_audit_has_no_severity);
	tcase_add_test(tc, grype_trivy_and_cyclonedx);
	tcase_add_test(tc, unknown_reports_are_refused);
	tcase_add_test(tc, cvss3_base_scores);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(scan_vulns_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
