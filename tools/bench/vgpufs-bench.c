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
 *   - a full walk of the mount (nftw, then read every regular file), and the
 *     same walk of a copy of the tree on tmpfs, made first.
 * Reads are compared with the tmpfs read and the sysfs read, walks with the
 * tmpfs walk.  Every measurement runs its operation at least once, so a slow
 * walk takes as long as one walk (--no-walk leaves the walks out).  Nothing
 * here asserts a time: it reports, people judge.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WALK_MAX_FDS 32

struct measurement {
	const char *label;
	double ops_per_second;
	double microseconds_per_op;
	long files_per_op;      /* walks only: regular files read per walk */
};

static double bench_seconds = 1.0;
static char scratch_dir[] = "/dev/shm/vgpufs-bench.XXXXXX";
static int scratch_made;

/* nftw callbacks take no user pointer: the walk in progress keeps its state here. */
static long walk_files;
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
	walk_files++;
	return 0;
}

static int walk_tree(const char *root)
{
	walk_files = 0;
	return nftw(root, walk_read_entry, WALK_MAX_FDS, FTW_PHYS);
}

/* Runs op(arg) until bench_seconds have passed. */
static struct measurement measure(const char *label, int (*op)(const char *), const char *arg)
{
	struct measurement m = { .label = label };
	double start = now_seconds(), elapsed;
	long ops = 0;

	do {
		if (op(arg) < 0)
			die(label, arg);
		ops++;
		elapsed = now_seconds() - start;
	} while (elapsed < bench_seconds);
	m.ops_per_second = ops / elapsed;
	m.microseconds_per_op = elapsed * 1e6 / ops;
	m.files_per_op = walk_files;
	return m;
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

static void print_row(const struct measurement *m, double tmpfs_us, double sysfs_us)
{
	char duration[32];

	printf("%-34s %12.*f %12s", m->label, m->ops_per_second < 100 ? 3 : 0, m->ops_per_second,
	       format_duration(m->microseconds_per_op, duration, sizeof(duration)));
	print_ratio(m->microseconds_per_op, tmpfs_us);
	print_ratio(m->microseconds_per_op, sysfs_us);
	if (m->files_per_op)
		printf("   (%ld files, %s/file)", m->files_per_op,
		       format_duration(m->microseconds_per_op / m->files_per_op, duration, sizeof(duration)));
	printf("\n");
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vgpufs-bench --mount DIR [--seconds N] [--no-walk]\n"
		"  Times attribute reads and a full tree walk through a mounted vgpufs,\n"
		"  next to tmpfs (/dev/shm) and sysfs, N seconds (default 1) per test.\n"
		"  --no-walk leaves out the walks (and the copy of the tree they need).\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "mount", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 's' },
		{ "no-walk", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mount = NULL, *sysfs_attribute;
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
	printf("  static attribute: %s\n  live attribute:   %s\n  tmpfs:            %s\n  sysfs:            %s\n\n",
	       static_attr, live_attr, tmpfs_attr, sysfs_attribute ? sysfs_attribute : "(none readable)");

	struct measurement tmpfs_read = measure("read attribute, tmpfs", read_one, tmpfs_attr);
	struct measurement sysfs_read = { .label = "read attribute, sysfs" };
	if (sysfs_attribute)
		sysfs_read = measure("read attribute, sysfs", read_one, sysfs_attribute);
	struct measurement static_read = measure("read static attribute, vgpufs", read_one, static_attr);
	struct measurement live_read = measure("read live attribute, vgpufs", read_one, live_attr);
	struct measurement tmpfs_walk = { 0 }, vgpufs_walk = { 0 };
	if (walk) {
		tmpfs_walk = measure("walk+read tree, tmpfs copy", walk_tree, tmpfs_tree);
		vgpufs_walk = measure("walk+read tree, vgpufs", walk_tree, mount);
	}

	printf("%-34s %12s %12s %10s %10s\n", "test", "ops/s", "time/op", "x tmpfs", "x sysfs");
	print_row(&tmpfs_read, tmpfs_read.microseconds_per_op, sysfs_read.microseconds_per_op);
	if (sysfs_attribute)
		print_row(&sysfs_read, tmpfs_read.microseconds_per_op, sysfs_read.microseconds_per_op);
	print_row(&static_read, tmpfs_read.microseconds_per_op, sysfs_read.microseconds_per_op);
	print_row(&live_read, tmpfs_read.microseconds_per_op, sysfs_read.microseconds_per_op);
	if (walk) {
		print_row(&tmpfs_walk, tmpfs_walk.microseconds_per_op, 0);
		print_row(&vgpufs_walk, tmpfs_walk.microseconds_per_op, 0);
	}

	free(gpu);
	free(type);
	return 0;
}
