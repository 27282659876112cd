/* syslog_out.c — see syslog_out.h. */
#include "syslog_out.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
/* CODE_FILE and CODE_LINE would name this file for every event: OBJECT says what matters */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static const char *const level_names[] = {
	[LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

/* Set once at start, before the engine's threads: read from any thread after. */
static enum syslog_out_target target;
static int max_level;

int syslog_out_level(const char *name)
{
	for (int i = 0; i < (int)(sizeof(level_names) / sizeof(*level_names)); i++)
		if (level_names[i] && !strcmp(level_names[i], name))
			return i;
	return -EINVAL;
}

enum syslog_out_target syslog_out_open(int max_priority)
{
	max_level = max_priority;
	if (access(JOURNAL_SOCKET, F_OK) == 0) {
		target = SYSLOG_OUT_JOURNAL;
	} else {
		openlog("vgpufs", LOG_PID, LOG_DAEMON);
		target = SYSLOG_OUT_SYSLOG;
	}
	return target;
}

void syslog_out_close(void)
{
	if (target == SYSLOG_OUT_SYSLOG)
		closelog();
	target = SYSLOG_OUT_NONE;
}

/* A journal entry's fields: OBJECT and ERRNO only where they say something. */
static void to_journal(int priority, const char *object, int err, const char *message)
{
	char errno_field[32];

	snprintf(errno_field, sizeof(errno_field), "ERRNO=%d", err);
	if (object && *object)
		sd_journal_send("MESSAGE=%s", message, "PRIORITY=%d", priority,
				"SYSLOG_IDENTIFIER=vgpufs", "OBJECT=%s", object,
				err ? errno_field : NULL, NULL);
	else
		sd_journal_send("MESSAGE=%s", message, "PRIORITY=%d", priority,
				"SYSLOG_IDENTIFIER=vgpufs", err ? errno_field : NULL, NULL);
}

void syslog_out_event(int priority, const char *object, int err, const char *message)
{
	if (priority > max_level)
		return;
	switch (target) {
	case SYSLOG_OUT_JOURNAL:
		to_journal(priority, object, err, message);
		break;
	case SYSLOG_OUT_SYSLOG:
		syslog(priority, "%s", message);
		break;
	case SYSLOG_OUT_NONE:
		break;
	}
}
