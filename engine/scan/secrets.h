/*
 * secrets.h - credentials left in text files and notebooks: where they are
 * and what kind they are, never what they are.
 *
 * Detectors for the formats providers document (Hugging Face, OpenAI,
 * Anthropic, AWS, GCP, Azure, GitHub and Slack tokens, private keys), for
 * passwords written into URLs, and for high-entropy values assigned to
 * names like password, secret, token or api_key.  A notebook is scanned as
 * the text it is, so cell sources and outputs are both covered.  The
 * results hold a line, a column, a length and a kind: the secret's text is
 * never copied out of the buffer.
 */
#ifndef ENGINE_SCAN_SECRETS_H
#define ENGINE_SCAN_SECRETS_H

#include <stddef.h>

typedef struct av_secret {
	int line;
	int column;
	int length;       /* bytes of the match on its line, for redacting it */
	const char *kind; /* a static string: "huggingface_token", "openai_key", ... */
} av_secret;

typedef struct av_secrets {
	av_secret *v;
	size_t n, cap;
} av_secrets;

void av_secrets_init(av_secrets *s);
void av_secrets_fini(av_secrets *s);

/*
 * Appends every secret found in buf (len bytes, any content; NUL bytes are
 * treated as line content) to out: at most one per kind and line.  Returns
 * 0 or AV_ENOMEM.
 */
int av_secrets_scan(av_secrets *out, const char *buf, size_t len);

#endif
