/* tree.c — the generic half of the configfs-style tree: path walking, modes, buffering,
 * and the FUSE callbacks, which stay thin adapters onto the node kinds (tree.h).
 *
 * Caching: a `constant` attribute is opened with keep_cache and reports its exact size,
 * so repeated reads are served from the page cache. Every other attribute is opened
 * direct_io and reports 4096 bytes like sysfs: each read goes to the engine, which reads
 * the live value. A value is produced once per open, so a reader sees one snapshot. */
#define FUSE_USE_VERSION 31
#include "tree.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum target_type { TARGET_DIR, TARGET_ATTR, TARGET_LINK };

struct target {
	enum target_type type;
	struct node node;               /* the directory, or the one holding attr/link */
	const struct attr *attr;
	char link_name[TREE_NAME_MAX];
};

int text_printf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->data + t->len, sizeof(t->data) - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(t->data) - t->len)
		return -E2BIG;
	t->len += (size_t)n;
	return 0;
}

static struct timespec mount_time; /* every node shows it, as sysfs shows boot time */

static struct engine *current_engine(void)
{
	return fuse_get_context()->private_data;
}

static const struct attr *find_attr(const struct node_kind *k, const char *name)
{
	for (const struct attr *a = k->attrs; a && a->name; a++)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

static const struct node_kind *find_subdir(const struct node_kind *k, const char *name)
{
	for (const struct subdir *s = k->subdirs; s && s->name; s++)
		if (!strcmp(s->name, name))
			return s->kind;
	return NULL;
}

/* Steps from directory t->node into component name; last says whether it ends the path. */
static int step(struct target *t, const char *name, bool last)
{
	const struct node_kind *k = t->node.kind, *sub;
	int r;

	if (last && (t->attr = find_attr(k, name))) {
		t->type = TARGET_ATTR;
		return 0;
	}
	if ((sub = find_subdir(k, name))) {
		t->node.kind = sub;
		return 0;
	}
	if (!k->exists || strlen(name) >= TREE_NAME_MAX)
		return -ENOENT;
	r = k->exists(&t->node, name);
	if (r < 0)
		return r;
	if (k->readlink) {
		if (!last)
			return -ENOENT;
		t->type = TARGET_LINK;
		strcpy(t->link_name, name);
		return 0;
	}
	if (t->node.n_keys == TREE_MAX_DEPTH)
		return -ENOENT;
	strcpy(t->node.key[t->node.n_keys++], name);
	t->node.kind = k->entry_kind;
	return 0;
}

static int resolve(const char *path, struct target *t)
{
	char copy[4096], *save = NULL, *name, *next;
	int r;

	if (strlen(path) >= sizeof(copy))
		return -ENAMETOOLONG;
	memset(t, 0, sizeof(*t));
	t->type = TARGET_DIR;
	t->node.kind = &root_kind;
	t->node.engine = current_engine();
	strcpy(copy, path);
	for (name = strtok_r(copy, "/", &save); name; name = next) {
		next = strtok_r(NULL, "/", &save);
		if (t->type != TARGET_DIR)
			return -ENOTDIR;
		r = step(t, name, next == NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

static int show(const struct target *t, struct text *out)
{
	out->len = 0;
	out->data[0] = '\0';
	return t->attr->show ? t->attr->show(&t->node, out) : 0;
}

static int tree_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct target t;
	int r = resolve(path, &t);

	(void)fi;
	if (r < 0)
		return r;
	memset(st, 0, sizeof(*st));
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_atim = st->st_mtim = st->st_ctim = mount_time;
	switch (t.type) {
	case TARGET_DIR:
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	case TARGET_LINK:
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		return 0;
	case TARGET_ATTR:
		st->st_mode = S_IFREG | t.attr->mode;
		st->st_nlink = 1;
		st->st_size = VALUE_MAX;
		if (t.attr->constant) {
			struct text value;

			r = show(&t, &value);
			st->st_size = r < 0 ? 0 : (off_t)value.len;
		}
		return 0;
	}
	return -EIO;
}

struct fill_ctx {
	void *buf;
	fuse_fill_dir_t filler;
};

static int fill_one(const char *name, void *ctx)
{
	struct fill_ctx *f = ctx;

	return f->filler(f->buf, name, NULL, 0, 0) ? -ENOBUFS : 0;
}

static int tree_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t offset,
			struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct target t;
	struct fill_ctx f = { buf, filler };
	const struct node_kind *k;
	int r = resolve(path, &t);

	(void)offset, (void)fi, (void)flags;
	if (r < 0)
		return r;
	if (t.type != TARGET_DIR)
		return -ENOTDIR;
	k = t.node.kind;
	fill_one(".", &f);
	fill_one("..", &f);
	for (const struct attr *a = k->attrs; a && a->name; a++)
		fill_one(a->name, &f);
	for (const struct subdir *s = k->subdirs; s && s->name; s++)
		fill_one(s->name, &f);
	return k->list ? k->list(&t.node, fill_one, &f) : 0;
}

static int tree_open(const char *path, struct fuse_file_info *fi)
{
	struct target t;
	struct text *value;
	int r = resolve(path, &t);

	if (r < 0)
		return r;
	if (t.type != TARGET_ATTR)
		return -EISDIR;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES; /* nothing is writable yet; root bypasses the mode bits */
	value = malloc(sizeof(*value));
	if (!value)
		return -ENOMEM;
	r = show(&t, value);
	if (r < 0) {
		free(value);
		return r;
	}
	fi->fh = (uintptr_t)value;
	fi->keep_cache = t.attr->constant;
	fi->direct_io = !t.attr->constant;
	return 0;
}

static int tree_read(const char *path, char *buf, size_t size, off_t offset,
		     struct fuse_file_info *fi)
{
	const struct text *value = (const struct text *)(uintptr_t)fi->fh;

	(void)path;
	if (offset < 0 || (size_t)offset >= value->len)
		return 0;
	if (size > value->len - (size_t)offset)
		size = value->len - (size_t)offset;
	memcpy(buf, value->data + offset, size);
	return (int)size;
}

static int tree_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	free((void *)(uintptr_t)fi->fh);
	return 0;
}

static int tree_readlink(const char *path, char *buf, size_t size)
{
	struct target t;
	int r = resolve(path, &t);

	if (r < 0)
		return r;
	if (t.type != TARGET_LINK)
		return -EINVAL;
	return t.node.kind->readlink(&t.node, t.link_name, buf, size);
}

static void *tree_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	clock_gettime(CLOCK_REALTIME, &mount_time);
	cfg->entry_timeout = 1;
	cfg->attr_timeout = 1;
	cfg->negative_timeout = 0; /* objects made by others must appear at once */
	return fuse_get_context()->private_data;
}

static const struct fuse_operations operations = {
	.init = tree_init,
	.getattr = tree_getattr,
	.readdir = tree_readdir,
	.open = tree_open,
	.read = tree_read,
	.release = tree_release,
	.readlink = tree_readlink,
};

const struct fuse_operations *tree_operations(void)
{
	return &operations;
}
