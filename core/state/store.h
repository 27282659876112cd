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

struct field; /* fields.h: the tables that name a kind's columns */

static inline void sqlite3_finalizep(sqlite3_stmt **s) { sqlite3_finalize(*s); }
#define _cleanup_stmt_ __attribute__((cleanup(sqlite3_finalizep)))

/* Opens (creating if needed) <state_dir>/vgpufs.db and migrates it to the current schema. */
int store_open(struct store *s, const char *state_dir, char *err, size_t err_size);
void store_close(struct store *s);

/* A commit that succeeds counts in COUNT_SQL_TRANSACTIONS, a rollback of an open
 * transaction in COUNT_SQL_ROLLBACKS (counters.h). */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* Prepares sql, binds the NULL-terminated text arguments in order, runs it to completion. */
int store_exec(struct store *s, const char *sql, ...) __attribute__((sentinel));

/* Adds to table the columns of fields it lacks (a field added to a table since the
 * database was made), each with the field's initial value as its default: a new field
 * needs no migration of its own. */
int store_add_columns(struct store *s, const char *table, const struct field *fields);

/* SELECT keys, <every field's column> FROM table ORDER BY rowid, for the caller to step;
 * store_load_fields() takes the fields from the column after the keys. */
int store_select(struct store *s, sqlite3_stmt **out, const char *table, const char *keys,
		 const struct field *fields);

/* UPDATE table SET <every field of obj> WHERE key1 = value1 AND …: the arguments after
 * obj are column, value pairs, NULL-terminated. */
int store_update(struct store *s, const char *table, const struct field *fields,
		 const void *obj, ...) __attribute__((sentinel));

/* Prepares a statement for the caller to step (binds as above). */
int store_query(struct store *s, sqlite3_stmt **out, const char *sql, ...)
	__attribute__((sentinel));

/* Sets every field of obj from row columns first, first + 1, … in table order. */
void store_load_fields(const struct field *table, sqlite3_stmt *row, int first, void *obj);

/* Column i of the current row as text, "" for NULL. */
const char *store_column(sqlite3_stmt *st, int i);

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
/* The same, leaving s open read-only when the database exists (s->db NULL otherwise);
 * store_close(s) in every case. */
int store_open_readonly(const char *state_dir, struct store *s, struct store_schema *out,
			char *err, size_t err_size);

#endif
