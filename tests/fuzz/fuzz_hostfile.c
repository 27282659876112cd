/* fuzz_hostfile.c — the simulator's host description file (tools/hostsim/hostfile.c),
 * parsed from memory through the same stream parser hostfile_parse uses. */
#include "fuzz_input.h"
#include "hostfile.h"

static struct host_spec spec;  /* large: not on the fuzzer's stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char empty[1];
	char err[256];
	bool bus_used[256] = { false };
	FILE *f;
	int r;

	/* fmemopen wants a buffer even for no bytes */
	f = fmemopen(size ? (void *)data : (void *)empty, size, "r");
	FUZZ_CHECK(f != NULL);
	err[0] = '\0';
	r = hostfile_parse_stream(f, "fuzz.host", &spec, err, sizeof(err));
	fclose(f);
	if (r < 0) {
		FUZZ_CHECK(strncmp(err, "fuzz.host:", 10) == 0);
		return 0;
	}
	/* what the simulator builds from a parsed spec relies on these */
	FUZZ_CHECK(spec.ngpus <= HOSTFILE_MAX_GPUS);
	FUZZ_CHECK(strnlen(spec.driver, sizeof(spec.driver)) < sizeof(spec.driver));
	for (unsigned i = 0; i < spec.ngpus; i++) {
		const struct gpu_spec *g = &spec.gpus[i];

		FUZZ_CHECK(g->model != NULL);
		FUZZ_CHECK(g->bus >= 1 && g->bus <= 0xff && !bus_used[g->bus]);
		bus_used[g->bus] = true;
		FUZZ_CHECK(g->numa_node <= 63);
		FUZZ_CHECK(gpu_mode_is_sriov(g->mode) ? g->vfs >= 1 && g->vfs <= HOSTFILE_MAX_VFS
						      : g->vfs == 0);
		FUZZ_CHECK(!gpu_mode_is_sriov(g->mode) || g->model->sriov);
	}
	return 0;
}
