/*
 * cli_review.c - the review commands of aivet: reviews, review record |
 * waive | schedule, watch, history.
 *
 * These commands take options of their own (--decision, --every, ...), so
 * they parse the whole command line here, the shared options included.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>
#include <nng/supplemental/util/platform.h>

#include "aivet_client.h"
#include "cli.h"
#include "clock.h"
#include "av_config.h"
#include "ics.h"
#include "paths.h"

#define EX_NOPERM 77

static struct {
	const char *due_within, *as_of, *decision, *note, *conditions, *next, *every, *owner;
	const char *justification, *until, *events;
	long long since;
	long count;
	bool remove;
} ro;

static const char *const commands[] = {"reviews", "review", "watch", "history", NULL};

/* Shared options that take an argument, to find the command word. */
static bool
takes_arg(const char *a)
{
	static const char *const with[] = {"-s", "-f", "-p", "--socket", "--format", "--profile",
		"--fail-on", "--plugin-dir", "--policy-dir", "--timeout", "--run", NULL};

	for (int i = 0; with[i] != NULL; i++)
		if (strcmp(a, with[i]) == 0)
			return true;
	return false;
}

/* Sends req (consumed) and returns the parsed reply, or an exit code. */
static int
call(cJSON *req, const char *what, cJSON **reply)
{
	aivet_client *c = cli_connect_or_die();
	aivet_reply *r = NULL;
	char *text;
	int rc;

	cJSON_AddNumberToObject(req, "v", 1);
	text = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	if (text == NULL)
		return EX_SOFT;
	rc = aivet_call(c, text, strlen(text), &r);
	free(text);
	if (rc == AIVET_EREMOTE) {
		const char *code = aivet_reply_error_code(r);
		int ex = cli_remote_error(r, what);
		if (code != NULL && strcmp(code, "forbidden") == 0)
			ex = EX_NOPERM;
		aivet_reply_free(r);
		aivet_close(c);
		return ex;
	}
	if (rc != AIVET_OK) {
		aivet_close(c);
		cli_die_connect(rc);
	}
	*reply = cJSON_Parse(aivet_reply_json(r));
	aivet_reply_free(r);
	aivet_close(c);
	return *reply ? 0 : EX_SOFT;
}

static cJSON *
request(const char *op)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "op", op);
	return j;
}

static void
add_opt(cJSON *j, const char *key, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(j, key, v);
}

/* NAME@VERSION into req; version_needed for writes. */
static int
add_target(cJSON *req, const char *arg, bool version_needed, const char *cmd)
{
	char *dup = strdup(arg), *name, *version;

	if (dup == NULL || cli_split_at(dup, &name, &version) != 0 || name[0] == '\0' ||
	    (version_needed && (version == NULL || version[0] == '\0'))) {
		fprintf(stderr, "aivet %s: expected NAME%s, got '%s'\n", cmd,
		    version_needed ? "@VERSION" : "[@VERSION]", arg);
		free(dup);
		return EX_USAGE_;
	}
	cJSON_AddStringToObject(req, "name", name);
	if (version != NULL && version[0] != '\0')
		cJSON_AddStringToObject(req, "version", version);
	free(dup);
	return 0;
}

/* ---- reviews ------------------------------------------------------------ */

static int
reviews_text(cJSON *r)
{
	const cJSON *x, *arr = cJSON_GetObjectItemCaseSensitive(r, "reviews");

	if (cJSON_GetArraySize(arr) == 0) {
		printf("nothing due\n");
		return 0;
	}
	printf("%-32s %-13s %-10s %-12s %s\n", "COMPONENT", "VERDICT", "DUE", "OWNER", "STATE");
	cJSON_ArrayForEach(x, arr)
	{
		char comp[256];
		const cJSON *owner = cJSON_GetObjectItemCaseSensitive(x, "owner");
		snprintf(comp, sizeof(comp), "%s@%s", cli_jstr(x, "name"), cli_jstr(x, "version"));
		printf("%-32s %-13s %-10s %-12s %s\n", comp, cli_jstr(x, "decision"),
		    cli_jstr(x, "due"), cJSON_IsString(owner) ? owner->valuestring : "-",
		    cli_jstr(x, "state"));
	}
	return 0;
}

static void
xml_text(const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", stdout); break;
		case '>': fputs("&gt;", stdout); break;
		case '&': fputs("&amp;", stdout); break;
		case '"': fputs("&quot;", stdout); break;
		case '\'': fputs("&apos;", stdout); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				putchar(*s);
		}
	}
}

/* How much a review state asks for attention: 0 none, 1 soon, 2 due, 3 overdue. */
static int
urgency(const char *state)
{
	if (strcmp(state, "overdue") == 0)
		return 3;
	if (strcmp(state, "due") == 0)
		return 2;
	if (strcmp(state, "due_soon") == 0 || strcmp(state, "stale") == 0)
		return 1;
	return 0;
}

/*
 * The reviews list in the formats CI systems display: a markdown table, GitHub
 * workflow commands, JUnit XML (a failing testcase per review that is due,
 * overdue or stale) or SARIF 2.1.0 (a result per review that needs attention).
 */
static void
reviews_ci(const cJSON *r, const char *fmt)
{
	static const char *const levels[] = {"none", "note", "warning", "error"};
	static const char *const gh[] = {NULL, "notice", "warning", "error"};
	const cJSON *x, *arr = cJSON_GetObjectItemCaseSensitive(r, "reviews");
	int n = cJSON_GetArraySize(arr), failing = 0;

	cJSON_ArrayForEach(x, arr)
	{
		if (urgency(cli_jstr(x, "state")) >= 2)
			failing++;
	}
	if (strcmp(fmt, "markdown") == 0) {
		printf("### aivet reviews\n\n");
		if (n == 0) {
			printf("Nothing is due.\n");
			return;
		}
		printf("| Component | Verdict | Due | Owner | State |\n|---|---|---|---|---|\n");
		cJSON_ArrayForEach(x, arr)
		{
			const cJSON *owner = cJSON_GetObjectItemCaseSensitive(x, "owner");
			printf("| `%s@%s` | %s | %s | %s | %s%s |\n", cli_jstr(x, "name"),
			    cli_jstr(x, "version"), cli_jstr(x, "decision"), cli_jstr(x, "due"),
			    cJSON_IsString(owner) ? owner->valuestring : "-",
			    urgency(cli_jstr(x, "state")) >= 2 ? "**" : "", cli_jstr(x, "state"));
		}
		return;
	}
	if (strcmp(fmt, "github") == 0) {
		cJSON_ArrayForEach(x, arr)
		{
			int u = urgency(cli_jstr(x, "state"));
			if (u == 0)
				continue;
			printf("::%s title=aivet review %s::%s@%s: review %s %s (verdict %s)\n", gh[u],
			    cli_jstr(x, "state"), cli_jstr(x, "name"), cli_jstr(x, "version"),
			    u == 3 ? "was due" : "due", cli_jstr(x, "due"), cli_jstr(x, "decision"));
		}
		return;
	}
	if (strcmp(fmt, "junit") == 0) {
		printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		printf("<testsuites name=\"aivet reviews\" tests=\"%d\" failures=\"%d\">\n", n,
		    failing);
		printf("  <testsuite name=\"reviews\" tests=\"%d\" failures=\"%d\">\n", n, failing);
		cJSON_ArrayForEach(x, arr)
		{
			printf("    <testcase classname=\"aivet.reviews\" name=\"");
			xml_text(cli_jstr(x, "name"));
			putchar('@');
			xml_text(cli_jstr(x, "version"));
			if (urgency(cli_jstr(x, "state")) < 2) {
				printf("\"/>\n");
				continue;
			}
			printf("\">\n      <failure type=\"review.%s\" message=\"", cli_jstr(x, "state"));
			printf("review %s since ", cli_jstr(x, "state"));
			xml_text(cli_jstr(x, "due"));
			printf("\">verdict ");
			xml_text(cli_jstr(x, "decision"));
			printf(", risk ");
			xml_text(cli_jstr(x, "risk"));
			printf("</failure>\n    </testcase>\n");
		}
		printf("  </testsuite>\n</testsuites>\n");
		return;
	}
	/* SARIF 2.1.0 */
	cJSON *log = cJSON_CreateObject(), *runs, *run, *driver, *rules, *results;
	static const char *const rule_ids[] = {"review.due_soon", "review.due", "review.overdue",
	    "verdict.stale"};
	static const char *const rule_text[] = {"A review falls due soon.", "A review is due.",
	    "A review is overdue.", "The verdict was made by other policies than the loaded ones."};
	cJSON_AddStringToObject(log, "$schema",
	    "https://json.schemastore.org/sarif-2.1.0.json");
	cJSON_AddStringToObject(log, "version", "2.1.0");
	runs = cJSON_AddArrayToObject(log, "runs");
	run = cJSON_CreateObject();
	cJSON_AddItemToArray(runs, run);
	driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
	cJSON_AddStringToObject(driver, "name", "aivet");
	cJSON_AddStringToObject(driver, "version", AV_VERSION);
	rules = cJSON_AddArrayToObject(driver, "rules");
	for (int i = 0; i < 4; i++) {
		cJSON *rule = cJSON_CreateObject();
		cJSON_AddStringToObject(rule, "id", rule_ids[i]);
		cJSON_AddStringToObject(rule, "name", rule_ids[i]);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(rule, "shortDescription"), "text",
		    rule_text[i]);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(rule, "help"), "text",
		    "Review the component and record the decision: aivet review record "
		    "NAME@VERSION --decision approve|reject --note ...");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(rule, "defaultConfiguration"),
		    "level", i == 0 || i == 3 ? "note" : i == 1 ? "warning" : "error");
		cJSON_AddItemToArray(rules, rule);
	}
	results = cJSON_AddArrayToObject(run, "results");
	cJSON_ArrayForEach(x, arr)
	{
		const char *st = cli_jstr(x, "state");
		int u = urgency(st);
		char text[512];
		cJSON *res;
		if (u == 0)
			continue;
		res = cJSON_CreateObject();
		cJSON_AddStringToObject(res, "ruleId",
		    strcmp(st, "stale") == 0 ? "verdict.stale"
		    : u == 3		      ? "review.overdue"
		    : u == 2		      ? "review.due"
					      : "review.due_soon");
		cJSON_AddStringToObject(res, "level", levels[u]);
		snprintf(text, sizeof(text), "%s@%s: review %s, due %s (verdict %s)",
		    cli_jstr(x, "name"), cli_jstr(x, "version"), st, cli_jstr(x, "due"),
		    cli_jstr(x, "decision"));
		cJSON_AddStringToObject(cJSON_AddObjectToObject(res, "message"), "text", text);
		cJSON_AddItemToArray(results, res);
	}
	char *out = cJSON_Print(log);
	if (out != NULL)
		puts(out);
	free(out);
	cJSON_Delete(log);
}

static int
reviews_ics(cJSON *r)
{
	size_t len = 0;
	char *text = av_ics_from_reviews(cJSON_GetObjectItemCaseSensitive(r, "reviews"), av_now(),
	    &len);

	cJSON_Delete(r);
	if (text == NULL)
		return EX_SOFT;
	fwrite(text, 1, len, stdout);
	free(text);
	return 0;
}

static int
cmd_reviews(int argc, char **argv)
{
	cJSON *req = request("reviews"), *r;
	int ex;

	if (argc != 0) {
		fprintf(stderr, "aivet reviews: no arguments expected (see --due-within, --as-of)\n");
		cJSON_Delete(req);
		return EX_USAGE_;
	}
	add_opt(req, "due_within", ro.due_within);
	add_opt(req, "as_of", ro.as_of);
	if ((ex = call(req, "reviews", &r)) != 0)
		return ex;
	if (strcmp(cli.format, "ics") == 0)
		return reviews_ics(r);
	if (strcmp(cli.format, "markdown") == 0 || strcmp(cli.format, "github") == 0 ||
	    strcmp(cli.format, "junit") == 0 || strcmp(cli.format, "sarif") == 0) {
		reviews_ci(r, cli.format);
		cJSON_Delete(r);
		return 0;
	}
	return cli_print_json_or(r, reviews_text);
}

/* ---- review record | waive | schedule ------------------------------------ */

static int
print_done(cJSON *r)
{
	const cJSON *x;

	if ((x = cJSON_GetObjectItemCaseSensitive(r, "review")) != NULL)
		printf("recorded: %s@%s %s by %s; next review %s\n", cli_jstr(x, "name"),
		    cli_jstr(x, "version"), cli_jstr(x, "decision"), cli_jstr(x, "reviewer"),
		    cli_jstr(x, "next_review"));
	else if ((x = cJSON_GetObjectItemCaseSensitive(r, "waiver")) != NULL)
		printf("waived: %s on %s@%s (%s) until %s, waiver %d\n", cli_jstr(x, "finding"),
		    cli_jstr(x, "name"), cli_jstr(x, "version"), cli_jstr(x, "justification"),
		    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(x, "until"))
			? cli_jstr(x, "until")
			: "revoked",
		    cJSON_GetObjectItemCaseSensitive(x, "id")->valueint);
	else if ((x = cJSON_GetObjectItemCaseSensitive(r, "schedule")) != NULL)
		printf("scheduled: %s@%s every %.0f days, next %s\n", cli_jstr(x, "name"),
		    cli_jstr(x, "version"),
		    cJSON_GetObjectItemCaseSensitive(x, "every_seconds")->valuedouble / 86400,
		    cli_jstr(x, "next_due"));
	else
		printf("done\n");
	return 0;
}

static int
cmd_review(int argc, char **argv)
{
	cJSON *req, *r;
	int ex;

	if (argc < 2) {
		fprintf(stderr, "aivet review: expected record|waive|schedule NAME@VERSION\n");
		return EX_USAGE_;
	}
	if (strcmp(argv[0], "record") == 0 && argc == 2) {
		req = request("record_review");
		if (ro.decision == NULL) {
			fprintf(stderr, "aivet review record: --decision approve|reject|"
					"approve_with_conditions is required\n");
			cJSON_Delete(req);
			return EX_USAGE_;
		}
		add_opt(req, "decision", ro.decision);
		add_opt(req, "note", ro.note);
		add_opt(req, "conditions", ro.conditions);
		add_opt(req, "next", ro.next);
	} else if (strcmp(argv[0], "waive") == 0 && argc == 3) {
		req = request("waive");
		if (argc == 3)
			cJSON_AddStringToObject(req, "finding", argv[2]);
		add_opt(req, "justification", ro.justification);
		add_opt(req, "note", ro.note);
		add_opt(req, "until", ro.until);
	} else if (strcmp(argv[0], "schedule") == 0 && argc == 2) {
		req = request("schedule");
		add_opt(req, "every", ro.every);
		add_opt(req, "owner", ro.owner);
		add_opt(req, "next", ro.next);
		if (ro.remove)
			cJSON_AddBoolToObject(req, "remove", true);
	} else {
		fprintf(stderr, "aivet review: expected record NAME@VERSION, waive NAME@VERSION "
				"FINDING_ID, or schedule NAME@VERSION\n");
		return EX_USAGE_;
	}
	if ((ex = add_target(req, argv[1], true, "review")) != 0) {
		cJSON_Delete(req);
		return ex;
	}
	if ((ex = call(req, argv[0], &r)) != 0)
		return ex;
	return cli_print_json_or(r, print_done);
}

/* ---- history ------------------------------------------------------------ */

static int
history_text(cJSON *r)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(r, "events"))
	{
		const char *kind = cli_jstr(x, "kind");
		printf("%s  %-10s %-8s %-24s", cli_jstr(x, "at"), kind, cli_jstr(x, "version"),
		    cli_jstr(x, "what"));
		if (strcmp(kind, "evaluation") == 0)
			printf(" risk %s, review by %s, policy %.12s, by %s", cli_jstr(x, "risk"),
			    cli_jstr(x, "review_by"), cli_jstr(x, "policy_digest"),
			    cli_jstr(x, "who"));
		else if (strcmp(kind, "review") == 0)
			printf(" by %s: %s", cli_jstr(x, "who"), cli_jstr(x, "note"));
		else {
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(x, "detail");
			if (cJSON_GetObjectItemCaseSensitive(d, "due") != NULL)
				printf(" due %s", cli_jstr(d, "due"));
			if (cJSON_GetObjectItemCaseSensitive(d, "to") != NULL)
				printf(" %s -> %s", cli_jstr(d, "from"), cli_jstr(d, "to"));
			if (cJSON_GetObjectItemCaseSensitive(d, "finding") != NULL)
				printf(" %s", cli_jstr(d, "finding"));
		}
		printf("\n");
	}
	return 0;
}

static int
cmd_history(int argc, char **argv)
{
	cJSON *req, *r;
	int ex;

	if (argc != 1) {
		fprintf(stderr, "aivet history: expected NAME[@VERSION]\n");
		return EX_USAGE_;
	}
	req = request("history");
	if ((ex = add_target(req, argv[0], false, "history")) != 0) {
		cJSON_Delete(req);
		return ex;
	}
	if ((ex = call(req, "history", &r)) != 0)
		return ex;
	return cli_print_json_or(r, history_text);
}

/* ---- watch -------------------------------------------------------------- */

/* Prints one alert (an object with id, topic...); returns its id. */
static long long
print_alert(const cJSON *a)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");

	if (strcmp(cli.format, "json") == 0) {
		char *s = cJSON_PrintUnformatted(a);
		if (s != NULL)
			printf("%s\n", s);
		free(s);
	} else {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(a, "detail");
		printf("%lld %s %s %s@%s", cJSON_IsNumber(id) ? (long long)id->valuedouble : 0,
		    cli_jstr(a, "at"), cli_jstr(a, "topic"), cli_jstr(a, "name"),
		    cli_jstr(a, "version"));
		if (cJSON_GetObjectItemCaseSensitive(d, "due") != NULL)
			printf(" due %s", cli_jstr(d, "due"));
		if (cJSON_GetObjectItemCaseSensitive(d, "to") != NULL)
			printf(" %s -> %s", cli_jstr(d, "from"), cli_jstr(d, "to"));
		if (cJSON_GetObjectItemCaseSensitive(d, "finding") != NULL)
			printf(" %s", cli_jstr(d, "finding"));
		printf("\n");
	}
	fflush(stdout);
	return cJSON_IsNumber(id) ? (long long)id->valuedouble : 0;
}

/*
 * Subscribes first, then reads the stored alerts after the cursor, then
 * follows the stream, skipping what the backlog already showed: PUB drops
 * messages for slow or absent subscribers, the store does not.
 */
static int
cmd_watch(int argc, char **argv)
{
	char url[AV_PATH_MAX + 16];
	const char *events = ro.events ? ro.events : getenv("AIVET_EVENTS");
	long long last = ro.since;
	long shown = 0;
	nng_socket sub;
	int rv, ex;

	if (argc != 0) {
		fprintf(stderr, "aivet watch: no arguments expected (see --since, --events)\n");
		return EX_USAGE_;
	}
	if (events == NULL) {
		if (av_default_events(url, sizeof(url)) == NULL) {
			fprintf(stderr, "aivet watch: no events address: set --events\n");
			return EX_USAGE_;
		}
		events = url;
	}
	if ((rv = nng_sub0_open(&sub)) != 0 ||
	    (rv = nng_socket_set(sub, NNG_OPT_SUB_SUBSCRIBE, "", 0)) != 0 ||
	    (rv = nng_dial(sub, events, NULL, NNG_FLAG_NONBLOCK)) != 0) {
		fprintf(stderr, "aivet watch: cannot subscribe to %s: %s\n", events,
		    nng_strerror(rv));
		return EX_UNAVAIL;
	}
	nng_msleep(100); /* let the subscription reach the daemon */
	for (;;) {
		cJSON *req = request("alerts"), *r;
		const cJSON *a, *arr;
		int n = 0;
		cJSON_AddNumberToObject(req, "since", (double)last);
		if ((ex = call(req, "alerts", &r)) != 0) {
			nng_close(sub);
			return ex;
		}
		arr = cJSON_GetObjectItemCaseSensitive(r, "alerts");
		cJSON_ArrayForEach(a, arr)
		{
			last = print_alert(a);
			n++;
			if (ro.count > 0 && ++shown >= ro.count) {
				cJSON_Delete(r);
				nng_close(sub);
				return 0;
			}
		}
		cJSON_Delete(r);
		if (n < 1000)
			break;
	}
	nng_socket_set_ms(sub, NNG_OPT_RECVTIMEO, cli.timeout_ms > 0 ? cli.timeout_ms : -1);
	for (;;) {
		char *buf = NULL, *sp;
		size_t len = 0;
		cJSON *a;
		if ((rv = nng_recv(sub, &buf, &len, NNG_FLAG_ALLOC)) != 0) {
			nng_close(sub);
			if (rv == NNG_ETIMEDOUT && ro.count > 0) {
				fprintf(stderr, "aivet watch: %ld of %ld alerts before the timeout\n",
				    shown, ro.count);
				return EX_SOFT;
			}
			if (rv == NNG_ETIMEDOUT)
				continue;
			fprintf(stderr, "aivet watch: %s\n", nng_strerror(rv));
			return EX_UNAVAIL;
		}
		sp = memchr(buf, ' ', len);
		a = sp ? cJSON_ParseWithLength(sp + 1, len - (size_t)(sp + 1 - buf)) : NULL;
		nng_free(buf, len);
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");
		if (cJSON_IsNumber(id) && (long long)id->valuedouble > last) {
			last = print_alert(a);
			shown++;
		}
		cJSON_Delete(a);
		if (ro.count > 0 && shown >= ro.count) {
			nng_close(sub);
			return 0;
		}
	}
}

/* ---- entry -------------------------------------------------------------- */

static void
usage_review(FILE *f)
{
	fprintf(f,
	    "review commands:\n"
	    "  reviews [--due-within 30d] [--as-of DATE]\n"
	    "          [-f text|json|ics|markdown|github|junit|sarif]\n"
	    "                           what is due, soonest first\n"
	    "  review record NAME@VERSION --decision approve|reject|approve_with_conditions\n"
	    "                           [--note TEXT] [--conditions TEXT] [--next DATE]\n"
	    "  review waive NAME@VERSION FINDING_ID --justification not_applicable|mitigated|\n"
	    "                           accepted_risk|false_positive [--note TEXT] [--until DATE]\n"
	    "  review schedule NAME@VERSION --every 6mo [--owner NAME] [--next DATE] [--remove]\n"
	    "  watch [--since ID] [--count N] [--events URL]\n"
	    "                           print alerts as the daemon raises them\n"
	    "  history NAME[@VERSION]   evaluations, reviews and alerts in time order\n");
}

int
cli_review_main(int argc, char **argv)
{
	enum { O_DUE = 256, O_ASOF, O_DEC, O_NOTE, O_COND, O_NEXT, O_EVERY, O_OWNER, O_JUST,
		O_UNTIL, O_EVENTS, O_SINCE, O_COUNT, O_REMOVE, O_TIMEOUT };
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"timeout", required_argument, NULL, O_TIMEOUT},
		{"due-within", required_argument, NULL, O_DUE},
		{"as-of", required_argument, NULL, O_ASOF},
		{"decision", required_argument, NULL, O_DEC},
		{"note", required_argument, NULL, O_NOTE},
		{"conditions", required_argument, NULL, O_COND},
		{"next", required_argument, NULL, O_NEXT},
		{"every", required_argument, NULL, O_EVERY},
		{"owner", required_argument, NULL, O_OWNER},
		{"justification", required_argument, NULL, O_JUST},
		{"until", required_argument, NULL, O_UNTIL},
		{"events", required_argument, NULL, O_EVENTS},
		{"since", required_argument, NULL, O_SINCE},
		{"count", required_argument, NULL, O_COUNT},
		{"remove", no_argument, NULL, O_REMOVE},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = NULL;
	int ch;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			if (takes_arg(argv[i]))
				i++;
			continue;
		}
		cmd = argv[i];
		break;
	}
	if (cmd == NULL)
		return -1;
	for (int i = 0; commands[i] != NULL; i++)
		if (strcmp(cmd, commands[i]) == 0)
			goto mine;
	return -1;
mine:
	cli.timeout_ms = cli.timeout_ms > 0 ? cli.timeout_ms : 30000;
	while ((ch = getopt_long(argc, argv, "s:f:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': cli.socket = optarg; break;
		case 'f': cli.format = optarg; break;
		case 'q': cli.quiet = true; break;
		case 'h': usage_review(stdout); return 0;
		case O_TIMEOUT: cli.timeout_ms = atoi(optarg); break;
		case O_DUE: ro.due_within = optarg; break;
		case O_ASOF: ro.as_of = optarg; break;
		case O_DEC: ro.decision = optarg; break;
		case O_NOTE: ro.note = optarg; break;
		case O_COND: ro.conditions = optarg; break;
		case O_NEXT: ro.next = optarg; break;
		case O_EVERY: ro.every = optarg; break;
		case O_OWNER: ro.owner = optarg; break;
		case O_JUST: ro.justification = optarg; break;
		case O_UNTIL: ro.until = optarg; break;
		case O_EVENTS: ro.events = optarg; break;
		case O_SINCE: ro.since = atoll(optarg); break;
		case O_COUNT: ro.count = atol(optarg); break;
		case O_REMOVE: ro.remove = true; break;
		default: usage_review(stderr); return EX_USAGE_;
		}
	}
	if (strcmp(cli.format, "text") != 0 && strcmp(cli.format, "json") != 0 &&
	    !(strcmp(cmd, "reviews") == 0 &&
		(strcmp(cli.format, "ics") == 0 || strcmp(cli.format, "markdown") == 0 ||
		    strcmp(cli.format, "github") == 0 || strcmp(cli.format, "junit") == 0 ||
		    strcmp(cli.format, "sarif") == 0))) {
		fprintf(stderr, "aivet %s: --format takes text or json%s\n", cmd,
		    strcmp(cmd, "reviews") == 0 ? ", ics, markdown, github, junit or sarif" : "");
		return EX_USAGE_;
	}
	argc -= optind + 1;
	argv += optind + 1;
	if (strcmp(cmd, "reviews") == 0)
		return cmd_reviews(argc, argv);
	if (strcmp(cmd, "review") == 0)
		return cmd_review(argc, argv);
	if (strcmp(cmd, "watch") == 0)
		return cmd_watch(argc, argv);
	return cmd_history(argc, argv);
}
