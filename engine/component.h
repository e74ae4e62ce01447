/*
 * component.h - turns a parsed input document into the normalised
 * component that plugins see.  The daemon, `aivet --local` and
 * `aivet plugin test` all prepare components through this one function, so
 * that a manifest means the same thing everywhere.
 */
#ifndef ENGINE_COMPONENT_H
#define ENGINE_COMPONENT_H

#include "errors.h"
#include "doc.h"

/*
 * Validates doc's root as an aivet/v1 manifest (stopping at the first
 * problem, reported in err with file:line:column), then normalises it in
 * place: license shorthands become maps, and a model card's text is
 * analysed into model_card.sections and model_card.metadata.  file names
 * the document in errors (may be NULL).  Returns 0, AV_ESCHEMA or AV_ENOMEM.
 */
int av_component_prepare(av_doc *doc, const char *file, av_error *err);

#endif
