/*
 * markdown.h - just enough Markdown for model and dataset cards: split a
 * text into sections by heading, recognise a card's canonical sections
 * whatever their exact wording and level, and tell real content from a
 * template placeholder.
 *
 * This is not a Markdown renderer.  It knows ATX headings (# .. ######),
 * setext headings (a line underlined with === or ---), fenced code blocks
 * (``` and ~~~) and HTML comments, because those decide where a heading is;
 * everything else is text.  A leading YAML front matter block (a first line
 * "---" up to the next "---" or "..." line) is skipped.
 *
 * All functions are linear in the text and bounded: texts longer than
 * AV_MD_MAX_BYTES or with more than AV_MD_MAX_SECTIONS headings are refused
 * with AV_ELIMIT.  Sections point into the caller's text, which must outlive
 * them.
 */
#ifndef ENGINE_MARKDOWN_H
#define ENGINE_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"

#define AV_MD_MAX_BYTES (8u * 1024 * 1024)
#define AV_MD_MAX_SECTIONS 20000
/* A section has real content from this many words on (after placeholders,
 * comments and subsection headings are taken out). */
#define AV_MD_MIN_WORDS 3

typedef struct av_md_section {
	const char *heading; /* trimmed heading text, not NUL-terminated */
	size_t heading_len;
	int level; /* 1..6 */
	int line;  /* 1-based line of the heading in the text given */
	size_t start;    /* offset of the heading's first line */
	size_t body;     /* offset of the first byte after the heading line(s) */
	size_t own_end;  /* end of the section's own text (next heading of any level) */
	size_t end;      /* end including subsections (next heading of level <= this) */
} av_md_section;

/*
 * Splits text into its headed sections, in document order.  On success
 * *out is a malloc'd array of *n sections (NULL when there is none) that
 * the caller frees.  Text before the first heading belongs to no section.
 * Returns 0, AV_ENOMEM, or AV_ELIMIT (err says which bound).
 */
int av_md_split(const char *text, size_t len, av_md_section **out, size_t *n, av_error *err);

/* The canonical sections of a card.  The order is the order of the names
 * returned by av_md_canonical_name. */
enum {
	AV_SEC_INTENDED_USE = 0,
	AV_SEC_OUT_OF_SCOPE,
	AV_SEC_LIMITATIONS,
	AV_SEC_RISKS,
	AV_SEC_BIAS,
	AV_SEC_TRAINING_DATA,
	AV_SEC_TRAINING_PROCEDURE,
	AV_SEC_EVALUATION,
	AV_SEC_ENVIRONMENTAL_IMPACT,
	AV_SEC_SAFETY_TESTING,
	AV_SEC_LANGUAGES,
	AV_SEC_USERS,
	AV_SEC_DOMAINS,
	AV_SEC_COUNT
};

/* "intended_use", ... for 0 <= id < AV_SEC_COUNT; NULL otherwise. */
const char *av_md_canonical_name(int id);
/* The id of an exact canonical name, or -1. */
int av_md_canonical_id(const char *name);

/*
 * Which canonical sections a heading stands for, as a bit set (bit id set
 * for each).  Matching is by keywords and synonyms on the heading with case,
 * punctuation, emphasis, numbering and markup taken out; one heading may
 * stand for several ("Bias, Risks, and Limitations").  0 when none.
 */
uint32_t av_md_classify(const char *heading, size_t len);

/*
 * Counts the words of real content in text: HTML comments, template
 * variables ({{ ... }}, {% ... %}), heading lines and placeholders
 * ("[More Information Needed]", "More information needed", "[optional]",
 * "TBD", "N/A", "TODO", "[Needs More Information]") do not count.  A word
 * is a run of non-space characters with at least one letter or digit.
 */
size_t av_md_content_words(const char *text, size_t len);
bool av_md_has_content(const char *text, size_t len);

/* The words a canonical section needs to have content: AV_MD_MIN_WORDS,
 * or 1 for lists of names (languages, domains). */
size_t av_md_min_words(int id);

/* What a card says about one canonical section. */
typedef struct av_md_canon {
	bool present;
	bool content;
	size_t words;
	const char *heading; /* into the text; NULL when absent */
	size_t heading_len;
	int line;
	size_t start, end; /* the chosen section's text (with subsections) */
} av_md_canon;

/*
 * Finds every canonical section of a card.  A section is present when a
 * heading stands for it; it has content when that section's text, with its
 * subsections, has at least av_md_min_words(id) words of content.  Where
 * several headings stand for one name, the one with the most content words
 * is reported.  Returns 0, AV_ENOMEM or AV_ELIMIT.
 */
int av_md_canonical(const char *text, size_t len, av_md_canon out[AV_SEC_COUNT], av_error *err);

/* The Lua module "aivet.markdown" (see markdown.c for its functions). */
struct lua_State;
int luaopen_aivet_markdown(struct lua_State *L);

#endif
