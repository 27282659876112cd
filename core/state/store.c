/* store.c — see store.h. Migrations are an append-only list: migration N takes the
 * database from user_version N to N+1 inside one transaction, so a crash mid-migration
 * leaves the previous version intact. */
#include "store.h"
#include "counters.h"
#include "fields.h"
#include "util.h"
#include "value.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

static const char *const migrations[] = {
	/* 0 -> 1: resource groups, their rules, host settings */
	"CREATE TABLE host_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE groups ("
	"  name TEXT PRIMARY KEY,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  class TEXT NOT NULL DEFAULT 'vgpu',"
	"  driver TEXT NOT NULL DEFAULT '',"
	"  profile TEXT NOT NULL DEFAULT '',"
	"  make_guest_iso INTEGER NOT NULL DEFAULT 0,"
	"  driver_iso TEXT NOT NULL DEFAULT '',"
	"  policy TEXT NOT NULL DEFAULT 'depth-first');"
	"CREATE TABLE rules ("
	"  group_name TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  node TEXT NOT NULL,"
	"  vendor TEXT NOT NULL DEFAULT '',"
	"  device TEXT NOT NULL DEFAULT '',"
	"  slot TEXT NOT NULL DEFAULT '',"
	"  enabled INTEGER NOT NULL DEFAULT 1,"
	"  PRIMARY KEY (group_name, name));",
	/* 1 -> 2: VM devices and the vGPUs made for them. A vGPU row's state is the
	 * allocation journal: 'creating' rows are rolled back at start, 'removing' rows are
	 * finished, 'created' rows are re-created on the host if missing (a reboot). */
	"CREATE TABLE vms (uuid TEXT PRIMARY KEY, tenant TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE devices ("
	"  vm_uuid TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  group_name TEXT NOT NULL DEFAULT '',"
	"  count INTEGER NOT NULL DEFAULT 1,"
	"  attach_guest_drivers INTEGER NOT NULL DEFAULT 0,"
	"  frame_rate_limit INTEGER NOT NULL DEFAULT 0,"
	"  disable_console_vnc INTEGER NOT NULL DEFAULT 0,"
	"  enable_unified_memory INTEGER NOT NULL DEFAULT 0,"
	"  enable_cuda_debuggers INTEGER NOT NULL DEFAULT 0,"
	"  enable_cuda_profilers INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (vm_uuid, name));"
	"CREATE TABLE vgpus ("
	"  uuid TEXT PRIMARY KEY,"
	"  vm_uuid TEXT NOT NULL,"
	"  device TEXT NOT NULL,"
	"  gpu TEXT NOT NULL,"
	"  slot TEXT NOT NULL,"
	"  type_id TEXT NOT NULL,"
	"  profile TEXT NOT NULL,"
	"  params TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL CHECK (state IN ('creating', 'created', 'removing')));",
	/* 2 -> 3: each GPU model's vGPU types, so that a start need not read them again
	 * (vgpu_type.h: struct catalogue; the key holds the driver version) */
	"CREATE TABLE gpu_types ("
	"  catalogue TEXT NOT NULL,"
	"  position INTEGER NOT NULL,"
	"  type_id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  profile TEXT NOT NULL,"
	"  series TEXT NOT NULL,"
	"  max_resolution TEXT NOT NULL,"
	"  framebuffer_mib INTEGER NOT NULL,"
	"  heads INTEGER NOT NULL,"
	"  frl INTEGER NOT NULL,"
	"  max_instances INTEGER NOT NULL,"
	"  PRIMARY KEY (catalogue, position));",
	/* 3 -> 4: the media store's files as last published (media.h): their digests, so
	 * that a start reads only files changed since */
	"CREATE TABLE media_files ("
	"  name TEXT PRIMARY KEY,"
	"  size INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  generated INTEGER NOT NULL DEFAULT 0);",
	/* 4 -> 5: tenants (their fields are added by store_add_columns) */
	"CREATE TABLE tenants (name TEXT PRIMARY KEY);",
	/* 5 -> 6: tenants' shares (their fields, device_fields, are added by store_add_columns)
	 * and the nodes made in tenants/<t>/nodes */
	"CREATE TABLE shares ("
	"  tenant TEXT NOT NULL,"
	"  node TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  PRIMARY KEY (tenant, node, name));"
	"CREATE TABLE tenant_nodes ("
	"  tenant TEXT NOT NULL,"
	"  node TEXT NOT NULL,"
	"  PRIMARY KEY (tenant, node));",
};

static int sqlite_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW: return 0;
	case SQLITE_NOMEM: return -ENOMEM;
	case SQLITE_BUSY: case SQLITE_LOCKED: return -EBUSY;
	case SQLITE_FULL: return -ENOSPC;
	case SQLITE_CONSTRAINT: return -EEXIST;
	case SQLITE_READONLY: case SQLITE_PERM: return -EROFS;
	case SQLITE_CANTOPEN: return -ENOENT;
	default: return -EIO;
	}
}

static int exec_sql(struct store *s, const char *sql)
{
	return sqlite_errno(sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

/* The schema version the database is at (PRAGMA user_version). */
static int store_schema_version(struct store *s)
{
	sqlite3_stmt *st;
	int v = -EIO;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int migrate(struct store *s, char *err, size_t err_size)
{
	int v = store_schema_version(s), r;
	char sql[64];

	if (v < 0)
		return v;
	if ((size_t)v > ARRAY_SIZE(migrations)) {
		snprintf(err, err_size, "state database schema %d is newer than this vgpufs (%zu)",
			 v, ARRAY_SIZE(migrations));
		return -EPROTO;
	}
	for (; (size_t)v < ARRAY_SIZE(migrations); v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		r = store_begin(s);
		if (r >= 0)
			r = exec_sql(s, migrations[v]);
		if (r >= 0)
			r = exec_sql(s, sql);
		if (r >= 0)
			r = store_commit(s);
		if (r < 0) {
			store_rollback(s);
			snprintf(err, err_size, "migrating state schema to %d: %s", v + 1,
				 sqlite3_errmsg(s->db));
			return r;
		}
	}
	return 0;
}

int store_open(struct store *s, const char *state_dir, char *err, size_t err_size)
{
	char path[PATH_MAX];
	int r;

	if (mkdir(state_dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, err_size, "cannot create state directory %s: %s", state_dir,
			 strerror(errno));
		return -errno;
	}
	r = str_printf(path, sizeof(path), "%s/vgpufs.db", state_dir);
	if (r < 0)
		return r;
	r = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL);
	if (r != SQLITE_OK) {
		snprintf(err, err_size, "cannot open %s: %s", path, sqlite3_errstr(r));
		store_close(s);
		return sqlite_errno(r);
	}
	sqlite3_busy_timeout(s->db, 5000);
	r = exec_sql(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
		     "PRAGMA foreign_keys=ON;");
	if (r >= 0)
		r = migrate(s, err, err_size);
	if (r < 0) {
		if (!err[0])
			snprintf(err, err_size, "%s: %s", path, sqlite3_errmsg(s->db));
		store_close(s);
	}
	return r;
}

void store_close(struct store *s)
{
	sqlite3_close(s->db);
	s->db = NULL;
}

int store_begin(struct store *s)
{
	assert(sqlite3_get_autocommit(s->db)); /* transactions do not nest */
	return exec_sql(s, "BEGIN IMMEDIATE");
}

int store_commit(struct store *s)
{
	int r = exec_sql(s, "COMMIT");

	if (r >= 0)
		count(COUNT_SQL_TRANSACTIONS);
	return r;
}

void store_rollback(struct store *s)
{
	if (sqlite3_get_autocommit(s->db))
		return; /* no transaction open: nothing to roll back, nothing to count */
	count(COUNT_SQL_ROLLBACKS);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int prepare(struct store *s, sqlite3_stmt **out, const char *sql, va_list ap)
{
	const char *arg;
	int i = 1;

	if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK)
		return -EIO;
	while ((arg = va_arg(ap, const char *)))
		if (sqlite3_bind_text(*out, i++, arg, -1, SQLITE_TRANSIENT) != SQLITE_OK)
			return -EIO;
	return 0;
}

int store_exec(struct store *s, const char *sql, ...)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	va_list ap;
	int r;

	va_start(ap, sql);
	r = prepare(s, &st, sql, ap);
	va_end(ap);
	if (r < 0)
		return r;
	return sqlite_errno(sqlite3_step(st));
}

int store_query(struct store *s, sqlite3_stmt **out, const char *sql, ...)
{
	va_list ap;
	int r;

	va_start(ap, sql);
	r = prepare(s, out, sql, ap);
	va_end(ap);
	if (r < 0) {
		sqlite3_finalize(*out);
		*out = NULL;
	}
	return r;
}

static int list_columns(const struct field *table, const char *suffix, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (const struct field *f = table; f->name; f++) {
		int n = snprintf(buf + len, size - len, "%s%s%s", len ? ", " : "", f->column, suffix);

		if (n < 0 || (size_t)n >= size - len)
			return -ENAMETOOLONG;
		len += (size_t)n;
	}
	return 0;
}

static int fields_columns(const struct field *table, char *buf, size_t size)
{
	return list_columns(table, "", buf, size);
}

static int fields_assignments(const struct field *table, char *buf, size_t size)
{
	return list_columns(table, " = ?", buf, size);
}

static int fields_bind(const struct field *table, sqlite3_stmt *st, int first, const void *obj)
{
	int n = 0;

	for (const struct field *f = table; f->name; f++, n++) {
		char value[VALUE_SIZE_MAX + 1];

		field_format(f, obj, value, sizeof(value));
		if (sqlite3_bind_text(st, first + n, value, -1, SQLITE_TRANSIENT) != SQLITE_OK)
			return -EIO;
	}
	return n;
}

void store_load_fields(const struct field *table, sqlite3_stmt *row, int first, void *obj)
{
	for (const struct field *f = table; f->name; f++, first++) {
		const char *text = (const char *)sqlite3_column_text(row, first);

		if (f->type == FIELD_BOOL)
			*(bool *)field_at(f, obj) = sqlite3_column_int(row, first) != 0;
		else if (f->type == FIELD_UINT)
			*(unsigned *)field_at(f, obj) = (unsigned)sqlite3_column_int64(row, first);
		else
			str_copy(field_at(f, obj), f->size, text ? text : "");
	}
}

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* A "file:" URI for path with params: '%', '?' and '#' would end or escape the path. An
 * absolute path gets an empty authority ("file:///…"), so "//x" is never a host name. */
static int file_uri(char *buf, size_t size, const char *path, const char *params)
{
	size_t n = 0;
	int r = str_copy(buf, size, path[0] == '/' ? "file://" : "file:");

	if (r < 0)
		return r;
	n = strlen(buf);
	for (const char *p = path; *p; p++) {
		if (n + 4 >= size)
			return -ENAMETOOLONG;
		if (*p == '%' || *p == '?' || *p == '#')
			n += (size_t)snprintf(buf + n, size - n, "%%%02X", (unsigned char)*p);
		else
			buf[n++] = *p;
	}
	buf[n] = '\0';
	r = str_printf(buf + n, size - n, "?%s", params);
	return r < 0 ? r : 0;
}

int store_open_readonly(const char *state_dir, struct store *s, struct store_schema *out,
			char *err, size_t err_size)
{
	char wal[PATH_MAX + 8], shm[PATH_MAX + 8], uri[3 * PATH_MAX + 64];
	bool has_wal, has_shm;
	int r;

	memset(out, 0, sizeof(*out));
	*s = (struct store){ NULL };
	out->latest = (int)ARRAY_SIZE(migrations);
	r = str_printf(out->path, sizeof(out->path), "%s/vgpufs.db", state_dir);
	if (r < 0)
		return r;
	if (!file_exists(out->path)) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		snprintf(err, err_size, "%s", strerror(errno));
		return -errno;
	}
	out->exists = true;
	snprintf(wal, sizeof(wal), "%s-wal", out->path);
	snprintf(shm, sizeof(shm), "%s-shm", out->path);
	has_wal = file_exists(wal);
	has_shm = file_exists(shm);
	/* Plain read-only would create a missing -wal and -shm, and write read marks into an
	 * existing -shm; readonly_shm makes sqlite copy the -shm and leave it alone. */
	if (has_wal && has_shm)
		r = file_uri(uri, sizeof(uri), out->path, "mode=ro&readonly_shm=1");
	else
		r = file_uri(uri, sizeof(uri), out->path, "immutable=1");
	out->wal_unread = has_wal && !has_shm;
	if (r < 0)
		return r;
	r = sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	if (r == SQLITE_OK) {
		sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
		sqlite3_busy_timeout(s->db, 5000);
		out->version = store_schema_version(s);
		r = out->version < 0 ? SQLITE_ERROR : SQLITE_OK;
	}
	if (r == SQLITE_OK)
		return 0;
	snprintf(err, err_size, "%s", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(r));
	store_close(s);
	return sqlite_errno(r) < 0 ? sqlite_errno(r) : -EIO;
}

int store_read_schema(const char *state_dir, struct store_schema *out, char *err,
		      size_t err_size)
{
	struct store s;
	int r = store_open_readonly(state_dir, &s, out, err, err_size);

	store_close(&s);
	return r;
}

int store_update(struct store *s, const char *table, const struct field *fields,
		 const void *obj, ...)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	char assignments[1024], sql[1536];
	const char *column;
	size_t len;
	int n = 1, r = fields_assignments(fields, assignments, sizeof(assignments));
	va_list ap;

	if (r >= 0)
		r = str_printf(sql, sizeof(sql), "UPDATE %s SET %s WHERE", table, assignments);
	va_start(ap, obj);
	while (r >= 0 && (column = va_arg(ap, const char *))) {
		(void)va_arg(ap, const char *);
		len = strlen(sql);
		r = str_printf(sql + len, sizeof(sql) - len, "%s %s = ?", n++ > 1 ? " AND" : "",
			       column);
	}
	va_end(ap);
	if (r >= 0 && sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		r = -EIO;
	if (r >= 0)
		r = fields_bind(fields, st, 1, obj);
	n = r + 1; /* the keys' parameters follow the fields' */
	va_start(ap, obj);
	while (r >= 0 && (column = va_arg(ap, const char *)))
		if (sqlite3_bind_text(st, n++, va_arg(ap, const char *), -1,
				      SQLITE_TRANSIENT) != SQLITE_OK)
			r = -EIO;
	va_end(ap);
	return r < 0 ? r : sqlite_errno(sqlite3_step(st));
}

int store_select(struct store *s, sqlite3_stmt **out, const char *table, const char *keys,
		 const struct field *fields)
{
	char columns[1024], sql[1536];
	int r = fields_columns(fields, columns, sizeof(columns));

	if (r >= 0)
		r = str_printf(sql, sizeof(sql), "SELECT %s, %s FROM %s ORDER BY rowid", keys,
			       columns, table);
	return r < 0 ? r : store_query(s, out, sql, NULL);
}

static bool has_column(struct store *s, const char *table, const char *column)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	char sql[128];
	bool found = false;

	if (str_printf(sql, sizeof(sql), "PRAGMA table_info(%s)", table) < 0 ||
	    store_query(s, &st, sql, NULL) < 0)
		return false;
	while (!found && sqlite3_step(st) == SQLITE_ROW)
		found = !strcmp((const char *)sqlite3_column_text(st, 1), column);
	return found;
}

int store_add_columns(struct store *s, const char *table, const struct field *fields)
{
	int r = 0;

	for (const struct field *f = fields; f->name && r >= 0; f++) {
		bool number = f->type == FIELD_BOOL || f->type == FIELD_UINT;
		char sql[512], initial[128];

		if (has_column(s, table, f->column))
			continue;
		/* the table's own names and values, never a user's: no quoting needed */
		str_copy(initial, sizeof(initial), f->initial ? f->initial : number ? "0" : "");
		r = str_printf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s NOT NULL "
			       "DEFAULT %s%s%s", table, f->column, number ? "INTEGER" : "TEXT",
			       number ? "" : "'", initial, number ? "" : "'");
		if (r >= 0)
			r = exec_sql(s, sql);
	}
	return r;
}

const char *store_column(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}
