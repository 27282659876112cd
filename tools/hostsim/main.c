/* main.c - vgpu-hostsim: mounts a simulated NVIDIA vGPU host's sysfs.
 *
 *   vgpu-hostsim [-f] [-d] [-U] HOSTFILE MOUNTPOINT
 *
 * As root it sends the kernel's uevents when .simctl unplugs or plugs a GPU
 * (uevent_send.h); -U starts with them off.
 * The host file is parsed before anything is mounted, so a bad file fails
 * fast (exit 2, "FILE:LINE: message").  Then the multithreaded FUSE loop
 * runs until SIGINT/SIGTERM or fusermount3 -u, all of which exit 0; a
 * failure to mount exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostfile.h"
#include "model.h"
#include "simfs.h"
#include "uevent_send.h"

#define EXIT_USAGE 2

struct cli {
	bool foreground, debug, no_uevents;
	const char *hostfile, *mountpoint;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: vgpu-hostsim [-f] [-d] [-U] HOSTFILE MOUNTPOINT\n"
		     "  -f  stay in the foreground\n"
		     "  -d  FUSE debug output (implies -f)\n"
		     "  -U  send no uevents at first (.simctl \"uevents on\" starts them)\n"
		     "HOSTFILE format: see docs/simulator.md\n");
}

static int parse_cli(int argc, char **argv, struct cli *cli)
{
	int opt;

	while ((opt = getopt(argc, argv, "fdhU")) != -1) {
		if (opt == 'f')
			cli->foreground = true;
		else if (opt == 'U')
			cli->no_uevents = true;
		else if (opt == 'd')
			cli->debug = true;
		else if (opt == 'h') {
			usage(stdout);
			exit(0);
		} else
			return -1;
	}
	if (argc - optind != 2)
		return -1;
	cli->hostfile = argv[optind];
	cli->mountpoint = argv[optind + 1];
	return 0;
}

#define IDLE_THREADS 10

/* Root mounts with allow_other so that default_permissions (the mode
 * bits) is what other users meet, as on /sys. */
static int make_fuse_args(struct fuse_args *args, const struct cli *cli, char *argv0)
{
	const char *opts = geteuid() == 0 ? "default_permissions,allow_other,fsname=vgpu-hostsim"
					  : "default_permissions,fsname=vgpu-hostsim";

	if (fuse_opt_add_arg(args, argv0) || fuse_opt_add_arg(args, "-o") ||
	    fuse_opt_add_arg(args, opts))
		return -1;
	return cli->debug ? fuse_opt_add_arg(args, "-d") : 0;
}

/* The multithreaded loop.  It returns 0 after an unmount and the signal
 * number after SIGINT/SIGTERM: both are a clean stop. */
static int serve(struct fuse *fuse)
{
	struct fuse_loop_config *config = fuse_loop_cfg_create();
	int r;

	if (!config)
		return -1;
	fuse_loop_cfg_set_idle_threads(config, IDLE_THREADS);
	r = fuse_loop_mt(fuse, config);
	fuse_loop_cfg_destroy(config);
	return r < 0 ? -1 : 0;
}

static int run_fuse(const struct cli *cli, struct sim_host *host, char *argv0)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse *fuse = NULL;
	int r = -1;

	if (make_fuse_args(&args, cli, argv0) == 0)
		fuse = fuse_new(&args, &simfs_operations, sizeof(simfs_operations), host);
	if (fuse && fuse_mount(fuse, cli->mountpoint) == 0) {
		if (fuse_daemonize(cli->foreground || cli->debug) == 0 &&
		    fuse_set_signal_handlers(fuse_get_session(fuse)) == 0) {
			r = serve(fuse);
			fuse_remove_signal_handlers(fuse_get_session(fuse));
		}
		fuse_unmount(fuse);
	}
	if (fuse)
		fuse_destroy(fuse);
	fuse_opt_free_args(&args);
	return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct host_spec *spec = calloc(1, sizeof(*spec));
	struct sim_host *host;
	char err[512];
	int r;

	if (!spec)
		return 1;
	if (parse_cli(argc, argv, &cli) < 0) {
		usage(stderr);
		free(spec);
		return EXIT_USAGE;
	}
	if (hostfile_parse(cli.hostfile, spec, err, sizeof(err)) < 0) {
		fprintf(stderr, "vgpu-hostsim: %s\n", err);
		free(spec);
		return EXIT_USAGE;
	}
	host = model_create(spec);
	free(spec);
	if (!host) {
		fprintf(stderr, "vgpu-hostsim: out of memory\n");
		return 1;
	}
	uevent_send_open(host, cli.no_uevents); /* without: the simulator sends none */
	r = run_fuse(&cli, host, argv[0]);
	uevent_send_close(host);
	model_destroy(host);
	return r;
}
