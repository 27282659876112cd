/* store.h — the durable desired state: an sqlite3 database in the state directory (WAL,
 * synchronous=FULL, foreign keys on) with a versioned schema migrated forward at open.
 * Every change the engine acknowledges is one committed transaction: callers wrap their
 * statements in store_begin()/store_commit(), and store_rollback() on any failure, so a
 * refused or failed change leaves nothing behind. */
#ifndef VGPUFS_STORE_H
#define VGPUFS_STORE_H

#include <sqlite3.h>
#include <stddef.h>

struct store {
	sqlite3 *db;
};

static inline void sqlite3_finalizep(sqlite3_stmt **s) { sqlite3_finalize(*s); }
#define _cleanup_stmt_ __attribute__((cleanup(sqlite3_finalizep)))

/* Opens (creating if needed) <state_dir>/vgpufs.db and migrates it to the current schema. */
int store_open(struct store *s, const char *state_dir, char *err, size_t err_size);
void store_close(struct store *s);

int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* Prepares sql, binds the NULL-terminated text arguments in order, runs it to completion. */
int store_exec(struct store *s, const char *sql, ...) __attribute__((sentinel));

/* Prepares a statement for the caller to step (binds as above). */
int store_query(struct store *s, sqlite3_stmt **out, const char *sql, ...)
	__attribute__((sentinel));

#endif
