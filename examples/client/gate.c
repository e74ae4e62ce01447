/*
 * gate.c - a build step written against libaivet-client: evaluates the
 * manifests named on the command line through a running aivetd and exits
 * with the gate's code (0 approved, 1 needs_review, 2 rejected, 69 no
 * daemon, 65 a manifest the daemon refused).
 *
 *   cc -o gate gate.c $(pkg-config --cflags --libs aivet-client)
 *   ./gate model.yaml
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aivet_client.h>

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	} else {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	if (f != NULL)
		fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	aivet_client *c;
	int rc, worst = 0;

	if ((rc = aivet_connect(&c, NULL, 30000)) != AIVET_OK) {
		fprintf(stderr, "gate: %s\n", aivet_strerror(rc));
		return 69;
	}
	for (int i = 1; i < argc; i++) {
		aivet_reply *r = NULL;
		size_t len = 0;
		char *text = slurp(argv[i], &len);
		if (text == NULL) {
			perror(argv[i]);
			worst = 65;
			continue;
		}
		rc = aivet_evaluate(c, text, len, NULL, argv[i], &r);
		free(text);
		if (rc == AIVET_OK) {
			const char *d = aivet_reply_decision(r);
			int code = strcmp(d, "approved") == 0 ? 0 : strcmp(d, "rejected") == 0 ? 2 : 1;
			printf("%s: %s (%s)\n", argv[i], d, aivet_reply_freshness(r));
			if (worst < 64 && code > worst)
				worst = code;
		} else if (rc == AIVET_EREMOTE) {
			fprintf(stderr, "%s: %s\n", argv[i], aivet_reply_error_message(r));
			worst = 65;
		} else {
			fprintf(stderr, "gate: %s\n", aivet_strerror(rc));
			worst = 69;
		}
		aivet_reply_free(r);
	}
	aivet_close(c);
	return worst;
}
