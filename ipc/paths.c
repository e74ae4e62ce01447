/*
 * paths.c - embedded defaults for the daemon and the client.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "av_config.h"
#include "paths.h"

static char *
fmt(char *buf, size_t len, const char *f, const char *a, const char *b)
{
	int n = snprintf(buf, len, f, a, b);

	return (n < 0 || (size_t)n >= len) ? NULL : buf;
}

static const char *
home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && h[0] != '\0')
		return h;
	pw = getpwuid(getuid());
	return pw != NULL ? pw->pw_dir : NULL;
}

char *
av_state_dir(char *buf, size_t len)
{
	const char *s = getenv("AIVET_STATE_DIR");
	const char *h;

	if (s != NULL && s[0] != '\0')
		return fmt(buf, len, "%s%s", s, "");
	s = getenv("XDG_STATE_HOME");
	if (s != NULL && s[0] == '/')
		return fmt(buf, len, "%s/%s", s, "aivet");
	if ((h = home_dir()) == NULL)
		return NULL;
	return fmt(buf, len, "%s/%s", h, ".local/state/aivet");
}

static char *
in_state(char *buf, size_t len, const char *prefix, const char *name)
{
	char dir[AV_PATH_MAX];

	if (av_state_dir(dir, sizeof(dir)) == NULL)
		return NULL;
	if (snprintf(buf, len, "%s%s/%s", prefix, dir, name) >= (int)len)
		return NULL;
	return buf;
}

char *
av_default_socket(char *buf, size_t len)
{
	const char *s = getenv("AIVET_SOCKET");

	if (s != NULL && s[0] != '\0')
		return fmt(buf, len, "%s%s", s, "");
	return in_state(buf, len, "ipc://", "aivetd.sock");
}

char *
av_default_events(char *buf, size_t len)
{
	return in_state(buf, len, "ipc://", "aivetd-events.sock");
}

char *
av_default_database(char *buf, size_t len)
{
	return in_state(buf, len, "", "aivet.db");
}

/*
 * A program run from the build tree finds its plugins in the source tree:
 * the build directory holds meson-private/, the installed location never
 * does.  An installed program looks beside itself first (PREFIX/bin/.. or
 * PREFIX/sbin/.. then share/aivet), so that a tree installed with DESTDIR or
 * moved elsewhere works as well; then the configured data directory.
 */
char *
av_data_dir(char *buf, size_t len)
{
	const char *s = getenv("AIVET_DATA_DIR");
	char exe[AV_PATH_MAX], probe[AV_PATH_MAX + 32];
	ssize_t n;

	if (s != NULL && s[0] != '\0')
		return fmt(buf, len, "%s%s", s, "");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (char *p = strrchr(exe, '/'); p != NULL && p != exe; p = strrchr(exe, '/')) {
			*p = '\0';
			snprintf(probe, sizeof(probe), "%s/meson-private", exe);
			if (access(probe, F_OK) == 0) {
				snprintf(probe, sizeof(probe), "%s/plugins", AV_SRCDIR);
				if (access(probe, F_OK) == 0)
					return fmt(buf, len, "%s%s", AV_SRCDIR, "");
				break;
			}
		}
		if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
			exe[n] = '\0';
			char *p = strrchr(exe, '/');
			if (p != NULL && p != exe) {
				*p = '\0';
				if ((p = strrchr(exe, '/')) != NULL)
					*p = '\0';
				snprintf(probe, sizeof(probe), "%s/%s/plugins", exe, AV_DATADIR_REL);
				if (access(probe, F_OK) == 0)
					return fmt(buf, len, "%s/%s", exe, AV_DATADIR_REL);
			}
		}
	}
	return fmt(buf, len, "%s%s", AV_DATADIR, "");
}

int
av_mkdirs(const char *dir, unsigned mode)
{
	char tmp[AV_PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, n + 1);
	for (char *p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

const char *
av_ipc_path(const char *url)
{
	return strncmp(url, "ipc://", 6) == 0 ? url + 6 : NULL;
}
