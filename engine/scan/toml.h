/*
 * toml.h - TOML 1.0 read into the same document tree as YAML and JSON
 * (doc.h), so that pyproject.toml, Pipfile, poetry.lock and uv.lock are read
 * with their positions by the dependency readers.
 *
 * Tables and inline tables are maps, arrays and arrays of tables are
 * sequences; strings, integers, floats and booleans are typed as in doc.h;
 * dates and times are kept as strings.  Every node carries its line and
 * column.  Not for writing TOML, and not a validator of every rule of the
 * specification: what it cannot read is an error, what it reads is read as
 * TOML means it.
 */
#ifndef ENGINE_SCAN_TOML_H
#define ENGINE_SCAN_TOML_H

#include <stddef.h>

#include "doc.h"
#include "errors.h"

/*
 * Parses buf (len bytes) into a new document; name is used in errors.  lim
 * bounds bytes, nesting and nodes (NULL: doc.h's defaults).  Duplicate keys,
 * a table defined twice, a key that is not a table used as one, invalid
 * UTF-8 and malformed values are errors naming line and column.  On success
 * *out owns the document (av_doc_destroy).  Returns 0, AV_EPARSE, AV_ELIMIT
 * or AV_ENOMEM.
 */
int av_toml_parse(av_doc **out, const char *buf, size_t len, const char *name,
    const av_limits *lim, av_error *err);

#endif
