/*
 * file.c - reading a whole file into memory, bounded (see file.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"

int
av_read_file(const char *path, size_t max, char **buf, size_t *len, av_error *err)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, cap = 0;

	*buf = NULL;
	*len = 0;
	if (f == NULL)
		return av_error_set(err, AV_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	for (;;) {
		if (n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 8192;
			char *nb = realloc(b, ncap);
			if (nb == NULL) {
				free(b);
				fclose(f);
				return av_error_set(err, AV_ENOMEM, path, 0, 0, "out of memory");
			}
			b = nb;
			cap = ncap;
		}
		size_t got = fread(b + n, 1, cap - n - 1, f);
		n += got;
		if (n > max) {
			free(b);
			fclose(f);
			return av_error_set(err, AV_ELIMIT, path, 0, 0, "file larger than %zu bytes", max);
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(b);
		fclose(f);
		return av_error_set(err, AV_EIO, path, 0, 0, "read error");
	}
	fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

