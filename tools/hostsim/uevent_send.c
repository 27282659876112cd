/* uevent_send.c - see uevent_send.h.  What goes in a message is what the kernel's
 * dev_uevent and pci_uevent put there: ACTION, DEVPATH, SUBSYSTEM, DRIVER while one is
 * bound (bind, unbind), the PCI_* ids, PCI_SLOT_NAME and MODALIAS, and SEQNUM. */
#include "uevent_send.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>

#define MSG_MAX 2048

struct message {
	size_t len;
	char data[MSG_MAX];
	bool full;
};

__attribute__((format(printf, 2, 3)))
static void add(struct message *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(m->data + m->len, sizeof(m->data) - m->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(m->data) - m->len)
		m->full = true;
	else
		m->len += (size_t)n + 1; /* the NUL ends the string */
}

static void start(struct message *m, const char *action, const char *devpath,
		  const char *subsystem)
{
	m->len = 0;
	m->full = false;
	add(m, "%s@%s", action, devpath);
	add(m, "ACTION=%s", action);
	add(m, "DEVPATH=%s", devpath);
	add(m, "SUBSYSTEM=%s", subsystem);
}

static void finish_and_send(struct sim_host *h, struct message *m)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_groups = 1 };

	add(m, "SEQNUM=%llu", ++h->uevent_seqnum);
	if (m->full || h->uevent_fd < 0 || !h->uevents)
		return;
	/* a listener too slow to read loses the message (ENOBUFS on its side), as with
	 * the kernel's: nothing to do here */
	sendto(h->uevent_fd, m->data, m->len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to));
}

void uevent_send_pci(struct sim_host *h, const char *action, unsigned dev)
{
	const struct sim_pci *p = &h->pci[dev];
	struct message m;
	char devpath[64];

	snprintf(devpath, sizeof(devpath), "/devices/pci0000:00/%s", p->bdf);
	start(&m, action, devpath, "pci");
	if (p->driver && (!strcmp(action, "bind") || !strcmp(action, "unbind")))
		add(&m, "DRIVER=%s", p->driver);
	add(&m, "PCI_CLASS=%X", p->class_code);
	add(&m, "PCI_ID=%04X:%04X", p->vendor, p->device);
	add(&m, "PCI_SUBSYS_ID=%04X:%04X", p->subsystem_vendor, p->subsystem_device);
	add(&m, "PCI_SLOT_NAME=%s", p->bdf);
	add(&m, "MODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", p->vendor, p->device,
	    p->subsystem_vendor, p->subsystem_device, p->class_code >> 16,
	    (p->class_code >> 8) & 0xff, p->class_code & 0xff);
	finish_and_send(h, &m);
}

void uevent_send_mdev(struct sim_host *h, const char *action, const char *parent,
		      const char *uuid)
{
	struct message m;
	char devpath[128];

	snprintf(devpath, sizeof(devpath), "/devices/pci0000:00/%s/%s", parent, uuid);
	start(&m, action, devpath, "mdev");
	finish_and_send(h, &m);
}

int uevent_send_open(struct sim_host *h, bool off)
{
	struct sockaddr_nl self = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);

	h->uevent_fd = -1;
	h->uevents = false;
	if (geteuid() != 0) { /* only root may multicast on the kernel's group */
		if (fd >= 0)
			close(fd);
		return h->uevent_error = -EPERM;
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&self, sizeof(self)) < 0) {
		h->uevent_error = -errno;
		if (fd >= 0)
			close(fd);
		return h->uevent_error;
	}
	h->uevent_fd = fd;
	h->uevents = !off;
	return 0;
}

void uevent_send_close(struct sim_host *h)
{
	if (h->uevent_fd >= 0)
		close(h->uevent_fd);
	h->uevent_fd = -1;
}

int uevent_send_enable(struct sim_host *h, bool on)
{
	if (on && h->uevent_fd < 0)
		return h->uevent_error;
	h->uevents = on;
	return 0;
}
