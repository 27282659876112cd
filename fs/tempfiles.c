/* tempfiles.c — see tempfiles.h. A short list under one mutex: there are only ever a
 * few scratch files at a time. */
#include "tempfiles.h"

#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tempfile {
	struct tempfile *next;
	char *path;
	char *data;
	size_t size;
	struct stat st;
};

static struct tempfile *files;
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;

bool tempfile_name_ok(const char *name)
{
	static const char *const patterns[] = {
		".*", "*~", "*.swp", "*.swx", "4913", "sed??????", "tmp*",
	};

	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		if (fnmatch(patterns[i], name, 0) == 0)
			return strcmp(name, ".") && strcmp(name, "..");
	return false;
}

static struct tempfile **find(const char *path)
{
	struct tempfile **t;

	for (t = &files; *t; t = &(*t)->next)
		if (!strcmp((*t)->path, path))
			return t;
	return NULL;
}

static void destroy(struct tempfile **link)
{
	struct tempfile *t = *link;

	*link = t->next;
	free(t->path);
	free(t->data);
	free(t);
}

static void touch(struct tempfile *t)
{
	clock_gettime(CLOCK_REALTIME, &t->st.st_mtim);
	t->st.st_ctim = t->st.st_mtim;
}

/* Runs `body` with the list locked; `t` is the file at path, or the call fails ENOENT. */
#define WITH_FILE(path, body)                                      \
	do {                                                       \
		struct tempfile **link_;                           \
		int r_ = -ENOENT;                                  \
		pthread_mutex_lock(&files_lock);                   \
		if ((link_ = find(path))) {                        \
			struct tempfile *t = *link_;               \
			(void)t;                                   \
			body;                                      \
		}                                                  \
		pthread_mutex_unlock(&files_lock);                 \
		return r_;                                         \
	} while (0)

int tempfile_create(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	struct tempfile *t = calloc(1, sizeof(*t));
	int r = 0;

	if (!t || !(t->path = strdup(path))) {
		free(t);
		return -ENOMEM;
	}
	t->st.st_mode = S_IFREG | (mode & 07777);
	t->st.st_nlink = 1;
	t->st.st_uid = uid;
	t->st.st_gid = gid;
	touch(t);
	t->st.st_atim = t->st.st_mtim;
	pthread_mutex_lock(&files_lock);
	if (find(path))
		r = -EEXIST;
	else
		t->next = files, files = t;
	pthread_mutex_unlock(&files_lock);
	if (r < 0)
		free(t->path), free(t);
	return r;
}

bool tempfile_stat(const char *path, struct stat *st)
{
	struct tempfile **t;

	pthread_mutex_lock(&files_lock);
	if ((t = find(path))) {
		*st = (*t)->st;
		st->st_size = (off_t)(*t)->size;
	}
	pthread_mutex_unlock(&files_lock);
	return t != NULL;
}

int tempfile_read(const char *path, char *buf, size_t size, off_t offset)
{
	WITH_FILE(path, {
		r_ = 0;
		if ((size_t)offset < t->size) {
			r_ = (int)(size < t->size - offset ? size : t->size - offset);
			memcpy(buf, t->data + offset, (size_t)r_);
		}
	});
}

static int resize(struct tempfile *t, size_t size)
{
	char *grown;

	if (size > TEMPFILE_MAX)
		return -EFBIG;
	grown = realloc(t->data, size ? size : 1);
	if (!grown)
		return -ENOMEM;
	if (size > t->size)
		memset(grown + t->size, 0, size - t->size);
	t->data = grown;
	t->size = size;
	touch(t);
	return 0;
}

int tempfile_write(const char *path, const char *buf, size_t size, off_t offset)
{
	WITH_FILE(path, {
		size_t end = (size_t)offset + size;
		r_ = end > t->size ? resize(t, end) : 0;
		if (r_ == 0) {
			memcpy(t->data + offset, buf, size);
			touch(t);
			r_ = (int)size;
		}
	});
}

int tempfile_truncate(const char *path, off_t size)
{
	WITH_FILE(path, r_ = size < 0 ? -EINVAL : resize(t, (size_t)size));
}

int tempfile_unlink(const char *path)
{
	WITH_FILE(path, { destroy(link_); r_ = 0; });
}

int tempfile_rename(const char *from, const char *to)
{
	char *copy = strdup(to);
	struct tempfile **link, **old;
	int r = -ENOENT;

	if (!copy)
		return -ENOMEM;
	pthread_mutex_lock(&files_lock);
	if ((link = find(from))) {
		struct tempfile *t = *link;

		if ((old = find(to)) && *old != t)
			destroy(old);
		free(t->path);
		t->path = copy;
		copy = NULL;
		r = 0;
	}
	pthread_mutex_unlock(&files_lock);
	free(copy);
	return r;
}

int tempfile_chmod(const char *path, mode_t mode)
{
	WITH_FILE(path, { t->st.st_mode = S_IFREG | (mode & 07777); r_ = 0; });
}

int tempfile_chown(const char *path, uid_t uid, gid_t gid)
{
	WITH_FILE(path, {
		if (uid != (uid_t)-1)
			t->st.st_uid = uid;
		if (gid != (gid_t)-1)
			t->st.st_gid = gid;
		r_ = 0;
	});
}

int tempfile_utimens(const char *path, const struct timespec tv[2])
{
	WITH_FILE(path, {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		if (tv[0].tv_nsec != UTIME_OMIT)
			t->st.st_atim = tv[0].tv_nsec == UTIME_NOW ? now : tv[0];
		if (tv[1].tv_nsec != UTIME_OMIT)
			t->st.st_mtim = tv[1].tv_nsec == UTIME_NOW ? now : tv[1];
		r_ = 0;
	});
}

int tempfile_content(const char *path, char *buf, size_t size, size_t *len)
{
	WITH_FILE(path, {
		r_ = t->size >= size ? -EFBIG : 0;
		if (r_ == 0) {
			memcpy(buf, t->data, t->size);
			buf[t->size] = '\0';
			*len = t->size;
		}
	});
}

void tempfile_drop_below(const char *dir)
{
	size_t len = strlen(dir);
	struct tempfile **link = &files;

	pthread_mutex_lock(&files_lock);
	while (*link) {
		if (!strncmp((*link)->path, dir, len) && (*link)->path[len] == '/')
			destroy(link);
		else
			link = &(*link)->next;
	}
	pthread_mutex_unlock(&files_lock);
}

int tempfile_list(const char *dir, int (*fn)(const char *name, void *ctx), void *ctx)
{
	size_t len = strlen(dir);
	int r = 0;

	pthread_mutex_lock(&files_lock);
	for (struct tempfile *t = files; t && r >= 0; t = t->next) {
		const char *rest = t->path + len;

		if (!strncmp(t->path, dir, len) && rest[0] == '/' && !strchr(rest + 1, '/'))
			r = fn(rest + 1, ctx);
	}
	pthread_mutex_unlock(&files_lock);
	return r;
}
