/* syslog_out.h — the system log's copy of every event line: journald when it runs, else
 * syslog(3). The engine's one place for events (core/engine/events.c) calls
 * syslog_out_event for each line it adds to /vgpu/events; nothing else logs.
 *
 * The target is chosen once, by syslog_out_open at start: journald when its socket
 * (/run/systemd/journal/socket) exists then, else syslog(3) (openlog "vgpufs",
 * LOG_DAEMON; glibc connects to /dev/log at the first line and again after a failure).
 * Until syslog_out_open is called (unit tests, vgpufs --check) lines go nowhere. */
#ifndef VGPUFS_SYSLOG_OUT_H
#define VGPUFS_SYSLOG_OUT_H

enum syslog_out_target { SYSLOG_OUT_NONE, SYSLOG_OUT_JOURNAL, SYSLOG_OUT_SYSLOG };

/* A level's name (err, warning, notice, info, debug) as syslog.h's LOG_*, or -EINVAL. */
int syslog_out_level(const char *name);

/* Chooses the target (see above); lines of a priority above max_priority are dropped. */
enum syslog_out_target syslog_out_open(int max_priority);
void syslog_out_close(void);

/* One event line: its text (escaped, one line, without the time), the tree path of the
 * object it is about ("" or NULL for none), and for a refusal its errno (0 otherwise). */
void syslog_out_event(int priority, const char *object, int err, const char *message);

#endif
