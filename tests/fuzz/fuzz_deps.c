/*
 * fuzz_deps.c - libFuzzer target for the dependency-file readers of aivet
 * scan.  The first byte chooses the reader (TOML itself, each dependency
 * file kind, or one PEP 508 requirement); the rest is the file.  Every
 * dependency read must have a name, and a line inside the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/deps.h"
#include "scan/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	int which = data[0] % 11;
	int lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n' || text[i] == '\r'; /* YAML counts a CR as a line break */
	if (which == 0) {
		av_doc *doc;
		av_error err;
		if (av_toml_parse(&doc, text, len, "f.toml", NULL, &err) == 0) {
			size_t jl;
			char *json = av_node_to_json(av_doc_root(doc), &jl);
			free(json);
			av_doc_destroy(doc);
		}
		return 0;
	}
	av_deps deps;
	av_diags d;
	av_deps_init(&deps);
	av_diags_init(&d);
	if (which == 10)
		(void)av_deps_pep508(&deps, text, len, 1, false);
	else
		(void)av_deps_parse(&deps, (av_depfile)which, text, len, "f", &d);
	for (size_t i = 0; i < deps.n; i++) {
		if (deps.v[i].name == NULL || deps.v[i].name[0] == '\0')
			abort();
		if (deps.v[i].line < 1 || deps.v[i].line > lines)
			abort();
		char norm[256];
		av_deps_normalise_name(deps.v[i].name, norm, sizeof(norm));
	}
	av_deps_fini(&deps);
	av_diags_fini(&d);
	return 0;
}
