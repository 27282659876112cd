/* test_uevent.c — the uevent parser (core/host/uevent.h): the kernel's messages for a PCI
 * function and an mdev are read as they are, and every way a message can be malformed,
 * truncated, oversized or contradict itself is refused whole. */
#include "tap.h"
#include "uevent.h"

#include <errno.h>
#include <stdlib.h>

/* Builds a message from NUL-separated parts given as one string with '|' for each NUL. */
static size_t msg(char *buf, size_t size, const char *parts)
{
	size_t len = strlen(parts) + 1;

	if (len > size)
		abort();
	memcpy(buf, parts, len);
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '|')
			buf[i] = '\0';
	return len;
}

static int parse(const char *parts, struct uevent *u)
{
	char buf[UEVENT_MSG_MAX];

	return uevent_parse(buf, msg(buf, sizeof(buf), parts), u);
}

#define PCI_REMOVE "remove@/devices/pci0000:00/0000:41:00.0|ACTION=remove|" \
	"DEVPATH=/devices/pci0000:00/0000:41:00.0|SUBSYSTEM=pci|PCI_CLASS=30200|" \
	"PCI_ID=10DE:25B6|PCI_SUBSYS_ID=10DE:14A9|PCI_SLOT_NAME=0000:41:00.0|" \
	"MODALIAS=pci:v000010DEd000025B6sv000010DEsd000014A9bc03sc02i00|SEQNUM=4711"

static void kernel_messages(void)
{
	struct uevent u;

	CHECK(parse(PCI_REMOVE, &u) == 0);
	CHECK(u.action == UEVENT_REMOVE);
	CHECK_STR(u.devpath, "/devices/pci0000:00/0000:41:00.0");
	CHECK_STR(u.subsystem, "pci");
	CHECK_STR(u.pci_slot, "0000:41:00.0");
	CHECK_STR(u.driver, "");
	CHECK(u.seqnum == 4711);
	CHECK(uevent_relevant(&u) && uevent_wants_rescan(&u));

	CHECK(parse("unbind@/devices/pci0000:00/0000:41:00.0|ACTION=unbind|"
		    "DEVPATH=/devices/pci0000:00/0000:41:00.0|SUBSYSTEM=pci|DRIVER=nvidia|"
		    "PCI_SLOT_NAME=0000:41:00.0|SEQNUM=1", &u) == 0);
	CHECK(u.action == UEVENT_UNBIND);
	CHECK_STR(u.driver, "nvidia");
	CHECK(uevent_wants_rescan(&u));

	CHECK(parse("add@/devices/pci0000:00/0000:41:00.0/0b9e5a4e-64b8-4c39-a5b8-2b1b9e3c6c0e|"
		    "ACTION=add|DEVPATH=/devices/pci0000:00/0000:41:00.0/"
		    "0b9e5a4e-64b8-4c39-a5b8-2b1b9e3c6c0e|SUBSYSTEM=mdev|SEQNUM=2", &u) == 0);
	CHECK_STR(u.subsystem, "mdev");
	CHECK(uevent_relevant(&u) && !uevent_wants_rescan(&u));

	CHECK(parse("change@/devices/virtual/net/lo|ACTION=change|DEVPATH=/devices/virtual/net/lo|"
		    "SUBSYSTEM=net|INTERFACE=lo|IFINDEX=1|SEQNUM=3", &u) == 0);
	CHECK(!uevent_relevant(&u) && !uevent_wants_rescan(&u));
	CHECK_STR(uevent_action_name(UEVENT_OFFLINE), "offline");
}

static void refused(void)
{
	struct uevent u;
	char buf[UEVENT_MSG_MAX + 2];
	size_t len;

	/* udev's own messages (group 2) */
	CHECK(parse("libudev|ACTION=add|SUBSYSTEM=pci|SEQNUM=1", &u) == -EBADMSG);
	/* header */
	CHECK(parse("frob@/devices/x|ACTION=frob|DEVPATH=/devices/x|SUBSYSTEM=pci|SEQNUM=1",
		    &u) == -EBADMSG);
	CHECK(parse("add@devices/x|ACTION=add|DEVPATH=devices/x|SUBSYSTEM=pci|SEQNUM=1",
		    &u) == -EBADMSG);
	CHECK(parse("add@/a@b|ACTION=add|DEVPATH=/a@b|SUBSYSTEM=pci|SEQNUM=1", &u) == -EBADMSG);
	CHECK(parse("|ACTION=add|DEVPATH=/x|SUBSYSTEM=pci|SEQNUM=1", &u) == -EBADMSG);
	/* keys that contradict the header, are missing, repeated or malformed */
	CHECK(parse("add@/x|ACTION=remove|DEVPATH=/x|SUBSYSTEM=pci|SEQNUM=1", &u) == -EBADMSG);
	CHECK(parse("add@/x|ACTION=add|DEVPATH=/y|SUBSYSTEM=pci|SEQNUM=1", &u) == -EBADMSG);
	CHECK(parse("add@/x|ACTION=add|DEVPATH=/x|SEQNUM=1", &u) == -EBADMSG);
	CHECK(parse("add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=pci", &u) == -EBADMSG);
	CHECK(parse("add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=pci|SUBSYSTEM=mdev|SEQNUM=1",
		    &u) == -EBADMSG);
	CHECK(parse("add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=|SEQNUM=1", &u) == -EBADMSG);
	CHECK(parse("add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=pci|SEQNUM=1x", &u) == -EBADMSG);
	CHECK(parse("add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=pci|SEQNUM=99999999999999999999",
		    &u) == -EBADMSG);
	CHECK(parse("add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=pci|lower=1|SEQNUM=1", &u) == -EBADMSG);
	CHECK(parse("add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=pci|NOVALUE|SEQNUM=1", &u) == -EBADMSG);
	CHECK(parse("add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=pci||SEQNUM=1", &u) == -EBADMSG);
	CHECK(parse("add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=pci|PCI_SLOT_NAME=41:00.0|SEQNUM=1",
		    &u) == -EBADMSG);
	CHECK(parse("add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=pci|X=a\tb|SEQNUM=1", &u) == -EBADMSG);
	/* not NUL-terminated (truncated), empty, oversized */
	len = msg(buf, sizeof(buf), "add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=pci|SEQNUM=1");
	CHECK(uevent_parse(buf, len, &u) == 0);
	CHECK(uevent_parse(buf, len - 1, &u) == -EBADMSG);
	CHECK(uevent_parse(buf, 0, &u) == -EBADMSG);
	memset(buf, 'A', sizeof(buf));
	buf[sizeof(buf) - 1] = '\0';
	CHECK(uevent_parse(buf, sizeof(buf), &u) == -EBADMSG);
}

/* 64 fields are the kernel's most; one more is refused. */
static void bounded(void)
{
	char parts[UEVENT_MSG_MAX] = "add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=pci|SEQNUM=1";
	size_t len = strlen(parts);
	struct uevent u;

	for (int i = 4; i < UEVENT_FIELDS_MAX; i++)
		len += (size_t)snprintf(parts + len, sizeof(parts) - len, "|K%d=v", i);
	CHECK(parse(parts, &u) == 0);
	snprintf(parts + len, sizeof(parts) - len, "|EXTRA=v");
	CHECK(parse(parts, &u) == -EBADMSG);
}

int main(void)
{
	kernel_messages();
	refused();
	bounded();
	return tap_done();
}
