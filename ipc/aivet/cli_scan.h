/*
 * cli_scan.h - `aivet scan` and the scanning half of `aivet check DIR`
 * (scan.c).
 */
#ifndef IPC_AIVET_CLI_SCAN_H
#define IPC_AIVET_CLI_SCAN_H

#include <stdbool.h>

#include "doc.h"

/* `aivet scan ...`: returns -1 when argv's command is not scan, else the
 * exit code. */
int cli_scan_main(int argc, char **argv);
/* An option of `aivet check` that belongs to scanning: 'U' --vulns FILE,
 * 'J' --jobs N, 'M' --max-files N, 'N' --no-cache.  0 or EX_USAGE_. */
int cli_scan_option(int opt, const char *arg);
/* Whether path names a folder (which `aivet check` scans). */
bool cli_scan_is_dir(const char *path);
/* Scans dir into a manifest ready to evaluate (*out, the caller destroys
 * it).  Returns 0; EX_DATA with *out set when some file could not be read
 * (the gate must not pass), or with *out NULL when the scan failed; EX_SOFT. */
int cli_scan_load(const char *dir, av_doc **out);

#endif
