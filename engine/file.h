/*
 * file.h - reading a whole file into memory, bounded.
 */
#ifndef ENGINE_FILE_H
#define ENGINE_FILE_H

#include <stddef.h>

#include "errors.h"

/*
 * Reads a whole file of at most max bytes into a new NUL-terminated buffer
 * (*buf, *len bytes; the caller frees it).  Returns 0, or AV_EIO /
 * AV_ELIMIT / AV_ENOMEM with err naming the file.
 */
int av_read_file(const char *path, size_t max, char **buf, size_t *len, av_error *err);

#endif
