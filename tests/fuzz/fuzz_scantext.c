/*
 * fuzz_scantext.c - libFuzzer target for what aivet scan reads in text:
 * secrets (every position inside the text), Python code and notebooks
 * (every fact on a line of the file), other text for trust_remote_code,
 * and scanner reports.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/pycode.h"
#include "scan/secrets.h"
#include "scan/vulns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n' || text[i] == '\r'; /* YAML counts a CR as a line break */

	av_secrets s;
	av_secrets_init(&s);
	if (av_secrets_scan(&s, text, size) == 0)
		for (size_t i = 0; i < s.n; i++)
			if (s.v[i].line < 1 || s.v[i].line > lines || s.v[i].column < 1 ||
			    s.v[i].length < 0 || (size_t)s.v[i].column - 1 + (size_t)s.v[i].length > size)
				abort();
	av_secrets_fini(&s);

	av_codefacts f;
	av_codefacts_init(&f);
	if (av_pycode_scan(&f, text, size, NULL, 0, "acme/self") == 0)
		for (size_t i = 0; i < f.n; i++)
			if (f.v[i].line < 1 || f.v[i].line > lines || f.v[i].kind < 0 ||
			    f.v[i].kind >= AV_CODE_KINDS)
				abort();
	av_codefacts_fini(&f);
	av_codefacts_init(&f);
	(void)av_text_remote_code(&f, text, size);
	av_codefacts_fini(&f);

	av_diags d;
	av_diags_init(&d);
	av_codefacts_init(&f);
	if (av_notebook_scan(&f, text, size, "n.ipynb", NULL, &d) == 0)
		for (size_t i = 0; i < f.n; i++)
			if (f.v[i].line < 0 || f.v[i].line > lines)
				abort();
	av_codefacts_fini(&f);
	av_vulns v;
	av_vulns_init(&v);
	(void)av_vulns_parse(&v, text, size, "r.json", &d);
	for (size_t i = 0; i < v.n; i++)
		if (v.v[i].package == NULL || v.v[i].id == NULL)
			abort();
	av_vulns_fini(&v);
	av_diags_fini(&d);
	return 0;
}
