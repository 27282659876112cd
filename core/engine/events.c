/* events.c — see events.h. */
#include "events.h"
#include "syslog_out.h"
#include "util.h"
#include "value.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

/* Drops whole lines from the front until `extra` more bytes fit in EVENTS_KEEP. */
static void make_room(struct events *ev, size_t extra)
{
	size_t drop = 0;

	while (ev->len - drop + extra > EVENTS_KEEP && drop < ev->len) {
		char *nl = memchr(ev->data + drop, '\n', ev->len - drop);

		drop = nl ? (size_t)(nl - ev->data) + 1 : ev->len;
	}
	if (!drop)
		return;
	memmove(ev->data, ev->data + drop, ev->len - drop);
	ev->len -= drop;
	ev->start += (off_t)drop;
}

/* The tree path an event's text begins with (events.h), or "" when it names none. */
static void object_of(const char *text, char *object, size_t size)
{
	size_t n = strcspn(text, " ");

	if (n && text[n - 1] == ':')
		n--;
	if (n >= size || !memchr(text, '/', n))
		n = 0;
	memcpy(object, text, n);
	object[n] = '\0';
}

/* Every line is one line whatever names and values it quotes: the whole text is escaped
 * (value_escape), so a newline in a user's name can neither split an event nor forge one.
 * The system log gets the same escaped text, without the time (it keeps its own). */
static void add_line(struct events *ev, int priority, const char *object, int err,
		     const char *text)
{
	char line[4 * MESSAGE_MAX + 64], found[OBJECT_MAX];
	struct tm tm;
	time_t now = time(NULL);
	size_t n, time_len;

	gmtime_r(&now, &tm);
	time_len = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	value_escape(text, line + time_len, sizeof(line) - time_len - 1);
	if (!object) {
		object_of(line + time_len, found, sizeof(found));
		object = found;
	}
	syslog_out_event(priority, object, err, line + time_len);
	n = strlen(line);
	line[n++] = '\n';
	if (ev->copy)
		ev->copy(ev->copy_ctx, line, n);
	events_append(ev, line, n);
}

void events_add(struct events *ev, const char *fmt, ...)
{
	char text[MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	add_line(ev, LOG_INFO, NULL, 0, text);
}

void events_add_priority(struct events *ev, int priority, const char *fmt, ...)
{
	char text[MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	add_line(ev, priority, NULL, 0, text);
}

void events_add_refusal(struct events *ev, const char *object, int err, const char *message)
{
	char text[MESSAGE_MAX];

	assert(err < 0);
	snprintf(text, sizeof(text), "%s: refused (%s): %s", object, strerrorname_np(-err),
		 message);
	add_line(ev, LOG_WARNING, object, -err, text);
}

void events_append(struct events *ev, const char *line, size_t len)
{
	char *grown;

	make_room(ev, len);
	grown = realloc(ev->data, ev->len + len);
	if (!grown)
		return;
	ev->data = grown;
	memcpy(ev->data + ev->len, line, len);
	ev->len += len;
	if (ev->notify)
		ev->notify(ev->notify_ctx);
}

off_t events_size(const struct events *ev)
{
	return ev->start + (off_t)ev->len;
}

size_t events_read(const struct events *ev, off_t offset, char *buf, size_t size)
{
	size_t from = offset <= ev->start ? 0 : (size_t)(offset - ev->start);

	if (from >= ev->len)
		return 0;
	if (size > ev->len - from)
		size = ev->len - from;
	memcpy(buf, ev->data + from, size);
	return size;
}

static struct object_error *find_error(const struct events *ev, const char *object)
{
	for (size_t i = 0; i < ev->n_errors; i++)
		if (!strcmp(ev->errors[i].object, object))
			return &ev->errors[i];
	return NULL;
}

void events_set_error(struct events *ev, const char *object, const char *message)
{
	struct object_error *e = find_error(ev, object);

	if (!e) {
		void *grown = realloc(ev->errors, (ev->n_errors + 1) * sizeof(*ev->errors));

		if (!grown)
			return;
		ev->errors = grown;
		e = &ev->errors[ev->n_errors++];
		str_copy(e->object, sizeof(e->object), object);
	}
	value_escape(message, e->message, sizeof(e->message));
}

const char *events_error(const struct events *ev, const char *object)
{
	const struct object_error *e = find_error(ev, object);

	return e ? e->message : "";
}

void events_rename(struct events *ev, const char *object, const char *to)
{
	size_t len = strlen(object);

	for (size_t i = 0; i < ev->n_errors; i++) {
		struct object_error *e = &ev->errors[i];
		char renamed[OBJECT_MAX];

		if (strncmp(e->object, object, len) || (e->object[len] && e->object[len] != '/'))
			continue;
		if (str_printf(renamed, sizeof(renamed), "%s%s", to, e->object + len) < 0 ||
		    find_error(ev, renamed))
			continue; /* too long, or a newer error of the named object wins */
		str_copy(e->object, sizeof(e->object), renamed);
	}
}

void events_forget(struct events *ev, const char *object)
{
	size_t len = strlen(object), kept = 0;

	for (size_t i = 0; i < ev->n_errors; i++) {
		const char *o = ev->errors[i].object;

		if (!strncmp(o, object, len) && (o[len] == '\0' || o[len] == '/'))
			continue;
		ev->errors[kept++] = ev->errors[i];
	}
	ev->n_errors = kept;
}

void events_free(struct events *ev)
{
	free(ev->data);
	free(ev->errors);
	memset(ev, 0, sizeof(*ev));
}
