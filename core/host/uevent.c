/* uevent.c — see uevent.h. The format is the kernel's (lib/kobject_uevent.c): the header
 * "ACTION@DEVPATH", then ACTION, DEVPATH, SUBSYSTEM, further keys and SEQNUM, each string
 * NUL-terminated. */
#include "uevent.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>

static const char *const action_names[] = {
	[UEVENT_ADD] = "add", [UEVENT_REMOVE] = "remove", [UEVENT_CHANGE] = "change",
	[UEVENT_MOVE] = "move", [UEVENT_ONLINE] = "online", [UEVENT_OFFLINE] = "offline",
	[UEVENT_BIND] = "bind", [UEVENT_UNBIND] = "unbind",
};

const char *uevent_action_name(enum uevent_action a)
{
	return action_names[a];
}

static int action_parse(const char *s, size_t len, enum uevent_action *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(action_names); i++) {
		if (strlen(action_names[i]) == len && !memcmp(action_names[i], s, len)) {
			*out = (enum uevent_action)i;
			return 0;
		}
	}
	return -EBADMSG;
}

static bool printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

static bool key_valid(const char *key, size_t len)
{
	if (!len || len > UEVENT_KEY_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(key[i] >= 'A' && key[i] <= 'Z') && !(key[i] >= '0' && key[i] <= '9') &&
		    key[i] != '_')
			return false;
	return true;
}

/* Copies a value into a fixed field: -EBADMSG when it does not fit, or is empty. */
static int take(char *dst, size_t size, const char *value)
{
	return value[0] && str_copy(dst, size, value) >= 0 ? 0 : -EBADMSG;
}

static bool is_decimal(const char *s)
{
	return s[0] && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 19;
}

/* "0000:41:00.0": what the kernel's PCI_SLOT_NAME holds (pci_name()). */
static bool is_bdf(const char *s)
{
	static const char shape[] = "xxxx:xx:xx.x";

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'x' ? !strchr("0123456789abcdef", s[i]) || !s[i] : s[i] != shape[i])
			return false;
	return true;
}

struct seen {
	const char *keys[UEVENT_FIELDS_MAX];
	size_t lens[UEVENT_FIELDS_MAX], n;
	bool action, devpath, subsystem, seqnum;
};

static bool duplicate(const struct seen *s, const char *key, size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->lens[i] == len && !memcmp(s->keys[i], key, len))
			return true;
	return false;
}

/* One KEY=VALUE of the message, checked against the header where they say the same. */
static int field(const char *kv, size_t len, const char *header_action,
		 struct seen *s, struct uevent *out)
{
	const char *eq = memchr(kv, '=', len), *value;
	size_t key_len;

	if (!eq || s->n == UEVENT_FIELDS_MAX || !printable(kv, len))
		return -EBADMSG;
	key_len = (size_t)(eq - kv);
	value = eq + 1;
	if (!key_valid(kv, key_len) || duplicate(s, kv, key_len))
		return -EBADMSG;
	s->keys[s->n] = kv;
	s->lens[s->n++] = key_len;
#define KEY(name) (key_len == sizeof(name) - 1 && !memcmp(kv, name, key_len))
	if (KEY("ACTION"))
		return s->action = true, strcmp(value, header_action) ? -EBADMSG : 0;
	if (KEY("DEVPATH"))
		return s->devpath = true, strcmp(value, out->devpath) ? -EBADMSG : 0;
	if (KEY("SUBSYSTEM"))
		return s->subsystem = true, take(out->subsystem, sizeof(out->subsystem), value);
	if (KEY("SEQNUM")) {
		s->seqnum = true;
		if (!is_decimal(value))
			return -EBADMSG;
		out->seqnum = strtoull(value, NULL, 10);
		return 0;
	}
	if (KEY("PCI_SLOT_NAME"))
		return is_bdf(value) ? take(out->pci_slot, sizeof(out->pci_slot), value) : -EBADMSG;
	if (KEY("DRIVER"))
		return take(out->driver, sizeof(out->driver), value);
#undef KEY
	return 0;
}

/* "ACTION@DEVPATH": a known action, an absolute path that fits. */
static int header(const char *h, size_t len, struct uevent *out, char *action, size_t size)
{
	const char *at = memchr(h, '@', len);
	size_t action_len = at ? (size_t)(at - h) : 0;

	if (!at || action_len >= size || !printable(h, len) ||
	    action_parse(h, action_len, &out->action) < 0)
		return -EBADMSG;
	memcpy(action, h, action_len);
	action[action_len] = '\0';
	if (at[1] != '/' || memchr(at + 1, '@', len - action_len - 1))
		return -EBADMSG;
	return str_copy(out->devpath, sizeof(out->devpath), at + 1) < 0 ? -EBADMSG : 0;
}

int uevent_parse(const char *msg, size_t len, struct uevent *out)
{
	struct seen s = { .n = 0 };
	char action[16];
	size_t pos, n;
	int r;

	memset(out, 0, sizeof(*out));
	if (!len || len > UEVENT_MSG_MAX || msg[len - 1] != '\0')
		return -EBADMSG;
	n = strlen(msg);
	if ((r = header(msg, n, out, action, sizeof(action))) < 0)
		return r;
	for (pos = n + 1; pos < len && r >= 0; pos += n + 1) {
		n = strlen(msg + pos);
		r = n ? field(msg + pos, n, action, &s, out) : -EBADMSG;
	}
	if (r < 0 || !s.action || !s.devpath || !s.subsystem || !s.seqnum)
		return -EBADMSG;
	return 0;
}

bool uevent_relevant(const struct uevent *u)
{
	return !strcmp(u->subsystem, "pci") || !strcmp(u->subsystem, "mdev");
}

bool uevent_wants_rescan(const struct uevent *u)
{
	switch (u->action) {
	case UEVENT_ADD:
	case UEVENT_REMOVE:
	case UEVENT_BIND:
	case UEVENT_UNBIND:
	case UEVENT_CHANGE:
		return !strcmp(u->subsystem, "pci");
	default:
		return false;
	}
}

int uevent_open(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = UEVENT_GROUP_KERNEL };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_KOBJECT_UEVENT);
	int on = 1, size = 1 << 20;

	if (fd < 0)
		return -errno;
	/* a burst (a GPU with its VFs and vGPUs) fits; FORCE needs CAP_NET_ADMIN */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* The kernel's messages, and those a root process multicasts on the group, carry uid 0;
 * anything else is not believed. */
static bool from_root(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		struct ucred cred;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS ||
		    c->cmsg_len < CMSG_LEN(sizeof(cred)))
			continue;
		memcpy(&cred, CMSG_DATA(c), sizeof(cred));
		return cred.uid == 0;
	}
	return false;
}

int uevent_receive(int fd, struct uevent *out)
{
	static __thread char buf[UEVENT_MSG_MAX];
	char control[CMSG_SPACE(sizeof(struct ucred))];
	struct sockaddr_nl from;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || from.nl_groups != UEVENT_GROUP_KERNEL ||
	    !from_root(&mh))
		return -EBADMSG;
	return uevent_parse(buf, (size_t)n, out);
}
