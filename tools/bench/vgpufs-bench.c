/*
 * vgpufs-bench: what a read through a mounted vgpufs tree costs, next to the
 * same read on tmpfs (the floor: a VFS round trip with no daemon) and on real
 * sysfs (what admin tools pay today for an attribute).
 *
 * Each measurement repeats one operation for --seconds and reports ops/s:
 *   - open+read+close of a static attribute (framebuffer_mib of the first type
 *     of the first GPU) and of a live one (its available, computed from the
 *     host on every read);
 *   - the same on a tmpfs file of the same content and on a sysfs attribute;
 *   - the inventory an admin takes: every gpus/GPU/types/TYPE/available, then
 *     every type's name (what `cat` of those two globs reads, the globbing
 *     included), cold (each after a pause longer than the daemon may keep a
 *     live value) and repeated, next to `mdevctl types` on the simulator the
 *     daemon runs on (--sim; bind-mounted over /sys in a mount namespace of its
 *     own, so it needs root: without, the rows come without that baseline);
 *   - a full walk of the mount (nftw, then read every regular file), and the
 *     same walk of a copy of the tree on tmpfs, made first.
 * Reads are compared with the tmpfs read and the sysfs read, the inventory with
 * mdevctl, walks with the tmpfs walk.  Each row through the mount also shows
 * the daemon's own counts of work per operation (daemon-work.h).  Every
 * measurement runs its operation at least once, so a slow walk takes as long
 * as one walk (--no-walk leaves the walks out).  Nothing here asserts a time:
 * it reports, people judge.
 */
#include "daemon-work.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WALK_MAX_FDS 32
/* A cold inventory waits longer than the daemon may keep a live value (150 ms),
 * and is taken at most this many times, however fast it is. */
#define COLD_PAUSE_SECONDS 0.2
#define COLD_MAX_OPS 5

struct measurement {
	const char *label;
	double ops_per_second;
	double microseconds_per_op;
	long files_per_op;      /* walks and inventories: regular files read per op */
	struct work work;       /* the daemon's, over all ops (unknown for baselines) */
	long ops;               /* 0: the operation failed (only where that may happen) */
};

/* How to repeat an operation: the pause before each (not timed), a cap on the
 * count (0: none), the mount whose counters to read around the loop (NULL: not
 * the daemon's work), and whether a failure is reported rather than fatal. */
struct how {
	double pause;
	long max_ops;
	const char *counters_of;
	int may_fail;
};

static double bench_seconds = 1.0;
static char scratch_dir[] = "/dev/shm/vgpufs-bench.XXXXXX";
static int scratch_made;

/* nftw callbacks take no user pointer: the walk (or inventory) in progress counts here. */
static long files_read;
static const char *copy_source_root;
static const char *copy_target_root;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "vgpufs-bench: %s %s: %s\n", what, path ? path : "", strerror(errno));
	exit(1);
}

/* snprintf into a path buffer; a path that does not fit is an error, not a truncation. */
__attribute__((format(printf, 3, 4)))
static void format_path(char *out, size_t size, const char *format, ...)
{
	va_list args;
	int n;

	va_start(args, format);
	n = vsnprintf(out, size, format, args);
	va_end(args);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		die("path too long:", format);
	}
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* open+read to end of file+close; returns the bytes read or -1 with errno set. */
static ssize_t read_whole_file(const char *path, char *buf, size_t size)
{
	ssize_t total = 0, n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, size)) > 0)
		total += n;
	if (n < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return total;
}

static int read_one(const char *path)
{
	char buf[4096];

	return read_whole_file(path, buf, sizeof(buf)) < 0 ? -1 : 0;
}

static int walk_read_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char buf[4096];

	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode) || !(st->st_mode & S_IRUSR))
		return 0;
	if (read_whole_file(path, buf, sizeof(buf)) < 0)
		die("cannot read", path);
	files_read++;
	return 0;
}

static int walk_tree(const char *root)
{
	files_read = 0;
	return nftw(root, walk_read_entry, WALK_MAX_FDS, FTW_PHYS);
}

/* Every file that matches mount/pattern, in glob's (the shell's) order. */
static int read_matches(const char *mount, const char *pattern)
{
	char path[PATH_MAX];
	glob_t g;
	int r = 0;

	format_path(path, sizeof(path), "%s/%s", mount, pattern);
	if (glob(path, 0, NULL, &g) != 0) {
		errno = ENOENT;
		return -1;
	}
	for (size_t i = 0; i < g.gl_pathc && r == 0; i++, files_read++)
		r = read_one(g.gl_pathv[i]);
	globfree(&g);
	return r;
}

/* What `cat` of every type's available, then of every type's name, reads: how much of
 * each type the host has left, by name (what `mdevctl types` shows). */
static int read_inventory(const char *mount)
{
	files_read = 0;
	if (read_matches(mount, "gpus/*/types/*/available") < 0)
		return -1;
	return read_matches(mount, "gpus/*/types/*/name");
}

/* unshare -m sh -c 'mount --bind SIM /sys && mdevctl types >/dev/null' */
static int mdevctl_types(const char *sim)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
			_exit(127);
		execlp("unshare", "unshare", "-m", "sh", "-c",
		       "mount --bind \"$1\" /sys && exec mdevctl types", "sh", sim, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	errno = EIO;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void pause_seconds(double seconds)
{
	struct timespec ts = { .tv_sec = (time_t)seconds,
			       .tv_nsec = (long)((seconds - (time_t)seconds) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Runs op(arg) until it has taken bench_seconds (pauses not counted) or how->max_ops
 * runs; the daemon's counters are read before and after, outside the timing. */
static struct measurement measure_how(const char *label, int (*op)(const char *), const char *arg,
				      const struct how *how)
{
	struct measurement m = { .label = label };
	struct work before = work_read(how->counters_of), after;
	double busy = 0, t = now_seconds(), t1;

	files_read = 0;
	do {
		if (how->pause > 0) {
			pause_seconds(how->pause);
			t = now_seconds();
		}
		if (op(arg) < 0) {
			if (how->may_fail) {
				m.ops = 0; /* says it failed */
				return m;
			}
			die(label, arg);
		}
		m.ops++;
		t1 = now_seconds();
		busy += t1 - t;
		t = t1;
	} while (busy < bench_seconds && (how->max_ops == 0 || m.ops < how->max_ops));
	after = work_read(how->counters_of);
	m.work = work_between(&before, &after);
	m.ops_per_second = m.ops / busy;
	m.microseconds_per_op = busy * 1e6 / m.ops;
	m.files_per_op = files_read;
	return m;
}

/* A baseline: not through the mount, so no daemon counts. */
static struct measurement measure(const char *label, int (*op)(const char *), const char *arg)
{
	static const struct how plain = { 0 };

	return measure_how(label, op, arg, &plain);
}

/* Through the mount: with the daemon's counts of work. */
static struct measurement measure_daemon(const char *label, int (*op)(const char *),
					 const char *mount, const char *arg)
{
	struct how how = { .counters_of = mount };

	return measure_how(label, op, arg, &how);
}

static int in_path(const char *name)
{
	char dirs[4096], path[PATH_MAX], *dir, *save = NULL;
	const char *env = getenv("PATH");

	snprintf(dirs, sizeof(dirs), "%s", env ? env : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		if (snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path) &&
		    access(path, X_OK) == 0)
			return 1;
	return 0;
}

/* Why `mdevctl types` cannot run on sim here, or NULL when it can be tried. */
static const char *mdevctl_unusable(const char *sim)
{
	if (!sim)
		return "no --sim";
	if (geteuid() != 0)
		return "not root";
	if (!in_path("unshare") || !in_path("mdevctl"))
		return "no unshare or mdevctl";
	return NULL;
}

/* The alphabetically first entry of dir that is a directory, or NULL. */
static char *first_subdirectory(const char *dir)
{
	struct dirent **entries;
	char *found = NULL;
	int n = scandir(dir, &entries, NULL, alphasort);

	if (n < 0)
		die("cannot list", dir);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;

		format_path(path, sizeof(path), "%s/%s", dir, entries[i]->d_name);
		if (!found && entries[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			found = strdup(entries[i]->d_name);
		free(entries[i]);
	}
	free(entries);
	return found;
}

static void copy_file(const char *source, const char *target, mode_t mode)
{
	char buf[65536];
	ssize_t n = 0;
	int in = -1, out;

	if ((mode & S_IRUSR) && (in = open(source, O_RDONLY | O_CLOEXEC)) < 0)
		die("cannot open", source);
	out = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0)
		die("cannot create", target);
	while (in >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			die("cannot write", target);
	if (n < 0)
		die("cannot read", source);
	if (in >= 0)
		close(in);
	close(out);
}

static int copy_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char target[PATH_MAX], buf[PATH_MAX];
	const char *relative = path + strlen(copy_source_root);
	ssize_t n;

	(void)ftw;
	format_path(target, sizeof(target), "%s%s", copy_target_root, relative);
	switch (type) {
	case FTW_D:
		if (mkdir(target, 0755) < 0 && errno != EEXIST)
			die("cannot create", target);
		break;
	case FTW_SL:
		n = readlink(path, buf, sizeof(buf) - 1);
		if (n < 0)
			die("cannot read link", path);
		buf[n] = '\0';
		if (symlink(buf, target) < 0)
			die("cannot create link", target);
		break;
	case FTW_F:
		if (S_ISREG(st->st_mode))
			copy_file(path, target, st->st_mode & 07777);
		break;
	default:
		errno = EIO;
		die("cannot walk", path);
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void remove_scratch(void)
{
	if (scratch_made)
		nftw(scratch_dir, remove_entry, WALK_MAX_FDS, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *path, const char *content, size_t length)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);

	if (fd < 0 || write(fd, content, length) != (ssize_t)length)
		die("cannot write", path);
	close(fd);
}

static const char *pick_sysfs_attribute(void)
{
	static const char *const candidates[] = {
		"/sys/kernel/mm/transparent_hugepage/enabled",
		"/sys/devices/system/cpu/online",
		NULL,
	};

	for (int i = 0; candidates[i]; i++)
		if (read_one(candidates[i]) == 0)
			return candidates[i];
	return NULL;
}

static void print_ratio(double value, double baseline)
{
	if (baseline > 0)
		printf(" %9.1fx", value / baseline);
	else
		printf(" %10s", "-");
}

/* A duration in the unit that keeps it readable: "3.5 us", "41 ms", "52.7 s". */
static const char *format_duration(double microseconds, char *buf, size_t size)
{
	if (microseconds < 1000)
		snprintf(buf, size, "%.2f us", microseconds);
	else if (microseconds < 1e6)
		snprintf(buf, size, "%.2f ms", microseconds / 1e3);
	else
		snprintf(buf, size, "%.2f s", microseconds / 1e6);
	return buf;
}

/* The baselines' times per op that a row is divided by (0: not compared). */
struct bases {
	double tmpfs_us, sysfs_us, mdevctl_us;
};

static void print_row(const struct measurement *m, const struct bases *b)
{
	char duration[32], work[64];

	printf("%-36s %12.*f %12s", m->label, m->ops_per_second < 100 ? 3 : 0, m->ops_per_second,
	       format_duration(m->microseconds_per_op, duration, sizeof(duration)));
	print_ratio(m->microseconds_per_op, b->tmpfs_us);
	print_ratio(m->microseconds_per_op, b->sysfs_us);
	print_ratio(m->microseconds_per_op, b->mdevctl_us);
	work_format(&m->work, m->ops, work, sizeof(work));
	printf("  %s", work);
	if (m->files_per_op)
		printf("   (%ld files, %s/file)", m->files_per_op,
		       format_duration(m->microseconds_per_op / m->files_per_op, duration, sizeof(duration)));
	printf("\n");
}

struct results {
	struct measurement tmpfs_read, sysfs_read, floor_read, static_read, live_read;
	struct measurement mdevctl, inventory_cold, inventory_repeated;
	struct measurement tmpfs_walk, vgpufs_walk;
	const char *mdevctl_why;        /* why there is no mdevctl row, or NULL */
	int walk;
};

/* The inventory through the mount, cold and repeated, and `mdevctl types` on sim
 * (a failed run leaves r->mdevctl with no ops, and the rows without baseline). */
static void measure_inventory(struct results *r, const char *mount, const char *sim)
{
	struct how cold = { .pause = COLD_PAUSE_SECONDS, .max_ops = COLD_MAX_OPS, .counters_of = mount };
	struct how mdevctl = { .may_fail = 1 };

	r->inventory_cold = measure_how("inventory, vgpufs, cold", read_inventory, mount, &cold);
	r->inventory_repeated = measure_daemon("inventory, vgpufs, repeated", read_inventory, mount, mount);
	r->mdevctl = (struct measurement){ .label = "inventory, mdevctl types" };
	r->mdevctl_why = mdevctl_unusable(sim);
	if (!r->mdevctl_why)
		r->mdevctl = measure_how("inventory, mdevctl types", mdevctl_types, sim, &mdevctl);
	if (!r->mdevctl.ops && !r->mdevctl_why)
		r->mdevctl_why = "unshare or mdevctl failed";
}

static void print_results(const struct results *r, int have_sysfs)
{
	struct bases reads = { r->tmpfs_read.microseconds_per_op, r->sysfs_read.microseconds_per_op, 0 };
	struct bases inventory = { 0, 0, r->mdevctl.microseconds_per_op };
	struct bases walks = { r->tmpfs_walk.microseconds_per_op, 0, 0 };

	printf("%-36s %12s %12s %10s %10s %10s  %s\n", "test", "ops/s", "time/op", "x tmpfs",
	       "x sysfs", "x mdevctl", WORK_HEADER);
	print_row(&r->tmpfs_read, &reads);
	if (have_sysfs)
		print_row(&r->sysfs_read, &reads);
	if (r->floor_read.ops)
		print_row(&r->floor_read, &reads);
	print_row(&r->static_read, &reads);
	print_row(&r->live_read, &reads);
	if (r->mdevctl.ops)
		print_row(&r->mdevctl, &inventory);
	else
		printf("%-36s   (not measured: %s)\n", r->mdevctl.label, r->mdevctl_why);
	print_row(&r->inventory_cold, &inventory);
	print_row(&r->inventory_repeated, &inventory);
	if (r->walk) {
		print_row(&r->tmpfs_walk, &walks);
		print_row(&r->vgpufs_walk, &walks);
	}
	printf("\n" WORK_LEGEND);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vgpufs-bench --mount DIR [--sim DIR] [--floor FILE] [--seconds N]\n"
		"                    [--no-walk]\n"
		"  Times attribute reads, the inventory of types and a full tree walk\n"
		"  through a mounted vgpufs, next to tmpfs (/dev/shm), sysfs, (with\n"
		"  --floor, a file of vgpufs-fuse-floor) the least a FUSE read costs, and\n"
		"  (with --sim, the simulator the daemon runs on; root) `mdevctl types`,\n"
		"  N seconds (default 1) per test.\n"
		"  --no-walk leaves out the walks (and the copy of the tree they need).\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "mount", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 's' },
		{ "sim", required_argument, NULL, 'S' },
		{ "floor", required_argument, NULL, 'F' },
		{ "no-walk", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mount = NULL, *sim = NULL, *floor_file = NULL, *sysfs_attribute;
	char static_attr[PATH_MAX], live_attr[PATH_MAX], gpus_dir[PATH_MAX], types_dir[PATH_MAX];
	char tmpfs_attr[PATH_MAX], tmpfs_tree[PATH_MAX];
	char content[4096];
	char *gpu, *type;
	ssize_t length;
	int opt, walk = 1;

	while ((opt = getopt_long(argc, argv, "m:s:h", options, NULL)) != -1) {
		switch (opt) {
		case 'm':
			mount = optarg;
			break;
		case 's':
			bench_seconds = strtod(optarg, NULL);
			break;
		case 'S':
			sim = optarg;
			break;
		case 'F':
			floor_file = optarg;
			break;
		case 'W':
			walk = 0;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!mount || optind != argc || !(bench_seconds > 0)) {
		usage(stderr);
		return 2;
	}

	format_path(gpus_dir, sizeof(gpus_dir), "%s/gpus", mount);
	gpu = first_subdirectory(gpus_dir);
	if (!gpu) {
		fprintf(stderr, "vgpufs-bench: no GPU under %s\n", gpus_dir);
		return 1;
	}
	format_path(types_dir, sizeof(types_dir), "%s/%s/types", gpus_dir, gpu);
	type = first_subdirectory(types_dir);
	if (!type) {
		fprintf(stderr, "vgpufs-bench: no vGPU type under %s\n", types_dir);
		return 1;
	}
	format_path(static_attr, sizeof(static_attr), "%s/%s/framebuffer_mib", types_dir, type);
	format_path(live_attr, sizeof(live_attr), "%s/%s/available", types_dir, type);
	sysfs_attribute = pick_sysfs_attribute();

	if (!mkdtemp(scratch_dir))
		die("cannot create", scratch_dir);
	scratch_made = 1;
	atexit(remove_scratch);
	length = read_whole_file(static_attr, content, sizeof(content));
	if (length < 0)
		die("cannot read", static_attr);
	format_path(tmpfs_attr, sizeof(tmpfs_attr), "%s/framebuffer_mib", scratch_dir);
	write_file(tmpfs_attr, content, length);
	format_path(tmpfs_tree, sizeof(tmpfs_tree), "%s/tree", scratch_dir);
	copy_source_root = mount;
	copy_target_root = tmpfs_tree;
	if (walk && nftw(mount, copy_entry, WALK_MAX_FDS, FTW_PHYS) != 0)
		die("cannot copy", mount);

	printf("vgpufs-bench: %s, %.1f s per test\n", mount, bench_seconds);
	printf("  static attribute: %s\n  live attribute:   %s\n  tmpfs:            %s\n  sysfs:            %s\n",
	       static_attr, live_attr, tmpfs_attr, sysfs_attribute ? sysfs_attribute : "(none readable)");
	printf("  inventory:        gpus/*/types/*/available, then gpus/*/types/*/name\n"
	       "  mdevctl:          %s\n\n", mdevctl_unusable(sim) ? mdevctl_unusable(sim) : sim);

	struct results r = { .walk = walk };
	r.tmpfs_read = measure("read attribute, tmpfs", read_one, tmpfs_attr);
	r.sysfs_read = (struct measurement){ .label = "read attribute, sysfs" };
	if (sysfs_attribute)
		r.sysfs_read = measure("read attribute, sysfs", read_one, sysfs_attribute);
	if (floor_file)
		r.floor_read = measure("read attribute, FUSE floor", read_one, floor_file);
	r.static_read = measure_daemon("read static attribute, vgpufs", read_one, mount, static_attr);
	r.live_read = measure_daemon("read live attribute, vgpufs", read_one, mount, live_attr);
	measure_inventory(&r, mount, sim);
	if (walk) {
		r.tmpfs_walk = measure("walk+read tree, tmpfs copy", walk_tree, tmpfs_tree);
		r.vgpufs_walk = measure_daemon("walk+read tree, vgpufs", walk_tree, mount, mount);
	}
	print_results(&r, sysfs_attribute != NULL);

	free(gpu);
	free(type);
	return 0;
}
