/* util.h — small helpers shared by the engine: cleanup attributes (systemd style),
 * sysfs-style file reads/writes under a root, and bounded string copies.
 * Every function returns 0 (or a count) on success and -errno on failure. */
#ifndef VGPUFS_UTIL_H
#define VGPUFS_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdbool.h>
#include <dirent.h>
#include <unistd.h>

static inline void freep(void *p) { free(*(void **)p); }
static inline void closedirp(DIR **d) { if (*d) closedir(*d); }
static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_closedir_ __attribute__((cleanup(closedirp)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A UUID as text, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", with its NUL. */
#define UUID_STR_LEN 37

/* Copies src into dst (size bytes), always NUL-terminated; -ENAMETOOLONG if cut. */
int str_copy(char *dst, size_t size, const char *src);

/* snprintf that reports truncation as -ENAMETOOLONG. */
int str_printf(char *dst, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The file helpers below count each open in COUNT_SYSFS_READS or COUNT_SYSFS_WRITES
 * (counters.h): code that touches sysfs goes through them. */

/* Reads a whole small file (sysfs attribute) into buf, strips one trailing newline.
 * Returns the length or -errno. */
int file_read_value(const char *path, char *buf, size_t size);

/* Writes value to an existing file in one write(2), as sysfs expects. */
int file_write_value(const char *path, const char *value);

/* A symlink's target, NUL-terminated (cut to size). Returns its length or -errno. */
int link_read(const char *path, char *buf, size_t size);

/* Base name of a symlink's target ("…/drivers/nvidia" -> "nvidia"). */
int link_target_name(const char *path, char *buf, size_t size);

/* A new object's identity: > 0, never reused while the process runs, so an object
 * removed and made again under the same name is told apart from the old one. */
int object_id_next(void);

/* Milliseconds on CLOCK_MONOTONIC; sleeps ms, resuming after a signal. */
long long monotonic_ms(void);
void sleep_ms(long ms);

/* Calls fn for every entry of dir (no "." / ".."), stopping at the first error. */
int dir_for_each(const char *dir, int (*fn)(const char *name, void *ctx), void *ctx);

#endif
