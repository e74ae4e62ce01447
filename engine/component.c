/*
 * component.c - the one path from a parsed document to the component the
 * plugins see: validate, then normalise.
 */
#include "component.h"
#include "manifest.h"

int
av_component_prepare(av_doc *doc, const char *file, av_error *err)
{
	int rc;

	if ((rc = av_manifest_check(av_doc_root(doc), file, err)) != 0)
		return rc;
	if ((rc = av_manifest_normalise(doc, err)) != 0)
		return rc;
	return 0;
}
