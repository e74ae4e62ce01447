/*
 * sqlite.h - the SQLite backend of the store: its operations table, for
 * engine/store/store.c's list of backends, and its test knobs, for the
 * store's own tests.  Nothing else includes it: the rest of aivet knows
 * only engine/store.h.
 */
#ifndef ENGINE_STORE_SQLITE_H
#define ENGINE_STORE_SQLITE_H

#include <stdint.h>

#include "backend.h"

/* Opens file paths: a SQLite database in WAL mode, foreign keys on. */
extern const struct av_store_backend av_store_sqlite;

/*
 * For tests: caps the database at max_pages pages (SQLite's max_page_count)
 * on every session of s that writes, so that a full disk can be simulated;
 * writes beyond it fail with AV_EFULL and store nothing.  0 removes the
 * cap.  It applies from each session's next write on.  AV_EINVAL when s is
 * not a SQLite store or max_pages is negative.
 */
int av_store_sqlite_limit_pages(av_store *s, int64_t max_pages, av_error *err);

#endif
