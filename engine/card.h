/*
 * card.h - the model card of a manifest, analysed for the plugins.
 *
 * A manifest's model_card may carry the card's Markdown (`text`, with or
 * without YAML front matter) and/or sections written inline.  The plugins
 * should not have to parse Markdown: this module turns both into one form,
 * model_card.sections, a map from every canonical section name (see
 * markdown.h) to {present: bool, content: bool, heading: string, words: int},
 * and copies the front matter facts the plugins read into
 * model_card.metadata.
 */
#ifndef ENGINE_CARD_H
#define ENGINE_CARD_H

#include "errors.h"
#include "doc.h"

/*
 * Normalises model_card (a map node of doc) in place:
 *  - when it has `text`, the front matter (if any) is parsed and its
 *    license, license_name, license_link, base_model, datasets, language,
 *    pipeline_tag, tags and library_name are set under `metadata` (keys
 *    already there are kept), and the body's canonical sections are found;
 *  - inline `sections` given as strings (keys matched to canonical names
 *    by the same fuzzy rules as headings) are turned into the same form; an
 *    inline section with content wins over the text's;
 *  - entries already in the normalised form are kept, so normalising twice
 *    changes nothing;
 *  - every canonical name gets an entry (present: false when absent),
 *    unless the card has neither text nor sections, when nothing is added.
 * Returns 0; AV_EPARSE when the front matter is not valid YAML (err names
 * the line and column in the card); AV_ELIMIT when the card is over the
 * Markdown bounds; AV_EINVAL when model_card is not a map; AV_ENOMEM.
 */
int av_card_normalise(av_doc *doc, av_node *model_card, av_error *err);

/*
 * Finds the YAML front matter of a card: a first line "---" up to the next
 * line "---" or "...".  On success (returns true) the YAML is
 * [*yaml, *yaml + *yaml_len), it starts on line 2 of the card, and the body
 * starts at *body (an offset into card).  Returns false when the card has
 * no front matter; *unclosed is then set when it opens one but never closes
 * it.
 */
bool av_card_front_matter(const char *card, size_t len, const char **yaml, size_t *yaml_len,
    size_t *body, bool *unclosed);

#endif
