/*
 * fuzz_card.c - libFuzzer target for Hugging Face cards: front matter,
 * the Markdown section splitter and canonical sections, and the whole
 * importer (av_import with AV_INPUT_HF, which validates its result).
 */
#include <stdint.h>
#include <stdlib.h>

#include "card.h"
#include "import.h"
#include "markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *yaml;
	size_t ylen, body, n;
	bool unclosed;
	av_md_section *secs;
	av_md_canon canon[AV_SEC_COUNT];
	av_error err;
	av_diags d;
	av_doc *doc;

	(void)av_card_front_matter(text, size, &yaml, &ylen, &body, &unclosed);
	if (av_md_split(text, size, &secs, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (secs[i].start > secs[i].body || secs[i].body > secs[i].own_end ||
			    secs[i].own_end > secs[i].end || secs[i].end > size)
				abort(); /* sections must nest inside the text */
			(void)av_md_classify(secs[i].heading, secs[i].heading_len);
			(void)av_md_content_words(text + secs[i].body, secs[i].own_end - secs[i].body);
		}
		free(secs);
	}
	(void)av_md_canonical(text, size, canon, &err);
	av_diags_init(&d);
	if (av_import(&doc, text, size, AV_INPUT_HF, "README.md", &d) == 0)
		av_doc_destroy(doc);
	av_diags_fini(&d);
	return 0;
}
