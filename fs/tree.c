/* tree.c — the generic half of the configfs-style tree: path walking, modes, buffering,
 * writes, scratch files and the FUSE callbacks, which stay thin adapters onto the node
 * kinds (tree.h) and the engine.
 *
 * Reads: a `constant` attribute reports its exact size and is opened with keep_cache, so
 * repeated reads come from the page cache. Other attributes are opened direct_io and
 * report 4096 bytes like sysfs; their value is produced once per open (one snapshot per
 * reader). Streams (events) report their real, growing size so `tail -f` follows them.
 *
 * Writes: everything written through one open file, from offset 0 on, is the value; each
 * write(2) stores it (the engine commits before we return), so `echo`, `printf` and
 * buffered writers all work, and a refused write changes nothing. Atomic replace works by
 * keeping the tools' scratch files (tempfiles.h) and treating a rename of one over an
 * attribute as one write of its content. */
#define FUSE_USE_VERSION 312
#include "tree.h"
#include "fields.h"
#include "kinds.h"
#include "media.h"
#include "tempfiles.h"
#include "value.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>          /* struct fuse_operations: the table of path operations */
#include <fuse_lowlevel.h>
#include <poll.h>
#include <pthread.h>
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
	char name[TREE_NAME_MAX];       /* the link's name */
	/* The last component is a gate, never cached: an object but the catalogue's (it may
	 * go through another path, and whether it is there may depend on who asks), or the
	 * way into the provider's side. */
	bool gate;
};

/* An open attribute, or a file of media/ (media set). Handles are listed so that those the
 * kernel never releases (an unmount with files open) are freed at shutdown. */
struct handle {
	struct handle *prev, *next;
	struct media_handle *media;
	struct target target;
	struct text shown;
	char written[VALUE_MAX + 1];
	size_t written_len;
	long long stream_pos;
};

static struct timespec mount_time; /* every node shows it, as sysfs shows boot time */
static gid_t admin_group;          /* may read /vgpu/events and metrics besides root */
static struct handle open_handles = { &open_handles, &open_handles };
static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;

static void handle_track(struct handle *h)
{
	pthread_mutex_lock(&handles_lock);
	h->next = &open_handles;
	h->prev = open_handles.prev;
	h->prev->next = h->next->prev = h;
	pthread_mutex_unlock(&handles_lock);
}

static void handle_free(struct handle *h)
{
	pthread_mutex_lock(&handles_lock);
	h->prev->next = h->next;
	h->next->prev = h->prev;
	pthread_mutex_unlock(&handles_lock);
	media_handle_close(h->media);
	text_free(&h->shown);
	free(h);
}

static struct handle *handle_of(const struct fuse_file_info *fi)
{
	return fi ? (struct handle *)(uintptr_t)fi->fh : NULL;
}

/* media/ holds real files (the engine's media store, media.h), not attributes: NAME for
 * a path /media/NAME, else NULL. */
/* FUSE's largest write (max_pages 256): the block size media files report. */
#define MEDIA_IO_SIZE (1 << 20)

static const char *media_file_name(const char *path)
{
	static const char prefix[] = "/media/";
	const char *name = path + sizeof(prefix) - 1;

	if (strncmp(path, prefix, sizeof(prefix) - 1) || !*name || strchr(name, '/'))
		return NULL;
	return name;
}

int text_printf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if (t->len + (size_t)n + 1 > t->size) {
		size_t size = t->len + (size_t)n + 1 + 256;
		char *grown = realloc(t->data, size);

		if (!grown)
			return -ENOMEM;
		t->data = grown;
		t->size = size;
	}
	va_start(ap, fmt);
	vsnprintf(t->data + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
	return 0;
}

void text_free(struct text *t)
{
	free(t->data);
	memset(t, 0, sizeof(*t));
}

/* The request in progress on this thread (lowlevel.c sets it). */
static __thread fuse_req_t request;

void tree_set_request(fuse_req_t req)
{
	request = req;
}

static struct engine *current_engine(void)
{
	return fuse_req_userdata(request);
}

static const struct fuse_ctx *current_ctx(void)
{
	return fuse_req_ctx(request);
}

void tree_set_admin_group(gid_t gid)
{
	admin_group = gid;
}

/* The caller of the request in progress, with its supplementary groups (read only for
 * callers other than root, who may reach everything). */
struct who {
	struct caller c;
	gid_t groups[64];
};

static const struct caller *current_caller(struct who *w)
{
	const struct fuse_ctx *ctx = current_ctx();
	int n = ctx->uid ? fuse_req_getgroups(request, 64, w->groups) : 0;

	w->c = (struct caller){ ctx->uid, ctx->gid, w->groups, n > 64 ? 64 : n > 0 ? n : 0 };
	return &w->c;
}

/* Whether c may read (4) or write (2) a file of st by its mode and owner. */
static bool caller_may(const struct caller *c, const struct stat *st, mode_t want)
{
	bool member = c->gid == st->st_gid;

	for (size_t i = 0; i < c->n_groups && !member; i++)
		member = c->groups[i] == st->st_gid;
	if (c->uid == 0)
		return true;
	if (c->uid == st->st_uid)
		return st->st_mode & (want << 6);
	return st->st_mode & (member ? want << 3 : want);
}

/* ---- walking ---- */

/* The attributes of the kinds' field tables, made once before mounting. */
struct field_attr {
	const struct node_kind *kind;
	struct attr attr;
};
static struct field_attr field_attrs[64];
static size_t n_field_attrs;

static void make_field_attrs(const struct node_kind *k, int depth)
{
	if (!k || depth > TREE_MAX_DEPTH * 2)
		return;
	for (const struct field *f = k->fields; f && f->name; f++) {
		assert(n_field_attrs < sizeof(field_attrs) / sizeof(*field_attrs));
		assert(k->show_field && k->store_field);
		field_attrs[n_field_attrs++] = (struct field_attr){
			k, { f->name, 0644, false, k->show_field, k->store_field,
			     .tenant_writes = k->tenant_writes }
		};
	}
	for (const struct subdir *s = k->subdirs; s && s->name; s++)
		make_field_attrs(s->kind, depth + 1);
	make_field_attrs(k->entry_kind, depth + 1);
}

static const struct attr *find_attr(const struct node_kind *k, const char *name)
{
	for (const struct attr *a = k->attrs; a && a->name; a++)
		if (!strcmp(a->name, name))
			return a;
	for (size_t i = 0; k->fields && i < n_field_attrs; i++)
		if (field_attrs[i].kind == k && !strcmp(field_attrs[i].attr.name, name))
			return &field_attrs[i].attr;
	return NULL;
}

static const struct node_kind *find_subdir(const struct node_kind *k, const char *name)
{
	for (const struct subdir *s = k->subdirs; s && s->name; s++)
		if (!strcmp(s->name, name))
			return s->kind;
	return NULL;
}

static enum tree_part find_subdir_part(const char *name)
{
	for (const struct subdir *s = root_kind.subdirs; s->name; s++)
		if (!strcmp(s->name, name))
			return s->part;
	return PART_CATALOGUE;
}

static bool accepts_writes(const struct node_kind *k)
{
	if (k->fields && k->fields[0].name)
		return true;
	for (const struct attr *a = k->attrs; a && a->name; a++)
		if (a->store)
			return true;
	return false;
}

static int enter(struct node *n, const struct node_kind *kind, const char *name)
{
	size_t len = strlen(n->path);

	if (len + strlen(name) + 2 > sizeof(n->path))
		return -ENAMETOOLONG;
	sprintf(n->path + len, "%s%s", len ? "/" : "", name);
	n->kind = kind;
	return 0;
}

/* The owner of entry name of a collection with owners, and whether c may reach it. */
static int entry_reach(const struct node *n, const char *name, const struct caller *c,
		       char *owner)
{
	int r = n->kind->owner(n, name, owner, TREE_NAME_MAX);

	return r < 0 ? r : engine_may_reach(n->engine, c, PART_OWNED, owner);
}

/* Steps from directory t->node into component name; last says whether it ends the path.
 * With a caller, what it may not reach is not there (ENOENT) or refused (EACCES). */
static int step(struct target *t, const char *name, bool last, const struct caller *c)
{
	const struct node_kind *k = t->node.kind, *sub;
	char owner[TREE_NAME_MAX];
	int r, reach;

	t->gate = false;
	if (last && (t->attr = find_attr(k, name))) {
		t->type = TARGET_ATTR;
		return 0;
	}
	if ((sub = find_subdir(k, name))) {
		if (k == &root_kind)
			t->node.part = find_subdir_part(name);
		t->gate = k == &root_kind && t->node.part == PART_PROVIDER;
		r = enter(&t->node, sub, name);
		return r < 0 || !c ? r : engine_may_reach(t->node.engine, c, t->node.part,
							 t->node.owner);
	}
	if (!k->exists || strlen(name) >= TREE_NAME_MAX)
		return -ENOENT;
	r = k->exists(&t->node, name);
	if (r < 0)
		return r;
	if (k->owner && c && (reach = entry_reach(&t->node, name, c, owner)) < 0)
		return reach;
	/* the host's catalogue (GPUs, their types, profiles) changes with the hardware only */
	t->gate = k->owner || t->node.part != PART_CATALOGUE;
	if (k->owner && !k->readlink) {
		t->node.part = PART_OWNED;
		if (!c && k->owner(&t->node, name, owner, sizeof(owner)) < 0)
			owner[0] = '\0';
		strcpy(t->node.owner, owner);
	}
	if (k->readlink) {
		if (!last)
			return -ENOENT;
		t->type = TARGET_LINK;
		strcpy(t->name, name);
		return 0;
	}
	if (t->node.n_keys == TREE_MAX_DEPTH)
		return -ENOENT;
	t->node.id[t->node.n_keys] = r;
	strcpy(t->node.key[t->node.n_keys++], name);
	return enter(&t->node, k->entry_kind, name);
}

/* Resolves path for caller c (NULL: for nobody in particular, checking nothing). */
static int resolve_as(const char *path, struct target *t, const struct caller *c)
{
	char copy[TREE_PATH_MAX], *save = NULL, *name, *next;
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
		r = step(t, name, next == NULL, c);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Resolves path for the caller of the request in progress. */
static int resolve(const char *path, struct target *t)
{
	struct who w;

	return resolve_as(path, t, current_caller(&w));
}

/* Resolves the directory holding path's last component, which goes to *name. */
static int resolve_parent(const char *path, struct target *dir, const char **name)
{
	char parent[TREE_PATH_MAX];
	const char *slash = strrchr(path, '/');
	int r;

	if (!slash || (size_t)(slash - path) >= sizeof(parent))
		return -ENOENT;
	memcpy(parent, path, slash - path);
	parent[slash - path] = '\0';
	*name = slash + 1;
	r = resolve(parent, dir);
	return r < 0 ? r : dir->type == TARGET_DIR ? 0 : -ENOTDIR;
}

/* An open attribute belongs to the object it was opened on: once that object is gone,
 * or gone and made again under the same name, its reads and writes get ENODEV, as a
 * removed device's sysfs files do. Only objects with an identity can be made again. */
static int handle_check(const struct handle *h)
{
	const struct node *was = &h->target.node;
	struct target now;
	bool identified = false;

	for (int i = 0; i < was->n_keys; i++)
		identified |= was->id[i] > 0;
	if (!identified)
		return 0;
	if (resolve_as(was->path, &now, NULL) < 0 || now.type != TARGET_DIR ||
	    memcmp(now.node.id, was->id, sizeof(was->id)))
		return -ENODEV;
	return 0;
}

/* Records a refusal on the object the directory stands for; returns err. */
static int refuse(const struct node *n, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int refuse(const struct node *n, int err, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return engine_refuse(n->engine, n->path[0] ? n->path : "/", err, "%s", message);
}

/* ---- values ---- */

/* Fills out (which the caller frees with text_free) with the attribute's value. */
static int show(const struct target *t, struct text *out)
{
	memset(out, 0, sizeof(*out));
	return t->attr->show ? t->attr->show(&t->node, t->attr, out) : 0;
}

/* Checks written bytes and hands them to the attribute's store. */
static int store(const struct target *t, const char *data, size_t len)
{
	char value[VALUE_MAX + 1];

	assert(t->attr->store); /* read-only attributes are refused before: open, rename */
	if (len > VALUE_MAX)
		return refuse(&t->node, -EFBIG, "%s: value longer than %d bytes", t->attr->name,
			      VALUE_MAX);
	if (memchr(data, '\0', len))
		return refuse(&t->node, -EINVAL, "%s: value contains a NUL byte", t->attr->name);
	memcpy(value, data, len);
	if (len && value[len - 1] == '\n')
		len--;
	value[len] = '\0';
	if (!value_is_utf8(value))
		return refuse(&t->node, -EINVAL, "%s: value is not valid UTF-8", t->attr->name);
	return t->attr->store(&t->node, t->attr, value);
}

/* ---- FUSE callbacks ---- */

static void fill_stat(struct stat *st, mode_t mode, off_t size)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = mode;
	st->st_nlink = S_ISDIR(mode) ? 2 : 1;
	st->st_size = size;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_atim = st->st_mtim = st->st_ctim = mount_time;
}

static off_t attr_size(const struct target *t);

/* The mode of an attribute in a tenant's part of the tree, and whether root owns it:
 * its admins own what they may write, and what only root may read or change. */
static mode_t tenant_attr_mode(const struct attr *a, bool *root_owned)
{
	*root_owned = (a->mode & 0222) && !a->tenant_writes;
	if (a->size)
		return 0440; /* its events */
	if (!(a->mode & 0222) || *root_owned)
		return a->mode;
	return a->mode & 0444 ? 0664 : 0220;
}

/* What t names as stat(2) shows it: in a tenant's part of the tree, owned by its admins
 * with the group's write bits where they may write (docs/tree.md, "Who may do what"). */
static void target_stat(const struct target *t, struct stat *st)
{
	const struct node_kind *k = t->node.kind;
	uid_t uid = getuid();
	gid_t gid = getgid();
	bool has_gid = true, tenant = false, root_owned = false;
	mode_t mode;

	if (t->node.owner[0])
		tenant = engine_tenant_admins(t->node.engine, t->node.owner, &uid, &gid,
					      &has_gid) >= 0;
	if (t->type == TARGET_LINK)
		mode = S_IFLNK | 0777;
	else if (t->type == TARGET_DIR)
		mode = S_IFDIR | (!tenant ? 0755 : k->tenant_writes ? 0775 : 0555);
	else
		mode = S_IFREG | (tenant ? tenant_attr_mode(t->attr, &root_owned) : t->attr->mode);
	if (tenant && !has_gid && t->type != TARGET_LINK)
		mode &= ~(mode_t)020; /* no group of admins: the group writes nothing */
	fill_stat(st, mode, t->type == TARGET_ATTR ? attr_size(t) : 0);
	st->st_uid = root_owned ? 0 : uid;
	st->st_gid = gid;
	if (t->type == TARGET_ATTR && !tenant && t->attr->mode == 0440)
		st->st_gid = admin_group; /* events, metrics, host/drift: they name any tenant */
}

static off_t attr_size(const struct target *t)
{
	struct text value;
	off_t size;

	if (t->attr->size)
		return (off_t)t->attr->size(&t->node);
	if (!t->attr->constant)
		return VALUE_MAX;
	size = show(t, &value) < 0 ? 0 : (off_t)value.len;
	text_free(&value);
	return size;
}

int tree_lookup(const char *path, struct stat *st, bool *cacheable)
{
	const char *media = media_file_name(path);
	struct target t;
	int r;

	*cacheable = false;
	if (media) {
		r = engine_media_stat(current_engine(), media, st);
		st->st_blksize = MEDIA_IO_SIZE; /* cp sizes its buffer by it: 1 MiB writes */
		return r;
	}
	if (tempfile_stat(path, st))
		return 0;
	r = resolve(path, &t);
	if (r < 0)
		return r;
	target_stat(&t, st);
	*cacheable = !t.gate;
	return 0;
}

static int tree_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	bool cacheable;
	int r;

	if (h && h->media) { /* an upload is not in media/ until its first close */
		r = media_handle_stat(h->media, st);
		st->st_blksize = MEDIA_IO_SIZE;
		return r;
	}
	return tree_lookup(path, st, &cacheable);
}

/* A listing: each name with its file type (d_type), so that a walk needs no stat to
 * tell directories from files. */
struct fill_ctx {
	void *buf;
	fuse_fill_dir_t filler;
	mode_t type;
};

static int fill_one(const char *name, void *ctx)
{
	struct fill_ctx *f = ctx;
	struct stat st = { .st_mode = f->type };

	return f->filler(f->buf, name, &st, 0, 0) ? -ENOBUFS : 0;
}

/* The names of a listing, gathered to be checked outside the engine's lock. */
struct names {
	char (*items)[TREE_NAME_MAX];
	size_t n;
};

static int gather(const char *name, void *ctx)
{
	struct names *ns = ctx;
	void *grown = realloc(ns->items, (ns->n + 1) * sizeof(*ns->items));

	if (!grown)
		return -ENOMEM;
	ns->items = grown;
	snprintf(ns->items[ns->n++], TREE_NAME_MAX, "%s", name);
	return 0;
}

/* A collection's entries that c may reach. */
static int fill_reachable(const struct node *n, const struct caller *c, struct fill_ctx *f)
{
	struct names ns = { NULL, 0 };
	char owner[TREE_NAME_MAX];
	int r = n->kind->list(n, gather, &ns);

	for (size_t i = 0; r >= 0 && i < ns.n; i++)
		if (entry_reach(n, ns.items[i], c, owner) >= 0)
			r = fill_one(ns.items[i], f);
	free(ns.items);
	return r;
}

static int tree_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t offset,
			struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct target t;
	struct fill_ctx f = { buf, filler, S_IFDIR };
	const struct node_kind *k;
	struct who w;
	const struct caller *c = current_caller(&w);
	int r = resolve_as(path, &t, c);

	(void)offset, (void)fi, (void)flags;
	if (r < 0)
		return r;
	if (t.type != TARGET_DIR)
		return -ENOTDIR;
	k = t.node.kind;
	fill_one(".", &f);
	fill_one("..", &f);
	f.type = S_IFREG;
	if (k == &media_kind)
		return engine_media_list(t.node.engine, fill_one, &f);
	for (const struct attr *a = k->attrs; a && a->name; a++)
		fill_one(a->name, &f);
	for (const struct field *field = k->fields; field && field->name; field++)
		fill_one(field->name, &f);
	f.type = S_IFDIR;
	for (const struct subdir *s = k->subdirs; s && s->name; s++)
		fill_one(s->name, &f);
	f.type = S_IFREG;
	r = tempfile_list(strcmp(path, "/") ? path : "", fill_one, &f);
	f.type = k->readlink ? S_IFLNK : S_IFDIR;
	if (r < 0 || !k->list)
		return r;
	if (k->owner && c->uid != 0)
		return fill_reachable(&t.node, c, &f);
	return k->list(&t.node, fill_one, &f);
}

static int open_attr(const struct target *t, struct fuse_file_info *fi)
{
	struct handle *h;
	int r;

	if ((fi->flags & O_ACCMODE) != O_RDONLY && !t->attr->store)
		return refuse(&t->node, -EACCES, "%s is read-only", t->attr->name);
	if ((fi->flags & O_APPEND) && t->attr->store)
		return refuse(&t->node, -EINVAL, "%s: a value cannot be appended to; write it "
			      "whole (> instead of >>)", t->attr->name);
	if ((fi->flags & O_ACCMODE) != O_WRONLY && !(t->attr->mode & 0444))
		return -EACCES;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->target = *t;
	if ((fi->flags & O_ACCMODE) != O_WRONLY && !t->attr->read_at) {
		r = show(t, &h->shown);
		if (r < 0) {
			text_free(&h->shown);
			free(h);
			return r;
		}
	}
	handle_track(h);
	fi->fh = (uintptr_t)h;
	fi->keep_cache = t->attr->constant;
	fi->direct_io = !t->attr->constant;
	fi->noflush = 1; /* every write is stored as it comes: nothing is left for close */
	return 0;
}

/* A file of media/: data goes to the store's file with no engine call. */
static int open_media(const char *name, struct fuse_file_info *fi, bool create, mode_t mode)
{
	const struct fuse_ctx *ctx = current_ctx();
	struct handle *h = calloc(1, sizeof(*h));
	int r;

	if (!h)
		return -ENOMEM;
	r = engine_media_open(current_engine(), name, fi->flags, create, mode, ctx->uid,
			      ctx->gid, &h->media);
	if (r < 0) {
		free(h);
		return r;
	}
	handle_track(h);
	fi->fh = (uintptr_t)h;
	fi->direct_io = 0;
	fi->keep_cache = 0; /* written only through the tree: the page cache goes at open */
	return 0;
}

static int tree_open(const char *path, struct fuse_file_info *fi)
{
	const char *media = media_file_name(path);
	struct target t;
	struct stat st;
	int r;

	if (media)
		return open_media(media, fi, false, 0);
	if (tempfile_stat(path, &st)) {
		fi->fh = 0;
		fi->direct_io = 1;
		return (fi->flags & O_TRUNC) ? tempfile_truncate(path, 0) : 0;
	}
	r = resolve(path, &t);
	if (r < 0)
		return r;
	if (t.type != TARGET_ATTR)
		return -EISDIR;
	return open_attr(&t, fi);
}

static int tree_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	const struct fuse_ctx *ctx = current_ctx();
	const char *media = media_file_name(path);
	struct target dir;
	const char *name;
	int r;

	if (media)
		return open_media(media, fi, true, mode);
	r = resolve_parent(path, &dir, &name);
	if (r < 0)
		return r;
	if ((dir.attr = find_attr(dir.node.kind, name))) {
		dir.type = TARGET_ATTR;
		return open_attr(&dir, fi);
	}
	if (!tempfile_name_ok(name))
		return refuse(&dir.node, -ENOENT, "no attribute \"%s\" in %s/ (ls it for the "
			      "names)", name, dir.node.path[0] ? dir.node.path : "");
	if (!accepts_writes(dir.node.kind)) /* sed -i or an editor on a read-only file */
		return refuse(&dir.node, -EACCES, "cannot create \"%s\": no file in %s/ is "
			      "writable", name, dir.node.path[0] ? dir.node.path : "");
	r = tempfile_create(path, mode, ctx->uid, ctx->gid);
	fi->fh = 0;
	fi->direct_io = 1;
	return r;
}

static int tree_read(const char *path, char *buf, size_t size, off_t offset,
		     struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	const struct text *value;

	if (!h)
		return tempfile_read(path, buf, size, offset);
	if (h->media)
		return (int)media_handle_read(h->media, buf, size, offset);
	if (handle_check(h) < 0)
		return -ENODEV;
	if (h->target.attr->read_at) {
		size = h->target.attr->read_at(&h->target.node, buf, size, offset);
		h->stream_pos = offset + (long long)size;
		return (int)size;
	}
	value = &h->shown;
	if (offset < 0 || (size_t)offset >= value->len)
		return 0;
	if (size > value->len - (size_t)offset)
		size = value->len - (size_t)offset;
	memcpy(buf, value->data + offset, size);
	return (int)size;
}

static int tree_write(const char *path, const char *buf, size_t size, off_t offset,
		      struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	const struct target *t;
	int r;

	if (!h)
		return tempfile_write(path, buf, size, offset);
	if (h->media)
		return (int)media_handle_write(h->media, buf, size, offset);
	if (handle_check(h) < 0)
		return -ENODEV;
	t = &h->target;
	if (offset != (off_t)h->written_len)
		return refuse(&t->node, -EINVAL, "%s: write at offset %lld; write the whole "
			      "value from the start", t->attr->name, (long long)offset);
	if (h->written_len + size > VALUE_MAX)
		return refuse(&t->node, -EFBIG, "%s: value longer than %d bytes", t->attr->name,
			      VALUE_MAX);
	memcpy(h->written + h->written_len, buf, size);
	r = store(t, h->written, h->written_len + size);
	if (r < 0)
		return r;
	h->written_len += size;
	return (int)size;
}

static int tree_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	const char *media = path ? media_file_name(path) : NULL;
	struct target t;
	struct stat st;
	int r;

	if (h && h->media)
		return media_handle_truncate(h->media, size);
	if (media)
		return engine_media_truncate(current_engine(), media, size);
	if (tempfile_stat(path, &st))
		return tempfile_truncate(path, size);
	r = resolve(path, &t);
	if (r < 0)
		return r;
	if (t.type != TARGET_ATTR)
		return -EISDIR;
	if (!t.attr->store)
		return refuse(&t.node, -EACCES, "%s is read-only", t.attr->name);
	if (size != 0)
		return refuse(&t.node, -EINVAL, "%s: cannot truncate a value to %lld bytes",
			      t.attr->name, (long long)size);
	if (h && handle_check(h) < 0)
		return -ENODEV;
	if (h)
		h->written_len = 0; /* ftruncate(fd, 0): the next write starts the value anew */
	return 0; /* open(O_TRUNC): the write that follows replaces the value */
}

/* Only a media file has anything to do at close: the first publishes an upload. */
static int tree_flush(const char *path, struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);

	(void)path;
	return h && h->media ? engine_media_flush(current_engine(), h->media) : 0;
}

static int tree_release(const char *path, struct fuse_file_info *fi)
{
	struct handle *h = handle_of(fi);
	int r = 0;

	(void)path;
	if (h && h->media) {
		r = engine_media_release(current_engine(), h->media);
		h->media = NULL;
	}
	if (h)
		handle_free(h);
	return r;
}

static int tree_readlink(const char *path, char *buf, size_t size)
{
	struct target t;
	int r = resolve(path, &t);

	if (r < 0)
		return r;
	if (t.type != TARGET_LINK)
		return -EINVAL;
	return t.node.kind->readlink(&t.node, t.name, buf, size);
}

/* ---- directories ---- */

static int tree_mkdir(const char *path, mode_t mode)
{
	struct target dir;
	const char *name;
	int r = resolve_parent(path, &dir, &name);

	(void)mode;
	if (r < 0)
		return r;
	if (!dir.node.kind->mkdir)
		return refuse(&dir.node, -EPERM, "cannot create \"%s\": %s/ holds no objects "
			      "made by mkdir", name, dir.node.path);
	if (find_attr(dir.node.kind, name) || find_subdir(dir.node.kind, name))
		return -EEXIST;
	r = dir.node.kind->mkdir(&dir.node, name);
	if (r >= 0)
		tempfile_drop_below(path); /* left by an object of this name removed elsewhere */
	return r;
}

static int tree_rmdir(const char *path)
{
	struct target dir;
	const char *name;
	int r = resolve_parent(path, &dir, &name);

	if (r < 0)
		return r;
	if (!dir.node.kind->exists || dir.node.kind->exists(&dir.node, name) < 0)
		return find_subdir(dir.node.kind, name) ?
			refuse(&dir.node, -EPERM, "%s/ is part of the tree and cannot be removed",
			       name) : -ENOENT;
	if (!dir.node.kind->rmdir)
		return refuse(&dir.node, -EPERM, "%s cannot be removed here", name);
	r = dir.node.kind->rmdir(&dir.node, name);
	if (r >= 0)
		tempfile_drop_below(path);
	return r;
}

/* ---- renames, unlinks and metadata ---- */

/* Whether the caller may read (4) or write (2) what t names, by its mode and owner. */
static bool may(const struct target *t, mode_t want)
{
	struct who w;
	struct stat st;

	target_stat(t, &st);
	return caller_may(current_caller(&w), &st, want);
}

/* A scratch file renamed over an attribute: one write of its whole content, by someone
 * who may write the attribute (the kernel checked only the directories). */
static int rename_over_attr(const char *from, const struct target *t)
{
	char content[VALUE_MAX + 2];
	size_t len;
	int r;

	if (!t->attr->store)
		return refuse(&t->node, -EACCES, "%s is read-only", t->attr->name);
	if (!may(t, 2))
		return refuse(&t->node, -EACCES, "%s: permission denied", t->attr->name);
	r = tempfile_content(from, content, sizeof(content), &len);
	if (r == -EFBIG)
		return refuse(&t->node, -EFBIG, "%s: value longer than %d bytes", t->attr->name,
			      VALUE_MAX);
	if (r < 0)
		return r;
	r = store(t, content, len);
	return r < 0 ? r : tempfile_unlink(from);
}

/* An attribute renamed to a scratch name (vim's backup): the scratch file gets a copy;
 * the attribute itself cannot go away and stays. */
static int copy_attr_to_temp(const struct target *t, const char *to)
{
	const struct fuse_ctx *ctx = current_ctx();
	struct text value;
	int r = may(t, 4) ? show(t, &value) : -EACCES;

	if (r >= 0) {
		tempfile_unlink(to);
		r = tempfile_create(to, t->attr->mode, ctx->uid, ctx->gid);
	}
	if (r >= 0 && value.len)
		r = tempfile_write(to, value.data, value.len, 0) < 0 ? -EIO : 0;
	text_free(&value);
	return r;
}

static int tree_rename(const char *from, const char *to, unsigned int flags)
{
	struct target src, dst_dir, dst;
	const char *to_name, *media_from = media_file_name(from), *media_to = media_file_name(to);
	struct stat st;
	bool from_temp;
	int r;

	if (media_from && media_to)
		return engine_media_rename(current_engine(), media_from, media_to, flags);
	if (media_from || media_to)
		return -EXDEV; /* media/ is a file system of its own: mv copies */
	from_temp = tempfile_stat(from, &st);
	r = resolve_parent(to, &dst_dir, &to_name);
	if (r < 0)
		return r;
	if (flags & RENAME_EXCHANGE)
		return refuse(&dst_dir.node, -EINVAL, "%s: exchanging files is not supported",
			      to_name);
	if (resolve(to, &dst) == 0 && dst.type == TARGET_ATTR) {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (from_temp)
			return rename_over_attr(from, &dst);
	} else if (tempfile_name_ok(to_name) && accepts_writes(dst_dir.node.kind)) {
		if (from_temp)
			return tempfile_rename(from, to);
		if (resolve(from, &src) == 0 && src.type == TARGET_ATTR)
			return copy_attr_to_temp(&src, to);
	}
	if (!from_temp && resolve(from, &src) < 0)
		return -ENOENT;
	return refuse(&dst_dir.node, -EPERM, "cannot rename %s to %s: only editors' scratch "
		      "files can be renamed, over attributes", from, to);
}

static int tree_unlink(const char *path)
{
	const char *media = media_file_name(path);
	struct target t;
	struct stat st;
	int r;

	if (media)
		return engine_media_unlink(current_engine(), media);
	if (tempfile_stat(path, &st))
		return tempfile_unlink(path);
	r = resolve(path, &t);
	if (r < 0)
		return r;
	if (t.type == TARGET_ATTR)
		return refuse(&t.node, -EPERM, "%s is an attribute and cannot be removed (write "
			      "\"\" to clear it)", t.attr->name);
	if (t.type == TARGET_LINK)
		return refuse(&t.node, -EPERM, "%s is a link the tree keeps; it cannot be removed",
			      t.name);
	return -EISDIR;
}

/* Links and special files have no place in the tree: EPERM, as sysfs answers. */
static int refuse_new_entry(const char *path, const char *what)
{
	struct target dir;
	const char *name;
	int r = resolve_parent(path, &dir, &name);

	if (r < 0)
		return r;
	if (find_attr(dir.node.kind, name) || find_subdir(dir.node.kind, name) ||
	    tempfile_stat(path, &(struct stat){ 0 }))
		return -EEXIST;
	return refuse(&dir.node, -EPERM, "cannot make %s \"%s\": the tree holds only its own "
		      "files and directories", what, name);
}

static int tree_mknod(const char *path, mode_t mode, dev_t rdev)
{
	(void)mode, (void)rdev;
	return refuse_new_entry(path, "the special file");
}

static int tree_symlink(const char *target, const char *path)
{
	(void)target;
	return refuse_new_entry(path, "the symlink");
}

static int tree_link(const char *from, const char *to)
{
	(void)from;
	return refuse_new_entry(to, "the hard link");
}

/* Extended attributes are not stored (ENOTSUP, as on a file system without them). */
static int tree_setxattr(const char *path, const char *name, const char *value, size_t size,
			 int flags)
{
	struct target t;
	struct stat st;

	(void)name, (void)value, (void)size, (void)flags;
	if (media_file_name(path))
		return engine_media_stat(current_engine(), media_file_name(path), &st) < 0 ?
			-ENOENT : -EOPNOTSUPP;
	if (!tempfile_stat(path, &st) && resolve(path, &t) < 0)
		return -ENOENT;
	return -EOPNOTSUPP;
}

static int tree_removexattr(const char *path, const char *name)
{
	return tree_setxattr(path, name, NULL, 0, 0);
}

/* chmod/chown/utimens on the tree itself succeed when they change nothing, so that
 * install(1), cp -p and config tools do not fail; a real change is refused. */
static int tree_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct target t;
	struct stat st;
	mode_t fixed;
	int r;

	(void)fi;
	if (media_file_name(path))
		return engine_media_chmod(current_engine(), media_file_name(path), mode);
	if (tempfile_stat(path, &st))
		return tempfile_chmod(path, mode);
	r = resolve(path, &t);
	if (r < 0)
		return r;
	target_stat(&t, &st);
	fixed = st.st_mode & 07777;
	if ((mode & 07777) == fixed)
		return 0;
	return refuse(&t.node, -EPERM, "%s: mode is fixed at %04o", path + 1, fixed);
}

static int tree_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct target t;
	struct stat st;
	int r;

	(void)fi;
	if (media_file_name(path))
		return engine_media_chown(current_engine(), media_file_name(path), uid, gid);
	if (tempfile_stat(path, &st))
		return tempfile_chown(path, uid, gid);
	r = resolve(path, &t);
	if (r < 0)
		return r;
	target_stat(&t, &st);
	if ((uid == (uid_t)-1 || uid == st.st_uid) && (gid == (gid_t)-1 || gid == st.st_gid))
		return 0;
	return refuse(&t.node, -EPERM, "%s: owner is fixed", path + 1);
}

static int tree_utimens(const char *path, const struct timespec tv[2],
			struct fuse_file_info *fi)
{
	struct target t;
	struct stat st;

	(void)fi;
	if (media_file_name(path))
		return engine_media_utimens(current_engine(), media_file_name(path), tv);
	if (tempfile_stat(path, &st))
		return tempfile_utimens(path, tv);
	return resolve(path, &t);
}

/* ---- poll on streams ---- */

static pthread_mutex_t poll_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fuse_pollhandle *waiting[64];
static size_t n_waiting;

void tree_stream_grew(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&poll_lock);
	for (size_t i = 0; i < n_waiting; i++) {
		fuse_lowlevel_notify_poll(waiting[i]);
		fuse_pollhandle_destroy(waiting[i]);
	}
	n_waiting = 0;
	pthread_mutex_unlock(&poll_lock);
}

static int tree_poll(const char *path, struct fuse_file_info *fi, struct fuse_pollhandle *ph,
		     unsigned *reventsp)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	bool stream = h && !h->media && h->target.attr->size;

	(void)path;
	*reventsp = POLLOUT | POLLWRNORM;
	if (!stream || h->stream_pos < h->target.attr->size(&h->target.node))
		*reventsp |= POLLIN | POLLRDNORM;
	if (!ph)
		return 0;
	pthread_mutex_lock(&poll_lock);
	if (!(*reventsp & POLLIN) && n_waiting < sizeof(waiting) / sizeof(waiting[0]))
		waiting[n_waiting++] = ph;
	else
		fuse_pollhandle_destroy(ph);
	pthread_mutex_unlock(&poll_lock);
	return 0;
}

void tree_start(struct engine *e)
{
	clock_gettime(CLOCK_REALTIME, &mount_time);
	engine_on_event(e, tree_stream_grew, NULL);
}

void tree_stop(struct engine *e)
{
	engine_on_event(e, NULL, NULL);
	tree_stream_grew(NULL);
	while (open_handles.next != &open_handles)
		handle_free(open_handles.next);
}

static const struct fuse_operations operations = {
	.getattr = tree_getattr,
	.readdir = tree_readdir,
	.open = tree_open,
	.create = tree_create,
	.read = tree_read,
	.write = tree_write,
	.truncate = tree_truncate,
	.flush = tree_flush,
	.release = tree_release,
	.readlink = tree_readlink,
	.mkdir = tree_mkdir,
	.rmdir = tree_rmdir,
	.rename = tree_rename,
	.unlink = tree_unlink,
	.mknod = tree_mknod,
	.symlink = tree_symlink,
	.link = tree_link,
	.setxattr = tree_setxattr,
	.removexattr = tree_removexattr,
	.chmod = tree_chmod,
	.chown = tree_chown,
	.utimens = tree_utimens,
	.poll = tree_poll,
};

const struct fuse_operations *tree_operations(void)
{
	if (!n_field_attrs)
		make_field_attrs(&root_kind, 0);
	return &operations;
}
