/*
 * vgpufs-fuse-floor: the least a FUSE file system can do for a read, as a baseline for
 * vgpufs's constant attributes.  One file, "value", whose open is answered from memory
 * with keep_cache and noflush (as vgpufs answers a constant attribute), looked up and
 * stat'ed with long timeouts, on libfuse's low-level API and the multithreaded loop
 * vgpufs runs (10 idle threads: the release of one open overlaps the next open).
 * What a read costs here is the kernel's FUSE round trip for the open, on this machine.
 *   vgpufs-fuse-floor MOUNTPOINT   (stays in the foreground; unmount to stop it)
 */
#define FUSE_USE_VERSION 312 /* fuse_session_loop_mt() with a loop config */
#include <fuse_lowlevel.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define FILE_INO 2
#define TIMEOUT_S 3600.0

static const char value[] = "16384\n"; /* a framebuffer_mib */

static void stat_of(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = ino == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0444;
	st->st_nlink = ino == FUSE_ROOT_ID ? 2 : 1;
	st->st_size = ino == FUSE_ROOT_ID ? 0 : (off_t)strlen(value);
}

static void floor_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { .ino = FILE_INO, .attr_timeout = TIMEOUT_S,
				      .entry_timeout = TIMEOUT_S };

	if (parent != FUSE_ROOT_ID || strcmp(name, "value")) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	stat_of(FILE_INO, &e.attr);
	fuse_reply_entry(req, &e);
}

static void floor_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	stat_of(ino, &st);
	fuse_reply_attr(req, &st, TIMEOUT_S);
}

static void floor_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != FILE_INO) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	fi->keep_cache = 1;
	fi->noflush = 1;
	fuse_reply_open(req, fi);
}

static void floor_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
		       struct fuse_file_info *fi)
{
	size_t len = strlen(value);

	(void)ino, (void)fi;
	if ((size_t)offset >= len)
		size = 0;
	else if (size > len - (size_t)offset)
		size = len - (size_t)offset;
	fuse_reply_buf(req, size ? value + offset : NULL, size);
}

static const struct fuse_lowlevel_ops operations = {
	.lookup = floor_lookup,
	.getattr = floor_getattr,
	.open = floor_open,
	.read = floor_read,
};

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_session *session;
	struct fuse_loop_config *loop = fuse_loop_cfg_create();
	int r = 1;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: vgpufs-fuse-floor MOUNTPOINT\n");
		return 2;
	}
	args.argc = 1; /* the mount point is not a FUSE option */
	session = fuse_session_new(&args, &operations, sizeof(operations), NULL);
	if (loop && session && fuse_session_mount(session, argv[1]) == 0) {
		fuse_set_signal_handlers(session);
		fuse_loop_cfg_set_idle_threads(loop, 10);
		r = fuse_session_loop_mt(session, loop) < 0;
		fuse_remove_signal_handlers(session);
		fuse_session_unmount(session);
	}
	if (session)
		fuse_session_destroy(session);
	if (loop)
		fuse_loop_cfg_destroy(loop);
	return r;
}
