/*
 * sha256.h - SHA-256 over bytes, whole or incrementally, as lowercase hex.
 * The digests of manifests, policy sets and artifacts all come from here
 * (OpenSSL's libcrypto: the processor's SHA extensions where it has them).
 */
#ifndef ENGINE_SHA256_H
#define ENGINE_SHA256_H

#include <stddef.h>

/* Hex-encoded SHA-256 of a buffer: out must hold 65 bytes. */
void av_sha256_hex(const void *buf, size_t len, char out[65]);

/* An incremental SHA-256, for digests over several files. */
typedef struct av_sha256 {
	_Alignas(8) unsigned char state[256]; /* opaque: holds libcrypto's SHA256_CTX */
} av_sha256;
void av_sha256_init(av_sha256 *h);
void av_sha256_update(av_sha256 *h, const void *buf, size_t len);
void av_sha256_final_hex(av_sha256 *h, char out[65]);

#endif
