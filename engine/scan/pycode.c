/*
 * pycode.c - calls in Python code and notebooks that matter when a model
 * loads (see pycode.h).
 *
 * The walk keeps a table of import aliases, resolves each called name
 * ("r.get" after "import requests as r" is requests.get) and matches it
 * against the tables below.  Arguments are looked at only where they
 * decide the answer: the first literal of a download or a command, the
 * keywords weights_only, allow_pickle and trust_remote_code.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doc.h"
#include "pycode.h"
#include "pytok.h"
#include "util.h"

#define MAX_ALIASES 512
#define MAX_CHAIN 8
#define MAX_ARG_TOKENS 4096

const char *
av_code_kind_name(int kind)
{
	static const char *const names[] = {"remote_code", "download", "exec", "eval", "subprocess",
		"pickle_load", "torch_load"};
	return kind >= 0 && kind < AV_CODE_KINDS ? names[kind] : "unknown";
}

void
av_codefacts_init(av_codefacts *f)
{
	memset(f, 0, sizeof(*f));
}

void
av_codefacts_fini(av_codefacts *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static int
add(av_codefacts *f, int kind, int line, const char *call, const char *target)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		av_codefact *v = realloc(f->v, cap * sizeof(*v));
		if (v == NULL)
			return AV_ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	av_codefact *e = &f->v[f->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->line = line;
	snprintf(e->call, sizeof(e->call), "%s", call);
	if (target != NULL)
		av_scan_safe_url(target, strlen(target), e->target, sizeof(e->target));
	return 0;
}

/* ---- the tables -------------------------------------------------------------- */

struct rule {
	const char *name; /* resolved dotted name */
	int kind;
};

/* Calls matched by their full resolved name. */
static const struct rule exact[] = {
	{"requests.get", AV_CODE_DOWNLOAD}, {"requests.post", AV_CODE_DOWNLOAD},
	{"requests.put", AV_CODE_DOWNLOAD}, {"requests.patch", AV_CODE_DOWNLOAD},
	{"requests.delete", AV_CODE_DOWNLOAD}, {"requests.head", AV_CODE_DOWNLOAD},
	{"requests.request", AV_CODE_DOWNLOAD}, {"requests.Session", AV_CODE_DOWNLOAD},
	{"requests.session", AV_CODE_DOWNLOAD},
	{"urllib.request.urlopen", AV_CODE_DOWNLOAD}, {"urllib.request.urlretrieve", AV_CODE_DOWNLOAD},
	{"urllib.request.Request", AV_CODE_DOWNLOAD}, {"urllib.urlopen", AV_CODE_DOWNLOAD},
	{"urllib.urlretrieve", AV_CODE_DOWNLOAD}, {"urllib2.urlopen", AV_CODE_DOWNLOAD},
	{"httpx.get", AV_CODE_DOWNLOAD}, {"httpx.post", AV_CODE_DOWNLOAD},
	{"httpx.request", AV_CODE_DOWNLOAD}, {"httpx.stream", AV_CODE_DOWNLOAD},
	{"httpx.Client", AV_CODE_DOWNLOAD}, {"httpx.AsyncClient", AV_CODE_DOWNLOAD},
	{"aiohttp.ClientSession", AV_CODE_DOWNLOAD}, {"aiohttp.request", AV_CODE_DOWNLOAD},
	{"http.client.HTTPConnection", AV_CODE_DOWNLOAD},
	{"http.client.HTTPSConnection", AV_CODE_DOWNLOAD}, {"wget.download", AV_CODE_DOWNLOAD},
	{"gdown.download", AV_CODE_DOWNLOAD}, {"torch.hub.load", AV_CODE_DOWNLOAD},
	{"torch.utils.model_zoo.load_url", AV_CODE_DOWNLOAD},
	{"tensorflow.keras.utils.get_file", AV_CODE_DOWNLOAD},
	{"keras.utils.get_file", AV_CODE_DOWNLOAD}, {"datasets.load_dataset", AV_CODE_DOWNLOAD},
	{"exec", AV_CODE_EXEC}, {"builtins.exec", AV_CODE_EXEC},
	{"eval", AV_CODE_EVAL}, {"builtins.eval", AV_CODE_EVAL},
	{"os.system", AV_CODE_SUBPROCESS}, {"os.popen", AV_CODE_SUBPROCESS},
	{"os.posix_spawn", AV_CODE_SUBPROCESS}, {"os.posix_spawnp", AV_CODE_SUBPROCESS},
	{"pty.spawn", AV_CODE_SUBPROCESS}, {"commands.getoutput", AV_CODE_SUBPROCESS},
	{"pickle.load", AV_CODE_PICKLE_LOAD}, {"pickle.loads", AV_CODE_PICKLE_LOAD},
	{"pickle.Unpickler", AV_CODE_PICKLE_LOAD}, {"cPickle.load", AV_CODE_PICKLE_LOAD},
	{"cPickle.loads", AV_CODE_PICKLE_LOAD}, {"_pickle.load", AV_CODE_PICKLE_LOAD},
	{"_pickle.loads", AV_CODE_PICKLE_LOAD}, {"dill.load", AV_CODE_PICKLE_LOAD},
	{"dill.loads", AV_CODE_PICKLE_LOAD}, {"cloudpickle.load", AV_CODE_PICKLE_LOAD},
	{"cloudpickle.loads", AV_CODE_PICKLE_LOAD}, {"joblib.load", AV_CODE_PICKLE_LOAD},
	{"pandas.read_pickle", AV_CODE_PICKLE_LOAD}, {"torch.load", AV_CODE_TORCH_LOAD},
};

/* Download functions recognised by their last name, whatever module path
 * they are imported from (huggingface_hub has several). */
static const char *const download_names[] = {"hf_hub_download", "snapshot_download",
	"cached_download", "load_state_dict_from_url", "download_url_to_file", "urlretrieve", NULL};

static const char *const subprocess_fns[] = {"run", "call", "check_call", "check_output",
	"Popen", "getoutput", "getstatusoutput", NULL};

/* Commands that fetch something, when a program is started with them. */
static const char *const fetch_cmds[] = {"wget", "curl", "aria2c", "git clone", "pip install",
	"pip3 install", "huggingface-cli download", "hf download", NULL};

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* The command a string starts (or holds, after a shell's "&&" or ";"). */
static const char *
fetch_command(const char *s)
{
	for (size_t k = 0; fetch_cmds[k] != NULL; k++) {
		size_t l = strlen(fetch_cmds[k]);
		for (const char *p = s; (p = strstr(p, fetch_cmds[k])) != NULL; p += l) {
			bool start = p == s || p[-1] == ' ' || p[-1] == ';' || p[-1] == '&' ||
			    p[-1] == '|' || p[-1] == '/' || p[-1] == '(';
			if (start && (p[l] == ' ' || p[l] == '\0'))
				return fetch_cmds[k];
		}
	}
	return NULL;
}

/* The first URL in s, or NULL. */
static const char *
first_url(const char *s, size_t *len)
{
	for (const char *p = s; *p; p++)
		if ((strncmp(p, "http://", 7) == 0 || strncmp(p, "https://", 8) == 0 ||
		    strncmp(p, "ftp://", 6) == 0 || strncmp(p, "s3://", 5) == 0 ||
		    strncmp(p, "gs://", 5) == 0) && (p == s || !isalnum((unsigned char)p[-1]))) {
			size_t n = 0;
			while (p[n] && p[n] != ' ' && p[n] != '"' && p[n] != '\'' && p[n] != '\t')
				n++;
			*len = n;
			return p;
		}
	return NULL;
}

/* A Hugging Face repository id: "org/name" of [A-Za-z0-9._-], not a path. */
static bool
repo_id(const char *s)
{
	const char *slash = strchr(s, '/');
	if (slash == NULL || slash == s || strchr(slash + 1, '/') != NULL || slash[1] == '\0' ||
	    s[0] == '.' || s[0] == '~')
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("._-/", *p) == NULL)
			return false;
	return strlen(s) <= 200;
}

/* ---- imports ------------------------------------------------------------------ */

struct alias {
	char name[64];
	char target[160];
};

struct walk {
	av_codefacts *out;
	const int *linemap;
	size_t nlines;
	const char *self_repo;
	struct alias al[MAX_ALIASES];
	size_t nal;
	char star[16][96]; /* modules imported with "*" */
	size_t nstar;
	/* Argument tokens left to read: each call's arguments are read once
	 * for the call and again as code, so this keeps a file of deeply
	 * nested calls linear. */
	size_t arg_budget;
	int rc;
};

static int
report_line(const struct walk *w, int line)
{
	if (w->linemap != NULL && line >= 1 && (size_t)line <= w->nlines)
		return w->linemap[line - 1];
	return line;
}

static void
set_alias(struct walk *w, const char *name, size_t nl, const char *target)
{
	if (nl == 0 || nl >= sizeof(w->al[0].name))
		return;
	for (size_t i = 0; i < w->nal; i++)
		if (strlen(w->al[i].name) == nl && memcmp(w->al[i].name, name, nl) == 0) {
			snprintf(w->al[i].target, sizeof(w->al[i].target), "%s", target);
			return;
		}
	if (w->nal >= MAX_ALIASES)
		return;
	memcpy(w->al[w->nal].name, name, nl);
	w->al[w->nal].name[nl] = '\0';
	snprintf(w->al[w->nal].target, sizeof(w->al[w->nal].target), "%s", target);
	w->nal++;
}

static const char *
lookup_alias(const struct walk *w, const char *name)
{
	for (size_t i = w->nal; i-- > 0;)
		if (strcmp(w->al[i].name, name) == 0)
			return w->al[i].target;
	return NULL;
}

/* A dotted name at *i (NAME (. NAME)*) into buf; advances *i past it. */
static bool
dotted_name(av_pytok *tz, av_pytok_t *t, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	while (t->type == AV_PYT_NAME) {
		if (n + t->len + 2 >= cap)
			return false;
		memcpy(buf + n, t->s, t->len);
		n += t->len;
		buf[n] = '\0';
		av_pytok_next(tz, t);
		if (t->type != AV_PYT_OP || t->s[0] != '.')
			return true;
		buf[n++] = '.';
		buf[n] = '\0';
		av_pytok_next(tz, t);
	}
	return n > 0 && buf[n - 1] != '.';
}

/* "import a.b as c, d" after the keyword; t is the token after "import". */
static void
import_stmt(struct walk *w, av_pytok *tz, av_pytok_t *t)
{
	char mod[160];

	for (;;) {
		if (!dotted_name(tz, t, mod, sizeof(mod)))
			return;
		if (t->type == AV_PYT_NAME && t->len == 2 && memcmp(t->s, "as", 2) == 0) {
			av_pytok_next(tz, t);
			if (t->type != AV_PYT_NAME)
				return;
			set_alias(w, t->s, t->len, mod);
			av_pytok_next(tz, t);
		} else {
			/* "import a.b" binds a, which names itself */
			const char *dot = strchr(mod, '.');
			size_t l = dot ? (size_t)(dot - mod) : strlen(mod);
			char first[64];
			if (l < sizeof(first)) {
				memcpy(first, mod, l);
				first[l] = '\0';
				set_alias(w, first, l, first);
			}
		}
		if (t->type != AV_PYT_OP || t->s[0] != ',')
			return;
		av_pytok_next(tz, t);
	}
}

/* "from a.b import x as y, z" after "from"; t is the token after "from". */
static void
from_stmt(struct walk *w, av_pytok *tz, av_pytok_t *t)
{
	char mod[160], target[160];
	bool relative = false;

	while (t->type == AV_PYT_OP && t->s[0] == '.') {
		relative = true;
		av_pytok_next(tz, t);
	}
	if (t->type == AV_PYT_NAME && !(t->len == 6 && memcmp(t->s, "import", 6) == 0)) {
		if (!dotted_name(tz, t, mod, sizeof(mod)))
			return;
	} else {
		mod[0] = '\0';
	}
	if (!(t->type == AV_PYT_NAME && t->len == 6 && memcmp(t->s, "import", 6) == 0))
		return;
	av_pytok_next(tz, t);
	if (t->type == AV_PYT_OP && t->s[0] == '(')
		av_pytok_next(tz, t);
	if (t->type == AV_PYT_OP && t->s[0] == '*') {
		if (!relative && mod[0] != '\0' && w->nstar < 16)
			snprintf(w->star[w->nstar++], sizeof(w->star[0]), "%.95s", mod);
		av_pytok_next(tz, t);
		return;
	}
	while (t->type == AV_PYT_NAME) {
		const char *name = t->s;
		size_t nl = t->len;
		snprintf(target, sizeof(target), "%.100s%s%.*s", relative ? "." : mod,
		    relative ? "" : ".", (int)(nl > 50 ? 50 : nl), name);
		av_pytok_next(tz, t);
		if (t->type == AV_PYT_NAME && t->len == 2 && memcmp(t->s, "as", 2) == 0) {
			av_pytok_next(tz, t);
			if (t->type != AV_PYT_NAME)
				return;
			name = t->s;
			nl = t->len;
			av_pytok_next(tz, t);
		}
		set_alias(w, name, nl, target);
		if (t->type != AV_PYT_OP || t->s[0] != ',')
			break;
		av_pytok_next(tz, t);
	}
}

/* The resolved name of a chain: its first part through the aliases. */
static void
resolve(const struct walk *w, const char *chain, char *out, size_t cap)
{
	const char *dot = strchr(chain, '.');
	size_t l = dot ? (size_t)(dot - chain) : strlen(chain);
	char first[64];

	if (l >= sizeof(first)) {
		snprintf(out, cap, "%s", chain);
		return;
	}
	memcpy(first, chain, l);
	first[l] = '\0';
	const char *t = lookup_alias(w, first);
	if (t != NULL)
		snprintf(out, cap, "%s%s", t, dot ? dot : "");
	else
		snprintf(out, cap, "%s", chain);
}

/* ---- calls ----------------------------------------------------------------------- */

struct args {
	char first[512];   /* the first positional argument, when a literal string */
	bool has_first;
	char strings[512]; /* the literal strings of the first argument, when a list */
	bool weights_only;
	bool allow_pickle;
	bool trust_remote_code;
	bool shell;
};

/* Reads the arguments after "(" (t is the first token after it) up to the
 * matching ")". */
static void
read_args(av_pytok *tz, av_pytok_t *t, struct args *a, size_t *budget)
{
	int depth = t->depth; /* the depth inside the parentheses */
	int pos = 0, count = 0;
	av_pytok_t prev = {0}, prev2 = {0};

	memset(a, 0, sizeof(*a));
	while (t->type != AV_PYT_END && count++ < MAX_ARG_TOKENS && *budget > 0) {
		(*budget)--;
		if (t->type == AV_PYT_OP && t->s[0] == ')' && t->depth == depth)
			return;
		if (t->depth == depth && t->type == AV_PYT_OP && t->s[0] == ',')
			pos++;
		/* keyword = True */
		if (t->depth == depth && t->type == AV_PYT_NAME && t->len == 4 &&
		    memcmp(t->s, "True", 4) == 0 && prev.type == AV_PYT_OP && prev.s[0] == '=' &&
		    prev2.type == AV_PYT_NAME) {
			if (prev2.len == 12 && memcmp(prev2.s, "weights_only", 12) == 0)
				a->weights_only = true;
			else if (prev2.len == 12 && memcmp(prev2.s, "allow_pickle", 12) == 0)
				a->allow_pickle = true;
			else if (prev2.len == 17 && memcmp(prev2.s, "trust_remote_code", 17) == 0)
				a->trust_remote_code = true;
			else if (prev2.len == 5 && memcmp(prev2.s, "shell", 5) == 0)
				a->shell = true;
		}
		if (pos == 0 && t->type == AV_PYT_STRING) {
			char v[512];
			av_pytok_string(t, v, sizeof(v));
			if (t->depth == depth && !a->has_first) {
				snprintf(a->first, sizeof(a->first), "%s", v);
				a->has_first = true;
			}
			size_t n = strlen(a->strings);
			snprintf(a->strings + n, sizeof(a->strings) - n, "%s%s", n ? " " : "", v);
		}
		prev2 = prev;
		prev = *t;
		av_pytok_next(tz, t);
	}
}

static const char *
last_part(const char *s)
{
	const char *d = strrchr(s, '.');
	return d ? d + 1 : s;
}

static void
fact(struct walk *w, int kind, int line, const char *call, const char *target)
{
	if (w->rc == 0)
		w->rc = add(w->out, kind, report_line(w, line), call, target);
}

/* Judges one call of `name` (resolved), `method` when called on an
 * expression (x().name(...)). */
static void
judge(struct walk *w, const char *name, bool method, const struct args *a, int line)
{
	const char *last = last_part(name);
	char call[96];

	snprintf(call, sizeof(call), "%.95s", name[0] == '.' ? name + 1 : name);
	if (a->trust_remote_code)
		fact(w, AV_CODE_REMOTE_CODE, line, call, NULL);
	if (strcmp(last, "from_pretrained") == 0) {
		if (a->has_first && repo_id(a->first) &&
		    (w->self_repo == NULL || strcasecmp(a->first, w->self_repo) != 0))
			fact(w, AV_CODE_DOWNLOAD, line, call, a->first);
		return;
	}
	if (method)
		return;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
		if (strcmp(exact[i].name, name) != 0)
			continue;
		int k = exact[i].kind;
		if (k == AV_CODE_TORCH_LOAD && a->weights_only)
			return;
		if (k == AV_CODE_DOWNLOAD) {
			size_t ul;
			const char *u = a->has_first ? first_url(a->first, &ul) : NULL;
			char t[512];
			if (u != NULL)
				snprintf(t, sizeof(t), "%.*s", (int)ul, u);
			else if (a->has_first && repo_id(a->first))
				snprintf(t, sizeof(t), "%s", a->first);
			else
				t[0] = '\0';
			fact(w, k, line, call, t[0] ? t : NULL);
			return;
		}
		if (k == AV_CODE_SUBPROCESS) {
			fact(w, k, line, call, NULL);
			const char *cmd = fetch_command(a->strings);
			if (cmd != NULL) {
				size_t ul;
				const char *u = first_url(a->strings, &ul);
				char t[512];
				snprintf(t, sizeof(t), "%.*s", u ? (int)ul : 0, u ? u : "");
				char c2[96];
				snprintf(c2, sizeof(c2), "%.60s %.30s", call, cmd);
				fact(w, AV_CODE_DOWNLOAD, line, c2, t[0] ? t : NULL);
			}
			return;
		}
		fact(w, k, line, call, NULL);
		return;
	}
	if (strncmp(name, "numpy.load", 10) == 0 && name[10] == '\0' && a->allow_pickle) {
		fact(w, AV_CODE_PICKLE_LOAD, line, "numpy.load(allow_pickle=True)", NULL);
		return;
	}
	if (in_list(download_names, last) && strchr(name, '.') != NULL) {
		size_t ul;
		const char *u = a->has_first ? first_url(a->first, &ul) : NULL;
		char t[512];
		if (u != NULL)
			snprintf(t, sizeof(t), "%.*s", (int)ul, u);
		else if (a->has_first && repo_id(a->first))
			snprintf(t, sizeof(t), "%s", a->first);
		else
			t[0] = '\0';
		fact(w, AV_CODE_DOWNLOAD, line, call, t[0] ? t : NULL);
		return;
	}
	if ((strncmp(name, "subprocess.", 11) == 0 && in_list(subprocess_fns, name + 11)) ||
	    (strncmp(name, "os.exec", 7) == 0 && strchr(name + 3, '.') == NULL) ||
	    (strncmp(name, "os.spawn", 8) == 0 && strchr(name + 3, '.') == NULL)) {
		fact(w, AV_CODE_SUBPROCESS, line, call, NULL);
		const char *cmd = fetch_command(a->strings);
		if (cmd != NULL) {
			size_t ul;
			const char *u = first_url(a->strings, &ul);
			char t[512], c2[96];
			snprintf(t, sizeof(t), "%.*s", u ? (int)ul : 0, u ? u : "");
			snprintf(c2, sizeof(c2), "%.60s %.30s", call, cmd);
			fact(w, AV_CODE_DOWNLOAD, line, c2, t[0] ? t : NULL);
		}
	}
}

/* A name with no alias may come from "from M import *". */
static void
resolve_star(const struct walk *w, const char *chain, char *out, size_t cap)
{
	char cand[256];

	resolve(w, chain, out, cap);
	if (strcmp(out, chain) != 0 || strcmp(chain, "exec") == 0 || strcmp(chain, "eval") == 0)
		return;
	for (size_t s = 0; s < w->nstar; s++) {
		snprintf(cand, sizeof(cand), "%s.%s", w->star[s], chain);
		for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
			if (strcmp(exact[i].name, cand) == 0) {
				snprintf(out, cap, "%s", cand);
				return;
			}
		if (strcmp(w->star[s], "subprocess") == 0 && in_list(subprocess_fns, chain)) {
			snprintf(out, cap, "%s", cand);
			return;
		}
	}
}

int
av_pycode_scan(av_codefacts *out, const char *src, size_t len, const int *linemap,
    size_t nlines, const char *self_repo)
{
	struct walk *w = calloc(1, sizeof(*w));
	av_pytok tz;
	av_pytok_t t;
	bool stmt_start = true, after_dot = false, after_def = false;

	if (w == NULL)
		return AV_ENOMEM;
	w->out = out;
	w->linemap = linemap;
	w->nlines = nlines;
	w->self_repo = self_repo;
	w->arg_budget = 4 * len + 65536;
	av_pytok_init(&tz, src, len);
	av_pytok_next(&tz, &t);
	while (t.type != AV_PYT_END && w->rc == 0) {
		if (t.type == AV_PYT_NEWLINE) {
			stmt_start = true;
			after_dot = after_def = false;
			av_pytok_next(&tz, &t);
			continue;
		}
		if (stmt_start && t.type == AV_PYT_NAME && t.len == 6 && memcmp(t.s, "import", 6) == 0) {
			av_pytok_next(&tz, &t);
			import_stmt(w, &tz, &t);
			stmt_start = false;
			continue;
		}
		if (stmt_start && t.type == AV_PYT_NAME && t.len == 4 && memcmp(t.s, "from", 4) == 0) {
			av_pytok_next(&tz, &t);
			from_stmt(w, &tz, &t);
			stmt_start = false;
			continue;
		}
		stmt_start = false;
		if (t.type == AV_PYT_NAME && !after_def &&
		    !(t.len == 3 && (memcmp(t.s, "def", 3) == 0))) {
			char chain[192], name[256];
			int line = t.line;
			bool method = after_dot;
			size_t n = 0;
			chain[0] = '\0';
			if (method)
				chain[n++] = '.';
			int parts = 0;
			if (n + t.len + 2 >= sizeof(chain)) { /* a name too long to be one we know */
				after_dot = false;
				av_pytok_next(&tz, &t);
				continue;
			}
			while (t.type == AV_PYT_NAME && parts < MAX_CHAIN && n + t.len + 2 < sizeof(chain)) {
				memcpy(chain + n, t.s, t.len);
				n += t.len;
				chain[n] = '\0';
				parts++;
				av_pytok_next(&tz, &t);
				if (t.type == AV_PYT_OP && t.s[0] == '.') {
					av_pytok_t peek = t;
					av_pytok save = tz;
					av_pytok_next(&tz, &peek);
					if (peek.type != AV_PYT_NAME) {
						tz = save;
						break;
					}
					chain[n++] = '.';
					chain[n] = '\0';
					t = peek;
				} else {
					break;
				}
			}
			after_dot = t.type == AV_PYT_OP && t.s[0] == '.';
			if (t.type == AV_PYT_OP && t.s[0] == '(') {
				struct args a;
				if (method)
					snprintf(name, sizeof(name), "%s", chain);
				else
					resolve_star(w, chain, name, sizeof(name));
				av_pytok_next(&tz, &t);
				av_pytok save = tz;
				av_pytok_t tsave = t;
				read_args(&tz, &t, &a, &w->arg_budget);
				judge(w, name, method, &a, line);
				/* the arguments may hold calls too: read them again as code */
				tz = save;
				t = tsave;
				after_dot = false;
			}
			continue;
		}
		after_def = t.type == AV_PYT_NAME && t.len == 3 && memcmp(t.s, "def", 3) == 0;
		after_dot = t.type == AV_PYT_OP && t.s[0] == '.';
		av_pytok_next(&tz, &t);
	}
	int rc = w->rc;
	free(w);
	return rc;
}

/* ---- notebooks ---------------------------------------------------------------- */

struct cell {
	char *src;
	size_t n, cap;
	int *lines;
	size_t nlines, lcap;
};

static bool
cell_put(struct cell *c, const char *s, size_t n, int line)
{
	if (c->n + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4096;
		while (cap < c->n + n + 1)
			cap *= 2;
		char *ns = realloc(c->src, cap);
		if (ns == NULL)
			return false;
		c->src = ns;
		c->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		if (c->n == 0 || c->src[c->n - 1] == '\n') {
			if (c->nlines == c->lcap) {
				size_t cap = c->lcap ? c->lcap * 2 : 64;
				int *nl = realloc(c->lines, cap * sizeof(*nl));
				if (nl == NULL)
					return false;
				c->lines = nl;
				c->lcap = cap;
			}
			c->lines[c->nlines++] = line;
		}
		c->src[c->n++] = s[i];
	}
	c->src[c->n] = '\0';
	return true;
}

/* Shell lines ("!cmd", "%pip ...", "%%bash" cells) become comments in the
 * Python text, and fetches among them become facts. */
static int
shell_lines(av_codefacts *out, struct cell *c)
{
	size_t i = 0, ln = 0;
	bool bash = false;

	while (i < c->n) {
		size_t e = i;
		while (e < c->n && c->src[e] != '\n')
			e++;
		size_t st = i;
		while (st < e && (c->src[st] == ' ' || c->src[st] == '\t'))
			st++;
		if (ln == 0 && e - st >= 6 && (strncmp(c->src + st, "%%bash", 6) == 0 ||
		    strncmp(c->src + st, "%%sh", 4) == 0 || strncmp(c->src + st, "%%script", 8) == 0))
			bash = true;
		if (bash || (st < e && (c->src[st] == '!' || c->src[st] == '%'))) {
			char cmd[1024];
			size_t k = e - st;
			snprintf(cmd, sizeof(cmd), "%.*s", (int)(k < sizeof(cmd) ? k : sizeof(cmd) - 1),
			    c->src + st);
			const char *f = fetch_command(cmd[0] == '!' || cmd[0] == '%' ? cmd + 1 : cmd);
			if (f == NULL && strncmp(cmd, "%pip install", 12) == 0)
				f = "pip install";
			if (f != NULL) {
				size_t ul;
				const char *u = first_url(cmd, &ul);
				char t[512], call[96];
				snprintf(t, sizeof(t), "%.*s", u ? (int)ul : 0, u ? u : "");
				snprintf(call, sizeof(call), "!%s", f);
				int line = ln < c->nlines ? c->lines[ln] : 0;
				if (add(out, AV_CODE_DOWNLOAD, line, call, t[0] ? t : NULL) != 0)
					return AV_ENOMEM;
			}
			if (st < e)
				c->src[st] = '#';
		}
		ln++;
		i = e + 1;
	}
	return 0;
}

int
av_notebook_scan(av_codefacts *out, const char *buf, size_t len, const char *name,
    const char *self_repo, av_diags *d)
{
	av_doc *doc;
	av_limits lim;
	av_error err;
	int rc;

	av_limits_default(&lim);
	lim.max_bytes = 64u << 20;
	lim.max_nodes = 500000; /* keeps a notebook's tree to some tens of MB */
	if ((rc = av_doc_parse(&doc, buf, len, AV_FMT_JSON, name, &lim, &err)) != 0) {
		av_diags_add(d, rc, name, err.line, err.column, "not a notebook: %s", err.msg);
		return rc == AV_ENOMEM ? rc : AV_EPARSE;
	}
	const av_node *cells = av_map_get(av_doc_root(doc), "cells");
	for (const av_node *cl = cells && cells->type == AV_SEQ ? cells->first : NULL; cl && rc == 0;
	    cl = cl->next) {
		const char *type = av_map_str(cl, "cell_type");
		const av_node *src = av_map_get(cl, "source");
		struct cell c = {0};
		bool ok = true;
		if (src == NULL || type == NULL)
			continue;
		if (src->type == AV_STR) {
			ok = cell_put(&c, src->str, src->len, src->line);
		} else if (src->type == AV_SEQ) {
			for (const av_node *s = src->first; s && ok; s = s->next)
				if (s->type == AV_STR)
					ok = cell_put(&c, s->str, s->len, s->line);
		}
		if (!ok) {
			rc = AV_ENOMEM;
		} else if (c.n > 0 && strcmp(type, "code") == 0) {
			rc = shell_lines(out, &c);
			if (rc == 0)
				rc = av_pycode_scan(out, c.src, c.n, c.lines, c.nlines, self_repo);
		} else if (c.n > 0) {
			size_t before = out->n;
			rc = av_text_remote_code(out, c.src, c.n);
			for (size_t k = before; k < out->n; k++)
				if (out->v[k].line >= 1 && (size_t)out->v[k].line <= c.nlines)
					out->v[k].line = c.lines[out->v[k].line - 1];
		}
		free(c.src);
		free(c.lines);
	}
	av_doc_destroy(doc);
	return rc;
}

int
av_text_remote_code(av_codefacts *out, const char *buf, size_t len)
{
	static const char key[] = "trust_remote_code";
	int line = 1;
	size_t kl = sizeof(key) - 1;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			line++;
			continue;
		}
		if (buf[i] != 't' || len - i < kl || memcmp(buf + i, key, kl) != 0)
			continue;
		size_t j = i + kl;
		if (j < len && buf[j] == '"')
			j++;
		while (j < len && (buf[j] == ' ' || buf[j] == '\t'))
			j++;
		if (j < len && (buf[j] == '=' || buf[j] == ':')) {
			j++;
			while (j < len && (buf[j] == ' ' || buf[j] == '\t'))
				j++;
			if (len - j >= 4 && (memcmp(buf + j, "True", 4) == 0 ||
			    memcmp(buf + j, "true", 4) == 0) &&
			    (len - j == 4 || !isalnum((unsigned char)buf[j + 4]))) {
				if (add(out, AV_CODE_REMOTE_CODE, line, "trust_remote_code", NULL) != 0)
					return AV_ENOMEM;
			}
		}
		i = j > i ? j - 1 : i;
	}
	return 0;
}
