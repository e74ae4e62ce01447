/*
 * log.h - the daemon's log: one line per event on stderr, with a syslog
 * priority prefix ("<6>") when stderr is the systemd journal, so that
 * journald files each line at the right level.
 */
#ifndef IPC_AIVETD_LOG_H
#define IPC_AIVETD_LOG_H

enum { AV_LOG_DEBUG = 0, AV_LOG_INFO, AV_LOG_WARN, AV_LOG_ERROR };

void av_log_init(const char *prog, int level);
void av_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
