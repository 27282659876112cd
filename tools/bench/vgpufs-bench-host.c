/*
 * vgpufs-bench-host: what changing a vGPU host through a mounted vgpufs costs,
 * each next to a baseline measured in the same run (run.sh drives it):
 *
 *   writes      durable attribute writes and group mkdir+rmdir through the mount,
 *               then the same number of plain sqlite transactions (WAL,
 *               synchronous=FULL) on a database in a directory of your choice;
 *   gen-vms     a libvirt test-driver host with N shut-off domains (vm0000, ...);
 *   attach      mkdir vms/VM/devices/gpu0 + write its group, for a range of VMs;
 *   detach      rmdir vms/VM/devices/gpu0, for a range of VMs;
 *   redefine    the libvirt baseline: virDomainGetXMLDesc + virDomainDefineXML of
 *               the same domains, in-process on the same test-driver file;
 *   mdev        the kernel-side baseline: UUIDs written straight to the
 *               simulator's create files, " " to the first ones' vgpu_params
 *               (as the daemon writes for a device with default options), then
 *               1 to each remove;
 *   sum         a baseline made of other rows: the sum of their times per
 *               operation (the necessary parts of an attach or a detach);
 *   wait-mount  returns as soon as a mount point answers (start-up timing);
 *   work        prints the daemon's counts so far, as a row's WORK field;
 *   table       prints the rows the other commands wrote, with the ratios.
 *
 * The measuring commands print rows, one a line, tab-separated:
 *   SECTION KIND KEY LABEL N VALUE BASEKEY [WORK]
 * KIND is "rate" (N operations took VALUE seconds), "time" (VALUE seconds for
 * N items; N may be 0), "sum" (VALUE seconds per operation) or "mem" (VALUE
 * KiB).  BASEKEY names the row the ratio is taken against, or "-".  The ratio
 * is always a cost ratio: time per operation, total time or memory, divided by
 * the baseline's.  WORK is what the daemon counted over the N operations (or
 * for the one item of a "time" row), "SYSFS_READS,SYSFS_WRITES,LIBVIRT,SQL"
 * (daemon-work.h), or "-" (or no field) for a baseline.  Nothing here asserts
 * a time: it reports, people judge.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include "daemon-work.h"
#include "store.h"
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VM_NAME_FORMAT "vm%04d"
#define VM_UUID_FORMAT "6f1d2c3e-0000-4000-8000-%012d"
#define DEVICE_NAME "gpu0"
#define MAX_ROWS 256

static const char *section = "-";
static double bench_seconds = 1.0;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vgpufs-bench-host: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((format(printf, 3, 4)))
static void format_path(char *out, size_t size, const char *format, ...)
{
	va_list ap;
	int n;

	va_start(ap, format);
	n = vsnprintf(out, size, format, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		die("path too long: %s", format);
}

/* A row's WORK field, and the line's end. */
static void put_work(const struct work *work)
{
	if (work && work->known)
		printf("%.9g,%.9g,%.9g,%.9g\n", work->n[WORK_SYSFS_READS], work->n[WORK_SYSFS_WRITES],
		       work->n[WORK_LIBVIRT], work->n[WORK_SQL]);
	else
		printf("-\n");
}

/* Labels hold no tab or newline: they are fields of a row.  work: the daemon's
 * over the row's operations, or NULL for a baseline. */
static void row_work(const char *kind, const char *key, const char *label, long n, double value,
		     const char *base, const struct work *work)
{
	printf("%s\t%s\t%s\t%s\t%ld\t%.9g\t%s\t", section, kind, key, label, n, value,
	       base ? base : "-");
	put_work(work);
	fflush(stdout);
}

static void row(const char *kind, const char *key, const char *label, long n, double value,
		const char *base)
{
	row_work(kind, key, label, n, value, base, NULL);
}

/* open + one write of the whole value + close, as `echo value > path` does. */
static int write_value(const char *path, const char *value, int flags)
{
	size_t len = strlen(value);
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0) {
		int saved = errno;

		close(fd);
		return -saved;
	}
	if (close(fd) < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int read_value(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

/* The object's error file, for a failure message. */
static const char *error_of(const char *dir)
{
	static char text[1024];
	char path[PATH_MAX];

	format_path(path, sizeof(path), "%s/error", dir);
	if (read_value(path, text, sizeof(text)) < 0)
		return "(no error file)";
	return text;
}

/* ---- sqlite baseline ---------------------------------------------------- */

static void sql_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die("sqlite: %s: %s", sql, err ? err : sqlite3_errmsg(db));
}

/* BEGIN IMMEDIATE; sql with one text parameter; COMMIT: one durable commit. */
static void sql_commit_one(sqlite3 *db, sqlite3_stmt *st, const char *arg1, const char *arg2)
{
	sql_exec(db, "BEGIN IMMEDIATE");
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, arg1, -1, SQLITE_TRANSIENT);
	if (arg2)
		sqlite3_bind_text(st, 2, arg2, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		die("sqlite step: %s", sqlite3_errmsg(db));
	sql_exec(db, "COMMIT");
}

/* The daemon's own database (core/store.c: same schema, same pragmas) in directory dir,
 * made afresh, so that the baseline's commits touch exactly what the daemon's do. */
static sqlite3 *baseline_open(const char *dir)
{
	static const char *const files[] = { "vgpufs.db", "vgpufs.db-wal", "vgpufs.db-shm" };
	static struct store store;
	char path[PATH_MAX], err[256] = "";

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		format_path(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	if (store_open(&store, dir, err, sizeof(err)) < 0)
		die("baseline database in %s: %s", dir, err);
	sql_exec(store.db, "INSERT INTO groups (name) VALUES ('bench-attr')");
	return store.db;
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die("sqlite prepare %s: %s", sql, sqlite3_errmsg(db));
	return st;
}

static int cmd_writes(const char *mount, const char *db_dir, long min_ops)
{
	char group[PATH_MAX], attr[PATH_MAX], dir[PATH_MAX], value[64], name[64], label[256];
	double start, elapsed;
	long ops = 0, pairs = 0;
	sqlite3 *db;
	sqlite3_stmt *st, *del;
	struct work before, after, work;
	int r;

	format_path(group, sizeof(group), "%s/groups/bench-attr", mount);
	if (mkdir(group, 0755) < 0 && errno != EEXIST)
		die("mkdir %s: %s", group, strerror(errno));
	format_path(attr, sizeof(attr), "%s/description", group);

	/* 1. durable attribute writes: each value differs from the last, so each commits */
	before = work_read(mount);
	start = now_seconds();
	do {
		snprintf(value, sizeof(value), "bench value %ld\n", ops);
		r = write_value(attr, value, O_TRUNC);
		if (r < 0)
			die("write %s: %s (%s)", attr, strerror(-r), error_of(group));
		ops++;
		elapsed = now_seconds() - start;
	} while (elapsed < bench_seconds || ops < min_ops);
	after = work_read(mount);
	work = work_between(&before, &after);
	row_work("rate", "desc", "write groups/G/description (open+write+close)", ops, elapsed,
		 "sql-update", &work);

	db = baseline_open(db_dir);
	st = prepare(db, "UPDATE groups SET description = ? WHERE name = ?");
	start = now_seconds();
	for (long i = 0; i < ops; i++) {
		snprintf(value, sizeof(value), "bench value %ld", i);
		sql_commit_one(db, st, value, "bench-attr");
	}
	elapsed = now_seconds() - start;
	sqlite3_finalize(st);
	row("rate", "sql-update", "  baseline: sqlite BEGIN+UPDATE+COMMIT", ops, elapsed, NULL);

	/* 2. groups made and removed */
	before = work_read(mount);
	start = now_seconds();
	do {
		format_path(dir, sizeof(dir), "%s/groups/bench-g%ld", mount, pairs);
		if (mkdir(dir, 0755) < 0)
			die("mkdir %s: %s", dir, strerror(errno));
		if (rmdir(dir) < 0)
			die("rmdir %s: %s", dir, strerror(errno));
		pairs++;
		elapsed = now_seconds() - start;
	} while (elapsed < bench_seconds || pairs < min_ops);
	after = work_read(mount);
	work = work_between(&before, &after);
	row_work("rate", "mkrm", "mkdir+rmdir groups/G", pairs, elapsed, "sql-insdel", &work);

	st = prepare(db, "INSERT INTO groups (name) VALUES (?)");
	del = prepare(db, "DELETE FROM groups WHERE name = ?");
	start = now_seconds();
	for (long i = 0; i < pairs; i++) {
		snprintf(name, sizeof(name), "bench-g%ld", i);
		sql_commit_one(db, st, name, NULL);
		sql_commit_one(db, del, name, NULL);
	}
	elapsed = now_seconds() - start;
	sqlite3_finalize(st);
	sqlite3_finalize(del);
	sqlite3_close(db);
	snprintf(label, sizeof(label), "  baseline: sqlite INSERT txn + DELETE txn");
	row("rate", "sql-insdel", label, pairs, elapsed, NULL);

	if (rmdir(group) < 0)
		die("rmdir %s: %s", group, strerror(errno));
	return 0;
}

/* ---- libvirt test-driver host -------------------------------------------- */

static int cmd_gen_vms(long count, const char *out_path)
{
	FILE *f = fopen(out_path, "w");

	if (!f)
		die("cannot create %s: %s", out_path, strerror(errno));
	fprintf(f, "<!-- %ld shut-off domains for vgpufs-bench-host -->\n<node>\n", count);
	for (long i = 0; i < count; i++) {
		fprintf(f, "  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
			   "    <name>" VM_NAME_FORMAT "</name>\n"
			   "    <uuid>" VM_UUID_FORMAT "</uuid>\n"
			   "    <memory unit='GiB'>4</memory>\n"
			   "    <vcpu>2</vcpu>\n"
			   "    <os><type arch='x86_64'>hvm</type></os>\n"
			   "    <devices>\n"
			   "      <disk type='file' device='disk'>\n"
			   "        <source file='/var/lib/libvirt/images/" VM_NAME_FORMAT ".qcow2'/>\n"
			   "        <target dev='vda' bus='virtio'/>\n"
			   "      </disk>\n"
			   "      <interface type='network'><source network='default'/></interface>\n"
			   "    </devices>\n"
			   "    <test:runstate>5</test:runstate>\n"
			   "  </domain>\n", (int)i, (int)i, (int)i);
	}
	fprintf(f, "</node>\n");
	if (fclose(f) != 0)
		die("cannot write %s: %s", out_path, strerror(errno));
	return 0;
}

/* ---- attach and detach through the mount ---------------------------------- */

/* A run of attaches or detaches on consecutive VMs, and how to label its rows. */
struct series {
	const char *key, *what, *base; /* row key, "attach count=4", the baseline's key */
	long first;                    /* the first VM's number */
	long vms;                      /* the domains libvirt holds (0: not said) */
	long chunks;                   /* rows for parts of the run, besides the whole */
	long vgpus_before, vgpus_step; /* vGPUs on the host before the first op; change per op */
};

/* "attach vm0003-vm0007 of 1000 VMs, all 5 (host holds 0-4 vGPUs)" for ops [a, b). */
static void range_label(char *buf, size_t size, const struct series *s, long a, long b,
			const char *all)
{
	char vms[64], of[32] = "", held[64];
	long held_first = s->vgpus_before + a * s->vgpus_step;
	long held_last = s->vgpus_before + (b - 1) * s->vgpus_step;

	if (b - a == 1)
		snprintf(vms, sizeof(vms), VM_NAME_FORMAT, (int)(s->first + a));
	else
		snprintf(vms, sizeof(vms), VM_NAME_FORMAT "-" VM_NAME_FORMAT, (int)(s->first + a),
			 (int)(s->first + b - 1));
	if (s->vms > 0)
		snprintf(of, sizeof(of), " of %ld VMs", s->vms);
	if (held_first == held_last)
		snprintf(held, sizeof(held), "%ld", held_first);
	else
		snprintf(held, sizeof(held), "%ld-%ld", held_first, held_last);
	snprintf(buf, size, "%s %s%s%s (host holds %s vGPUs)", s->what, vms, of, all, held);
}

/* One row for ops [a, b): times[i] is op i's duration, counts[i] the daemon's
 * counters before it (counts[n] after the last). */
static void range_row(const struct series *s, const char *key, long a, long b,
		      const double *times, const struct work *counts, const char *all)
{
	char label[256];
	struct work work = work_between(&counts[a], &counts[b]);
	double sum = 0;

	for (long i = a; i < b; i++)
		sum += times[i];
	range_label(label, sizeof(label), s, a, b, all);
	row_work("rate", key, label, b - a, sum, s->base, &work);
}

/* Rows for the n ops split in s->chunks ranges, so that a cost that grows with
 * what the host already holds shows, then one for all of them. */
static void rate_rows(const struct series *s, const double *times, const struct work *counts,
		      long n)
{
	long chunks = s->chunks > n ? n : s->chunks;
	char chunk_key[64], all[32] = "";

	for (long c = 0; chunks > 1 && c < chunks; c++) {
		snprintf(chunk_key, sizeof(chunk_key), "%s-%ld", s->key, c + 1);
		range_row(s, chunk_key, n * c / chunks, n * (c + 1) / chunks, times, counts, "");
	}
	if (n > 1 && chunks > 1)
		snprintf(all, sizeof(all), ", all %ld", n);
	range_row(s, s->key, 0, n, times, counts, all);
}

/* mkdir vms/VM/devices/gpu0, then its count (unless 1) and group. */
static void attach_one(const char *mount, long vm, const char *group, long count)
{
	char dir[PATH_MAX], path[PATH_MAX], value[128];
	int r;

	format_path(dir, sizeof(dir), "%s/vms/" VM_NAME_FORMAT "/devices/" DEVICE_NAME, mount,
		    (int)vm);
	if (mkdir(dir, 0755) < 0)
		die("mkdir %s: %s", dir, strerror(errno));
	if (count != 1) {
		format_path(path, sizeof(path), "%s/count", dir);
		snprintf(value, sizeof(value), "%ld\n", count);
		if ((r = write_value(path, value, O_TRUNC)) < 0)
			die("write %s: %s (%s)", path, strerror(-r), error_of(dir));
	}
	format_path(path, sizeof(path), "%s/group", dir);
	snprintf(value, sizeof(value), "%s\n", group);
	if ((r = write_value(path, value, O_TRUNC)) < 0)
		die("write %s: %s (%s)", path, strerror(-r), error_of(dir));
}

static void detach_one(const char *mount, long vm)
{
	char dir[PATH_MAX];

	format_path(dir, sizeof(dir), "%s/vms/" VM_NAME_FORMAT "/devices/" DEVICE_NAME, mount,
		    (int)vm);
	if (rmdir(dir) < 0)
		die("rmdir %s: %s (%s)", dir, strerror(errno), error_of(dir));
}

/* Attaches (group set) or detaches (group NULL) VMs s->first..last, each timed on
 * its own, the daemon's counters read between them, outside the timing. */
static int cmd_devices(const char *mount, const char *group, long last, long count,
		       const struct series *s)
{
	long n = last - s->first + 1;
	double *times = calloc(n > 0 ? n : 1, sizeof(*times));
	struct work *counts = calloc(n > 0 ? n + 1 : 1, sizeof(*counts));

	if (!times || !counts || n <= 0)
		die("%s: empty range", group ? "attach" : "detach");
	counts[0] = work_read(mount);
	for (long i = 0; i < n; i++) {
		double t = now_seconds();

		if (group)
			attach_one(mount, s->first + i, group, count);
		else
			detach_one(mount, s->first + i);
		times[i] = now_seconds() - t;
		counts[i + 1] = work_read(mount);
	}
	rate_rows(s, times, counts, n);
	free(times);
	free(counts);
	return 0;
}

/* ---- libvirt baseline ------------------------------------------------------ */

static void quiet_libvirt_errors(void *opaque, virErrorPtr err)
{
	(void)opaque;
	(void)err;
}

static int cmd_redefine(const char *uri, long first, long last, const char *open_section)
{
	const char *saved = section;

	double start, elapsed;
	virConnectPtr conn;
	char label[256];
	long n = last - first + 1;
	int domains;

	virSetErrorFunc(NULL, quiet_libvirt_errors);
	start = now_seconds();
	conn = virConnectOpen(uri);
	elapsed = now_seconds() - start;
	if (!conn)
		die("cannot open %s: %s", uri, virGetLastErrorMessage());
	domains = virConnectNumOfDefinedDomains(conn) + virConnectNumOfDomains(conn);
	snprintf(label, sizeof(label), "libvirt test driver open, %d domains (in-process)", domains);
	section = open_section ? open_section : section;
	row("time", "virt-open", label, 0, elapsed, NULL);
	section = saved;

	start = now_seconds();
	for (long i = first; i <= last; i++) {
		char name[64];
		virDomainPtr dom, again;
		char *xml;

		snprintf(name, sizeof(name), VM_NAME_FORMAT, (int)i);
		dom = virDomainLookupByName(conn, name);
		if (!dom)
			die("no domain %s: %s", name, virGetLastErrorMessage());
		xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
		if (!xml)
			die("XML of %s: %s", name, virGetLastErrorMessage());
		again = virDomainDefineXML(conn, xml);
		if (!again)
			die("define %s: %s", name, virGetLastErrorMessage());
		virDomainFree(again);
		virDomainFree(dom);
		free(xml);
	}
	elapsed = now_seconds() - start;
	snprintf(label, sizeof(label), "  baseline: libvirt lookup+GetXMLDesc+DefineXML, %d domains",
		 domains);
	row("rate", "virt-redef", label, n, elapsed, NULL);
	virConnectClose(conn);
	return 0;
}

/* ---- mdev baseline --------------------------------------------------------- */

struct slot {
	char create[PATH_MAX];
	long available;
};

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The create files of every mdev parent whose PCI device id is `device`, for the
 * type whose name ends in " PROFILE", with their available_instances, in parent
 * address order. */
static struct slot *find_slots(const char *sim, const char *device, const char *profile,
			       size_t *n_out)
{
	char bus[PATH_MAX], path[PATH_MAX], value[256], types[PATH_MAX];
	char **names = NULL;
	size_t n_names = 0, n = 0;
	struct slot *slots;
	struct dirent *e;
	DIR *d;

	format_path(bus, sizeof(bus), "%s/class/mdev_bus", sim);
	if (!(d = opendir(bus)))
		die("cannot list %s: %s", bus, strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n_names + 1) * sizeof(*names));
		if (!names || !(names[n_names++] = strdup(e->d_name)))
			die("out of memory");
	}
	closedir(d);
	qsort(names, n_names, sizeof(*names), compare_names);
	slots = calloc(n_names + 1, sizeof(*slots));
	if (!slots)
		die("out of memory");
	for (size_t i = 0; i < n_names; i++) {
		format_path(path, sizeof(path), "%s/%s/device", bus, names[i]);
		if (read_value(path, value, sizeof(value)) < 0 || strcmp(value, device))
			goto next;
		format_path(types, sizeof(types), "%s/%s/mdev_supported_types", bus, names[i]);
		if (!(d = opendir(types)))
			goto next;
		while ((e = readdir(d))) {
			size_t len, plen = strlen(profile);

			if (e->d_name[0] == '.')
				continue;
			format_path(path, sizeof(path), "%s/%s/name", types, e->d_name);
			if ((len = read_value(path, value, sizeof(value))) <= plen ||
			    strcmp(value + len - plen, profile) || value[len - plen - 1] != ' ')
				continue;
			format_path(path, sizeof(path), "%s/%s/available_instances", types, e->d_name);
			if (read_value(path, value, sizeof(value)) < 0)
				die("cannot read %s", path);
			format_path(slots[n].create, sizeof(slots[n].create), "%s/%s/create", types,
				    e->d_name);
			slots[n++].available = atol(value);
			break;
		}
		closedir(d);
next:
		free(names[i]);
	}
	free(names);
	*n_out = n;
	return slots;
}

/* The kernel's share of setting a new vGPU's options: " " (no option set, what the
 * daemon writes for a device with default options) to each mdev's vgpu_params. */
static void params_rows(const char *sim, char (*uuids)[40], long n)
{
	char path[PATH_MAX], label[256];
	double start = now_seconds();
	int r;

	for (long i = 0; i < n; i++) {
		format_path(path, sizeof(path), "%s/bus/mdev/devices/%s/nvidia/vgpu_params", sim,
			    uuids[i]);
		if ((r = write_value(path, " ", 0)) < 0)
			die("write to %s: %s", path, strerror(-r));
	}
	snprintf(label, sizeof(label), "  kernel share: vgpu_params written, first %ld", n);
	row("rate", "mdev-params", label, n, now_seconds() - start, NULL);
}

/* Creates `count` mdevs on the parents of `device` that offer PROFILE, filling one
 * parent before the next (as depth-first placement does), then removes them.  Rows:
 * the first `split` creates and removes (the per-attach share) and all of them. */
static int cmd_mdev(const char *sim, const char *device, const char *profile, long count,
		    long split, const char *all_section)
{
	char (*uuids)[40] = calloc(count, sizeof(*uuids));
	char (*creates)[PATH_MAX] = calloc(count, sizeof(*creates));
	double start, t_split = 0, elapsed, remove_split = 0;
	char path[PATH_MAX], label[256];
	size_t n_slots, s = 0;
	struct slot *slots = find_slots(sim, device, profile, &n_slots);
	unsigned salt = (unsigned)getpid() * 2654435761u;
	int r;

	if (!uuids || !creates)
		die("out of memory");
	if (n_slots == 0)
		die("mdev: no parent of device %s offers %s under %s", device, profile, sim);
	/* what one sysfs-like file costs on the simulator, for scale: the daemon's
	 * start-up and scans are mostly such reads */
	{
		char avail[PATH_MAX], value[64];
		const char *saved = section;
		long reads = 0;

		format_path(avail, sizeof(avail), "%s", slots[0].create);
		strcpy(strrchr(avail, '/') + 1, "available_instances");
		start = now_seconds();
		do {
			if (read_value(avail, value, sizeof(value)) < 0)
				die("cannot read %s", avail);
			reads++;
			elapsed = now_seconds() - start;
		} while (elapsed < 0.1 || reads < 100);
		section = all_section ? all_section : section;
		row("rate", "sim-read", "  for scale: one file read (open+read+close) on the simulator",
		    reads, elapsed, NULL);
		section = saved;
	}
	for (long i = 0; i < count; i++) {
		while (s < n_slots && slots[s].available == 0)
			s++;
		if (s == n_slots)
			die("mdev: only %ld free %s vGPUs on device %s under %s", i, profile, device, sim);
		slots[s].available--;
		strcpy(creates[i], slots[s].create);
		snprintf(uuids[i], sizeof(uuids[i]), "%08x-%04x-4000-8000-%012x", salt,
			 (unsigned)(i >> 16) & 0xffff, (unsigned)i);
	}
	start = now_seconds();
	for (long i = 0; i < count; i++) {
		if ((r = write_value(creates[i], uuids[i], 0)) < 0)
			die("write %s to %s: %s", uuids[i], creates[i], strerror(-r));
		if (i + 1 == split)
			t_split = now_seconds() - start;
	}
	elapsed = now_seconds() - start;
	if (split > 0 && split <= count) {
		snprintf(label, sizeof(label), "  kernel share: UUID written to create, first %ld", split);
		row("rate", "mdev-create", label, split, t_split, NULL);
	}
	/* the start-up section's baseline: all of them */
	{
		const char *saved = section;

		section = all_section ? all_section : section;
		snprintf(label, sizeof(label), "  baseline: %ld UUIDs written to create files", count);
		row("time", "mdev-create-all", label, count, elapsed, NULL);
		section = saved;
	}
	if (split > 0 && split <= count)
		params_rows(sim, uuids, split);
	start = now_seconds();
	for (long i = 0; i < count; i++) {
		format_path(path, sizeof(path), "%s/bus/mdev/devices/%s/remove", sim, uuids[i]);
		if ((r = write_value(path, "1", 0)) < 0)
			die("write 1 to %s: %s", path, strerror(-r));
		if (i + 1 == split)
			remove_split = now_seconds() - start;
	}
	if (split > 0 && split <= count) {
		snprintf(label, sizeof(label), "  kernel share: 1 written to remove, first %ld", split);
		row("rate", "mdev-remove", label, split, remove_split, NULL);
	}
	free(uuids);
	free(creates);
	free(slots);
	return 0;
}

/* ---- start-up timing ------------------------------------------------------- */

static bool process_alive(long pid)
{
	char path[64], buf[512], *p;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* Until `mount` is a mount point whose root answers (stat of mount/probe), polling
 * every millisecond; fails when pid dies or timeout seconds pass. */
static int cmd_wait_mount(const char *mount, const char *probe, long pid, double timeout)
{
	char parent[PATH_MAX], path[PATH_MAX];
	double start = now_seconds();
	struct stat st_mount, st_parent, st_probe;

	format_path(parent, sizeof(parent), "%s/..", mount);
	format_path(path, sizeof(path), "%s/%s", mount, probe);
	for (;;) {
		if (stat(mount, &st_mount) == 0 && stat(parent, &st_parent) == 0 &&
		    st_mount.st_dev != st_parent.st_dev && stat(path, &st_probe) == 0)
			return 0;
		if (pid > 0 && !process_alive(pid))
			die("process %ld exited before %s was mounted", pid, mount);
		if (now_seconds() - start > timeout)
			die("%s not mounted within %.0f s", mount, timeout);
		usleep(1000);
	}
}

/* The daemon's counts since it started, as a row's WORK field (run.sh: start-up). */
static int cmd_work(const char *mount)
{
	struct work w = work_read(mount);

	put_work(&w);
	return 0;
}

/* ---- the table --------------------------------------------------------------- */

struct row {
	char section[128], kind[16], key[64], label[256], base[64];
	long n;
	double value;
	struct work work;
	int order;
};

static const struct row *find_row(const struct row *rows, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(rows[i].key, key))
			return &rows[i];
	return NULL;
}

static int compare_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->section, y->section);

	return c ? c : x->order - y->order;
}

static const char *format_duration(double seconds, char *buf, size_t size)
{
	double magnitude = seconds < 0 ? -seconds : seconds;

	if (magnitude < 1e-3)
		snprintf(buf, size, "%.1f us", seconds * 1e6);
	else if (magnitude < 1)
		snprintf(buf, size, "%.2f ms", seconds * 1e3);
	else
		snprintf(buf, size, "%.2f s", seconds);
	return buf;
}

/* The cost a ratio compares: time per operation, total time, or KiB. */
static double cost(const struct row *r)
{
	if (!strcmp(r->kind, "rate"))
		return r->n > 0 ? r->value / r->n : 0;
	return r->value;
}

/* "SYSFS_READS,SYSFS_WRITES,LIBVIRT,SQL", or "-" (unknown). */
static struct work parse_work(const char *field)
{
	struct work w = { 0 };

	w.known = field && sscanf(field, "%lf,%lf,%lf,%lf", &w.n[WORK_SYSFS_READS],
				  &w.n[WORK_SYSFS_WRITES], &w.n[WORK_LIBVIRT], &w.n[WORK_SQL]) == 4;
	return w;
}

/* One line of a rows file into r; false for a line that is not a row (a message). */
static bool parse_row(char *line, struct row *r)
{
	char *fields[8] = { NULL }, *save = NULL, *p = line;
	int k = 0;

	line[strcspn(line, "\n")] = '\0';
	while (k < 8 && (fields[k] = strtok_r(p, "\t", &save)))
		k++, p = NULL;
	if (k < 7)
		return false;
	snprintf(r->section, sizeof(r->section), "%s", fields[0]);
	snprintf(r->kind, sizeof(r->kind), "%s", fields[1]);
	snprintf(r->key, sizeof(r->key), "%s", fields[2]);
	snprintf(r->label, sizeof(r->label), "%s", fields[3]);
	r->n = atol(fields[4]);
	r->value = strtod(fields[5], NULL);
	snprintf(r->base, sizeof(r->base), "%s", fields[6]);
	r->work = parse_work(fields[7]);
	return true;
}

/* The rows of a file, in file order; returns how many. */
static int load_rows(const char *path, struct row *rows, int max)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	while (n < max && fgets(line, sizeof(line), f))
		if (parse_row(line, &rows[n]))
			rows[n].order = n, n++;
	fclose(f);
	return n;
}

/* A baseline of parts measured in this run: the sum of their costs per operation
 * (a part named twice counts twice). */
static int cmd_sum(const char *path, const char *key, const char *label, char **parts,
		   int n_parts)
{
	static struct row rows[MAX_ROWS];
	int n = load_rows(path, rows, MAX_ROWS);
	double sum = 0;

	for (int i = 0; i < n_parts; i++) {
		const struct row *r = find_row(rows, n, parts[i]);

		if (!r || strcmp(r->kind, "rate"))
			die("sum %s: no rate row %s in %s", key, parts[i], path);
		sum += cost(r);
	}
	row("sum", key, label, 0, sum, NULL);
	return 0;
}

/* n, ops/s, time/op and total, as each kind has them. */
static void print_figures(const struct row *r)
{
	char buf[64], buf2[64];

	if (!strcmp(r->kind, "mem"))
		printf(" %6s %10s %10s %6.1f MiB", "", "", "", r->value / 1024);
	else if (!strcmp(r->kind, "sum"))
		printf(" %6s %10.0f %10s %10s", "", 1 / r->value,
		       format_duration(r->value, buf, sizeof(buf)), "");
	else if (!strcmp(r->kind, "rate"))
		printf(" %6ld %10.*f %10s %10s", r->n, r->n / r->value < 100 ? 2 : 0,
		       r->n / r->value, format_duration(r->value / r->n, buf, sizeof(buf)),
		       format_duration(r->value, buf2, sizeof(buf2)));
	else if (r->n > 0)
		printf(" %6ld %10.0f %10s %10s", r->n, r->n / r->value,
		       format_duration(r->value / r->n, buf, sizeof(buf)),
		       format_duration(r->value, buf2, sizeof(buf2)));
	else
		printf(" %6s %10s %10s %10s", "", "", "", format_duration(r->value, buf2, sizeof(buf2)));
}

/* The daemon's work per operation (per item of a "time" row); blank for memory. */
static void print_work(const struct row *r)
{
	char work[64] = "";

	if (strcmp(r->kind, "mem"))
		work_format(&r->work, !strcmp(r->kind, "rate") ? r->n : 1, work, sizeof(work));
	printf("  %*s", (int)sizeof(WORK_HEADER) - 1, work);
}

static void print_row(const struct row *r, const struct row *rows, int n)
{
	const struct row *b = NULL;

	if (strcmp(r->base, "-") && !(b = find_row(rows, n, r->base)))
		fprintf(stderr, "vgpufs-bench-host: %s: no baseline row %s\n", r->key, r->base);
	printf("  %-70s", r->label);
	print_figures(r);
	if (strcmp(r->kind, "mem") || b)
		print_work(r); /* no trailing blanks on a memory row without a ratio */
	if (b && cost(b) > 0 && cost(r) > 0)
		printf("  %8.1fx %s", cost(r) / cost(b), b->key);
	else if (b)
		printf("  %9s %s", "-", b->key); /* a difference lost in the noise */
	printf("\n");
}

static int cmd_table(const char *path)
{
	static struct row rows[MAX_ROWS];
	const char *last_section = "";
	int n = load_rows(path, rows, MAX_ROWS);

	qsort(rows, n, sizeof(*rows), compare_rows);
	printf("%-72s %6s %10s %10s %10s  %s  %s\n", "test", "n", "ops/s", "time/op", "total",
	       WORK_HEADER, "x baseline (cost)");
	for (int i = 0; i < n; i++) {
		if (strcmp(rows[i].section, last_section)) {
			/* "3 devices": the leading number only orders the sections */
			const char *title = rows[i].section + strspn(rows[i].section, "0123456789");

			printf("%s%s\n", i ? "\n" : "", title + strspn(title, " "));
			last_section = rows[i].section;
		}
		print_row(&rows[i], rows, n);
	}
	printf("\nx baseline: time per operation (rates), total time (start-up) or memory, divided\n"
	       "by the named row's, measured in the same run: 1.0x = as cheap as the baseline;\n"
	       "\"-\": a difference that came out negative, i.e. smaller than the noise.\n"
	       WORK_LEGEND);
	return 0;
}

/* ---- main ----------------------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vgpufs-bench-host COMMAND [OPTIONS]  (see tools/bench/run.sh)\n"
		"  writes     --mount DIR --db DIR [--seconds S] [--min N]\n"
		"  gen-vms    --count N --out FILE\n"
		"  attach     --mount DIR --group G --first I --last J [--count K] [--chunks C]\n"
		"             [--vgpus-before M] [--vms V] [--key KEY] [--base KEY]\n"
		"  detach     --mount DIR --first I --last J [--chunks C] [--vgpus-before M]\n"
		"             [--vms V] [--key KEY] [--base KEY]\n"
		"  redefine   --uri URI --first I --last J [--all-section NAME]\n"
		"  mdev       --sim DIR --device 0xID --profile P --count N [--split D]\n"
		"             [--all-section NAME]\n"
		"  sum        --rows FILE --key KEY --label TEXT PART_KEY...\n"
		"  wait-mount --mount DIR [--pid PID] [--probe NAME] [--timeout S]\n"
		"  work       --mount DIR\n"
		"  table      FILE\n"
		"  --section NAME labels the rows a command prints; --vms V says in attach and\n"
		"  detach labels how many domains libvirt holds.\n");
}

/* attach (group set) or detach: the series of rows, labelled. */
static int run_devices(const char *mount, const char *group, long last, long count,
		       struct series s)
{
	char what[64];

	if (group && count != 1)
		snprintf(what, sizeof(what), "attach count=%ld", count);
	else
		snprintf(what, sizeof(what), "%s", group ? "attach" : "detach");
	s.what = what;
	s.key = s.key ? s.key : group ? "attach" : "detach";
	s.vgpus_step = group ? count : -1;
	return cmd_devices(mount, group, last, count, &s);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "mount", required_argument, NULL, 'm' },
		{ "db", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 's' },
		{ "min", required_argument, NULL, 'M' },
		{ "count", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "group", required_argument, NULL, 'g' },
		{ "first", required_argument, NULL, 'f' },
		{ "last", required_argument, NULL, 'l' },
		{ "chunks", required_argument, NULL, 'C' },
		{ "vgpus-before", required_argument, NULL, 'v' },
		{ "key", required_argument, NULL, 'k' },
		{ "base", required_argument, NULL, 'b' },
		{ "uri", required_argument, NULL, 'u' },
		{ "sim", required_argument, NULL, 'S' },
		{ "device", required_argument, NULL, 'D' },
		{ "profile", required_argument, NULL, 'p' },
		{ "split", required_argument, NULL, 'x' },
		{ "pid", required_argument, NULL, 'P' },
		{ "probe", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "section", required_argument, NULL, 'E' },
		{ "all-section", required_argument, NULL, 'A' },
		{ "vms", required_argument, NULL, 'V' },
		{ "rows", required_argument, NULL, 'R' },
		{ "label", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mount = NULL, *db = NULL, *out = NULL, *group = NULL, *key = NULL, *base = NULL;
	const char *uri = NULL, *sim = NULL, *device = NULL, *profile = NULL, *probe = "version";
	const char *all_section = NULL, *rows = NULL, *label = NULL;
	long min_ops = 20, count = -1, first = -1, last = -1, chunks = 1, vgpus_before = 0;
	long split = 0, pid = 0, vms = 0;
	double timeout = 300;
	const char *command;
	int opt;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	command = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'm': mount = optarg; break;
		case 'd': db = optarg; break;
		case 's': bench_seconds = strtod(optarg, NULL); break;
		case 'M': min_ops = atol(optarg); break;
		case 'c': count = atol(optarg); break;
		case 'o': out = optarg; break;
		case 'g': group = optarg; break;
		case 'f': first = atol(optarg); break;
		case 'l': last = atol(optarg); break;
		case 'C': chunks = atol(optarg); break;
		case 'v': vgpus_before = atol(optarg); break;
		case 'k': key = optarg; break;
		case 'b': base = optarg; break;
		case 'u': uri = optarg; break;
		case 'S': sim = optarg; break;
		case 'D': device = optarg; break;
		case 'p': profile = optarg; break;
		case 'x': split = atol(optarg); break;
		case 'P': pid = atol(optarg); break;
		case 'r': probe = optarg; break;
		case 't': timeout = strtod(optarg, NULL); break;
		case 'E': section = optarg; break;
		case 'A': all_section = optarg; break;
		case 'V': vms = atol(optarg); break;
		case 'R': rows = optarg; break;
		case 'L': label = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!strcmp(command, "writes") && mount && db && bench_seconds >= 0)
		return cmd_writes(mount, db, min_ops);
	if (!strcmp(command, "gen-vms") && count > 0 && out)
		return cmd_gen_vms(count, out);
	struct series series = { .key = key, .base = base, .first = first, .vms = vms,
				 .chunks = chunks, .vgpus_before = vgpus_before };
	if (!strcmp(command, "attach") && mount && group && first >= 0 && last >= first)
		return run_devices(mount, group, last, count < 1 ? 1 : count, series);
	if (!strcmp(command, "detach") && mount && first >= 0 && last >= first)
		return run_devices(mount, NULL, last, 1, series);
	if (!strcmp(command, "redefine") && uri && first >= 0 && last >= first)
		return cmd_redefine(uri, first, last, all_section);
	if (!strcmp(command, "mdev") && sim && device && profile && count > 0)
		return cmd_mdev(sim, device, profile, count, split, all_section);
	if (!strcmp(command, "wait-mount") && mount)
		return cmd_wait_mount(mount, probe, pid, timeout);
	if (!strcmp(command, "work") && mount)
		return cmd_work(mount);
	if (!strcmp(command, "sum") && rows && key && label && optind < argc)
		return cmd_sum(rows, key, label, argv + optind, argc - optind);
	if (!strcmp(command, "table") && optind == argc - 1)
		return cmd_table(argv[optind]);
	usage(stderr);
	return 2;
}
