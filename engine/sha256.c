/*
 * sha256.c - SHA-256 through OpenSSL's libcrypto (see sha256.h).
 *
 * libcrypto picks the fastest code the processor has at run time (the SHA
 * extensions where present, else AVX2/SSSE3 assembly), about three to five
 * times faster than a portable C implementation on the multi-gigabyte
 * weight files a scan hashes.  The one-context-per-digest SHA256_* calls
 * keep the state in the caller's memory, so a digest never allocates and
 * cannot fail; OpenSSL 3 marks them deprecated in favour of EVP but keeps
 * them, with the same assembly behind them, for the whole 3.x series.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <string.h>

#include <openssl/sha.h>

#include "sha256.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(((av_sha256 *)0)->state),
    "av_sha256 too small for SHA256_CTX");
_Static_assert(_Alignof(SHA256_CTX) <= _Alignof(av_sha256), "av_sha256 under-aligned");

static void
hex32(const unsigned char md[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void
av_sha256_init(av_sha256 *h)
{
	SHA256_Init((SHA256_CTX *)(void *)h->state);
}

void
av_sha256_update(av_sha256 *h, const void *buf, size_t len)
{
	SHA256_Update((SHA256_CTX *)(void *)h->state, buf, len);
}

void
av_sha256_final_hex(av_sha256 *h, char out[65])
{
	unsigned char md[32];

	SHA256_Final(md, (SHA256_CTX *)(void *)h->state);
	hex32(md, out);
}

void
av_sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char md[32];

	SHA256(buf, len, md);
	hex32(md, out);
}
