/* tap.h — a minimal TAP producer for the unit tests (meson runs them with protocol tap). */
#ifndef VGPUFS_TAP_H
#define VGPUFS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

#define CHECK(cond)                                                                 \
	do {                                                                        \
		++tap_count;                                                        \
		if (cond) {                                                         \
			printf("ok %d - %s\n", tap_count, #cond);                   \
		} else {                                                            \
			printf("not ok %d - %s (%s:%d)\n", tap_count, #cond,        \
			       __FILE__, __LINE__);                                 \
			tap_failed++;                                               \
		}                                                                   \
	} while (0)

#define CHECK_STR(a, b)                                                             \
	do {                                                                        \
		const char *a_ = (a), *b_ = (b);                                    \
		CHECK(strcmp(a_, b_) == 0);                                         \
		if (strcmp(a_, b_))                                                 \
			printf("#   got \"%s\", want \"%s\"\n", a_, b_);           \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
