/* fuzz_creatable.c — <VF>/nvidia/creatable_vgpu_types of NVIDIA's vendor-specific VFIO,
 * read into the 8 KiB buffer core/vfio_sriov.c uses and parsed by
 * vfio_sriov_parse_creatable; once to the end and once stopped by the callback. */
#include "fuzz_input.h"
#include "vfio_sriov.h"

#include <errno.h>
#include <limits.h>

struct walk {
	unsigned seen, stop_at;
};

static int visit(const struct vgpu_type *t, void *ctx)
{
	struct walk *w = ctx;

	/* the id is the decimal number that started the line, never 0 */
	FUZZ_CHECK(strnlen(t->type_id, sizeof(t->type_id)) < sizeof(t->type_id));
	FUZZ_CHECK(t->type_id[0] >= '1' && t->type_id[0] <= '9');
	FUZZ_CHECK(strspn(t->type_id, "0123456789") == strlen(t->type_id));
	FUZZ_CHECK(strtoul(t->type_id, NULL, 10) <= UINT_MAX);  /* as current_vgpu_type reads */
	FUZZ_CHECK(t->profile[0] != '\0');
	FUZZ_CHECK(strnlen(t->name, sizeof(t->name)) < sizeof(t->name));
	return ++w->seen == w->stop_at ? -ECANCELED : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[8192];
	struct walk all = { 0, 0 }, first = { 0, 1 };
	int r;

	fuzz_read_value(data, size, text, sizeof(text));
	FUZZ_CHECK(vfio_sriov_parse_creatable(text, visit, &all) == 0);
	r = vfio_sriov_parse_creatable(text, visit, &first);
	FUZZ_CHECK(r == (all.seen ? -ECANCELED : 0));
	return 0;
}
