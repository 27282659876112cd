/* snapshot.h — the live sysfs readings the daemon keeps, so that a reader of the tree does
 * not cost a sysfs read each time: every file, link and directory listing read through a
 * snapshot is kept with the time it was read and read again once it is older than
 * max_age. So a change made behind the daemon's back shows within max_age (100 ms by
 * default, docs/tree.md); the daemon's own writes drop what they change at once
 * (snapshot_forget), so its own changes show immediately.
 *
 * Links under a listed directory (bus/mdev/devices/<uuid> and its mdev_type) do not
 * change while the entry exists: they are kept until a fresh listing of the directory
 * no longer holds the entry, so a refresh of the mdev listing costs one readdir, plus two
 * readlinks per new mdev.
 *
 * A NULL snapshot reads sysfs directly (discovery, which reads each file once anyway).
 * Not thread-safe: the engine serialises access, as for the host. */
#ifndef VGPUFS_SNAPSHOT_H
#define VGPUFS_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#define SNAPSHOT_MAX_AGE_MS 100

struct snapshot_entry;

struct snapshot {
	struct snapshot_entry **buckets;
	size_t n_buckets, n_entries;
	long long max_age_ns;
	bool trusted;   /* readings of any age are used (snapshot_trust) */
};

void snapshot_init(struct snapshot *s, unsigned max_age_ms);
void snapshot_free(struct snapshot *s);

/* As file_read_value, link_read and dir_for_each (util.h), kept in s. */
int snapshot_read(struct snapshot *s, const char *path, char *buf, size_t size);
int snapshot_link(struct snapshot *s, const char *path, char *buf, size_t size);
int snapshot_list(struct snapshot *s, const char *dir,
		  int (*fn)(const char *name, void *ctx), void *ctx);

/* The daemon's own changes, put in as what sysfs will read: a link it made, a name its
 * write added to or removed from a kept listing (a listing not kept is left to be read). */
void snapshot_keep_link(struct snapshot *s, const char *path, const char *target);
void snapshot_list_change(struct snapshot *s, const char *dir, const char *name, bool present);

/* While trusted, a kept reading is used whatever its age; a reading not kept is still
 * read. Placement trusts the snapshot: the kernel's refusal of a create is its check. */
void snapshot_trust(struct snapshot *s, bool trusted);

/* Drops the reading of path; snapshot_forget_below also those below it (path/…). */
void snapshot_forget(struct snapshot *s, const char *path);
void snapshot_forget_below(struct snapshot *s, const char *path);

#endif
