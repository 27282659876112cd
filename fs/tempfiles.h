/* tempfiles.h — the scratch files editors and config tools create next to the file they
 * replace (sed's sedXXXXXX, vim's 4913/.swp/~, Python's tmpXXXX, Ansible's .ansible_tmp*):
 * kept in memory, never in the engine, until renamed over an attribute (one atomic write
 * of it) or unlinked. Thread-safe. */
#ifndef VGPUFS_TEMPFILES_H
#define VGPUFS_TEMPFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define TEMPFILE_MAX (64 * 1024)

/* True for the names those tools use. */
bool tempfile_name_ok(const char *name);

int tempfile_create(const char *path, mode_t mode, uid_t uid, gid_t gid);
bool tempfile_stat(const char *path, struct stat *st);
int tempfile_read(const char *path, char *buf, size_t size, off_t offset);
int tempfile_write(const char *path, const char *buf, size_t size, off_t offset);
int tempfile_truncate(const char *path, off_t size);
int tempfile_unlink(const char *path);
int tempfile_rename(const char *from, const char *to);
int tempfile_chmod(const char *path, mode_t mode);
int tempfile_chown(const char *path, uid_t uid, gid_t gid);
int tempfile_utimens(const char *path, const struct timespec tv[2]);

/* Copies the whole content (NUL-terminated) for a rename over an attribute. */
int tempfile_content(const char *path, char *buf, size_t size, size_t *len);

/* Drops every scratch file inside dir and its subdirectories (dir was removed, or made
 * anew: its scratch files belonged to the object that is gone). */
void tempfile_drop_below(const char *dir);

/* Lists the names of the temp files directly inside dir ("" is the root). */
int tempfile_list(const char *dir, int (*fn)(const char *name, void *ctx), void *ctx);

#endif
