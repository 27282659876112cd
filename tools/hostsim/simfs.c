/* simfs.c - FUSE callbacks for the simulated sysfs.
 *
 * Each callback takes the model lock, resolves the path with the tree and
 * does one thing.  Attribute files behave like sysfs: st_size 4096, no page
 * cache (direct_io) so every read shows the current value, a read at offset
 * 0 regenerates the value, one write(2) carries a whole value, O_TRUNC and
 * truncate() are accepted and ignored, and the namespace cannot be changed
 * (EPERM; creating a file: EACCES, as sysfs does).  The kernel may cache
 * names and attributes for a second; a removal invalidates what it took. */
#include "simfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tree.h"

#define CACHE_SECONDS 1.0

struct open_file {
	bool filled;
	struct textbuf buf;
};

struct fill_ctx {
	void *buf;
	fuse_fill_dir_t filler;
};

static time_t mount_time;

static struct sim_host *host(void)
{
	return fuse_get_context()->private_data;
}

static void fill_stat(const struct sim_node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_nlink = 1;
	st->st_blksize = ATTR_SIZE;
	st->st_atime = st->st_mtime = st->st_ctime = mount_time;
	if (n->kind == NODE_DIR) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (n->kind == NODE_FILE) {
		st->st_mode = S_IFREG | n->attr->mode;
		st->st_size = ATTR_SIZE;
	} else {
		st->st_mode = S_IFLNK | 0777;
		st->st_size = (off_t)strlen(n->target);
	}
}

/* Resolves PATH with the lock held by the caller. */
static int resolve(const char *path, struct sim_node *n)
{
	return tree_resolve(host(), path, n);
}

static int sim_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct sim_host *h = host();
	struct sim_node n;
	int r;

	(void)fi;
	pthread_mutex_lock(&h->lock);
	r = resolve(path, &n);
	if (r == 0)
		fill_stat(&n, st);
	pthread_mutex_unlock(&h->lock);
	return r;
}

static int sim_readlink(const char *path, char *buf, size_t size)
{
	struct sim_host *h = host();
	struct sim_node n;
	int r;

	pthread_mutex_lock(&h->lock);
	r = resolve(path, &n);
	if (r == 0 && n.kind != NODE_LINK)
		r = -EINVAL;
	if (r == 0 && size > 0) {
		strncpy(buf, n.target, size - 1);
		buf[size - 1] = '\0';
	}
	pthread_mutex_unlock(&h->lock);
	return r;
}

static bool fill_entry(void *ctx, const char *name, const struct sim_node *child)
{
	struct fill_ctx *fc = ctx;
	struct stat st;

	fill_stat(child, &st);
	return fc->filler(fc->buf, name, &st, 0, 0) != 0;
}

static int sim_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t offset,
		       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct sim_host *h = host();
	struct fill_ctx fc = { buf, filler };
	struct sim_node n;
	int r;

	(void)offset, (void)fi, (void)flags;
	pthread_mutex_lock(&h->lock);
	r = resolve(path, &n);
	if (r == 0 && n.kind != NODE_DIR)
		r = -ENOTDIR;
	if (r == 0) {
		filler(buf, ".", NULL, 0, 0);
		filler(buf, "..", NULL, 0, 0);
		tree_list(h, &n, fill_entry, &fc);
	}
	pthread_mutex_unlock(&h->lock);
	return r;
}

/* sysfs refuses to open an attribute for a direction it cannot do. */
static int check_open(const struct sim_node *n, int flags)
{
	int mode = flags & O_ACCMODE;

	if (n->kind == NODE_DIR)
		return mode == O_RDONLY ? 0 : -EISDIR;
	if (mode != O_WRONLY && !n->attr->show)
		return -EACCES;
	if (mode != O_RDONLY && !n->attr->store)
		return -EACCES;
	return 0;
}

static int sim_open(const char *path, struct fuse_file_info *fi)
{
	struct sim_host *h = host();
	struct sim_node n;
	int r;

	pthread_mutex_lock(&h->lock);
	r = resolve(path, &n);
	if (r == 0)
		r = check_open(&n, fi->flags);
	pthread_mutex_unlock(&h->lock);
	if (r < 0)
		return r;
	fi->fh = (uintptr_t)calloc(1, sizeof(struct open_file));
	if (!fi->fh)
		return -ENOMEM;
	fi->direct_io = 1;
	return 0;
}

/* A node that vanished under an open file reads like a removed kobject. */
static int resolve_attr(const char *path, struct sim_node *n)
{
	int r = resolve(path, n);

	if (r == -ENOENT || r == -ENOTDIR || (r == 0 && n->kind != NODE_FILE))
		return -ENODEV;
	return r;
}

static int show_path(const char *path, struct textbuf *out)
{
	struct sim_host *h = host();
	struct sim_node n;
	int r;

	pthread_mutex_lock(&h->lock);
	r = resolve_attr(path, &n);
	out->len = 0;
	if (r == 0)
		r = n.attr->show ? n.attr->show(h, &n, out) : -EACCES;
	pthread_mutex_unlock(&h->lock);
	return r;
}

static int sim_read(const char *path, char *buf, size_t size, off_t offset,
		    struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	size_t count;

	if (offset == 0 || !of->filled) {
		int r = show_path(path, &of->buf);

		if (r < 0)
			return r;
		of->filled = true;
	}
	if ((size_t)offset >= of->buf.len)
		return 0;
	count = of->buf.len - (size_t)offset;
	count = count < size ? count : size;
	memcpy(buf, of->buf.data + offset, count);
	return (int)count;
}

/* Drops a vanished path from the kernel's caches.  The dentry may stay, but
 * its attributes are stale, and with default_permissions every walk through
 * or stat of it asks again and gets ENOENT. */
static void invalidate(void *ctx, const char *path)
{
	fuse_invalidate_path(ctx, path);
}

static int store_path(const char *path, const char *value, size_t len)
{
	struct sim_host *h = host();
	struct sim_node n;
	int r;

	pthread_mutex_lock(&h->lock);
	r = resolve_attr(path, &n);
	if (r == 0)
		r = n.attr->store ? n.attr->store(h, &n, value, len) : -EACCES;
	tree_drain_gone(h, invalidate, fuse_get_context()->fuse);
	pthread_mutex_unlock(&h->lock);
	return r;
}

/* Every write is a whole value, whatever its offset, as in sysfs. */
static int sim_write(const char *path, const char *data, size_t size, off_t offset,
		     struct fuse_file_info *fi)
{
	char value[ATTR_SIZE + 1];
	size_t len = size;
	int r;

	(void)offset, (void)fi;
	if (size > ATTR_SIZE)
		return -E2BIG;
	if (memchr(data, '\0', size))
		return -EINVAL;
	if (len > 0 && data[len - 1] == '\n')
		len--;
	memcpy(value, data, len);
	value[len] = '\0';
	r = store_path(path, value, len);
	return r < 0 ? r : (int)size;
}

static int sim_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	free((void *)(uintptr_t)fi->fh);
	return 0;
}

static int sim_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct sim_host *h = host();
	struct sim_node n;
	int r;

	(void)size, (void)fi;
	pthread_mutex_lock(&h->lock);
	r = resolve(path, &n);
	if (r == 0 && n.kind != NODE_FILE)
		r = n.kind == NODE_DIR ? -EISDIR : -EPERM;
	pthread_mutex_unlock(&h->lock);
	return r;
}

static int sim_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)path, (void)mode, (void)fi;
	return -EACCES;
}

static int refuse_path(const char *path)
{
	(void)path;
	return -EPERM;
}

static int refuse_mkdir(const char *path, mode_t mode)
{
	(void)mode;
	return refuse_path(path);
}

static int refuse_two_paths(const char *from, const char *to)
{
	(void)to;
	return refuse_path(from);
}

static int refuse_rename(const char *from, const char *to, unsigned int flags)
{
	(void)flags;
	return refuse_two_paths(from, to);
}

static int refuse_mknod(const char *path, mode_t mode, dev_t rdev)
{
	(void)mode, (void)rdev;
	return refuse_path(path);
}

static int refuse_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)mode, (void)fi;
	return refuse_path(path);
}

static int refuse_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	(void)uid, (void)gid, (void)fi;
	return refuse_path(path);
}

static int refuse_utimens(const char *path, const struct timespec tv[2],
			  struct fuse_file_info *fi)
{
	(void)tv, (void)fi;
	return refuse_path(path);
}

/* Names and attributes may be cached (walking a path costs one request
 * per component otherwise); store_path invalidates what a removal takes
 * away.  Never cache a missing name: a new vGPU must show at once. */
static void *sim_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->entry_timeout = CACHE_SECONDS;
	cfg->attr_timeout = CACHE_SECONDS;
	cfg->negative_timeout = 0;
	mount_time = time(NULL);
	return fuse_get_context()->private_data;
}

const struct fuse_operations simfs_operations = {
	.init = sim_init,
	.getattr = sim_getattr,
	.readlink = sim_readlink,
	.readdir = sim_readdir,
	.open = sim_open,
	.read = sim_read,
	.write = sim_write,
	.release = sim_release,
	.truncate = sim_truncate,
	.create = sim_create,
	.mknod = refuse_mknod,
	.mkdir = refuse_mkdir,
	.unlink = refuse_path,
	.rmdir = refuse_path,
	.symlink = refuse_two_paths,
	.link = refuse_two_paths,
	.rename = refuse_rename,
	.chmod = refuse_chmod,
	.chown = refuse_chown,
	.utimens = refuse_utimens,
};
