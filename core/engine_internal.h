/* engine_internal.h — the engine's state, shared by the engine_*.c files that implement
 * the public API (engine.h) area by area. Every function here expects the lock held. */
#ifndef VGPUFS_ENGINE_INTERNAL_H
#define VGPUFS_ENGINE_INTERNAL_H

#include <pthread.h>
#include "engine.h"
#include "events.h"
#include "groups.h"
#include "host.h"
#include "store.h"

struct engine {
	pthread_mutex_t lock;
	char host_name[256];
	struct host host;
	struct store store;
	struct groups groups;
	struct events events;
	bool maintenance;
};

/* Runs one engine operation under the lock; the body is a statement using `e`. */
#define WITH_LOCK(e, body)                            \
	do {                                          \
		pthread_mutex_lock(&(e)->lock);       \
		body;                                 \
		pthread_mutex_unlock(&(e)->lock);     \
	} while (0)

/* Records a refused change on object (its error file and the event log); returns err. */
int refuse(struct engine *e, const char *object, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Runs `change` (statements against e->store) in one committed transaction. */
int commit_change(struct engine *e, const char *object, int (*change)(struct engine *e, void *arg),
		  void *arg);

#endif
