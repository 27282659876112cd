/* util.c — see util.h. */
#include "util.h"
#include "counters.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

int str_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size) {
		if (size) {
			memcpy(dst, src, size - 1);
			dst[size - 1] = '\0';
		}
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int str_printf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return (size_t)n >= size ? -ENAMETOOLONG : n;
}

int file_read_value(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = -1;
	ssize_t n, total = 0;

	count(COUNT_SYSFS_READS);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		total += n;
	}
	buf[total] = '\0';
	if (total > 0 && buf[total - 1] == '\n')
		buf[--total] = '\0';
	return (int)total;
}

int file_write_value(const char *path, const char *value)
{
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t n;

	count(COUNT_SYSFS_WRITES);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int link_read(const char *path, char *buf, size_t size)
{
	ssize_t n;

	count(COUNT_SYSFS_READS);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

int link_target_name(const char *path, char *buf, size_t size)
{
	char target[PATH_MAX];
	const char *base;
	int r = link_read(path, target, sizeof(target));

	if (r < 0)
		return r;
	base = strrchr(target, '/');
	return str_copy(buf, size, base ? base + 1 : target);
}

int dir_for_each(const char *dir, int (*fn)(const char *name, void *ctx), void *ctx)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	int r;

	count(COUNT_SYSFS_READS);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		r = fn(e->d_name, ctx);
		if (r < 0)
			return r;
	}
	return 0;
}

long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int object_id_next(void)
{
	static int last;

	return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}
