/* compat.h — which NVIDIA vGPU releases drive which GPUs, and which guest drivers go with
 * which host driver: data/vgpu-compat.txt (its sources are named in it), compiled into
 * the program. Versions are NVIDIA's dotted driver versions ("550.54.16"); the branch is
 * the first number ("R550"), and each branch belongs to one vGPU software release (17). */
#ifndef VGPUFS_COMPAT_H
#define VGPUFS_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

enum compat_support { COMPAT_UNKNOWN = -1, COMPAT_NO = 0, COMPAT_YES = 1 };

/* strcmp-like order of two dotted versions, compared number by number
 * ("535.129.03" < "535.161.05" < "550.54.10"). */
int compat_version_compare(const char *a, const char *b);
/* The branch of a version, "R550"; -EINVAL when version is not a driver version. */
int compat_branch(const char *version, char *buf, size_t size);
/* The vGPU software release of the version's branch (17 for R550), or -ENOENT when the
 * data does not know the branch, -EINVAL for a malformed version. */
int compat_release(const char *version);
/* Whether the host driver version drives the PCI device vendor:device: COMPAT_UNKNOWN
 * when the data knows neither the device nor the version's release. */
enum compat_support compat_drives(const char *host_version, unsigned vendor, unsigned device);
/* Whether a guest driver version works with the host driver version: same release, the
 * previous major release, or the previous LTS release (NVIDIA's rule). */
enum compat_support compat_guest_works(const char *host_version, const char *guest_version);
/* Checks the compiled-in data; 0, or -EINVAL with the line and reason in err. */
int compat_check(char *err, size_t err_size);

#endif
