/* fuzz_value.c — the checks every value written to the tree goes through (core/value.h),
 * on the value as fs/tree.c's store hands it on: at most VALUE_SIZE_MAX bytes, no NUL,
 * one trailing newline dropped. value_escape, which events.c applies to any text, also
 * gets it, into buffers of several sizes. Besides not crashing, the parsers must agree
 * with one another and with what they promise in value.h. */
#include "fuzz_input.h"
#include "value.h"

#include <limits.h>

static void check_escape(const char *value, size_t size)
{
	char *out = malloc(size);

	FUZZ_CHECK(out != NULL);
	value_escape(value, out, size);
	FUZZ_CHECK(strlen(out) < size);
	FUZZ_CHECK(value_is_text_line(out));  /* one printable line, whatever came in */
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = fuzz_written_value(data, size, VALUE_SIZE_MAX);
	char pci_id[7], again[7], number[16];
	unsigned u;
	bool on;

	if (!value)
		return 0;

	if (value_is_name(value)) {
		FUZZ_CHECK(strlen(value) <= NAME_MAX_LEN);
		FUZZ_CHECK(value_is_text_line(value));
	}
	if (value_is_text_line(value))
		FUZZ_CHECK(value_is_utf8(value));
	if (value_parse_bool(value, &on) == 0)
		FUZZ_CHECK(strlen(value) <= 5);
	if (value_is_driver_version(value))
		FUZZ_CHECK(strspn(value, "0123456789.") == strlen(value));

	/* "0x%04x" and a NUL fit exactly; normalising again changes nothing */
	if (value_normalize_pci_id(value, pci_id, sizeof(pci_id)) == 0) {
		FUZZ_CHECK(value_normalize_pci_id(pci_id, again, sizeof(again)) == 0);
		FUZZ_CHECK(strcmp(pci_id, again) == 0);
	}
	value_normalize_pci_id(value, pci_id, 3);

	/* a number written plainly is its own decimal form */
	if (value_parse_uint(value, 0, UINT_MAX, &u) == 0) {
		snprintf(number, sizeof(number), "%u", u);
		FUZZ_CHECK(strcmp(number, value) == 0);
	}
	if (value_parse_uint(value, 1, 64, &u) == 0)
		FUZZ_CHECK(u >= 1 && u <= 64);

	check_escape(value, 1);
	check_escape(value, 5);
	check_escape(value, 64);
	check_escape(value, 4 * strlen(value) + 1);
	free(value);
	return 0;
}
