/* uevent_send.h - the uevents the kernel would send when the simulated host changes.
 *
 * Run as root, the simulator multicasts on a NETLINK_KOBJECT_UEVENT socket to the
 * kernel's group 1, in the kernel's format ("ACTION@DEVPATH" and KEY=VALUE strings,
 * each NUL-terminated), so a daemon listening there takes them for the kernel's.  Run
 * it inside `unshare -n`: the messages then reach only listeners of that network
 * namespace.  Every function expects host->lock to be held. */
#ifndef HOSTSIM_UEVENT_SEND_H
#define HOSTSIM_UEVENT_SEND_H

#include "model.h"

/* Opens the socket into host->uevent_fd; sending starts enabled unless OFF.  Not
 * root, or no netlink: -errno, and the simulator sends nothing. */
int uevent_send_open(struct sim_host *host, bool off);
void uevent_send_close(struct sim_host *host);

/* Turns sending on or off (.simctl "uevents"): -errno of the failed open for "on". */
int uevent_send_enable(struct sim_host *host, bool on);

/* ACTION ("add", "remove", "bind", "unbind") of PCI function DEV. */
void uevent_send_pci(struct sim_host *host, const char *action, unsigned dev);
/* ACTION of the mdev UUID on parent PARENT (a PCI function's BDF). */
void uevent_send_mdev(struct sim_host *host, const char *action, const char *parent,
		      const char *uuid);

#endif
