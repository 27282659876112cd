/* fuzz_uevent.c — the parser of the kernel's uevents (core/host/uevent.h) on any bytes, as
 * recvmsg hands them over (at most UEVENT_MSG_MAX). Besides not crashing: what it accepts
 * is bounded and agrees with the header, and what it refuses leaves nothing behind. */
#include "fuzz_input.h"
#include "uevent.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uevent u;
	char *msg;
	int r;

	if (size > UEVENT_MSG_MAX)
		return 0;
	msg = malloc(size ? size : 1); /* exactly size bytes: ASan sees any read past them */
	FUZZ_CHECK(msg != NULL);
	memcpy(msg, data, size);
	r = uevent_parse(msg, size, &u);
	FUZZ_CHECK(r == 0 || r == -EBADMSG);
	if (r == 0) {
		size_t head = strlen(msg), action_len = head - strlen(u.devpath) - 1;

		FUZZ_CHECK(u.devpath[0] == '/' && strlen(u.devpath) < sizeof(u.devpath));
		FUZZ_CHECK(u.subsystem[0] && strlen(u.subsystem) < sizeof(u.subsystem));
		FUZZ_CHECK(!u.pci_slot[0] || strlen(u.pci_slot) == 12);
		/* the header is ACTION@DEVPATH of what was kept */
		FUZZ_CHECK(head == strlen(uevent_action_name(u.action)) + 1 + strlen(u.devpath));
		FUZZ_CHECK(!strncmp(msg, uevent_action_name(u.action), action_len));
		FUZZ_CHECK(!strcmp(msg + head - strlen(u.devpath), u.devpath));
		FUZZ_CHECK(!uevent_wants_rescan(&u) || uevent_relevant(&u));
	}
	free(msg);
	return 0;
}
