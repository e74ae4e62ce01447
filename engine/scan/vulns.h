/*
 * vulns.h - vulnerability reports from the scanners teams already run,
 * read into one list: osv-scanner, pip-audit, grype and trivy JSON, and
 * the vulnerabilities of a CycloneDX BOM.
 *
 * Each entry names the affected package (as the report names it, with its
 * ecosystem and installed version where given), the vulnerability id, its
 * severity mapped to low | medium | high | critical (from the report's own
 * rating, or computed from a CVSS v3 vector; left unknown when the report
 * gives none, as pip-audit's does), the first fixed version and a short
 * summary.  The scanner (scan.c) joins them to the dependencies it found.
 */
#ifndef ENGINE_SCAN_VULNS_H
#define ENGINE_SCAN_VULNS_H

#include <stddef.h>

#include "errors.h"

/* Largest report read. */
#define AV_VULNS_MAX_BYTES (64u << 20)

typedef struct av_vuln {
	char *package;
	char *version;         /* installed version, or NULL */
	const char *ecosystem; /* a manifest ecosystem ("pypi", "npm", ...) or NULL */
	char *id;
	const char *severity;  /* "low", "medium", "high", "critical", or NULL when unknown */
	char *fixed_in;        /* or NULL */
	char *summary;         /* at most 300 bytes, or NULL */
} av_vuln;

typedef struct av_vulns {
	av_vuln *v;
	size_t n, cap;
	const char *format; /* "osv-scanner", "pip-audit", "grype", "trivy", "cyclonedx" */
} av_vulns;

void av_vulns_init(av_vulns *v);
void av_vulns_fini(av_vulns *v);

/*
 * Reads a report (JSON, format detected from its shape) and appends its
 * vulnerabilities to out.  Problems go to d naming name.  Returns 0,
 * AV_EPARSE (not JSON, or not a report of a known scanner), AV_ELIMIT or
 * AV_ENOMEM.
 */
int av_vulns_parse(av_vulns *out, const char *buf, size_t len, const char *name, av_diags *d);

/* The severity of a CVSS v3.x base vector ("CVSS:3.1/AV:N/..."), or NULL
 * when the vector is not one; *score gets the base score. */
const char *av_cvss3_severity(const char *vector, double *score);

#endif
