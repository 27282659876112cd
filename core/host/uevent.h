/* uevent.h — the kernel's device events (uevents) as the daemon hears them: a
 * NETLINK_KOBJECT_UEVENT socket bound to the kernel's multicast group 1, and a parser of one
 * message. A message is the header "ACTION@DEVPATH" and then KEY=VALUE strings, each ended
 * by a NUL. The parser is strict and bounded: anything else (udev's group-2 messages, which
 * begin with "libudev", a truncated or oversized message, a missing or contradicting key)
 * is refused whole. Only what the daemon acts on is kept. */
#ifndef VGPUFS_UEVENT_H
#define VGPUFS_UEVENT_H

#include <stdbool.h>
#include <stddef.h>

#define UEVENT_GROUP_KERNEL 1
#define UEVENT_MSG_MAX 8192     /* the kernel's messages are under 2048 + the header */
#define UEVENT_FIELDS_MAX 64    /* the kernel's UEVENT_NUM_ENVP */
#define UEVENT_KEY_MAX 64
#define UEVENT_DEVPATH_MAX 512

enum uevent_action {
	UEVENT_ADD, UEVENT_REMOVE, UEVENT_CHANGE, UEVENT_MOVE, UEVENT_ONLINE, UEVENT_OFFLINE,
	UEVENT_BIND, UEVENT_UNBIND,
};

struct uevent {
	enum uevent_action action;
	char devpath[UEVENT_DEVPATH_MAX];  /* "/devices/pci0000:00/0000:41:00.0" */
	char subsystem[32];                /* "pci", "mdev", ... */
	char pci_slot[16];                 /* PCI_SLOT_NAME, "" when absent */
	char driver[32];                   /* DRIVER, "" when absent */
	unsigned long long seqnum;
};

const char *uevent_action_name(enum uevent_action a);

/* Parses the len bytes of one message into *out: 0, or -EBADMSG when it is not a
 * well-formed kernel uevent (nothing of *out is to be used then). */
int uevent_parse(const char *msg, size_t len, struct uevent *out);

/* Whether u concerns the daemon (subsystem pci or mdev): the host's live readings are
 * dropped. */
bool uevent_relevant(const struct uevent *u);
/* Whether the set of PCI functions or their drivers changed: the GPUs are discovered
 * again. */
bool uevent_wants_rescan(const struct uevent *u);

/* A non-blocking, close-on-exec socket on the kernel's uevent group, with credentials
 * passed (uevent_receive keeps only root's messages). Returns the fd or -errno. */
int uevent_open(void);

/* Receives one message into *out. 0: parsed; -EAGAIN: nothing waiting; -EBADMSG: a
 * message was read and refused (malformed, truncated, not from root); -ENOBUFS: the
 * socket overflowed and messages were lost; another -errno: the socket failed. */
int uevent_receive(int fd, struct uevent *out);

#endif
