/*
 * licid.c - license texts normalised by the SPDX matching guidelines and
 * identified against aivet's identification data (see licid.h).
 *
 * policies/gen-license-ids.py implements the same normalisation and hash in
 * Python to make the data; any change here must be made there too (the unit
 * test test_scan_text.c recomputes the shipped hashes from the reference
 * texts and fails when the two disagree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "licid.h"

#define MAX_REFS 4096
#define MAX_HASHES (1u << 20)
#define MAX_PHRASES 32

/* ---- normalisation -------------------------------------------------------- */

/* British spellings and their American equivalents (SPDX "equivalent words"). */
static const char *const varietal[][2] = {
	{"acknowledgement", "acknowledgment"}, {"acknowledgements", "acknowledgments"},
	{"analogue", "analog"}, {"authorisation", "authorization"}, {"authorise", "authorize"},
	{"authorised", "authorized"}, {"behaviour", "behavior"}, {"cancelled", "canceled"},
	{"centre", "center"}, {"colour", "color"}, {"defence", "defense"}, {"favour", "favor"},
	{"fulfil", "fulfill"}, {"honour", "honor"}, {"judgement", "judgment"}, {"labour", "labor"},
	{"licence", "license"}, {"licenced", "licensed"}, {"licences", "licenses"},
	{"licencing", "licensing"}, {"licencee", "licensee"}, {"licencees", "licensees"},
	{"licencor", "licensor"}, {"licencors", "licensors"}, {"modelling", "modeling"},
	{"offence", "offense"}, {"organisation", "organization"},
	{"organisations", "organizations"}, {"organise", "organize"}, {"practise", "practice"},
	{"programme", "program"}, {"recognise", "recognize"}, {"sublicence", "sublicense"},
	{"utilisation", "utilization"}, {"utilise", "utilize"},
};

struct out {
	char *s;
	size_t n, cap;
	size_t nwords;
	bool oom;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->n + n + 2 > o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 4096;
		while (cap < o->n + n + 2)
			cap *= 2;
		char *ns = realloc(o->s, cap);
		if (ns == NULL) {
			o->oom = true;
			return;
		}
		o->s = ns;
		o->cap = cap;
	}
	memcpy(o->s + o->n, s, n);
	o->n += n;
	o->s[o->n] = '\0';
}

static void
word(struct out *o, const char *w, size_t n)
{
	if ((n == 4 && memcmp(w, "http", 4) == 0) || (n == 5 && memcmp(w, "https", 5) == 0))
		return;
	for (size_t i = 0; i < sizeof(varietal) / sizeof(varietal[0]); i++)
		if (strlen(varietal[i][0]) == n && memcmp(varietal[i][0], w, n) == 0) {
			w = varietal[i][1];
			n = strlen(w);
			break;
		}
	if (o->nwords > 0)
		put(o, " ", 1);
	put(o, w, n);
	o->nwords++;
}

/* Decodes one UTF-8 sequence at s (n > 0 bytes); returns its length and the
 * code point, or 0 for an invalid byte. */
static size_t
utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
	if (len == 0 || len > n || s[0] > 0xF4)
		return 0;
	uint32_t c = s[0] & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Code points that separate words: quotes, dashes, bullets, spaces, the
 * section sign.  (Any other non-ASCII character is part of a word.) */
static bool
separator_cp(uint32_t c)
{
	return c == 0xA0 || c == 0xA7 || c == 0xAB || c == 0xB7 || c == 0xBB ||
	    (c >= 0x2000 && c <= 0x200B) || (c >= 0x2010 && c <= 0x2015) ||
	    (c >= 0x2018 && c <= 0x201F) || c == 0x2022 || c == 0x2023 || c == 0x2026 ||
	    c == 0x2212 || c == 0x25AA || c == 0x25CF || c == 0x3000 || c == 0xFEFF || c == 0xFFFD;
}

static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* A list marker's label: 1 to 3 digits, one letter, or a roman numeral. */
static bool
marker_label(const char *s, size_t n)
{
	if (n == 0 || n > 6)
		return false;
	bool digits = true, roman = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < '0' || c > '9')
			digits = false;
		if (strchr("ivxlcIVXLC", c) == NULL || c == '\0')
			roman = false;
	}
	if (digits)
		return n <= 3;
	if (n == 1 && is_alnum((unsigned char)s[0]))
		return true;
	return roman;
}

/* Skips what precedes a list marker: blanks, ASCII punctuation except '('
 * and separator code points. */
static size_t
skip_lead(const char *s, size_t n, size_t i)
{
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		size_t l;
		if (is_blank(c) || (c < 0x80 && !is_alnum(c) && c != '(' && c > 0x20)) {
			i++;
		} else if (c >= 0x80 && (l = utf8((const unsigned char *)s + i, n - i, &cp)) > 0 &&
		    separator_cp(cp)) {
			i += l;
		} else if (c >= 0x80 && utf8((const unsigned char *)s + i, n - i, &cp) == 0) {
			i++;
		} else {
			break;
		}
	}
	return i;
}

/* The offset after the list markers ("1.", "(a)", "iv)") at the start of a
 * line, at most four of them. */
static size_t
strip_markers(const char *s, size_t n)
{
	size_t i = 0;

	for (int k = 0; k < 4; k++) {
		size_t j = skip_lead(s, n, i), a, b;
		if (j < n && s[j] == '(') {
			a = j + 1;
			b = a;
			while (b < n && is_alnum((unsigned char)s[b]) && b - a <= 6)
				b++;
			if (b < n && s[b] == ')' && marker_label(s + a, b - a) &&
			    (b + 1 == n || is_blank((unsigned char)s[b + 1]))) {
				i = b + 1;
				continue;
			}
			break;
		}
		a = j;
		b = a;
		while (b < n && is_alnum((unsigned char)s[b]) && b - a <= 6)
			b++;
		if (b < n && (s[b] == '.' || s[b] == ')') && marker_label(s + a, b - a) &&
		    (b + 1 == n || is_blank((unsigned char)s[b + 1]))) {
			i = b + 1;
			continue;
		}
		break;
	}
	return i;
}

struct tok {
	size_t off, len;
};

static bool
is_year(const char *w, size_t n)
{
	return n == 4 && w[0] >= '1' && w[0] <= '2' && w[1] >= '0' && w[1] <= '9' && w[2] >= '0' && w[2] <= '9' && w[3] >= '0' && w[3] <= '9';
}

static bool
tok_is(const char *buf, const struct tok *t, const char *w)
{
	return t->len == strlen(w) && memcmp(buf + t->off, w, t->len) == 0;
}

/* Copyright notices ("Copyright (c) 2024 Acme", "© 2024 Acme", "Copyright
 * [yyyy] [name]") and a lone "All rights reserved." are not part of the
 * license. */
static bool
copyright_line(const char *buf, const struct tok *t, size_t n)
{
	if (n >= 2 && tok_is(buf, &t[0], "copyright") &&
	    (tok_is(buf, &t[1], "c") || is_year(buf + t[1].off, t[1].len) ||
		tok_is(buf, &t[1], "year") || tok_is(buf, &t[1], "yyyy")))
		return true;
	if (n >= 2 && tok_is(buf, &t[0], "c") && is_year(buf + t[1].off, t[1].len))
		return true;
	return n == 3 && tok_is(buf, &t[0], "all") && tok_is(buf, &t[1], "rights") &&
	    tok_is(buf, &t[2], "reserved");
}

/* Normalises one line [s, s+n) into o. */
static void
line(struct out *o, const char *s, size_t n, char *lbuf, struct tok *toks)
{
	size_t i = strip_markers(s, n), ln = 0, nt = 0;
	bool inword = false;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp = 0;
		size_t l = 1;
		bool wc;
		if (c >= 0x80) {
			l = utf8((const unsigned char *)s + i, n - i, &cp);
			if (l == 0) {
				l = 1;
				wc = false;
			} else if (cp == 0xA9) { /* the copyright sign is the word "c" */
				if (inword) {
					toks[nt].len = ln - toks[nt].off;
					nt++;
				}
				inword = false;
				toks[nt].off = ln;
				lbuf[ln++] = 'c';
				toks[nt].len = 1;
				nt++;
				i += l;
				continue;
			} else {
				wc = !separator_cp(cp);
			}
		} else if (is_alnum(c)) {
			wc = true;
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
		} else if (c == '.' && inword && i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9' &&
		    i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') {
			wc = true;
		} else if (c == '+' && inword) {
			wc = true;
		} else {
			wc = false;
		}
		if (wc) {
			if (!inword) {
				toks[nt].off = ln;
				inword = true;
			}
			if (c >= 0x80)
				memcpy(lbuf + ln, s + i, l), ln += l;
			else
				lbuf[ln++] = (char)c;
		} else if (inword) {
			toks[nt].len = ln - toks[nt].off;
			nt++;
			inword = false;
		}
		i += l;
	}
	if (inword) {
		toks[nt].len = ln - toks[nt].off;
		nt++;
	}
	if (nt == 0 || copyright_line(lbuf, toks, nt))
		return;
	for (size_t k = 0; k < nt; k++)
		word(o, lbuf + toks[k].off, toks[k].len);
}

int
av_license_normalise(const char *text, size_t len, char **out, size_t *outlen, size_t *nwords)
{
	struct out o = {0};
	size_t maxline = 0;
	char *lbuf;
	struct tok *toks;

	*out = NULL;
	*outlen = 0;
	*nwords = 0;
	if (len > AV_LICID_MAX_TEXT)
		len = AV_LICID_MAX_TEXT;
	for (size_t i = 0, st = 0; i <= len; i++)
		if (i == len || text[i] == '\n') {
			if (i - st > maxline)
				maxline = i - st;
			st = i + 1;
		}
	lbuf = malloc(maxline + 1);
	/* a line of n bytes has at most n / 2 + 1 words */
	toks = malloc((maxline / 2 + 2) * sizeof(*toks));
	if (lbuf == NULL || toks == NULL) {
		free(lbuf);
		free(toks);
		return AV_ENOMEM;
	}
	for (size_t i = 0, st = 0; i <= len; i++)
		if (i == len || text[i] == '\n') {
			line(&o, text + st, i - st, lbuf, toks);
			st = i + 1;
		}
	free(lbuf);
	free(toks);
	if (o.oom) {
		free(o.s);
		return AV_ENOMEM;
	}
	if (o.s == NULL && (o.s = calloc(1, 1)) == NULL)
		return AV_ENOMEM;
	*out = o.s;
	*outlen = o.n;
	*nwords = o.nwords;
	return 0;
}

/* ---- hashing -------------------------------------------------------------- */

static uint32_t
fnv(uint32_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

uint32_t
av_licid_hash3(const char *a, size_t al, const char *b, size_t bl, const char *c, size_t cl)
{
	uint32_t h = 2166136261u;

	h = fnv(h, a, al);
	h = fnv(h, " ", 1);
	h = fnv(h, b, bl);
	h = fnv(h, " ", 1);
	h = fnv(h, c, cl);
	/* murmur3's finaliser, so that sampling by h % m sees well-mixed bits */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* ---- the data ------------------------------------------------------------- */

struct phrase {
	char *words; /* normalised, single spaces */
	bool title;
};

struct ref {
	char id[64];
	int method;
	/* text */
	uint32_t modulus;
	uint32_t *h; /* sorted, distinct */
	size_t nh;
	/* markers */
	int need;
	struct phrase ph[MAX_PHRASES];
	int nph;
};

struct av_licdb {
	struct ref *v;
	size_t n;
	size_t nhashes;
};

void
av_licdb_destroy(av_licdb *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->n; i++) {
		free(db->v[i].h);
		for (int k = 0; k < db->v[i].nph; k++)
			free(db->v[i].ph[k].words);
	}
	free(db->v);
	free(db);
}

size_t
av_licdb_count(const av_licdb *db)
{
	return db ? db->n : 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Reads the next space-separated field of [*p, e) into f (at most cap-1 bytes). */
static bool
field(const char **p, const char *e, char *f, size_t cap)
{
	const char *s = *p;
	while (s < e && *s == ' ')
		s++;
	const char *t = s;
	while (t < e && *t != ' ')
		t++;
	if (t == s || (size_t)(t - s) >= cap)
		return false;
	memcpy(f, s, (size_t)(t - s));
	f[t - s] = '\0';
	*p = t;
	return true;
}

static bool
valid_id(const char *id)
{
	for (const char *c = id; *c; c++)
		if (!is_alnum((unsigned char)*c) && strchr(".+-_", *c) == NULL)
			return false;
	return id[0] != '\0';
}

static int
parse_text(av_licdb *db, struct ref *r, const char *p, const char *e)
{
	char f[32];
	size_t cap = 0;

	if (!field(&p, e, f, sizeof(f)) || (r->modulus = (uint32_t)strtoul(f, NULL, 10)) == 0 ||
	    r->modulus > 64)
		return AV_EPARSE;
	if (!field(&p, e, f, sizeof(f))) /* the reference's word count, for information */
		return AV_EPARSE;
	while (field(&p, e, f, sizeof(f))) {
		char *end;
		unsigned long v = strtoul(f, &end, 16);
		if (*end != '\0' || strlen(f) != 8)
			return AV_EPARSE;
		if (db->nhashes >= MAX_HASHES)
			return AV_ELIMIT;
		if (r->nh == cap) {
			cap = cap ? cap * 2 : 256;
			uint32_t *nv = realloc(r->h, cap * sizeof(*nv));
			if (nv == NULL)
				return AV_ENOMEM;
			r->h = nv;
		}
		r->h[r->nh++] = (uint32_t)v;
		db->nhashes++;
	}
	if (r->nh == 0)
		return AV_EPARSE;
	qsort(r->h, r->nh, sizeof(*r->h), cmp_u32);
	size_t k = 1;
	for (size_t i = 1; i < r->nh; i++)
		if (r->h[i] != r->h[k - 1])
			r->h[k++] = r->h[i];
	r->nh = k;
	return 0;
}

static int
parse_markers(struct ref *r, const char *p, const char *e)
{
	char f[32];

	if (!field(&p, e, f, sizeof(f)) || (r->need = atoi(f)) <= 0 || r->need > MAX_PHRASES)
		return AV_EPARSE;
	while (p < e && *p == ' ')
		p++;
	while (p < e) {
		const char *bar = memchr(p, '|', (size_t)(e - p));
		const char *q = bar ? bar : e;
		bool title;
		if ((size_t)(q - p) > 6 && memcmp(p, "title:", 6) == 0)
			title = true, p += 6;
		else if ((size_t)(q - p) > 5 && memcmp(p, "term:", 5) == 0)
			title = false, p += 5;
		else
			return AV_EPARSE;
		if (r->nph >= MAX_PHRASES || q - p > 256 || q == p || p[0] == ' ' || q[-1] == ' ')
			return AV_EPARSE;
		if ((r->ph[r->nph].words = strndup(p, (size_t)(q - p))) == NULL)
			return AV_ENOMEM;
		r->ph[r->nph++].title = title;
		p = bar ? bar + 1 : e;
	}
	bool has_title = false;
	for (int k = 0; k < r->nph; k++)
		has_title |= r->ph[k].title;
	return has_title && r->need <= r->nph ? 0 : AV_EPARSE;
}

int
av_licdb_load(av_licdb **out, const char *buf, size_t len, const char *name, av_error *err)
{
	av_licdb *db = calloc(1, sizeof(*db));
	const char *p = buf, *end = buf + len;
	int lineno = 0, rc = 0;
	bool header = false;
	size_t cap = 0;

	*out = NULL;
	if (db == NULL)
		return av_error_set(err, AV_ENOMEM, name, 0, 0, "out of memory");
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		char kind[16];
		const char *q = p;
		lineno++;
		if (e == p || p[0] == '#') {
			p = nl ? nl + 1 : end;
			continue;
		}
		if (memchr(p, '\0', (size_t)(e - p)) != NULL) {
			rc = av_error_set(err, AV_EPARSE, name, lineno, 0, "NUL byte in the data");
			break;
		}
		if (!header) {
			if ((size_t)(e - p) != 19 || memcmp(p, "aivet-license-ids 1", 19) != 0) {
				rc = av_error_set(err, AV_EPARSE, name, lineno, 1,
				    "expected the header \"aivet-license-ids 1\"");
				break;
			}
			header = true;
			p = nl ? nl + 1 : end;
			continue;
		}
		if (db->n >= MAX_REFS) {
			rc = av_error_set(err, AV_ELIMIT, name, lineno, 1, "more than %d licenses",
			    MAX_REFS);
			break;
		}
		if (db->n == cap) {
			cap = cap ? cap * 2 : 64;
			struct ref *nv = realloc(db->v, cap * sizeof(*nv));
			if (nv == NULL) {
				rc = av_error_set(err, AV_ENOMEM, name, lineno, 0, "out of memory");
				break;
			}
			db->v = nv;
		}
		struct ref *r = &db->v[db->n];
		memset(r, 0, sizeof(*r));
		db->n++;
		if (!field(&q, e, kind, sizeof(kind)) || !field(&q, e, r->id, sizeof(r->id)) ||
		    !valid_id(r->id)) {
			rc = av_error_set(err, AV_EPARSE, name, lineno, 1,
			    "expected \"text ID ...\" or \"markers ID ...\"");
			break;
		}
		if (strcmp(kind, "text") == 0) {
			r->method = AV_LICID_TEXT;
			rc = parse_text(db, r, q, e);
		} else if (strcmp(kind, "markers") == 0) {
			r->method = AV_LICID_MARKERS;
			rc = parse_markers(r, q, e);
		} else {
			rc = AV_EPARSE;
		}
		if (rc == AV_ENOMEM)
			rc = av_error_set(err, rc, name, lineno, 0, "out of memory");
		else if (rc == AV_ELIMIT)
			rc = av_error_set(err, rc, name, lineno, 1, "more than %u hashes in all",
			    MAX_HASHES);
		else if (rc != 0)
			rc = av_error_set(err, rc, name, lineno, 1, "malformed %s entry for %s", kind,
			    r->id);
		p = nl ? nl + 1 : end;
	}
	if (rc == 0 && !header)
		rc = av_error_set(err, AV_EPARSE, name, 1, 1, "no identification data");
	if (rc != 0) {
		av_licdb_destroy(db);
		return rc;
	}
	*out = db;
	return 0;
}

int
av_licdb_load_file(av_licdb **out, const char *path, av_error *err)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = av_read_file(path, 8u << 20, &buf, &len, err)) != 0)
		return rc;
	rc = av_licdb_load(out, buf, len, path, err);
	free(buf);
	return rc;
}

/* ---- identification ------------------------------------------------------- */

const char *
av_licid_method_name(int method)
{
	return method == AV_LICID_TEXT ? "text" : method == AV_LICID_MARKERS ? "markers" : "none";
}

/* Whether the words of phrase occur in the word stream norm (words start at
 * the offsets in ws) starting at one of the first limit words. */
static bool
phrase_at(const char *norm, const size_t *ws, size_t nw, const char *phrase, size_t limit)
{
	size_t pl = strlen(phrase);

	for (size_t i = 0; i < nw && i < limit; i++) {
		const char *s = norm + ws[i];
		if (strncmp(s, phrase, pl) == 0 && (s[pl] == ' ' || s[pl] == '\0'))
			return true;
	}
	return false;
}

int
av_license_identify(const av_licdb *db, const char *text, size_t len, av_licmatch *m)
{
	char *norm = NULL;
	size_t nlen, nw, *ws = NULL, nh = 0;
	uint32_t *h = NULL;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = av_license_normalise(text, len, &norm, &nlen, &nw)) != 0)
		return rc;
	m->words = nw;
	ws = malloc((nw + 1) * sizeof(*ws));
	h = malloc((nw + 1) * sizeof(*h));
	if (ws == NULL || h == NULL) {
		rc = AV_ENOMEM;
		goto out;
	}
	for (size_t i = 0, k = 0; i < nlen && k < nw; k++) {
		ws[k] = i;
		while (i < nlen && norm[i] != ' ')
			i++;
		i++;
	}
	for (size_t k = 0; k + 2 < nw; k++) {
		const char *a = norm + ws[k], *b = norm + ws[k + 1], *c = norm + ws[k + 2];
		h[nh++] = av_licid_hash3(a, (size_t)(b - a - 1), b, (size_t)(c - b - 1), c,
		    strcspn(c, " "));
	}
	qsort(h, nh, sizeof(*h), cmp_u32);
	size_t u = nh ? 1 : 0;
	for (size_t i = 1; i < nh; i++)
		if (h[i] != h[u - 1])
			h[u++] = h[i];
	nh = u;

	double best = 0, mbest = 0;
	const struct ref *bt = NULL, *bm = NULL;
	for (size_t r = 0; db != NULL && r < db->n; r++) {
		const struct ref *ref = &db->v[r];
		if (ref->method == AV_LICID_TEXT) {
			size_t a = 0, common = 0, j = 0;
			for (size_t i = 0; i < nh; i++) {
				if (h[i] % ref->modulus != 0)
					continue;
				a++;
				while (j < ref->nh && ref->h[j] < h[i])
					j++;
				if (j < ref->nh && ref->h[j] == h[i])
					common++;
			}
			double dice = a + ref->nh ? 2.0 * (double)common / (double)(a + ref->nh) : 0;
			if (dice > best) {
				best = dice;
				bt = ref;
			}
		} else {
			int found = 0, total = 0;
			bool title = false;
			for (int k = 0; k < ref->nph; k++)
				if (ref->ph[k].title)
					title |= phrase_at(norm, ws, nw, ref->ph[k].words,
					    AV_LICID_TITLE_WORDS);
			total = 1;
			found = title ? 1 : 0;
			for (int k = 0; k < ref->nph; k++) {
				if (ref->ph[k].title)
					continue;
				total++;
				if (phrase_at(norm, ws, nw, ref->ph[k].words, nw))
					found++;
			}
			double score = (double)found / (double)total;
			if (title && found >= ref->need && score > mbest) {
				mbest = score;
				bm = ref;
			}
		}
	}
	if (bm != NULL && !(bt != NULL && best >= AV_LICID_THRESHOLD && strcmp(bt->id, bm->id) == 0)) {
		m->identified = true;
		m->method = AV_LICID_MARKERS;
		snprintf(m->id, sizeof(m->id), "%s", bm->id);
		m->score = mbest;
	} else if (bt != NULL) {
		m->identified = best >= AV_LICID_THRESHOLD;
		m->method = AV_LICID_TEXT;
		snprintf(m->id, sizeof(m->id), "%s", bt->id);
		m->score = best;
	}
	rc = 0;
out:
	free(norm);
	free(ws);
	free(h);
	return rc;
}
