/* tree.h - the simulated sysfs tree, declared as node kinds.
 *
 * A directory kind is one function that lists its children (directories,
 * attribute files and symlinks) with the emit_* helpers; looking a name up
 * and reading a directory both go through that one list, so they cannot
 * disagree.  An attribute is a table row binding a name and mode to a show
 * and a store function, as in the kernel's sysfs/configfs.  Nothing here
 * knows FUSE; every call expects host->lock to be held. */
#ifndef HOSTSIM_TREE_H
#define HOSTSIM_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model.h"

#define ATTR_SIZE 4096          /* st_size and the most a show may produce */
#define LINK_MAX_LEN 256

struct textbuf {
	size_t len;
	char data[ATTR_SIZE];
};

__attribute__((format(printf, 2, 3)))
void tb_printf(struct textbuf *tb, const char *fmt, ...);

enum sim_node_kind { NODE_DIR, NODE_FILE, NODE_LINK };

struct sim_node;
struct lister;

struct dir_kind {
	void (*list)(struct sim_host *host, const struct sim_node *self, struct lister *l);
};

/* show fills OUT; store gets the written value with one trailing newline
 * removed, NUL terminated, and its length.  Both return 0 or -errno. */
struct sim_attr {
	const char *name;
	mode_t mode;
	int (*show)(struct sim_host *host, const struct sim_node *n, struct textbuf *out);
	int (*store)(struct sim_host *host, const struct sim_node *n, const char *value,
		     size_t len);
};

/* Where a node sits; children inherit the context of their parent. */
struct sim_node {
	enum sim_node_kind kind;
	const struct dir_kind *dir;     /* NODE_DIR */
	const struct sim_attr *attr;        /* NODE_FILE */
	char target[LINK_MAX_LEN];      /* NODE_LINK */
	int dev;                        /* PCI function index, -1 */
	int type;                       /* vGPU type (profile index), -1 */
	int group;                      /* IOMMU group, -1 */
	const char *driver;             /* bus/pci/drivers/<driver> */
	char uuid[UUID_TEXT_LEN + 1];   /* mdev device */
};

typedef bool (*emit_fn)(void *ctx, const char *name, const struct sim_node *child);

struct lister {
	const char *want;               /* lookup: only this name; NULL: all */
	emit_fn emit;                   /* returns true to stop listing */
	void *ctx;
	bool stop;
};

void emit_dir(struct lister *l, const char *name, const struct sim_node *ctx,
	      const struct dir_kind *kind);
void emit_attrs(struct lister *l, const struct sim_node *ctx, const struct sim_attr *table);
__attribute__((format(printf, 4, 5)))
void emit_link(struct lister *l, const char *name, const struct sim_node *ctx,
	       const char *fmt, ...);

/* Calls FN with every path ("/"-based) that disappeared with the mdevs
 * removed since the last call, so a cache of the tree can drop them. */
typedef void (*path_fn)(void *ctx, const char *path);
void tree_drain_gone(struct sim_host *host, path_fn fn, void *ctx);

/* Resolves PATH ("/" based).  0, -ENOENT or -ENOTDIR. */
int tree_resolve(struct sim_host *host, const char *path, struct sim_node *out);
/* Calls EMIT for every child of directory node DIR. */
void tree_list(struct sim_host *host, const struct sim_node *dir, emit_fn emit, void *ctx);

/* Directory kinds defined in the tree_*.c files. */
extern const struct dir_kind dir_pci_device;     /* devices/pci0000:00/<bdf> */
extern const struct dir_kind dir_mdev_types;     /* <parent>/mdev_supported_types */
extern const struct dir_kind dir_bus_mdev_devices;
extern const struct dir_kind dir_vf_nvidia;      /* <vf>/nvidia (vfio-sriov) */
extern const struct dir_kind dir_root;
extern const struct sim_attr simctl_attrs[];     /* the root's .simctl */
extern const struct sim_attr vgpu_common_attrs[];  /* vgpu_params, vm_name */

/* Lists the mdev vGPUs of parent SELF->dev as <uuid> dirs. */
void tree_emit_mdev_devices(struct sim_host *host, const struct sim_node *self, struct lister *l);

/* pciconfig.c: the binary "config" file and the text "resource" file. */
void pci_config_space(const struct sim_pci *pci, struct textbuf *out);
void pci_resource_text(const struct sim_pci *pci, struct textbuf *out);

#endif
