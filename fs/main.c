/* main.c — the vgpufs daemon: parses options, opens the engine (discovery, recovery and
 * re-creation of vGPUs all happen before anything is served), mounts the tree and runs
 * the multithreaded FUSE session (libfuse's low-level API, lowlevel.c) until SIGTERM/SIGINT
 * or an unmount, which all exit 0.
 * `vgpufs --check` mounts nothing: it prints what discovery finds (core/check.c) and
 * exits 0 when discovery worked, 1 when it failed, 2 on bad usage.
 * Under systemd (Type=notify) it sends READY=1 once the vGPUs exist again and the tree is
 * mounted, and only then lets the engine reach libvirt (engine_start); WATCHDOG=1 while
 * the engine answers, STOPPING=1 on the way out. */
#define FUSE_USE_VERSION 312 /* fuse_session_loop_mt() with a loop config */
#include "check.h"
#include "lowlevel.h"
#include "syslog_out.h"
#include "tree.h"

#include <fuse_lowlevel.h>
#include <systemd/sd-daemon.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RESCAN_INTERVAL_DEFAULT 30
#define RESCAN_INTERVAL_MAX 86400

struct options {
	const char *sysfs_root;
	const char *libvirt_uri;
	const char *state_dir;
	const char *admin_group;
	unsigned vf_wait_s;
	const char *log_level;
	const char *metrics_textfile;
	unsigned rescan_interval;
	int show_help;
	int show_version;
	int check;
};

#define OPTION(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt option_spec[] = {
	OPTION("--sysfs-root=%s", sysfs_root),
	OPTION("--sysfs-root %s", sysfs_root),
	OPTION("--libvirt=%s", libvirt_uri),
	OPTION("--libvirt %s", libvirt_uri),
	OPTION("--state=%s", state_dir),
	OPTION("--state %s", state_dir),
	OPTION("--admin-group=%s", admin_group),
	OPTION("--admin-group %s", admin_group),
	OPTION("--vf-wait=%u", vf_wait_s),
	OPTION("--vf-wait %u", vf_wait_s),
	OPTION("--log-level=%s", log_level),
	OPTION("--log-level %s", log_level),
	OPTION("--metrics-textfile=%s", metrics_textfile),
	OPTION("--metrics-textfile %s", metrics_textfile),
	OPTION("--rescan-interval=%u", rescan_interval),
	OPTION("--rescan-interval %u", rescan_interval),
	OPTION("-h", show_help),
	OPTION("--help", show_help),
	OPTION("-V", show_version),
	OPTION("--version", show_version),
	OPTION("--check", check),
	FUSE_OPT_END
};

static void usage(const char *prog)
{
	printf("usage: %s [options] MOUNTPOINT\n"
	       "       %s --check [--sysfs-root DIR] [--libvirt URI] [--state DIR]\n\n"
	       "  --check            print what discovery finds (GPUs, driver, libvirt,\n"
	       "                     state schema) and exit, mounting and writing nothing\n"
	       "  --sysfs-root DIR   sysfs to manage (default /sys)\n"
	       "  --libvirt URI      libvirt connection (default qemu:///system)\n"
	       "  --state DIR        state database directory (default /var/lib/vgpufs)\n"
	       "  --admin-group GRP  group that may read /vgpu/events and metrics besides\n"
	       "                     root (default adm)\n"
	       "  --vf-wait SECONDS  at start, how long to wait for the SR-IOV VFs that\n"
	       "                     recorded vGPUs need (default 30)\n"
	       "  --log-level LEVEL  the least severe event lines sent to journald or\n"
	       "                     syslog: err, warning, notice, info, debug (default\n"
	       "                     info; refusals are warning)\n"
	       "  --metrics-textfile DIR  keep DIR/vgpufs.prom up to date for node_exporter's\n"
	       "                     textfile collector (Prometheus text format)\n"
	       "  --rescan-interval S\n"
	       "                     find the GPUs again every S seconds, besides on\n"
	       "                     kernel uevents (default 30; 0: only on uevents)\n"
	       "  -V, --version      print the version and exit\n"
	       "  -h, --help         print this help and exit\n"
	       "  -f                 stay in the foreground\n"
	       "  -d                 debug: foreground, log every FUSE request\n"
	       "  -o OPT[,OPT...]    FUSE mount options\n\n"
	       "Exit status: 0 after SIGTERM, SIGINT, SIGHUP or an unmount; 1 when the\n"
	       "start or the mount failed; 2 on bad usage. See vgpufs(8), vgpufs-tree(5).\n",
	       prog, prog);
}

/* Goes to the background before the engine starts its threads (a fork keeps only the
 * calling one). The parent waits for the child's one-line verdict on the mount and exits
 * with it, so `vgpufs MNT` still fails loudly. Returns the fd the child reports on. */
static int background(void)
{
	int fds[2];
	char verdict[512];
	ssize_t n;

	if (pipe(fds) < 0)
		return -1;
	switch (fork()) {
	case -1:
		return -1;
	case 0:
		close(fds[0]);
		setsid();
		return fds[1];
	}
	close(fds[1]);
	n = read(fds[0], verdict, sizeof(verdict) - 1);
	if (n <= 0)
		_exit(1);
	verdict[n] = '\0';
	if (strcmp(verdict, "ok"))
		fprintf(stderr, "vgpufs: %s\n", verdict);
	_exit(strcmp(verdict, "ok") ? 1 : 0);
}

static void report(int fd, const char *verdict)
{
	int null;

	if (fd < 0) {
		if (strcmp(verdict, "ok"))
			fprintf(stderr, "vgpufs: %s\n", verdict);
		return;
	}
	if (write(fd, verdict, strlen(verdict)) < 0)
		_exit(1);
	close(fd);
	null = open("/dev/null", O_RDWR);
	dup2(null, 0), dup2(null, 1), dup2(null, 2);
	if (null > 2)
		close(null);
	if (chdir("/") < 0)
		_exit(1);
}

/* vgpufs --check: the options above and nothing else, which rules out a mount point. */
static int check(const struct fuse_args *args, const struct engine_options *eopts)
{
	char err[512] = "";

	if (args->argc > 1) {
		fprintf(stderr, "vgpufs: --check takes only --sysfs-root, --libvirt and --state, "
			"not '%s'\n", args->argv[1]);
		return 2;
	}
	if (check_host(eopts, stdout, err, sizeof(err)) < 0) {
		fprintf(stderr, "vgpufs: %s\n", err);
		return 1;
	}
	return 0;
}

/* WATCHDOG=1 at half systemd's interval, for as long as the engine answers (a stuck
 * engine lock stops it, and systemd restarts the daemon). */
static void *watchdog_main(void *arg)
{
	struct engine *engine = arg;
	uint64_t usec = 0;
	struct host_info info;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return NULL;
	for (;;) {
		usleep(usec / 2);
		if (engine_host_info(engine, &info) == 0)
			sd_notify(0, "WATCHDOG=1");
	}
	return NULL;
}

static void start_watchdog(struct engine *engine)
{
	pthread_t thread;

	if (sd_watchdog_enabled(0, NULL) > 0 &&
	    pthread_create(&thread, NULL, watchdog_main, engine) == 0)
		pthread_detach(thread);
}

/* Opens the engine, mounts, serves until a signal or an unmount. Returns the exit status. */
static int run(struct fuse_args *args, const struct engine_options *eopts)
{
	struct fuse_cmdline_opts cmd;
	struct fuse_loop_config *loop;
	struct engine *engine = NULL;
	struct fuse_session *se = NULL;
	char err[512] = "";
	int status = 1, fd = -1, r;

	if (fuse_parse_cmdline(args, &cmd) != 0 || !cmd.mountpoint) {
		fprintf(stderr, "vgpufs: no mount point given (see --help)\n");
		return 2;
	}
	if (!cmd.foreground && (fd = background()) < 0)
		goto out;
	r = engine_open(eopts, &engine, err, sizeof(err));
	if (r < 0) {
		report(fd, err[0] ? err : strerror(-r));
		goto out;
	}
	se = fuse_session_new(args, lowlevel_operations(), sizeof(struct fuse_lowlevel_ops),
			      engine);
	if (!se || fuse_set_signal_handlers(se) != 0 ||
	    fuse_session_mount(se, cmd.mountpoint) != 0) {
		report(fd, "cannot mount (see the messages above, or run with -f)");
		goto out;
	}
	report(fd, "ok");
	sd_notifyf(0, "READY=1\nSTATUS=serving %s; connecting to libvirt", cmd.mountpoint);
	start_watchdog(engine);
	if ((r = engine_start(engine)) < 0) {
		fprintf(stderr, "vgpufs: cannot start the libvirt worker: %s\n", strerror(-r));
		goto unmount;
	}
	loop = fuse_loop_cfg_create();
	fuse_loop_cfg_set_idle_threads(loop, 10);
	status = fuse_session_loop_mt(se, loop) < 0 ? 1 : 0;
	fuse_loop_cfg_destroy(loop);
unmount:
	sd_notify(0, "STOPPING=1");
	fuse_session_unmount(se);
out:
	if (se) {
		fuse_remove_signal_handlers(se);
		fuse_session_destroy(se);
	}
	engine_close(engine);
	free(cmd.mountpoint);
	return status;
}

/* --log-level: where event lines go besides /vgpu/events is chosen here, once. */
static int open_system_log(const char *level)
{
	int max_priority = syslog_out_level(level);

	if (max_priority < 0) {
		fprintf(stderr, "vgpufs: --log-level: '%s' is not err, warning, notice, info or "
			"debug\n", level);
		return -1;
	}
	syslog_out_open(max_priority);
	return 0;
}

/* --admin-group: a group name or gid; the default, adm, may be missing (root's then). */
static int set_admin_group(const char *name, bool given)
{
	struct group *g = getgrnam(name);
	char *end;
	unsigned long gid = strtoul(name, &end, 10);

	if (g) {
		gid = g->gr_gid;
	} else if (!*name || *end || gid > 0x7ffffffe) {
		if (given) {
			fprintf(stderr, "vgpufs: --admin-group: no group named '%s'\n", name);
			return -1;
		}
		gid = 0;
	}
	tree_set_admin_group((gid_t)gid);
	return 0;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	/* fuse_opt_parse frees what it replaces: no string literals */
	struct options opts = { .vf_wait_s = 30, .rescan_interval = RESCAN_INTERVAL_DEFAULT };
	struct engine_options eopts;
	int r;

	if (fuse_opt_parse(&args, &opts, option_spec, NULL) < 0)
		return 2;
	if (opts.rescan_interval > RESCAN_INTERVAL_MAX) {
		fprintf(stderr, "vgpufs: --rescan-interval takes 0 to %u seconds\n",
			RESCAN_INTERVAL_MAX);
		fuse_opt_free_args(&args);
		return 2;
	}
	if (opts.show_help || opts.show_version) {
		if (opts.show_help)
			usage(argv[0]);
		else
			printf("vgpufs %s\n", VGPUFS_VERSION);
		fuse_opt_free_args(&args);
		return 0;
	}
	eopts = (struct engine_options){
		opts.sysfs_root ? opts.sysfs_root : "/sys",
		opts.libvirt_uri ? opts.libvirt_uri : "qemu:///system",
		opts.state_dir ? opts.state_dir : "/var/lib/vgpufs",
		opts.vf_wait_s,
		opts.metrics_textfile,
		opts.rescan_interval,
	};
	if (opts.check) {
		r = check(&args, &eopts);
	} else if (set_admin_group(opts.admin_group ? opts.admin_group : "adm",
				   opts.admin_group != NULL) < 0 ||
		   open_system_log(opts.log_level ? opts.log_level : "info") < 0) {
		r = 2;
	} else {
		/* allow_other: everyone may read the tree, the mode bits say who may write */
		fuse_opt_add_arg(&args, geteuid() == 0 ?
				 "-odefault_permissions,allow_other,fsname=vgpufs,subtype=vgpufs" :
				 "-odefault_permissions,fsname=vgpufs,subtype=vgpufs");
		r = run(&args, &eopts);
		syslog_out_close();
	}
	fuse_opt_free_args(&args);
	free((void *)opts.sysfs_root);
	free((void *)opts.libvirt_uri);
	free((void *)opts.state_dir);
	free((void *)opts.admin_group);
	free((void *)opts.log_level);
	free((void *)opts.metrics_textfile);
	return r;
}
