/* snapshot.c — see snapshot.h. A chained hash table of readings keyed by path. */
#include "snapshot.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VALUE_MAX 8192 /* the longest sysfs value read (creatable_vgpu_types) */

enum reading { READ_FILE, READ_LINK, READ_LIST };

struct snapshot_entry {
	struct snapshot_entry *next;
	enum reading kind;
	long long read_at;   /* CLOCK_MONOTONIC, ns */
	int result;          /* what the read returned: its length, or -errno */
	char *value;         /* a file's value, a link's target, a listing's names + '\n' */
	char path[];
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static size_t hash(const char *path)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 1099511628211ULL;
	return (size_t)h;
}

void snapshot_init(struct snapshot *s, unsigned max_age_ms)
{
	memset(s, 0, sizeof(*s));
	s->max_age_ns = max_age_ms * 1000000LL;
}

static void entry_free(struct snapshot_entry *e)
{
	free(e->value);
	free(e);
}

void snapshot_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->n_buckets; i++) {
		while (s->buckets[i]) {
			struct snapshot_entry *e = s->buckets[i];

			s->buckets[i] = e->next;
			entry_free(e);
		}
	}
	free(s->buckets);
	memset(s, 0, sizeof(*s));
}

static struct snapshot_entry **slot_of(struct snapshot *s, const char *path)
{
	struct snapshot_entry **p = &s->buckets[hash(path) % s->n_buckets];

	while (*p && strcmp((*p)->path, path))
		p = &(*p)->next;
	return p;
}

static struct snapshot_entry *find(struct snapshot *s, const char *path, enum reading kind)
{
	struct snapshot_entry *e = s->n_buckets ? *slot_of(s, path) : NULL;

	if (!e || e->kind != kind)
		return NULL;
	if (kind != READ_LINK && !s->trusted && now_ns() - e->read_at > s->max_age_ns)
		return NULL;
	return e;
}

static int grow(struct snapshot *s)
{
	size_t n = s->n_buckets ? s->n_buckets * 2 : 1024;
	struct snapshot_entry **buckets = calloc(n, sizeof(*buckets));

	if (!buckets)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_buckets; i++) {
		while (s->buckets[i]) {
			struct snapshot_entry *e = s->buckets[i];
			size_t to = hash(e->path) % n;

			s->buckets[i] = e->next;
			e->next = buckets[to];
			buckets[to] = e;
		}
	}
	free(s->buckets);
	s->buckets = buckets;
	s->n_buckets = n;
	return 0;
}

/* Whether the first len bytes of name are one of the listed names ("a\nb\n"). */
static bool listed(const char *names, const char *name, size_t len)
{
	for (const char *p = names; *p; p = strchr(p, '\n') + 1)
		if (!strncmp(p, name, len) && p[len] == '\n')
			return true;
	return false;
}

static void unlink_entry(struct snapshot *s, struct snapshot_entry **p)
{
	struct snapshot_entry *e = *p;

	*p = e->next;
	entry_free(e);
	s->n_entries--;
}

/* Drops the readings of path and below it, but for those below an entry that names (a
 * fresh listing of path, "a\nb\n") still lists; names NULL keeps none. */
static void drop_below(struct snapshot *s, const char *path, const char *names)
{
	size_t len = strlen(path);

	for (size_t i = 0; i < s->n_buckets; i++) {
		struct snapshot_entry **p = &s->buckets[i];

		while (*p) {
			const char *at = (*p)->path;
			bool under = !strncmp(at, path, len) && (!at[len] || at[len] == '/');

			if (under && names && at[len] &&
			    listed(names, at + len + 1, strcspn(at + len + 1, "/")))
				under = false;
			if (under)
				unlink_entry(s, p);
			else
				p = &(*p)->next;
		}
	}
}

/* Keeps a reading, replacing an older one of the same path. Out of memory, the reading
 * is simply not kept: the next read goes to sysfs again. */
static void keep(struct snapshot *s, const char *path, enum reading kind, int result,
		 const char *value, size_t len)
{
	struct snapshot_entry **p, *e;

	if (s->n_entries >= s->n_buckets && grow(s) < 0)
		return;
	p = slot_of(s, path);
	if (*p)
		unlink_entry(s, p);
	e = calloc(1, sizeof(*e) + strlen(path) + 1);
	if (!e || !(e->value = malloc(len + 1))) {
		free(e);
		return;
	}
	strcpy(e->path, path);
	memcpy(e->value, value, len);
	e->value[len] = '\0';
	e->kind = kind;
	e->result = result;
	e->read_at = now_ns();
	e->next = *p;
	*p = e;
	s->n_entries++;
}

/* A value handed out as the direct read would have: at most size - 1 bytes. */
static int copy_out(char *buf, size_t size, const char *value)
{
	str_copy(buf, size, value); /* cut, as a read into a buffer that size is */
	return (int)strlen(buf);
}

static int hand_out(const struct snapshot_entry *e, char *buf, size_t size)
{
	return e->result < 0 ? e->result : copy_out(buf, size, e->value);
}

/* The kept reading of path, else one made with read_fn and kept. A failed link read is
 * not kept: the entry is going away, and its directory's listing says what is. */
static int read_through(struct snapshot *s, const char *path, enum reading kind,
			int (*read_fn)(const char *, char *, size_t), char *buf, size_t size)
{
	char value[VALUE_MAX];
	struct snapshot_entry *e = find(s, path, kind);
	int r;

	if (e)
		return hand_out(e, buf, size);
	r = read_fn(path, value, sizeof(value));
	if (r >= 0 || kind != READ_LINK)
		keep(s, path, kind, r, value, r < 0 ? 0 : (size_t)r);
	return r < 0 ? r : copy_out(buf, size, value);
}

int snapshot_read(struct snapshot *s, const char *path, char *buf, size_t size)
{
	return s ? read_through(s, path, READ_FILE, file_read_value, buf, size) :
		   file_read_value(path, buf, size);
}

int snapshot_link(struct snapshot *s, const char *path, char *buf, size_t size)
{
	return s ? read_through(s, path, READ_LINK, link_read, buf, size) :
		   link_read(path, buf, size);
}

/* ---- listings ---- */

struct names {
	char *text;
	size_t len, size;
};

static int add_name(const char *name, void *ctx)
{
	struct names *n = ctx;
	size_t len = strlen(name);

	if (n->len + len + 2 > n->size) {
		size_t size = (n->len + len + 2) * 2;
		char *grown = realloc(n->text, size);

		if (!grown)
			return -ENOMEM;
		n->text = grown;
		n->size = size;
	}
	memcpy(n->text + n->len, name, len);
	n->len += len;
	n->text[n->len++] = '\n';
	n->text[n->len] = '\0';
	return 0;
}


static int for_each_name(const char *names, int (*fn)(const char *name, void *ctx), void *ctx)
{
	_cleanup_free_ char *copy = strdup(names); /* fn may read through the snapshot */
	char *save = NULL;
	int r;

	if (!copy)
		return -ENOMEM;
	for (char *name = strtok_r(copy, "\n", &save); name; name = strtok_r(NULL, "\n", &save))
		if ((r = fn(name, ctx)) < 0)
			return r;
	return 0;
}

int snapshot_list(struct snapshot *s, const char *dir,
		  int (*fn)(const char *name, void *ctx), void *ctx)
{
	struct snapshot_entry *e;
	struct names n = { NULL, 0, 1 };
	int r;

	if (!s)
		return dir_for_each(dir, fn, ctx);
	if ((e = find(s, dir, READ_LIST)))
		return e->result < 0 ? e->result : for_each_name(e->value, fn, ctx);
	n.text = strdup("");
	r = n.text ? dir_for_each(dir, add_name, &n) : -ENOMEM;
	if (r == -ENOMEM) {
		free(n.text);
		return r;
	}
	drop_below(s, dir, r < 0 ? "" : n.text); /* what a gone entry had below it */
	keep(s, dir, READ_LIST, r < 0 ? r : 0, r < 0 ? "" : n.text, r < 0 ? 0 : n.len);
	if (r >= 0)
		r = for_each_name(n.text, fn, ctx);
	free(n.text);
	return r;
}

void snapshot_keep_link(struct snapshot *s, const char *path, const char *target)
{
	if (s)
		keep(s, path, READ_LINK, (int)strlen(target), target, strlen(target));
}

void snapshot_list_change(struct snapshot *s, const char *dir, const char *name, bool present)
{
	struct snapshot_entry *e = s && s->n_buckets ? *slot_of(s, dir) : NULL;
	size_t len = strlen(name), have;
	char *at, *grown;

	if (!e || e->kind != READ_LIST || e->result < 0)
		return;
	have = strlen(e->value);
	for (at = e->value; *at && !(!strncmp(at, name, len) && at[len] == '\n');
	     at = strchr(at, '\n') + 1)
		;
	if (!present && *at)
		memmove(at, at + len + 1, have - (size_t)(at - e->value) - len); /* with the NUL */
	if (!present || *at)
		return;
	if (!(grown = realloc(e->value, have + len + 2))) {
		snapshot_forget(s, dir); /* not kept as it is: read again */
		return;
	}
	e->value = grown;
	sprintf(e->value + have, "%s\n", name);
}

void snapshot_trust(struct snapshot *s, bool trusted)
{
	s->trusted = trusted;
}

void snapshot_forget(struct snapshot *s, const char *path)
{
	struct snapshot_entry **p;

	if (s && s->n_buckets && *(p = slot_of(s, path)))
		unlink_entry(s, p);
}

void snapshot_forget_below(struct snapshot *s, const char *path)
{
	if (s)
		drop_below(s, path, NULL);
}
