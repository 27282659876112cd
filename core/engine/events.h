/* events.h — the human side of every change: an append-only log of one-line events
 * (/vgpu/events, read by offset so `tail -f` works) and, per object, the last refused
 * write (its `error` file). Objects are named by their path in the tree ("groups/g1").
 * In memory only: the log keeps its newest EVENTS_KEEP bytes. */
#ifndef VGPUFS_EVENTS_H
#define VGPUFS_EVENTS_H

#include <stddef.h>
#include <sys/types.h>

#define EVENTS_KEEP (1 << 20)
#define MESSAGE_MAX 512
#define OBJECT_MAX 512   /* an object's path in the tree, "vms/<vm>/devices/<dev>" */

struct object_error {
	char object[OBJECT_MAX];
	char message[MESSAGE_MAX];
};

struct events {
	char *data;          /* the retained tail of the log */
	size_t len;
	off_t start;         /* log offset of data[0] */
	struct object_error *errors;
	size_t n_errors;
	void (*notify)(void *ctx);  /* called after each new line */
	void *notify_ctx;
	/* called with each new line of events_add, before notify: where it goes besides */
	void (*copy)(void *ctx, const char *line, size_t len);
	void *copy_ctx;
};

/* Appends "<UTC time> <text>\n", and sends the text to the system log (syslog_out.h) at
 * LOG_INFO. Its OBJECT there is the tree path the text begins with: the first word, less
 * a trailing ':', when it holds a '/' ("groups/g1 created", "vgpus/<uuid>: ..."). */
void events_add(struct events *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same at a priority of syslog.h (LOG_NOTICE for the daemon's start, LOG_ERR for what
 * an admin must act on). */
void events_add_priority(struct events *ev, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A refusal's line, "<object>: refused (<ERRNO name>): <message>", sent at LOG_WARNING
 * with OBJECT and ERRNO (err < 0, as the refusal returns it). */
void events_add_refusal(struct events *ev, const char *object, int err, const char *message);

/* Appends a line events_add made (a copy into another log), notify as above. */
void events_append(struct events *ev, const char *line, size_t len);

/* Total bytes ever logged: the size a reader sees. */
off_t events_size(const struct events *ev);

/* Copies log bytes from offset; offsets before the retained tail read from its start. */
size_t events_read(const struct events *ev, off_t offset, char *buf, size_t size);

void events_set_error(struct events *ev, const char *object, const char *message);
const char *events_error(const struct events *ev, const char *object);
/* Moves the errors of object and everything below it to the path `to` (the object got
 * its name: a VM's devices are named by UUID until libvirt says its name). */
void events_rename(struct events *ev, const char *object, const char *to);
/* Forgets errors of object and everything below it (the object was deleted). */
void events_forget(struct events *ev, const char *object);
void events_free(struct events *ev);

#endif
