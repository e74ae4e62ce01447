/*
 * markdown.c - sections, canonical sections and placeholder-aware word
 * counts of Markdown cards, and the Lua module "aivet.markdown".
 *
 * Cards are written by hand and by templates, in every wording and at
 * every heading level, so the canonical sections are found by keywords on a
 * normalised heading rather than by exact titles.  Only what decides where
 * a heading is gets parsed (fences, comments, ATX and setext headings); the
 * rest is text.  Everything is one pass over the text, bounded by
 * AV_MD_MAX_BYTES and AV_MD_MAX_SECTIONS.
 */
#include "markdown.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

/* ---- lines ---- */

typedef struct lines {
	const char *s;
	size_t len;
	size_t pos;  /* start of the next line */
	int lineno;  /* number of the line last returned */
} lines;

/* Returns the next line [*ls, *le) without its "\n" or "\r\n"; false at
 * the end. */
static bool
next_line(lines *it, size_t *ls, size_t *le)
{
	if (it->pos >= it->len)
		return false;
	size_t start = it->pos;
	const char *nl = memchr(it->s + start, '\n', it->len - start);
	size_t end = nl ? (size_t)(nl - it->s) : it->len;
	it->pos = nl ? end + 1 : it->len;
	if (end > start && it->s[end - 1] == '\r')
		end--;
	*ls = start;
	*le = end;
	it->lineno++;
	return true;
}

static bool
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* A line of only `c` (at least `min` of them) and trailing blanks. */
static bool
rule_of(const char *s, size_t n, char c, size_t min)
{
	size_t i = 0, k = 0;
	while (i < n && s[i] == ' ' && i < 3)
		i++;
	while (i < n && s[i] == c) {
		i++;
		k++;
	}
	return k >= min && blank(s + i, n - i);
}

/* Leading indentation in columns (a tab counts as 4). */
static size_t
indent_of(const char *s, size_t n)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ')
			col++;
		else if (s[i] == '\t')
			col += 4;
		else
			break;
	}
	return col;
}

/* Length of the front matter block at the start of text (through its
 * closing line), or 0 when there is none.  *nlines gets its line count. */
static size_t
front_matter_len(const char *text, size_t len, int *nlines)
{
	lines it = {text, len, 0, 0};
	size_t ls, le;
	*nlines = 0;
	if (!next_line(&it, &ls, &le) || le - ls < 3 || memcmp(text, "---", 3) != 0 ||
	    !blank(text + 3, le - ls - 3))
		return 0;
	while (next_line(&it, &ls, &le)) {
		size_t n = le - ls;
		if (n >= 3 && (memcmp(text + ls, "---", 3) == 0 || memcmp(text + ls, "...", 3) == 0) &&
		    blank(text + ls + 3, n - 3)) {
			*nlines = it.lineno;
			return it.pos;
		}
	}
	return 0;
}

/* ---- splitting ---- */

typedef struct splitter {
	av_md_section *v;
	size_t n, cap;
	/* Indices of the sections whose `end` is still open, by level. */
	size_t stack[7];
	size_t depth;
} splitter;

static int
add_section(splitter *sp, const char *text, size_t hs, size_t hlen, int level, int line,
    size_t start, size_t body, av_error *err)
{
	if (sp->n >= AV_MD_MAX_SECTIONS)
		return av_error_set(err, AV_ELIMIT, NULL, line, 1,
		    "more than %d headings in one Markdown text", AV_MD_MAX_SECTIONS);
	if (sp->n == sp->cap) {
		size_t cap = sp->cap ? sp->cap * 2 : 32;
		av_md_section *v = realloc(sp->v, cap * sizeof(*v));
		if (!v)
			return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
		sp->v = v;
		sp->cap = cap;
	}
	if (sp->n > 0)
		sp->v[sp->n - 1].own_end = start;
	/* Close every open section of this level or deeper. */
	while (sp->depth > 0 && sp->v[sp->stack[sp->depth - 1]].level >= level)
		sp->v[sp->stack[--sp->depth]].end = start;
	av_md_section *s = &sp->v[sp->n];
	s->heading = text + hs;
	s->heading_len = hlen;
	s->level = level;
	s->line = line;
	s->start = start;
	s->body = body;
	s->own_end = s->end = 0;
	sp->stack[sp->depth++] = sp->n; /* depth <= 6: levels are 1..6 and strictly increase */
	sp->n++;
	return 0;
}

/* Trims blanks from [*s, *e). */
static void
trim(const char *t, size_t *s, size_t *e)
{
	while (*s < *e && (t[*s] == ' ' || t[*s] == '\t'))
		(*s)++;
	while (*e > *s && (t[*e - 1] == ' ' || t[*e - 1] == '\t'))
		(*e)--;
}

/* Is [ls, le) an ATX heading?  Sets level and the heading text range. */
static bool
atx_heading(const char *t, size_t ls, size_t le, int *level, size_t *hs, size_t *he)
{
	size_t i = ls, sp = 0;
	while (i < le && t[i] == ' ' && sp < 3) {
		i++;
		sp++;
	}
	int n = 0;
	while (i < le && t[i] == '#' && n < 7) {
		i++;
		n++;
	}
	if (n < 1 || n > 6 || (i < le && t[i] != ' ' && t[i] != '\t'))
		return false;
	size_t s = i, e = le;
	trim(t, &s, &e);
	/* An optional closing sequence of #'s, preceded by a blank. */
	size_t c = e;
	while (c > s && t[c - 1] == '#')
		c--;
	if (c == s)
		e = s;
	else if (c < e && (t[c - 1] == ' ' || t[c - 1] == '\t')) {
		e = c;
		trim(t, &s, &e);
	}
	*level = n;
	*hs = s;
	*he = e;
	return true;
}

/* Is the line a fence opener?  Sets the fence character and length. */
static bool
fence_open(const char *t, size_t ls, size_t le, char *ch, size_t *flen)
{
	size_t i = ls;
	if (indent_of(t + ls, le - ls) > 3)
		return false;
	while (i < le && t[i] == ' ')
		i++;
	if (i >= le || (t[i] != '`' && t[i] != '~'))
		return false;
	char c = t[i];
	size_t n = 0;
	while (i < le && t[i] == c) {
		i++;
		n++;
	}
	if (n < 3)
		return false;
	if (c == '`' && memchr(t + i, '`', le - i))
		return false; /* an info string may not contain backticks */
	*ch = c;
	*flen = n;
	return true;
}

static bool
fence_close(const char *t, size_t ls, size_t le, char ch, size_t flen)
{
	size_t i = ls;
	if (indent_of(t + ls, le - ls) > 3)
		return false;
	while (i < le && t[i] == ' ')
		i++;
	size_t n = 0;
	while (i < le && t[i] == ch) {
		i++;
		n++;
	}
	return n >= flen && blank(t + i, le - i);
}

static const char *
find_str(const char *s, size_t n, const char *pat)
{
	size_t m = strlen(pat);
	return m <= n ? memmem(s, n, pat, m) : NULL;
}

/* Does an HTML comment stay open at the end of this line segment? */
static bool
comment_opens(const char *s, size_t n)
{
	bool open = false;
	for (;;) {
		const char *o = find_str(s, n, "<!--");
		if (!o)
			return open;
		size_t skip = (size_t)(o - s) + 4;
		s += skip;
		n -= skip;
		const char *c = find_str(s, n, "-->");
		if (!c)
			return true;
		skip = (size_t)(c - s) + 3;
		s += skip;
		n -= skip;
		open = false;
	}
}

/* Can this line be the text of a setext heading (a paragraph line)? */
static bool
paragraph_line(const char *t, size_t ls, size_t le)
{
	if (blank(t + ls, le - ls) || indent_of(t + ls, le - ls) > 3)
		return false;
	size_t i = ls;
	while (i < le && t[i] == ' ')
		i++;
	char c = t[i];
	if (c == '>' || c == '|' || c == '<')
		return false;
	if ((c == '-' || c == '*' || c == '+') && (i + 1 == le || t[i + 1] == ' ' || t[i + 1] == '\t'))
		return false; /* a list item */
	if (isdigit((unsigned char)c)) {
		size_t j = i;
		while (j < le && isdigit((unsigned char)t[j]))
			j++;
		if (j < le && (t[j] == '.' || t[j] == ')') && (j + 1 == le || t[j + 1] == ' '))
			return false;
	}
	if (rule_of(t + ls, le - ls, '-', 3) || rule_of(t + ls, le - ls, '*', 3) ||
	    rule_of(t + ls, le - ls, '_', 3))
		return false;
	return true;
}

int
av_md_split(const char *text, size_t len, av_md_section **out, size_t *n, av_error *err)
{
	*out = NULL;
	*n = 0;
	if (len > AV_MD_MAX_BYTES)
		return av_error_set(err, AV_ELIMIT, NULL, 0, 0,
		    "Markdown text of %zu bytes is over the limit of %u bytes", len,
		    (unsigned)AV_MD_MAX_BYTES);
	splitter sp = {0};
	int fm_lines = 0;
	size_t fm = front_matter_len(text, len, &fm_lines);
	lines it = {text, len, fm, fm_lines};
	size_t ls, le, pls = 0, ple = 0;
	int pline = 0;
	bool in_fence = false, in_comment = false, prev_para = false;
	char fch = 0;
	size_t flen = 0;
	int rc = 0;

	while (next_line(&it, &ls, &le)) {
		bool para = false;
		if (in_comment) {
			const char *c = find_str(text + ls, le - ls, "-->");
			if (c) {
				size_t after = (size_t)(c - text) + 3;
				in_comment = comment_opens(text + after, le - after);
			}
		} else if (in_fence) {
			if (fence_close(text, ls, le, fch, flen))
				in_fence = false;
		} else if (fence_open(text, ls, le, &fch, &flen)) {
			in_fence = true;
		} else {
			int level;
			size_t hs, he;
			size_t ind = indent_of(text + ls, le - ls);
			if (ind <= 3 && atx_heading(text, ls, le, &level, &hs, &he)) {
				rc = add_section(&sp, text, hs, he - hs, level, it.lineno, ls, it.pos, err);
			} else if (ind <= 3 && prev_para &&
			    (rule_of(text + ls, le - ls, '=', 1) || rule_of(text + ls, le - ls, '-', 2))) {
				size_t s = pls, e = ple;
				trim(text, &s, &e);
				level = text[ls + (ind < le - ls ? ind : 0)] == '=' ? 1 : 2;
				rc = add_section(&sp, text, s, e - s, level, pline, pls, it.pos, err);
			} else {
				in_comment = comment_opens(text + ls, le - ls);
				para = !in_comment && (paragraph_line(text, ls, le) || (prev_para && ind > 3));
			}
			if (rc)
				goto fail;
		}
		prev_para = para;
		pls = ls;
		ple = le;
		pline = it.lineno;
	}
	if (sp.n > 0)
		sp.v[sp.n - 1].own_end = len;
	while (sp.depth > 0)
		sp.v[sp.stack[--sp.depth]].end = len;
	*out = sp.v;
	*n = sp.n;
	return 0;
fail:
	free(sp.v);
	return rc;
}

/* ---- canonical names ---- */

static const char *const canon_names[AV_SEC_COUNT] = {
	"intended_use", "out_of_scope", "limitations", "risks", "bias", "training_data",
	"training_procedure", "evaluation", "environmental_impact", "safety_testing", "languages",
	"users", "domains",
};

const char *
av_md_canonical_name(int id)
{
	return id >= 0 && id < AV_SEC_COUNT ? canon_names[id] : NULL;
}

int
av_md_canonical_id(const char *name)
{
	for (int i = 0; name && i < AV_SEC_COUNT; i++)
		if (strcmp(name, canon_names[i]) == 0)
			return i;
	return -1;
}

#define MAX_WORDS 24
#define WORD_LEN 24

typedef struct words {
	char w[MAX_WORDS][WORD_LEN];
	int n;
} words;

/* Lower-cases a heading into words: markup, HTML tags, link targets,
 * punctuation, numbering and non-ASCII characters are separators. */
static void
heading_words(const char *h, size_t len, words *ws)
{
	ws->n = 0;
	char cur[WORD_LEN];
	size_t cl = 0;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)h[i] : ' ';
		if (c == '<') { /* skip an HTML tag */
			const char *gt = memchr(h + i, '>', len - i);
			if (gt) {
				i = (size_t)(gt - h);
				c = ' ';
			}
		} else if (c == ']' && i + 1 < len && h[i + 1] == '(') { /* skip a link target */
			const char *rp = memchr(h + i, ')', len - i);
			if (rp) {
				i = (size_t)(rp - h);
				c = ' ';
			}
		}
		if (c < 0x80 && isalnum(c)) {
			if (cl < WORD_LEN - 1)
				cur[cl++] = (char)tolower(c);
			continue;
		}
		if (cl > 0) {
			cur[cl] = '\0';
			bool numeric = true;
			for (size_t k = 0; k < cl; k++)
				if (!isdigit((unsigned char)cur[k]))
					numeric = false;
			if (!numeric && ws->n < MAX_WORDS)
				memcpy(ws->w[ws->n++], cur, cl + 1);
			cl = 0;
		}
	}
}

/* Does the space-separated phrase occur as consecutive words? */
static bool
has(const words *ws, const char *phrase)
{
	char p[8][WORD_LEN];
	int pn = 0;
	const char *s = phrase;
	while (*s && pn < 8) {
		size_t l = strcspn(s, " ");
		if (l >= WORD_LEN)
			l = WORD_LEN - 1;
		memcpy(p[pn], s, l);
		p[pn++][l] = '\0';
		s += l;
		while (*s == ' ')
			s++;
	}
	for (int i = 0; i + pn <= ws->n; i++) {
		int k = 0;
		while (k < pn && strcmp(ws->w[i + k], p[k]) == 0)
			k++;
		if (k == pn)
			return true;
	}
	return false;
}

static bool
has_any(const words *ws, const char *const *phrases)
{
	for (; *phrases; phrases++)
		if (has(ws, *phrases))
			return true;
	return false;
}

static bool
only(const words *ws, const char *w)
{
	return ws->n == 1 && strcmp(ws->w[0], w) == 0;
}

static const char *const p_out[] = {"out of scope", "misuse", "misuses", "prohibited",
	"not intended", "unintended", "malicious use", "forbidden", "out of scope uses",
	"restricted uses", "use restrictions", NULL};
static const char *const p_use[] = {"intended use", "intended uses", "intended usage",
	"intended purpose", "intended purposes", "uses", "direct use", "downstream use",
	"use cases", "use case", "model use", "evaluated use", "intended applications",
	"applications", "primary intended uses", "supported tasks", NULL};
static const char *const p_lim[] = {"limitation", "limitations", "limits", "caveats", "caveat",
	"known issues", "shortcomings", "failure modes", NULL};
static const char *const p_risk[] = {"risk", "risks", "ethical", "ethics", "harm", "harms",
	"societal impact", "social impact", "considerations for using the data", "hazards", NULL};
static const char *const p_bias[] = {"bias", "biases", "biased", "fairness", NULL};
static const char *const p_tdata[] = {"training data", "training dataset", "training datasets",
	"train data", "pretraining data", "pre training data", "training corpus", "source data",
	"data collection", "model data", "training set", "data sources", "training sets", NULL};
static const char *const p_train[] = {"training", "pretraining", "pre training", "fine tuning",
	"finetuning", "preprocessing", "hyperparameters", "training procedure", NULL};
static const char *const p_data_words[] = {"data", "dataset", "datasets", "corpus", "set",
	"sets", NULL};
static const char *const p_eval[] = {"evaluation", "evaluations", "eval", "evaluating",
	"testing", "test results", "benchmark", "benchmarks", "results", "metrics", "factors",
	"performance", NULL};
static const char *const p_env[] = {"environmental", "environment impact", "carbon", "co2",
	"emissions", "energy", NULL};
static const char *const p_safety[] = {"safety", "red teaming", "red team", "responsible ai",
	"responsible", "safeguards", "guardrails", "adversarial testing", NULL};
static const char *const p_lang[] = {"languages", "language s", "supported language", NULL};
static const char *const p_users[] = {"users", "audience", "stakeholders", NULL};
static const char *const p_domain[] = {"domain", "domains", "sector", "sectors", NULL};

uint32_t
av_md_classify(const char *heading, size_t len)
{
	words ws;
	heading_words(heading, len, &ws);
	if (ws.n == 0)
		return 0;
	uint32_t m = 0;
	bool out = has_any(&ws, p_out);
	if (out)
		m |= 1u << AV_SEC_OUT_OF_SCOPE;
	if (!out && (has_any(&ws, p_use) || only(&ws, "use")) && !has(&ws, "how to use"))
		m |= 1u << AV_SEC_INTENDED_USE;
	if (!out && has(&ws, "how to use") && (has(&ws, "intended") || has(&ws, "uses")))
		m |= 1u << AV_SEC_INTENDED_USE;
	if (has_any(&ws, p_lim))
		m |= 1u << AV_SEC_LIMITATIONS;
	if (has_any(&ws, p_risk))
		m |= 1u << AV_SEC_RISKS;
	if (has_any(&ws, p_bias))
		m |= 1u << AV_SEC_BIAS;
	bool tdata = has_any(&ws, p_tdata);
	if (tdata)
		m |= 1u << AV_SEC_TRAINING_DATA;
	if (!tdata && has_any(&ws, p_train) &&
	    (!has_any(&ws, p_data_words) || has(&ws, "training procedure") ||
		has(&ws, "preprocessing")))
		m |= 1u << AV_SEC_TRAINING_PROCEDURE;
	if (has_any(&ws, p_eval))
		m |= 1u << AV_SEC_EVALUATION;
	if (has_any(&ws, p_env))
		m |= 1u << AV_SEC_ENVIRONMENTAL_IMPACT;
	if (has_any(&ws, p_safety))
		m |= 1u << AV_SEC_SAFETY_TESTING;
	if (has_any(&ws, p_lang) || only(&ws, "language"))
		m |= 1u << AV_SEC_LANGUAGES;
	if (has_any(&ws, p_users))
		m |= 1u << AV_SEC_USERS;
	if (has_any(&ws, p_domain))
		m |= 1u << AV_SEC_DOMAINS;
	return m;
}

/* ---- content words ---- */

/* Case-insensitive search for an ASCII pattern. */
static char *
ci_find(char *s, size_t n, const char *pat)
{
	size_t m = strlen(pat);
	if (m == 0 || m > n)
		return NULL;
	char first = (char)tolower((unsigned char)pat[0]);
	for (size_t i = 0; i + m <= n; i++) {
		if (tolower((unsigned char)s[i]) != first)
			continue;
		size_t k = 1;
		while (k < m && tolower((unsigned char)s[i + k]) == tolower((unsigned char)pat[k]))
			k++;
		if (k == m)
			return s + i;
	}
	return NULL;
}

/* Blanks every occurrence of [open .. close] (close included); an unclosed
 * open blanks to the end. */
static void
blank_spans(char *s, size_t n, const char *open, const char *close)
{
	size_t ol = strlen(open), cl = strlen(close), i = 0;
	while (i < n) {
		const char *o = find_str(s + i, n - i, open);
		if (!o)
			return;
		size_t a = (size_t)(o - s);
		const char *c = find_str(s + a + ol, n - a - ol, close);
		size_t b = c ? (size_t)(c - s) + cl : n;
		memset(s + a, ' ', b - a);
		i = b;
	}
}

/* Phrases that stand for missing content.  The last is the Hugging Face
 * template's default recommendation, which says nothing about the model. */
static const char *const placeholders[] = {
	"[more information needed]", "more information needed", "[needs more information]",
	"needs more information", "[optional]", "[todo]", "[tbd]",
	"users (both direct and downstream) should be made aware of the risks, biases and "
	"limitations of the model.",
	"carbon emissions can be estimated using the [machine learning impact calculator]"
	"(https://mlco2.github.io/impact#compute) presented in [lacoste et al. (2019)]"
	"(https://arxiv.org/abs/1910.09700).",
	NULL,
};

static void
blank_placeholders(char *s, size_t n)
{
	for (const char *const *p = placeholders; *p; p++) {
		size_t pl = strlen(*p);
		char *at = s;
		while ((at = ci_find(at, n - (size_t)(at - s), *p)) != NULL) {
			memset(at, ' ', pl);
			at += pl;
			/* A placeholder used as link text: drop its target too. */
			if ((*p)[0] == '[' && at < s + n && *at == '(') {
				char *rp = memchr(at, ')', n - (size_t)(at - s));
				if (rp) {
					memset(at, ' ', (size_t)(rp - at) + 1);
					at = rp + 1;
				}
			}
		}
	}
}

/* Blanks ATX heading lines outside fenced code. */
static void
blank_headings(char *s, size_t n)
{
	lines it = {s, n, 0, 0};
	size_t ls, le, flen = 0;
	bool in_fence = false;
	char fch = 0;
	while (next_line(&it, &ls, &le)) {
		int level;
		size_t hs, he;
		if (in_fence) {
			if (fence_close(s, ls, le, fch, flen))
				in_fence = false;
		} else if (fence_open(s, ls, le, &fch, &flen)) {
			in_fence = true;
		} else if (indent_of(s + ls, le - ls) <= 3 && atx_heading(s, ls, le, &level, &hs, &he)) {
			memset(s + ls, ' ', le - ls);
		}
	}
}

/* Blanks lines that are only a bold label, as template fields left empty
 * leave them ("- **Hours used:** "). */
static void
blank_empty_labels(char *s, size_t n)
{
	lines it = {s, n, 0, 0};
	size_t ls, le;
	while (next_line(&it, &ls, &le)) {
		size_t a = ls, e = le;
		trim(s, &a, &e);
		if (a < e && (s[a] == '-' || s[a] == '*' || s[a] == '+') && a + 1 < e && s[a + 1] == ' ') {
			a += 2;
			trim(s, &a, &e);
		}
		if (e > a && s[e - 1] == ':')
			e--;
		if (e - a < 5 || memcmp(s + a, "**", 2) != 0 || memcmp(s + e - 2, "**", 2) != 0)
			continue;
		if (find_str(s + a + 2, e - a - 4, "**") == NULL)
			memset(s + ls, ' ', le - ls);
	}
}

static bool
single_placeholder(const char *w, size_t n)
{
	/* Strip surrounding punctuation. */
	while (n > 0 && ispunct((unsigned char)w[0])) {
		w++;
		n--;
	}
	while (n > 0 && ispunct((unsigned char)w[n - 1]) && w[n - 1] != '/')
		n--;
	static const char *const single[] = {"tbd", "todo", "n/a", "na", "tba", NULL};
	for (const char *const *p = single; *p; p++)
		if (strlen(*p) == n && strncasecmp(w, *p, n) == 0)
			return true;
	return false;
}

size_t
av_md_content_words(const char *text, size_t len)
{
	if (len > AV_MD_MAX_BYTES)
		len = AV_MD_MAX_BYTES;
	char *s = malloc(len + 1);
	if (!s)
		return 0;
	memcpy(s, text, len);
	s[len] = '\0';
	blank_spans(s, len, "<!--", "-->");
	blank_spans(s, len, "{{", "}}");
	blank_spans(s, len, "{%", "%}");
	blank_headings(s, len);
	blank_placeholders(s, len);
	blank_empty_labels(s, len);

	size_t count = 0, i = 0;
	while (i < len) {
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		size_t a = i;
		bool word = false;
		size_t wide = 0;
		while (i < len && !isspace((unsigned char)s[i])) {
			unsigned char c = (unsigned char)s[i];
			if (c < 0x80 ? isalnum(c) : c >= 0xC0)
				word = true;
			/* Code points from U+3000 (CJK and others written without
			 * spaces) count one word each. */
			if (c >= 0xE3)
				wide++;
			i++;
		}
		if (i > a && word && !single_placeholder(s + a, i - a))
			count += wide > 1 ? wide : 1;
	}
	free(s);
	return count;
}

bool
av_md_has_content(const char *text, size_t len)
{
	return av_md_content_words(text, len) >= AV_MD_MIN_WORDS;
}

size_t
av_md_min_words(int id)
{
	return id == AV_SEC_LANGUAGES || id == AV_SEC_DOMAINS ? 1 : AV_MD_MIN_WORDS;
}

int
av_md_canonical(const char *text, size_t len, av_md_canon out[AV_SEC_COUNT], av_error *err)
{
	memset(out, 0, sizeof(*out) * AV_SEC_COUNT);
	av_md_section *v;
	size_t n;
	int rc = av_md_split(text, len, &v, &n, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		uint32_t m = av_md_classify(v[i].heading, v[i].heading_len);
		if (!m)
			continue;
		size_t w = av_md_content_words(text + v[i].body, v[i].end - v[i].body);
		for (int id = 0; id < AV_SEC_COUNT; id++) {
			if (!(m & (1u << id)))
				continue;
			av_md_canon *c = &out[id];
			if (c->present && w <= c->words)
				continue;
			c->present = true;
			c->words = w;
			c->content = w >= av_md_min_words(id);
			c->heading = v[i].heading;
			c->heading_len = v[i].heading_len;
			c->line = v[i].line;
			c->start = v[i].body;
			c->end = v[i].end;
		}
	}
	free(v);
	return 0;
}

/* ---- Lua module ---- */

/* Pushes a section table {heading=, level=, text=, line=, words=}.
 * [-0, +1, m] */
static void
push_section(lua_State *L, const char *text, const av_md_section *s)
{
	lua_createtable(L, 0, 5);
	lua_pushlstring(L, s->heading, s->heading_len);
	lua_setfield(L, -2, "heading");
	lua_pushinteger(L, s->level);
	lua_setfield(L, -2, "level");
	lua_pushlstring(L, text + s->body, s->end - s->body);
	lua_setfield(L, -2, "text");
	lua_pushinteger(L, s->line);
	lua_setfield(L, -2, "line");
}

/* Splits, or returns nil and a message.  On success the caller frees *v. */
static int
split_or_fail(lua_State *L, const char *text, size_t len, av_md_section **v, size_t *n)
{
	av_error err;
	av_error_clear(&err);
	if (av_md_split(text, len, v, n, &err) != 0) {
		lua_pushnil(L);
		lua_pushstring(L, err.msg);
		return 2;
	}
	return 0;
}

/***
 * Splits Markdown into its headed sections.
 * Headings inside fenced code and HTML comments do not count; a leading
 * YAML front matter block is skipped.
 * @function sections
 * @tparam string text the Markdown
 * @treturn table a list of {heading=, level=, text=, line=}, in document
 * order; text is the section's body with its subsections
 * @return nil and a message when the text is over the bounds
 */
static int
l_sections(lua_State *L)
{
	size_t len;
	const char *text = luaL_checklstring(L, 1, &len);
	av_md_section *v;
	size_t n;
	int r = split_or_fail(L, text, len, &v, &n);
	if (r)
		return r;
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		push_section(L, text, &v[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	free(v);
	return 1;
}

/* Heading equality after normalisation (case, punctuation, markup). */
static bool
same_heading(const char *a, size_t al, const char *b, size_t bl)
{
	words wa, wb;
	heading_words(a, al, &wa);
	heading_words(b, bl, &wb);
	if (wa.n != wb.n || wa.n == 0)
		return false;
	for (int i = 0; i < wa.n; i++)
		if (strcmp(wa.w[i], wb.w[i]) != 0)
			return false;
	return true;
}

/***
 * Finds a section by canonical name or by heading, whatever its wording
 * and level.
 * A canonical name ("intended_use", ...) or a heading that stands for one
 * finds the section with the most content among those that stand for it;
 * any other name finds the first section whose heading reads the same once
 * case and punctuation are taken out.
 * @function find
 * @tparam string text the Markdown
 * @tparam string name a canonical name or a heading
 * @treturn table|nil the section {heading=, level=, text=, line=}, or nil
 */
static int
l_find(lua_State *L)
{
	size_t len, nl;
	const char *text = luaL_checklstring(L, 1, &len);
	const char *name = luaL_checklstring(L, 2, &nl);
	av_md_section *v;
	size_t n;
	int r = split_or_fail(L, text, len, &v, &n);
	if (r)
		return r;
	int id = av_md_canonical_id(name);
	ptrdiff_t best = -1;
	for (size_t i = 0; i < n && best < 0; i++)
		if (same_heading(v[i].heading, v[i].heading_len, name, nl))
			best = (ptrdiff_t)i;
	uint32_t want = id >= 0 ? 1u << id : av_md_classify(name, nl);
	size_t best_words = 0;
	for (size_t i = 0; i < n && want && (best < 0 || id >= 0); i++) {
		if (!(av_md_classify(v[i].heading, v[i].heading_len) & want))
			continue;
		size_t w = av_md_content_words(text + v[i].body, v[i].end - v[i].body);
		if (best < 0 || w > best_words) {
			best = (ptrdiff_t)i;
			best_words = w;
		}
	}
	if (best < 0)
		lua_pushnil(L);
	else
		push_section(L, text, &v[best]);
	free(v);
	return 1;
}

/***
 * Does a piece of Markdown have real content?
 * Template placeholders ("[More Information Needed]", "{{ var }}", "TBD",
 * "N/A", "TODO", "[optional]"), HTML comments and heading lines do not
 * count; at least three words must remain.
 * @function has_content
 * @tparam string text
 * @treturn boolean
 * @treturn integer the number of content words
 */
static int
l_has_content(lua_State *L)
{
	size_t len;
	const char *text = luaL_checklstring(L, 1, &len);
	size_t w = av_md_content_words(text, len);
	lua_pushboolean(L, w >= AV_MD_MIN_WORDS);
	lua_pushinteger(L, (lua_Integer)w);
	return 2;
}

/***
 * Reports every canonical section of a card.
 * @function canonical
 * @tparam string text the card
 * @treturn table canonical name -> {present=, content=, heading=, words=, line=};
 * heading and line are absent when the section is not there
 * @return nil and a message when the text is over the bounds
 */
static int
l_canonical(lua_State *L)
{
	size_t len;
	const char *text = luaL_checklstring(L, 1, &len);
	av_md_canon c[AV_SEC_COUNT];
	av_error err;
	av_error_clear(&err);
	if (av_md_canonical(text, len, c, &err) != 0) {
		lua_pushnil(L);
		lua_pushstring(L, err.msg);
		return 2;
	}
	lua_createtable(L, 0, AV_SEC_COUNT);
	for (int i = 0; i < AV_SEC_COUNT; i++) {
		lua_createtable(L, 0, 5);
		lua_pushboolean(L, c[i].present);
		lua_setfield(L, -2, "present");
		lua_pushboolean(L, c[i].content);
		lua_setfield(L, -2, "content");
		lua_pushinteger(L, (lua_Integer)c[i].words);
		lua_setfield(L, -2, "words");
		if (c[i].present) {
			lua_pushlstring(L, c[i].heading, c[i].heading_len);
			lua_setfield(L, -2, "heading");
			lua_pushinteger(L, c[i].line);
			lua_setfield(L, -2, "line");
		}
		lua_setfield(L, -2, canon_names[i]);
	}
	return 1;
}

/***
 * Which canonical sections a heading stands for.
 * @function classify
 * @tparam string heading
 * @treturn table a list of canonical names (empty when none)
 */
static int
l_classify(lua_State *L)
{
	size_t len;
	const char *h = luaL_checklstring(L, 1, &len);
	uint32_t m = av_md_classify(h, len);
	lua_newtable(L);
	int k = 0;
	for (int i = 0; i < AV_SEC_COUNT; i++) {
		if (m & (1u << i)) {
			lua_pushstring(L, canon_names[i]);
			lua_rawseti(L, -2, ++k);
		}
	}
	return 1;
}

static const luaL_Reg md_funcs[] = {
	{"sections", l_sections},
	{"find", l_find},
	{"has_content", l_has_content},
	{"canonical", l_canonical},
	{"classify", l_classify},
	{NULL, NULL},
};

/***
 * The module aivet.markdown.
 * @module aivet.markdown
 */
int
luaopen_aivet_markdown(lua_State *L)
{
	luaL_newlib(L, md_funcs);
	lua_createtable(L, AV_SEC_COUNT, 0);
	for (int i = 0; i < AV_SEC_COUNT; i++) {
		lua_pushstring(L, canon_names[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "NAMES");
	return 1;
}
