/* fuzz_vgpu_type.c — an mdev type as core/mdev.c reads it: the input is the type's
 * name file, a NUL byte, then its description file. The name goes through
 * vgpu_type_from_name (and so vgpu_profile_parse), the description through
 * vgpu_type_parse_description, with the buffer sizes mdev.c uses. */
#include "fuzz_input.h"
#include "vgpu_type.h"

#include <stdbool.h>

static bool terminated(const char *field, size_t size)
{
	return strnlen(field, size) < size;
}

static void check_type(const struct vgpu_type *t)
{
	FUZZ_CHECK(terminated(t->type_id, sizeof(t->type_id)));
	FUZZ_CHECK(terminated(t->name, sizeof(t->name)));
	FUZZ_CHECK(terminated(t->profile, sizeof(t->profile)));
	FUZZ_CHECK(terminated(t->series, sizeof(t->series)));
	FUZZ_CHECK(terminated(t->max_resolution, sizeof(t->max_resolution)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t name_len = nul ? (size_t)(nul - data) : size;
	char name[128], description[512], board[64], series[8];
	struct vgpu_type t;
	unsigned fb;

	if (fuzz_read_value(data, name_len, name, sizeof(name)) == 0)
		strcpy(name, "nvidia-558");  /* name is optional in the ABI */
	if (vgpu_type_from_name(&t, "nvidia-558", name) < 0)
		return 0;
	check_type(&t);
	FUZZ_CHECK(t.profile[0] != '\0');
	if (nul && fuzz_read_value(nul + 1, size - name_len - 1, description,
				   sizeof(description)) > 0) {
		vgpu_type_parse_description(&t, description);
		check_type(&t);
	}

	/* The profile parser alone, as host.c uses it, with tight buffers. */
	if (vgpu_profile_parse(t.profile, board, sizeof(board), &fb, series, sizeof(series)) == 0) {
		FUZZ_CHECK(board[0] != '\0' && terminated(board, sizeof(board)));
		FUZZ_CHECK(series[0] != '\0' && terminated(series, sizeof(series)));
	}
	vgpu_profile_parse(t.profile, board, 2, &fb, series, 2);
	return 0;
}
