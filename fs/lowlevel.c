/* lowlevel.c — the tree served through libfuse's low-level API. tree.c's operations work
 * by path; this file gives paths inode numbers, answers each request with one of them,
 * and chooses each entry's timeout: the kernel keeps an entry for ENTRY_SECONDS, but a
 * gate (an object, which may go through another path and be there for some callers only;
 * the way into the provider's side) is looked up at every walk (docs/tree.md, "Caching
 * and freshness"). The high-level API has one timeout for all entries.
 *
 * An inode stands for a path while the kernel holds it (lookups less forgets). When the
 * object at a path goes (unlink, rmdir, a rename over it), the inodes at and below it
 * lose their path: their requests get ESTALE, as libfuse's high-level API answers. */
#define FUSE_USE_VERSION 312
#include "lowlevel.h"
#include "tree.h"

#include <errno.h>
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTRY_SECONDS 1.0
#define ATTR_SECONDS 1.0
#define BUCKETS 4096
#define UNKNOWN_INO 0xffffffff /* a listing's entries, as libfuse's high-level API lists them */

struct inode {
	fuse_ino_t ino;
	char *path;           /* NULL once its object is gone */
	uint64_t nlookup;
	struct inode *next;   /* in its hash bucket, while it has a path */
};

/* Inodes by number (ino - 1 indexes items) and by path. */
static struct {
	pthread_mutex_t lock;
	struct inode **items;
	size_t n;
	fuse_ino_t *free;     /* numbers the kernel forgot, to use again */
	size_t n_free;
	struct inode *buckets[BUCKETS];
} inodes = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const struct fuse_operations *ops;

static size_t bucket(const char *path)
{
	size_t h = 5381;

	while (*path)
		h = h * 33 + (unsigned char)*path++;
	return h % BUCKETS;
}

static struct inode *by_ino(fuse_ino_t ino)
{
	return ino >= 1 && ino <= inodes.n ? inodes.items[ino - 1] : NULL;
}

static struct inode *by_path(const char *path)
{
	for (struct inode *i = inodes.buckets[bucket(path)]; i; i = i->next)
		if (!strcmp(i->path, path))
			return i;
	return NULL;
}

static void unhash(struct inode *i)
{
	struct inode **p = &inodes.buckets[bucket(i->path)];

	while (*p != i)
		p = &(*p)->next;
	*p = i->next;
	free(i->path);
	i->path = NULL;
}

static void rehash(struct inode *i, char *path)
{
	size_t b = bucket(path);

	i->path = path;
	i->next = inodes.buckets[b];
	inodes.buckets[b] = i;
}

/* A new inode for path (lock held); NULL when out of memory. */
static struct inode *inode_new(const char *path)
{
	struct inode *i = calloc(1, sizeof(*i));
	char *copy = strdup(path);
	void *grown = NULL;

	if (i && copy && !inodes.n_free &&
	    (grown = realloc(inodes.items, (inodes.n + 1) * sizeof(*inodes.items))))
		inodes.items = grown;
	if (!i || !copy || (!inodes.n_free && !grown)) {
		free(i);
		free(copy);
		return NULL;
	}
	i->ino = inodes.n_free ? inodes.free[--inodes.n_free] : ++inodes.n;
	inodes.items[i->ino - 1] = i;
	rehash(i, copy);
	return i;
}

/* The inode of path, with one more lookup; 0 when out of memory. */
static fuse_ino_t inode_ref(const char *path)
{
	struct inode *i;

	pthread_mutex_lock(&inodes.lock);
	i = by_path(path);
	if (!i)
		i = inode_new(path);
	if (i)
		i->nlookup++;
	pthread_mutex_unlock(&inodes.lock);
	return i ? i->ino : 0;
}

static void inode_forget(fuse_ino_t ino, uint64_t n)
{
	struct inode *i;
	fuse_ino_t *grown;

	pthread_mutex_lock(&inodes.lock);
	i = by_ino(ino);
	if (i)
		i->nlookup -= n < i->nlookup ? n : i->nlookup;
	if (i && !i->nlookup && ino != FUSE_ROOT_ID &&
	    (grown = realloc(inodes.free, (inodes.n_free + 1) * sizeof(*grown)))) {
		inodes.free = grown;
		inodes.free[inodes.n_free++] = ino;
		inodes.items[ino - 1] = NULL;
		if (i->path)
			unhash(i);
		free(i);
	}
	pthread_mutex_unlock(&inodes.lock);
}

/* The path of ino into buf: -ESTALE when its object is gone. */
static int path_of(fuse_ino_t ino, char *buf, size_t size)
{
	struct inode *i;
	int r = -ESTALE;

	pthread_mutex_lock(&inodes.lock);
	i = by_ino(ino);
	if (i && i->path)
		r = strlen(i->path) < size ? (strcpy(buf, i->path), 0) : -ENAMETOOLONG;
	pthread_mutex_unlock(&inodes.lock);
	return r;
}

static bool at_or_below(const char *path, const char *top)
{
	size_t n = strlen(top);

	return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '/');
}

/* The objects at and below path are gone (lock held). */
static void paths_gone(const char *path)
{
	for (size_t k = 0; k < inodes.n; k++) {
		struct inode *i = inodes.items[k];

		if (i && i->path && i->ino != FUSE_ROOT_ID && at_or_below(i->path, path))
			unhash(i);
	}
}

static void inodes_gone(const char *path)
{
	pthread_mutex_lock(&inodes.lock);
	paths_gone(path);
	pthread_mutex_unlock(&inodes.lock);
}

/* A rename: what was at to is gone, what was at from is at to. */
static void inodes_moved(const char *from, const char *to)
{
	struct inode *i;
	char *copy = strdup(to);

	pthread_mutex_lock(&inodes.lock);
	paths_gone(to);
	i = by_path(from);
	if (i && copy) {
		unhash(i);
		rehash(i, copy);
		copy = NULL;
	}
	pthread_mutex_unlock(&inodes.lock);
	free(copy);
}

/* ---- requests ---- */

/* Starts answering req: the tree's operations see its caller. */
static void begin(fuse_req_t req)
{
	tree_set_request(req);
}

static int child_path(fuse_ino_t parent, const char *name, char *buf, size_t size)
{
	char dir[TREE_PATH_MAX];
	int r = path_of(parent, dir, sizeof(dir));

	if (r < 0)
		return r;
	return snprintf(buf, size, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name) >=
		(int)size ? -ENAMETOOLONG : 0;
}

/* The entry for path (its inode counted as looked up once more). */
static int make_entry(const char *path, struct fuse_entry_param *e)
{
	int r;

	bool cacheable;

	memset(e, 0, sizeof(*e));
	r = tree_lookup(path, &e->attr, &cacheable);
	if (r < 0)
		return r;
	e->ino = inode_ref(path);
	if (!e->ino)
		return -ENOMEM;
	e->attr.st_ino = e->ino;
	e->attr_timeout = ATTR_SECONDS;
	e->entry_timeout = cacheable ? ENTRY_SECONDS : 0;
	return 0;
}

static void reply_entry(fuse_req_t req, const char *path, int r)
{
	struct fuse_entry_param e;

	if (r >= 0)
		r = make_entry(path, &e);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

static void ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	char path[TREE_PATH_MAX];

	begin(req);
	reply_entry(req, path, child_path(parent, name, path, sizeof(path)));
}

static void ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	inode_forget(ino, nlookup);
	fuse_reply_none(req);
}

static void ll_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		inode_forget(forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void reply_attr(fuse_req_t req, fuse_ino_t ino, const char *path,
		       struct fuse_file_info *fi)
{
	struct stat st;
	int r = ops->getattr(path, &st, fi);

	st.st_ino = ino;
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, ATTR_SECONDS);
}

static void ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	char path[TREE_PATH_MAX];
	int r;

	begin(req);
	r = path_of(ino, path, sizeof(path));
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		reply_attr(req, ino, path, fi);
}

static struct timespec time_to_set(int to_set, int set, int now, const struct timespec *t)
{
	if (to_set & now)
		return (struct timespec){ 0, UTIME_NOW };
	return to_set & set ? *t : (struct timespec){ 0, UTIME_OMIT };
}

/* chmod, chown, truncate and utimens, in that order, as libfuse's high-level API. */
static int set_attrs(const char *path, const struct stat *attr, int to_set,
		     struct fuse_file_info *fi)
{
	int r = 0;

	if (to_set & FUSE_SET_ATTR_MODE)
		r = ops->chmod(path, attr->st_mode, fi);
	if (r >= 0 && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)))
		r = ops->chown(path, to_set & FUSE_SET_ATTR_UID ? attr->st_uid : (uid_t)-1,
			       to_set & FUSE_SET_ATTR_GID ? attr->st_gid : (gid_t)-1, fi);
	if (r >= 0 && (to_set & FUSE_SET_ATTR_SIZE))
		r = ops->truncate(path, attr->st_size, fi);
	if (r >= 0 && (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME))) {
		struct timespec tv[2] = {
			time_to_set(to_set, FUSE_SET_ATTR_ATIME, FUSE_SET_ATTR_ATIME_NOW,
				    &attr->st_atim),
			time_to_set(to_set, FUSE_SET_ATTR_MTIME, FUSE_SET_ATTR_MTIME_NOW,
				    &attr->st_mtim),
		};

		r = ops->utimens(path, tv, fi);
	}
	return r;
}

static void ll_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	char path[TREE_PATH_MAX];
	int r;

	begin(req);
	r = path_of(ino, path, sizeof(path));
	if (r >= 0)
		r = set_attrs(path, attr, to_set, fi);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		reply_attr(req, ino, path, fi);
}

static void ll_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char path[TREE_PATH_MAX], link[TREE_PATH_MAX];
	int r;

	begin(req);
	r = path_of(ino, path, sizeof(path));
	if (r >= 0)
		r = ops->readlink(path, link, sizeof(link));
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_readlink(req, link);
}

static void ll_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     dev_t rdev)
{
	char path[TREE_PATH_MAX];
	int r;

	begin(req);
	r = child_path(parent, name, path, sizeof(path));
	reply_entry(req, path, r < 0 ? r : ops->mknod(path, mode, rdev));
}

static void ll_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	char path[TREE_PATH_MAX];
	int r;

	begin(req);
	r = child_path(parent, name, path, sizeof(path));
	reply_entry(req, path, r < 0 ? r : ops->mkdir(path, mode));
}

static void ll_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	char path[TREE_PATH_MAX];
	int r;

	begin(req);
	r = child_path(parent, name, path, sizeof(path));
	reply_entry(req, path, r < 0 ? r : ops->symlink(link, path));
}

static void ll_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	char from[TREE_PATH_MAX], path[TREE_PATH_MAX];
	int r;

	begin(req);
	r = path_of(ino, from, sizeof(from));
	if (r >= 0)
		r = child_path(newparent, newname, path, sizeof(path));
	reply_entry(req, path, r < 0 ? r : ops->link(from, path));
}

/* unlink and rmdir: on success the object's inodes lose their path. */
static void remove_entry(fuse_req_t req, fuse_ino_t parent, const char *name,
			 int (*op)(const char *path))
{
	char path[TREE_PATH_MAX];
	int r;

	begin(req);
	r = child_path(parent, name, path, sizeof(path));
	if (r >= 0)
		r = op(path);
	if (r >= 0)
		inodes_gone(path);
	fuse_reply_err(req, r < 0 ? -r : 0);
}

static void ll_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_entry(req, parent, name, ops->unlink);
}

static void ll_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_entry(req, parent, name, ops->rmdir);
}

static void ll_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	char from[TREE_PATH_MAX], to[TREE_PATH_MAX];
	int r;

	begin(req);
	r = child_path(parent, name, from, sizeof(from));
	if (r >= 0)
		r = child_path(newparent, newname, to, sizeof(to));
	if (r >= 0)
		r = ops->rename(from, to, flags);
	if (r >= 0)
		inodes_moved(from, to);
	fuse_reply_err(req, r < 0 ? -r : 0);
}

static void ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	char path[TREE_PATH_MAX];
	int r;

	begin(req);
	r = path_of(ino, path, sizeof(path));
	if (r >= 0)
		r = ops->open(path, fi);
	if (r < 0)
		fuse_reply_err(req, -r);
	else if (fuse_reply_open(req, fi) == -ENOENT) /* interrupted: the kernel will not */
		ops->release(path, fi);             /* release it */
}

static void ll_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct fuse_entry_param e;
	char path[TREE_PATH_MAX];
	int r;

	begin(req);
	r = child_path(parent, name, path, sizeof(path));
	if (r >= 0)
		r = ops->create(path, mode, fi);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	r = make_entry(path, &e);
	if (r < 0) {
		ops->release(path, fi);
		fuse_reply_err(req, -r);
	} else if (fuse_reply_create(req, &e, fi) == -ENOENT) {
		ops->release(path, fi);
	}
}

static void ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	char path[TREE_PATH_MAX] = "", *buf;
	int r;

	begin(req);
	r = path_of(ino, path, sizeof(path));
	if (r == -ESTALE && fi->fh)
		r = 0; /* a handle answers for its object: tree.c says whether it is gone */
	buf = r < 0 ? NULL : malloc(size ? size : 1);
	if (r >= 0 && !buf)
		r = -ENOMEM;
	if (r >= 0)
		r = ops->read(path, buf, size, off, fi);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_buf(req, buf, (size_t)r);
	free(buf);
}

static void ll_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	char path[TREE_PATH_MAX] = "";
	int r;

	begin(req);
	r = path_of(ino, path, sizeof(path));
	if (r == -ESTALE && fi->fh)
		r = 0;
	if (r >= 0)
		r = ops->write(path, buf, size, off, fi);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_write(req, (size_t)r);
}

/* flush and release work by handle: a gone object's handle is still closed. */
static void ll_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	char path[TREE_PATH_MAX] = "";
	int r;

	begin(req);
	path_of(ino, path, sizeof(path));
	r = ops->flush(path, fi);
	fuse_reply_err(req, r < 0 ? -r : 0);
}

static void ll_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	char path[TREE_PATH_MAX] = "";

	begin(req);
	path_of(ino, path, sizeof(path));
	ops->release(path, fi);
	fuse_reply_err(req, 0);
}

/* ---- directories: the listing is made at opendir and served by offset ---- */

/* A listing: the names the caller may see, and the path of the directory. Entry k is at
 * offset k + 1. Listings are kept in a list, so that those the kernel never releases (an
 * unmount with a directory open) are freed at the end. */
struct listing {
	struct listing *prev, *next;
	char path[TREE_PATH_MAX];
	struct listed {
		char *name;
		mode_t type;
	} *items;
	size_t n;
};

static struct listing open_listings = { &open_listings, &open_listings };
static pthread_mutex_t listings_lock = PTHREAD_MUTEX_INITIALIZER;

static void listing_free(struct listing *l)
{
	for (size_t i = 0; l && i < l->n; i++)
		free(l->items[i].name);
	if (l)
		free(l->items);
	free(l);
}

static void listing_track(struct listing *l)
{
	pthread_mutex_lock(&listings_lock);
	l->next = &open_listings;
	l->prev = open_listings.prev;
	l->prev->next = l->next->prev = l;
	pthread_mutex_unlock(&listings_lock);
}

static void listing_release(struct listing *l)
{
	pthread_mutex_lock(&listings_lock);
	l->prev->next = l->next;
	l->next->prev = l->prev;
	pthread_mutex_unlock(&listings_lock);
	listing_free(l);
}

static int add_name(void *ctx, const char *name, const struct stat *st, off_t off,
		    enum fuse_fill_dir_flags flags)
{
	struct listing *l = ctx;
	struct listed *grown = realloc(l->items, (l->n + 1) * sizeof(*grown));

	(void)off, (void)flags;
	if (!grown)
		return 1;
	l->items = grown;
	grown[l->n].type = st ? st->st_mode & S_IFMT : 0;
	grown[l->n].name = strdup(name);
	return grown[l->n].name ? (l->n++, 0) : 1;
}

static void ll_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct listing *l = calloc(1, sizeof(*l));
	int r = l ? 0 : -ENOMEM;

	begin(req);
	if (r >= 0)
		r = path_of(ino, l->path, sizeof(l->path));
	if (r >= 0)
		r = ops->readdir(l->path, l, add_name, 0, fi, 0);
	if (r < 0) {
		listing_free(l);
		fuse_reply_err(req, -r);
		return;
	}
	listing_track(l);
	fi->fh = (uintptr_t)l;
	if (fuse_reply_open(req, fi) == -ENOENT) /* interrupted: never released */
		listing_release(l);
}

static bool is_dot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

/* Adds entry k to buf (plus: with its attributes, one more lookup of its inode); returns
 * the bytes it takes, 0 when it does not fit, or -errno. */
static ssize_t add_listed(fuse_req_t req, const struct listing *l, size_t k, char *buf,
			  size_t room, bool plus)
{
	const struct listed *item = &l->items[k];
	struct fuse_entry_param e = { .attr = { .st_ino = UNKNOWN_INO, .st_mode = item->type } };
	char path[TREE_PATH_MAX];
	size_t need;

	if (!plus)
		return (ssize_t)fuse_add_direntry(req, buf, room, item->name, &e.attr,
						  (off_t)k + 1);
	/* . and .. carry no inode: the kernel does not count them as looked up */
	if (!is_dot(item->name) &&
	    (snprintf(path, sizeof(path), "%s%s%s", l->path, strcmp(l->path, "/") ? "/" : "",
		      item->name) >= (int)sizeof(path) || make_entry(path, &e) < 0))
		memset(&e, 0, sizeof(e)), e.attr.st_ino = UNKNOWN_INO, e.attr.st_mode = item->type;
	need = fuse_add_direntry_plus(req, buf, room, item->name, &e, (off_t)k + 1);
	if (need > room && e.ino)
		inode_forget(e.ino, 1); /* not sent: not looked up */
	return (ssize_t)need;
}

/* readdir and readdirplus: the entries from off that fit in size. */
static void read_listing(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi,
			 bool plus)
{
	const struct listing *l = (const struct listing *)(uintptr_t)fi->fh;
	char *buf = malloc(size ? size : 1);
	size_t len = 0;

	begin(req);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (size_t k = off < 0 ? l->n : (size_t)off; k < l->n; k++) {
		ssize_t need = add_listed(req, l, k, buf + len, size - len, plus);

		if (need < 0 || (size_t)need > size - len)
			break;
		len += (size_t)need;
	}
	fuse_reply_buf(req, buf, len);
	free(buf);
}

static void ll_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	(void)ino;
	read_listing(req, size, off, fi, false);
}

/* With each entry's attributes: a walk (find, ls -l, grep -r) needs no lookup per entry. */
static void ll_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	(void)ino;
	read_listing(req, size, off, fi, true);
}

static void ll_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	listing_release((struct listing *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

/* ---- the rest ---- */

static void ll_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	char path[TREE_PATH_MAX];
	int r;

	begin(req);
	r = path_of(ino, path, sizeof(path));
	if (r >= 0)
		r = ops->setxattr(path, name, value, size, flags);
	fuse_reply_err(req, r < 0 ? -r : 0);
}

static void ll_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	char path[TREE_PATH_MAX];
	int r;

	begin(req);
	r = path_of(ino, path, sizeof(path));
	if (r >= 0)
		r = ops->removexattr(path, name);
	fuse_reply_err(req, r < 0 ? -r : 0);
}

static void ll_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct fuse_pollhandle *ph)
{
	char path[TREE_PATH_MAX] = "";
	unsigned revents = 0;
	int r;

	begin(req);
	path_of(ino, path, sizeof(path));
	r = ops->poll(path, fi, ph, &revents);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_poll(req, revents);
}

static void ll_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)conn;
	tree_start(userdata);
}

static void ll_destroy(void *userdata)
{
	tree_stop(userdata);
	while (open_listings.next != &open_listings)
		listing_release(open_listings.next);
}

static const struct fuse_lowlevel_ops lowlevel_ops = {
	.init = ll_init,
	.destroy = ll_destroy,
	.lookup = ll_lookup,
	.forget = ll_forget,
	.forget_multi = ll_forget_multi,
	.getattr = ll_getattr,
	.setattr = ll_setattr,
	.readlink = ll_readlink,
	.mknod = ll_mknod,
	.mkdir = ll_mkdir,
	.unlink = ll_unlink,
	.rmdir = ll_rmdir,
	.symlink = ll_symlink,
	.rename = ll_rename,
	.link = ll_link,
	.open = ll_open,
	.read = ll_read,
	.write = ll_write,
	.flush = ll_flush,
	.release = ll_release,
	.opendir = ll_opendir,
	.readdir = ll_readdir,
	.readdirplus = ll_readdirplus,
	.releasedir = ll_releasedir,
	.setxattr = ll_setxattr,
	.removexattr = ll_removexattr,
	.create = ll_create,
	.poll = ll_poll,
};

const struct fuse_lowlevel_ops *lowlevel_operations(void)
{
	if (!ops) {
		ops = tree_operations();
		if (!inode_ref("/")) /* FUSE_ROOT_ID, never forgotten */
			abort();
	}
	return &lowlevel_ops;
}
