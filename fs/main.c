/* main.c — the vgpufs daemon: parses options, opens the engine (discovery happens before
 * anything is served), and mounts the tree with libfuse, which also handles -f/-d and
 * unmounts cleanly on SIGTERM/SIGINT. */
#define FUSE_USE_VERSION 31
#include "tree.h"

#include <fuse.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct options {
	const char *sysfs_root;
	const char *libvirt_uri;
	const char *state_dir;
	int show_help;
	int show_version;
};

#define OPTION(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt option_spec[] = {
	OPTION("--sysfs-root=%s", sysfs_root),
	OPTION("--sysfs-root %s", sysfs_root),
	OPTION("--libvirt=%s", libvirt_uri),
	OPTION("--libvirt %s", libvirt_uri),
	OPTION("--state=%s", state_dir),
	OPTION("--state %s", state_dir),
	OPTION("-h", show_help),
	OPTION("--help", show_help),
	OPTION("-V", show_version),
	OPTION("--version", show_version),
	FUSE_OPT_END
};

static void usage(const char *prog)
{
	printf("usage: %s [options] MOUNTPOINT\n\n"
	       "  --sysfs-root DIR   sysfs to manage (default /sys)\n"
	       "  --libvirt URI      libvirt connection (default qemu:///system)\n"
	       "  --state DIR        state database directory (default /var/lib/vgpufs)\n"
	       "  -f                 stay in the foreground\n"
	       "  -d                 debug: foreground, log every FUSE request\n"
	       "  -o OPT[,OPT...]    FUSE mount options\n\n", prog);
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct options opts = { 0 }; /* fuse_opt_parse frees what it replaces: no literals */
	struct engine_options eopts;
	struct engine *engine = NULL;
	char err[512] = "";
	int r;

	if (fuse_opt_parse(&args, &opts, option_spec, NULL) < 0)
		return 2;
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
	};
	r = engine_open(&eopts, &engine, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "vgpufs: %s\n", err[0] ? err : strerror(-r));
		fuse_opt_free_args(&args);
		return 1;
	}
	fuse_opt_add_arg(&args, "-odefault_permissions,fsname=vgpufs,subtype=vgpufs,max_threads=16");
	r = fuse_main(args.argc, args.argv, tree_operations(), engine);
	engine_close(engine);
	fuse_opt_free_args(&args);
	return r;
}
