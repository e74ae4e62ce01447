/*
 * secrets.c - the secret detectors (see secrets.h).
 *
 * Each detector looks for its documented prefix on a line and checks the
 * characters that follow; the generic detector needs a secret-like name,
 * an assignment and a value with enough entropy.  Only positions and kinds
 * leave this file.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "secrets.h"

void
av_secrets_init(av_secrets *s)
{
	memset(s, 0, sizeof(*s));
}

void
av_secrets_fini(av_secrets *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static bool
alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool
upper_digit(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool
token_char(unsigned char c)
{
	return alnum(c) || c == '_' || c == '-';
}

static bool
b64_char(unsigned char c)
{
	return alnum(c) || c == '+' || c == '/' || c == '=';
}

/* The length of the run of characters accepted by ok, from p. */
static size_t
run(const char *p, const char *e, bool (*ok)(unsigned char))
{
	size_t n = 0;
	while (p + n < e && ok((unsigned char)p[n]))
		n++;
	return n;
}

static bool
boundary_before(const char *line, const char *p)
{
	return p == line || !token_char((unsigned char)p[-1]);
}

struct line {
	const char *s, *e;
	int no;
	av_secrets *out;
	int rc;
	bool specific; /* a provider's format matched on this line */
};

static void
found(struct line *l, const char *at, const char *end, const char *kind, bool specific)
{
	for (size_t i = l->out->n; i-- > 0 && l->out->v[i].line == l->no;)
		if (strcmp(l->out->v[i].kind, kind) == 0)
			return;
	if (l->rc != 0)
		return;
	if (l->out->n == l->out->cap) {
		size_t cap = l->out->cap ? l->out->cap * 2 : 16;
		av_secret *v = realloc(l->out->v, cap * sizeof(*v));
		if (v == NULL) {
			l->rc = AV_ENOMEM;
			return;
		}
		l->out->v = v;
		l->out->cap = cap;
	}
	l->out->v[l->out->n].line = l->no;
	l->out->v[l->out->n].column = (int)(at - l->s) + 1;
	l->out->v[l->out->n].length = (int)(end - at);
	l->out->v[l->out->n].kind = kind;
	l->out->n++;
	l->specific |= specific;
}

/* Each occurrence of the literal prefix pfx on the line. */
#define EACH(l, p, pfx) \
	for (const char *p = (l)->s; (p = memmem(p, (size_t)((l)->e - p), pfx, strlen(pfx))) != NULL; \
	     p += strlen(pfx))

/* Whether a value has the mix of characters of a generated key: letters and
 * digits, and not one repeated character. */
static bool
keylike(const char *v, size_t n)
{
	bool digit = false, letter = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		digit |= c >= '0' && c <= '9';
		letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	}
	return digit && letter;
}

static double
entropy(const char *v, size_t n)
{
	int count[256] = {0};
	double h = 0;

	for (size_t i = 0; i < n; i++)
		count[(unsigned char)v[i]]++;
	for (int c = 0; c < 256; c++)
		if (count[c]) {
			double p = (double)count[c] / (double)n;
			h -= p * log2(p);
		}
	return h;
}

/* Case-insensitive search of word in [s, e). */
static const char *
find_ci(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = s; p + n <= e; p++)
		if (strncasecmp(p, word, n) == 0)
			return p;
	return NULL;
}

static void
providers(struct line *l)
{
	EACH(l, p, "hf_") {
		size_t n = run(p + 3, l->e, alnum);
		if (boundary_before(l->s, p) && n >= 30 && n <= 40 && keylike(p + 3, n) &&
		    (p + 3 + n == l->e || !token_char((unsigned char)p[3 + n])))
			found(l, p, p + 3 + n, "huggingface_token", true);
	}
	EACH(l, p, "sk-") {
		if (!boundary_before(l->s, p))
			continue;
		const char *v = p + 3;
		bool ant = (size_t)(l->e - v) >= 4 && memcmp(v, "ant-", 4) == 0;
		size_t n = run(v, l->e, token_char);
		if (ant && n >= 40 && keylike(v + 4, n - 4))
			found(l, p, v + n, "anthropic_key", true);
		else if (!ant && n >= 32 && keylike(v, n))
			found(l, p, v + n, "openai_key", true);
	}
	static const char *const aws[] = {"AKIA", "ASIA", "ABIA", "ACCA"};
	for (size_t k = 0; k < 4; k++)
		EACH(l, p, aws[k]) {
			size_t n = run(p + 4, l->e, upper_digit);
			if (boundary_before(l->s, p) && n == 16)
				found(l, p, p + 20, "aws_access_key_id", true);
		}
	const char *ak = find_ci(l->s, l->e, "aws_secret_access_key");
	if (ak != NULL) {
		const char *v = ak + 21;
		while (v < l->e && (*v == ' ' || *v == '"' || *v == '\'' || *v == ':' || *v == '='))
			v++;
		size_t n = run(v, l->e, b64_char);
		if (n == 40 && keylike(v, n))
			found(l, ak, v + n, "aws_secret_access_key", true);
	}
	EACH(l, p, "AIza") {
		size_t n = run(p + 4, l->e, token_char);
		if (boundary_before(l->s, p) && n == 35)
			found(l, p, p + 4 + n, "gcp_api_key", true);
	}
	static const char *const az[] = {"AccountKey=", "SharedAccessKey="};
	for (size_t k = 0; k < 2; k++)
		EACH(l, p, az[k]) {
			size_t n = run(p + strlen(az[k]), l->e, b64_char);
			if (n >= 40 && keylike(p + strlen(az[k]), n))
				found(l, p, p + strlen(az[k]) + n, "azure_key", true);
		}
	static const char *const gh[] = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"};
	for (size_t k = 0; k < 5; k++)
		EACH(l, p, gh[k]) {
			size_t n = run(p + 4, l->e, alnum);
			if (boundary_before(l->s, p) && n >= 36 && n <= 40)
				found(l, p, p + 4 + n, "github_token", true);
		}
	EACH(l, p, "github_pat_") {
		size_t n = run(p + 11, l->e, token_char);
		if (boundary_before(l->s, p) && n >= 40)
			found(l, p, p + 11 + n, "github_token", true);
	}
	EACH(l, p, "xox") {
		if (!boundary_before(l->s, p) || p + 4 >= l->e || strchr("abposr", p[3]) == NULL ||
		    p[3] == '\0' || p[4] != '-')
			continue;
		size_t n = run(p + 5, l->e, token_char);
		if (n >= 10 && keylike(p + 5, n))
			found(l, p, p + 5 + n, "slack_token", true);
	}
	EACH(l, p, "hooks.slack.com/services/T") {
		size_t n = run(p + 25, l->e, token_char);
		if (n >= 20)
			found(l, p, p + 25 + n, "slack_webhook", true);
	}
	EACH(l, p, "-----BEGIN ") {
		const char *q = memmem(p, (size_t)(l->e - p), "PRIVATE KEY", 11);
		if (q != NULL && q - p < 40) {
			bool gcp = memmem(l->s, (size_t)(l->e - l->s), "\"private_key\"", 13) != NULL;
			found(l, p, l->e, gcp ? "gcp_service_account_key" : "private_key", true);
		}
	}
}

/* Values that are placeholders, not secrets. */
static bool
placeholder(const char *v, size_t n)
{
	static const char *const words[] = {"<", ">", "${", "{{", "}", "%s", "xxxx", "XXXX", "****",
		"....", "example", "EXAMPLE", "your", "YOUR", "changeme", "placeholder", "dummy",
		"redacted", "REDACTED", "environ", "getenv", NULL};
	for (size_t k = 0; words[k] != NULL; k++)
		if (memmem(v, n, words[k], strlen(words[k])) != NULL)
			return true;
	return n == 0 || (v[0] == '$' && n < 64);
}

static void
url_passwords(struct line *l)
{
	EACH(l, p, "://") {
		const char *a = p + 3, *q = a;
		while (q < l->e && *q != '/' && *q != '@' && *q != ' ' && *q != '"' && *q != '\'' &&
		    *q != '?' && *q != '#')
			q++;
		if (q >= l->e || *q != '@')
			continue;
		const char *colon = memchr(a, ':', (size_t)(q - a));
		if (colon == NULL)
			continue;
		const char *pw = colon + 1;
		size_t n = (size_t)(q - pw);
		if (n >= 3 && !placeholder(pw, n) && !(n == 8 && memcmp(pw, "password", 8) == 0) &&
		    !(n == 4 && memcmp(pw, "pass", 4) == 0))
			found(l, a, q, "password_in_url", false);
	}
}

/* name = "value" / name: value / NAME=value, with a secret-like name. */
static void
assignments(struct line *l)
{
	static const char *const names[] = {"password", "passwd", "secret", "token", "api_key",
		"apikey", "api-key", "access_key", "auth_key", "private_key", "client_secret", NULL};
	for (size_t k = 0; names[k] != NULL; k++) {
		size_t kl = strlen(names[k]);
		for (const char *p = l->s; p + kl <= l->e; p++) {
			if (strncasecmp(p, names[k], kl) != 0)
				continue;
			/* the rest of the name, then an assignment */
			const char *q = p + kl;
			while (q < l->e && (token_char((unsigned char)*q) || *q == '.'))
				q++;
			if (q < l->e && (*q == '"' || *q == '\''))
				q++;
			while (q < l->e && (*q == ' ' || *q == '\t'))
				q++;
			if (q >= l->e || (*q != '=' && *q != ':'))
				continue;
			if (q + 1 < l->e && q[0] == '=' && q[1] == '=')
				continue; /* a comparison */
			q++;
			if (q < l->e && (*q == '=' || *q == '>'))
				q++;
			while (q < l->e && (*q == ' ' || *q == '\t'))
				q++;
			size_t n;
			const char *v = q;
			if (q < l->e && (*q == '"' || *q == '\'')) {
				char quote = *q;
				v = q + 1;
				const char *end = memchr(v, quote, (size_t)(l->e - v));
				if (end == NULL)
					continue;
				n = (size_t)(end - v);
				if (n < 12 || memchr(v, ' ', n) != NULL)
					continue;
			} else {
				n = run(v, l->e, b64_char);
				if (n < 20)
					continue;
			}
			if (!placeholder(v, n) && keylike(v, n) && entropy(v, n) >= 3.5)
				found(l, p, v + n, "generic_secret", false);
			p = v + n - 1 > p ? v + n - 1 : p;
		}
	}
}

int
av_secrets_scan(av_secrets *out, const char *buf, size_t len)
{
	struct line l = {.out = out};
	int no = 0;

	for (size_t i = 0; i < len;) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - buf) : len;
		l.s = buf + i;
		l.e = buf + e;
		l.no = ++no;
		l.specific = false;
		if (e > i) {
			providers(&l);
			url_passwords(&l);
			if (!l.specific)
				assignments(&l);
		}
		if (l.rc != 0)
			return l.rc;
		i = e + 1;
	}
	return 0;
}
