/* fuzz_vgpu_params.c — what the daemon writes to a vGPU's nvidia/vgpu_params, checked
 * by the simulator as the NVIDIA driver would (tools/hostsim/params.c). The input goes
 * through the simulator's write path first (sim_write, model_set_params): at most
 * ATTR_SIZE bytes, no NUL, one trailing newline dropped, at most VGPU_PARAMS_MAX kept,
 * " " clears. The same value is also read as the simulator's other numeric
 * attributes read theirs (parse_ulong, base 0 and 10). */
#include "fuzz_input.h"
#include "params.h"

#define ATTR_SIZE 4096        /* tools/hostsim/tree.h */
#define VGPU_PARAMS_MAX 1024  /* tools/hostsim/model.h */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = fuzz_written_value(data, size, ATTR_SIZE);
	unsigned long number;

	if (!value)
		return 0;
	if (strlen(value) <= VGPU_PARAMS_MAX && strcmp(value, " ") != 0)
		params_validate(value);
	if (parse_ulong(value, 0, &number) == 0)
		FUZZ_CHECK(value[0] >= '0' && value[0] <= '9');
	if (parse_ulong(value, 10, &number) == 0)
		FUZZ_CHECK(strspn(value, "0123456789") == strlen(value));
	free(value);
	return 0;
}
