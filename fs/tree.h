/* tree.h — the configfs-style declaration of the /vgpu tree. Each kind of directory is a
 * `struct node_kind`: a table of attributes (name, mode, show/store), fixed subdirectories,
 * and optionally a collection of named entries (list/exists, mkdir/rmdir) that are
 * directories of another kind or symlinks. The generic code in tree.c walks paths, checks
 * modes and who may reach what, buffers values and keeps editors' scratch files, by path
 * (lowlevel.c answers FUSE); adding a file is a table line and, at most, a function. */
#ifndef VGPUFS_TREE_H
#define VGPUFS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "engine.h"

#define TREE_MAX_DEPTH 4
#define TREE_NAME_MAX 256 /* media file names */
#define TREE_PATH_MAX 1024
#define VALUE_MAX 4096

/* A directory reached by a path: its kind, its path in the tree ("groups/g1", the name
 * the engine knows the object by), the collection entry names on the way
 * (gpus/<bdf>/types/<profile> has keys {bdf, profile}) and, for each, the identity its
 * exists() gave (0 for objects that have none but their name). */
struct node {
	const struct node_kind *kind;
	struct engine *engine;
	char path[TREE_PATH_MAX];
	char key[TREE_MAX_DEPTH][TREE_NAME_MAX];
	int id[TREE_MAX_DEPTH];
	int n_keys;
	/* Who may reach it (engine_may_reach): the part of the tree it is in and, below an
	 * entry with an owner, that owner (a tenant, "" for the provider's). */
	enum tree_part part;
	char owner[TREE_NAME_MAX];
};

/* A value being shown; grows as needed (a domain definition can be large). */
struct text {
	char *data;
	size_t len, size;
};
int text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void text_free(struct text *t);

struct attr;
typedef int (*show_fn)(const struct node *n, const struct attr *a, struct text *out);
/* value: the written bytes less one trailing newline, checked to be UTF-8 without NUL. */
typedef int (*store_fn)(const struct node *n, const struct attr *a, const char *value);

struct attr {
	const char *name;
	mode_t mode;      /* 0444 read-only, 0644 read-write, 0200 action */
	bool constant;    /* never changes while mounted: the kernel may cache it */
	show_fn show;
	store_fn store;
	/* A growing stream (events): read by offset, sized by size(), pollable. */
	long long (*size)(const struct node *n);
	size_t (*read_at)(const struct node *n, char *buf, size_t size, long long offset);
	/* In a tenant's part of the tree, its admins may write it (docs/tree.md). */
	bool tenant_writes;
};

struct subdir {
	const char *name;
	const struct node_kind *kind;
	enum tree_part part;  /* of the root's subdirectories: the catalogue, or the provider's */
};

struct field;

struct node_kind {
	const struct attr *attrs;      /* ends with { NULL } */
	/* The object's settable fields (its field table in core/, fields.h): each is a 0644
	 * attribute named as the field, read with show_field and written with store_field,
	 * listed after attrs. */
	const struct field *fields;
	show_fn show_field;
	store_fn store_field;
	const struct subdir *subdirs;  /* ends with { NULL } */
	/* A collection: entries named by list(), checked by exists(), which returns -errno,
	 * or the entry's identity (> 0) for objects that mkdir makes, or 0. */
	const struct node_kind *entry_kind;
	int (*list)(const struct node *n, engine_name_fn fn, void *ctx);
	int (*exists)(const struct node *n, const char *name);
	int (*mkdir)(const struct node *n, const char *name);
	int (*rmdir)(const struct node *n, const char *name);
	/* Entries are symlinks instead of directories when set. */
	int (*readlink)(const struct node *n, const char *name, char *buf, size_t size);
	/* Entries with an owner: the tenant owning one ("" for the provider's) into buf.
	 * A caller sees only the entries it may reach (engine_may_reach). */
	int (*owner)(const struct node *n, const char *name, char *buf, size_t size);
	/* In a tenant's part of the tree, its admins may make and remove entries and scratch
	 * files here, and write the fields. */
	bool tenant_writes;
};

/* The group that may read /vgpu/events and metrics besides root (--admin-group). */
void tree_set_admin_group(gid_t gid);

/* Called by a stream's owner when it grows: wakes poll()ers. */
void tree_stream_grew(void *unused);

/* The tree's operations, by path (lowlevel.c serves them by inode); the first call also
 * makes the attributes of every kind's fields. */
struct fuse_operations;
const struct fuse_operations *tree_operations(void);
/* Before the first request and after the last one. */
void tree_start(struct engine *e);
void tree_stop(struct engine *e);
/* The request each operation answers (its caller, its engine): set by lowlevel.c. */
struct fuse_req;
void tree_set_request(struct fuse_req *req);
/* A lookup: path's attributes, and whether the kernel may keep its entry: not when it
 * is a gate (an object, which may go through another path and be there for some callers
 * only, or the way into the provider's side); what lies beyond is reached only through
 * it. */
struct stat;
int tree_lookup(const char *path, struct stat *st, bool *cacheable);
extern const struct node_kind root_kind;

#endif
