/*
 * paths.h - embedded defaults shared by aivetd and aivet, so that
 * "aivetd &" followed by "aivet check x.yaml" just works with no
 * configuration at all.
 *
 * State directory: $AIVET_STATE_DIR, else $XDG_STATE_HOME/aivet, else
 * ~/.local/state/aivet.  Request socket ipc://STATE/aivetd.sock (overridden
 * by $AIVET_SOCKET), event socket ipc://STATE/aivetd-events.sock, database
 * STATE/aivet.db.  Built-in plugins and policies: $AIVET_DATA_DIR, else the
 * source tree when the program runs from its build directory, else the
 * installed data directory.
 */
#ifndef IPC_PATHS_H
#define IPC_PATHS_H

#include <stddef.h>

#define AV_PATH_MAX 4096

/* Each fills buf (len bytes) and returns buf, or NULL when the result
 * would not fit or no home directory is known. */
char *av_state_dir(char *buf, size_t len);
char *av_default_socket(char *buf, size_t len);
char *av_default_events(char *buf, size_t len);
char *av_default_database(char *buf, size_t len);
char *av_data_dir(char *buf, size_t len);

/* Creates dir and its parents; the last component with mode.  0 or -errno. */
int av_mkdirs(const char *dir, unsigned mode);

/* If url is ipc://PATH, returns PATH (pointing into url), else NULL. */
const char *av_ipc_path(const char *url);

#endif
