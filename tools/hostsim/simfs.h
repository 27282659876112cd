/* simfs.h - the FUSE side: thin callbacks onto the tree (tree.h). */
#ifndef HOSTSIM_SIMFS_H
#define HOSTSIM_SIMFS_H

#define FUSE_USE_VERSION 314
#include <fuse.h>

extern const struct fuse_operations simfs_operations;

#endif
