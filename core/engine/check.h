/* check.h — `vgpufs --check`: the host as discovery sees it, printed as text, without
 * mounting anything and without writing anything anywhere. It is what a machine with a
 * real GPU runs to check discovery; the format is in docs/tree.md ("Checking a host"). */
#ifndef VGPUFS_CHECK_H
#define VGPUFS_CHECK_H

#include <stddef.h>
#include <stdio.h>
#include "engine.h"

/* Discovers the GPUs under opts->sysfs_root and prints them to out, then whether
 * opts->libvirt_uri answers and the schema version of the database in opts->state_dir.
 * Returns 0 when discovery worked, whatever libvirt and the database said (the text says
 * it), or -errno with a one-line reason in err when discovery failed or out could not be
 * written; nothing is printed when discovery failed. */
int check_host(const struct engine_options *opts, FILE *out, char *err, size_t err_size);

#endif
