/* fuzz_input.h — what every fuzz target shares: the input turned into what the real
 * callers hand the parsers, and a check that aborts (libFuzzer reports it as a crash). */
#ifndef VGPUFS_FUZZ_INPUT_H
#define VGPUFS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property of the parser that must hold whatever the input. */
#define FUZZ_CHECK(cond)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                               \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* A sysfs file of these bytes read as core's file_read_value reads it: at most size - 1
 * bytes, NUL-terminated, one trailing newline dropped. Returns the length kept. */
static inline size_t fuzz_read_value(const uint8_t *data, size_t n, char *buf, size_t size)
{
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, data, n);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

/* A written value as a FUSE write handler passes it on (fs/tree.c's store, the
 * simulator's sim_write): NULL (refused) when longer than max or holding a NUL byte,
 * else a malloc'd NUL-terminated copy without one trailing newline. */
static inline char *fuzz_written_value(const uint8_t *data, size_t size, size_t max)
{
	char *value;

	if (size > max || memchr(data, '\0', size))
		return NULL;
	value = malloc(size + 1);
	if (!value)
		return NULL;
	memcpy(value, data, size);
	if (size && value[size - 1] == '\n')
		size--;
	value[size] = '\0';
	return value;
}

#endif
