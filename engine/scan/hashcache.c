/*
 * hashcache.c - what the inspector found in a file, kept between scans in
 * an SQLite database in the state directory (see scan_int.h), so that a
 * second scan of unchanged weights reads no weight bytes at all.
 *
 * The key is the file's identity and state: device, inode, size,
 * modification time and change time, all in nanoseconds.  The change time
 * is in the key too (beyond what the modification time says) because
 * `touch -r` can put back an old modification time after an edit, but
 * nothing but the kernel sets the change time.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "av_config.h"
#include "scan_int.h"

/* Bumped when the stored form changes; with AV_VERSION, the cache's key. */
#define CACHE_FORMAT "aivet-scan-cache 1 " AV_VERSION
/* Entries unused for this long are dropped. */
#define CACHE_KEEP_DAYS 180

struct av_hashcache {
	sqlite3 *db;
	sqlite3_stmt *get, *put, *touch;
	bool in_tx;
};

static void
finalize(av_hashcache *c)
{
	sqlite3_finalize(c->get);
	sqlite3_finalize(c->put);
	sqlite3_finalize(c->touch);
	c->get = c->put = c->touch = NULL;
}

void
av_hashcache_close(av_hashcache *c)
{
	if (c == NULL)
		return;
	if (c->in_tx)
		av_hashcache_commit(c);
	char sql[128];
	snprintf(sql, sizeof(sql), "DELETE FROM files WHERE used < %lld",
	    (long long)time(NULL) - CACHE_KEEP_DAYS * 86400LL);
	sqlite3_exec(c->db, sql, NULL, NULL, NULL);
	finalize(c);
	sqlite3_close(c->db);
	free(c);
}

int
av_hashcache_open(av_hashcache **out, const char *path, av_error *err)
{
	av_hashcache *c = calloc(1, sizeof(*c));
	sqlite3_stmt *st = NULL;
	int fd;

	*out = NULL;
	if (c == NULL)
		return av_error_set(err, AV_ENOMEM, path, 0, 0, "out of memory");
	/* created private: the cache says which files the user has */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) >= 0)
		close(fd);
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(c->db, 5000);
	if (sqlite3_exec(c->db,
		"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);"
		"CREATE TABLE IF NOT EXISTS files(dev INTEGER NOT NULL, ino INTEGER NOT NULL,"
		" size INTEGER NOT NULL, mtime INTEGER NOT NULL, ctime INTEGER NOT NULL,"
		" inspected TEXT NOT NULL, used INTEGER NOT NULL,"
		" PRIMARY KEY(dev, ino, size, mtime, ctime)) WITHOUT ROWID;",
		NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(c->db, "SELECT v FROM meta WHERE k = 'format'", -1, &st, NULL) !=
	    SQLITE_OK)
		goto fail;
	bool same = sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), CACHE_FORMAT) == 0;
	sqlite3_finalize(st);
	st = NULL;
	if (!same && sqlite3_exec(c->db,
		"BEGIN IMMEDIATE; DELETE FROM files;"
		"INSERT OR REPLACE INTO meta(k, v) VALUES('format', '" CACHE_FORMAT "'); COMMIT;",
		NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(c->db,
		"SELECT inspected FROM files WHERE dev = ?1 AND ino = ?2 AND size = ?3 AND"
		" mtime = ?4 AND ctime = ?5", -1, &c->get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db,
		"INSERT OR REPLACE INTO files(dev, ino, size, mtime, ctime, inspected, used)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &c->put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db,
		"UPDATE files SET used = ?6 WHERE dev = ?1 AND ino = ?2 AND size = ?3 AND"
		" mtime = ?4 AND ctime = ?5 AND used < ?6 - 86400", -1, &c->touch, NULL) != SQLITE_OK)
		goto fail;
	*out = c;
	return 0;
fail:
	av_error_set(err, AV_EIO, path, 0, 0, "hash cache: %s",
	    c->db ? sqlite3_errmsg(c->db) : "cannot open");
	sqlite3_finalize(st);
	finalize(c);
	sqlite3_close(c->db);
	free(c);
	return AV_EIO;
}

static void
bind_key(sqlite3_stmt *st, const av_scan_file *f)
{
	sqlite3_bind_int64(st, 1, (sqlite3_int64)f->dev);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)f->ino);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)f->size);
	sqlite3_bind_int64(st, 4, f->mtime_ns);
	sqlite3_bind_int64(st, 5, f->ctime_ns);
}

char *
av_hashcache_get(av_hashcache *c, const av_scan_file *f)
{
	char *r = NULL;

	if (c == NULL)
		return NULL;
	bind_key(c->get, f);
	if (sqlite3_step(c->get) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(c->get, 0);
		r = t ? strdup((const char *)t) : NULL;
	}
	sqlite3_reset(c->get);
	if (r != NULL) {
		bind_key(c->touch, f);
		sqlite3_bind_int64(c->touch, 6, (sqlite3_int64)time(NULL));
		sqlite3_step(c->touch);
		sqlite3_reset(c->touch);
	}
	return r;
}

void
av_hashcache_put(av_hashcache *c, const av_scan_file *f, const char *json)
{
	if (c == NULL)
		return;
	bind_key(c->put, f);
	sqlite3_bind_text(c->put, 6, json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->put, 7, (sqlite3_int64)time(NULL));
	sqlite3_step(c->put);
	sqlite3_reset(c->put);
	sqlite3_clear_bindings(c->put);
}

void
av_hashcache_begin(av_hashcache *c)
{
	if (c != NULL && !c->in_tx)
		c->in_tx = sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

void
av_hashcache_commit(av_hashcache *c)
{
	if (c != NULL && c->in_tx) {
		sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
		c->in_tx = false;
	}
}
