/* lowlevel.h — the tree (tree.h) served through libfuse's low-level API. */
#ifndef VGPUFS_LOWLEVEL_H
#define VGPUFS_LOWLEVEL_H

struct fuse_lowlevel_ops;
/* The callbacks for fuse_session_new(); the session's userdata is the engine. */
const struct fuse_lowlevel_ops *lowlevel_operations(void);

#endif
