/* store.h — the durable desired state: an sqlite3 database in the state directory (WAL,
 * synchronous=FULL, foreign keys on) with a versioned schema migrated forward at open.
 * Every change the engine acknowledges is one committed transaction: callers wrap their
 * statements in store_begin()/store_commit(), and store_rollback() on any failure, so a
 * refused or failed change leaves nothing behind. */
#ifndef VGPUFS_STORE_H
#define VGPUFS_STORE_H

#include <limits.h>
#include <sqlite3.h>
#include <stdbool.h>
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

/* The schema version of the database in state_dir, read for `vgpufs --check` without
 * writing anything: not the database, and not sqlite's -wal or -shm either. A database
 * with no -wal is read as an immutable file. A WAL database (the daemon runs, or was
 * killed) is read through its -wal and with its -shm opened read-only; a -wal without a
 * -shm cannot be read that way, so then only the main file is read (wal_unread). */
struct store_schema {
	char path[PATH_MAX];  /* <state_dir>/vgpufs.db */
	bool exists;
	int version;          /* PRAGMA user_version, when it exists */
	int latest;           /* the version this vgpufs migrates to */
	bool wal_unread;
};
int store_read_schema(const char *state_dir, struct store_schema *out, char *err,
		      size_t err_size);

#endif
