/*
 * sha256.c - SHA-256 through mbedTLS (see sha256.h).
 */
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

/* mbedTLS 2.x names the returning variants *_ret; 3.x dropped the suffix. */
#if MBEDTLS_VERSION_MAJOR < 3
#define sha256_starts mbedtls_sha256_starts_ret
#define sha256_update mbedtls_sha256_update_ret
#define sha256_finish mbedtls_sha256_finish_ret
#else
#define sha256_starts mbedtls_sha256_starts
#define sha256_update mbedtls_sha256_update
#define sha256_finish mbedtls_sha256_finish
#endif

#include "sha256.h"

_Static_assert(sizeof(mbedtls_sha256_context) <= sizeof(((av_sha256 *)0)->state),
    "av_sha256 too small for mbedtls_sha256_context");

void
av_sha256_init(av_sha256 *h)
{
	mbedtls_sha256_context *c = (mbedtls_sha256_context *)h->state;

	mbedtls_sha256_init(c);
	(void)sha256_starts(c, 0);
}

void
av_sha256_update(av_sha256 *h, const void *buf, size_t len)
{
	(void)sha256_update((mbedtls_sha256_context *)h->state, buf, len);
}

void
av_sha256_final_hex(av_sha256 *h, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	mbedtls_sha256_context *c = (mbedtls_sha256_context *)h->state;

	(void)sha256_finish(c, md);
	mbedtls_sha256_free(c);
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void
av_sha256_hex(const void *buf, size_t len, char out[65])
{
	av_sha256 h;

	av_sha256_init(&h);
	av_sha256_update(&h, buf, len);
	av_sha256_final_hex(&h, out);
}
