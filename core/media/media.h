/* media.h — the media store: the files of media/, kept in <state>/media (one file each,
 * under its own name), with what is known about each (size, sha256, what it is).
 *
 * An upload is written to a file of its own in <state>/uploads and published (fsynced,
 * renamed into <state>/media) when its writer first closes it, so a name never shows a
 * half-written file. Dot-names are staging files (rsync's, `cp` to `.x` then `mv`): they
 * are written in place and published by a rename to a plain name. Nothing here knows
 * about groups: the engine (engine_media.c) says what is in use and holds its lock over
 * the table; a handle's data is read and written without any lock. */
#ifndef VGPUFS_MEDIA_H
#define VGPUFS_MEDIA_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "bundle.h"

#define MEDIA_NAME_MAX 255
#define SHA256_HEX_LEN 64

/* A published file. */
struct media_entry {
	char name[MEDIA_NAME_MAX + 1];
	uint64_t size;
	int64_t mtime_ns;
	char sha256[SHA256_HEX_LEN + 1];
	bool generated;          /* made by the daemon (a guest ISO): removed once unused */
	struct bundle_info info; /* what it is */
};

/* The digest of a staging file written whole and in order, kept until it is renamed into
 * place so that publishing it need not read it again. */
struct media_memo {
	dev_t dev;
	ino_t ino;
	uint64_t size;
	char sha256[SHA256_HEX_LEN + 1];
};

struct media_store {
	char dir[PATH_MAX];      /* <state>/media */
	char uploads[PATH_MAX];  /* <state>/uploads */
	struct media_entry *items;  /* by name; the caller serialises access */
	size_t n;
	pthread_mutex_t lock;       /* the memos and the writers */
	struct media_memo memo[16];
	size_t memo_next;
	struct media_handle *writers;  /* open writable handles */
};

/* The rule for names in media/: 1–255 bytes of UTF-8, no '/', no control character, not
 * "." or "..". */
bool media_name_ok(const char *name);
/* A dot-name: an upload's staging file, not a published one. */
bool media_name_is_staging(const char *name);

/* Makes the directories, deletes what a crash left (uploads, staging files), and lists
 * the published files; their sha256 comes from known (the database's rows: name, size,
 * mtime) when size and mtime still match, else the file is read. */
int media_store_open(struct media_store *m, const char *state_dir,
		     const struct media_entry *known, size_t n_known, char *err, size_t err_size);
void media_store_close(struct media_store *m);

struct media_entry *media_find(struct media_store *m, const char *name);
/* Inserts or replaces e (by name). */
int media_put(struct media_store *m, const struct media_entry *e);
void media_drop(struct media_store *m, const char *name);

/* <state>/media/<name>. */
int media_path(const struct media_store *m, const char *name, char *buf, size_t size);

/* Fills out for the file now at <state>/media/<name> (or at path, when not NULL): its
 * size, mtime, sha256 (from a memo or read whole) and what it is. No lock needed. */
int media_examine(struct media_store *m, const char *name, const char *path,
		  struct media_entry *out);

/* An open file of media/. */
struct media_handle;

/* Opens name for reading, or for writing: a plain name written from scratch (create,
 * O_TRUNC) goes to an upload file until media_handle_publish; anything else is written
 * in place. mode, uid and gid are a created file's. */
int media_handle_open(struct media_store *m, const char *name, int flags, bool create,
		      mode_t mode, uid_t uid, gid_t gid, struct media_handle **out);
ssize_t media_handle_read(struct media_handle *h, char *buf, size_t size, off_t offset);
/* ENOSPC (or any write error) fails the upload: its data is dropped at once. */
ssize_t media_handle_write(struct media_handle *h, const char *buf, size_t size, off_t offset);
int media_handle_truncate(struct media_handle *h, off_t size);
int media_handle_stat(struct media_handle *h, struct stat *st);
/* The name the handle was opened on; whether it has been written since the last finish,
 * and whether it waits to be published. */
const char *media_handle_name(const struct media_handle *h);
bool media_handle_dirty(struct media_handle *h);
bool media_handle_unpublished(struct media_handle *h);
/* A write failed after the upload was published (by the close of a dup before the
 * writes, as dd makes): the published file is to go as well. */
bool media_handle_failed_after_publish(struct media_handle *h);
/* Whether <state>/media/<name> is the file the handle holds (not removed or replaced). */
bool media_handle_is_at(struct media_store *m, struct media_handle *h, const char *name);
/* Whether a handle open for writing holds name (a file in use must not change). */
bool media_being_written(struct media_store *m, const char *name);
/* Makes the written data durable (fsync) and describes it in out (as it will read once
 * published): the step of a close that needs no lock. A failed upload gives its error. */
int media_handle_finish(struct media_store *m, struct media_handle *h,
			struct media_entry *out);
/* Renames the upload into <state>/media/<name> (replacing a file of that name). Once
 * renamed it is published, even when the directory's sync then fails (its error). */
int media_handle_publish(struct media_store *m, struct media_handle *h, const char *name);
/* Runs fn on the file of an unpublished upload named name, if one is open: metadata set
 * by path on a file still being uploaded (cp -p, install, sftp) lands on the upload.
 * -ENOENT when there is none. */
int media_upload_apply(struct media_store *m, const char *name,
		       int (*fn)(int fd, const void *arg), const void *arg);
/* Closes it; an unpublished upload is deleted. */
void media_handle_close(struct media_handle *h);

/* Renames the finished file at from (in <state>/uploads) to <state>/media/<name> and
 * syncs the directory. */
int media_publish_file(struct media_store *m, const char *from, const char *name);
/* Forgets the remembered digest of the file at path (removed or cut). */
void media_forget_digest(struct media_store *m, const char *path);
/* st's mtime in ns (saturated past the year 2262). */
int64_t media_mtime_ns(const struct stat *st);
/* Remembers the digest of the file at path, made as it was written (a guest ISO), so
 * that media_examine does not read it again. */
void media_remember_digest(struct media_store *m, const char *path, const char *sha256);
/* The file's bytes' sha256 in hex. */
int media_sha256_file(const char *path, char out[SHA256_HEX_LEN + 1]);

#endif
