/*
 * component.c - the one path from a parsed document to the component the
 * plugins see: validate, then normalise.
 */
#include "card.h"
#include "component.h"
#include "manifest.h"

int
av_component_prepare(av_doc *doc, const char *file, av_error *err)
{
	av_node *card;
	int rc;

	if ((rc = av_manifest_check(av_doc_root(doc), file, err)) != 0)
		return rc;
	if ((rc = av_manifest_normalise(doc, err)) != 0)
		return rc;
	card = (av_node *)av_map_get(av_doc_root(doc), "model_card");
	if (card != NULL && card->type == AV_MAP && (rc = av_card_normalise(doc, card, err)) != 0)
		return rc;
	return 0;
}
