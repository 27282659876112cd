/* profiles.c - the built-in GPU models and vGPU profile tables.
 *
 * Numbers follow /work/shared/HOST-FACTS.md.  Each table is ordered by series
 * (B, Q, A, then C) and framebuffer, and the type id of a profile is the
 * model's type_base plus its index, so ids are stable across runs (L40S-1B is
 * 1145 as on a real vGPU 17 host). */
#include "profiles.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#define RES_4K "4096x2160"
#define RES_5K "5120x2880"

/* One macro per series keeps the tables one line per profile. */
#define B(gb, max)  { #gb "B", (gb) * 1024u, 2, 45, RES_4K, max }
#define B4(gb, max) { #gb "B4", (gb) * 1024u, 4, 45, RES_4K, max }
#define Q(gb, max)  { #gb "Q", (gb) * 1024u, 4, 60, (gb) >= 2 ? RES_5K : RES_4K, max }
#define A(gb, max)  { #gb "A", (gb) * 1024u, 1, 60, RES_4K, max }
#define C(gb, max)  { #gb "C", (gb) * 1024u, 1, 60, RES_4K, max }
#define MIG(slices, gb, max) { #slices "-" #gb "C", (gb) * 1024u, 1, 60, RES_4K, max }

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))
#define GIB (1024ull * 1024 * 1024)

static const struct vgpu_profile t4_profiles[] = {
	B(1, 16), B(2, 8), B4(1, 16), B4(2, 8),
	Q(1, 16), Q(2, 8), Q(4, 4), Q(8, 2), Q(16, 1),
	A(1, 16), A(2, 8), A(4, 4), A(8, 2), A(16, 1),
};

static const struct vgpu_profile a16_profiles[] = {
	B(1, 16), B(2, 8),
	Q(1, 16), Q(2, 8), Q(4, 4), Q(8, 2), Q(16, 1),
	A(1, 16), A(2, 8), A(4, 4), A(8, 2), A(16, 1),
	C(4, 4), C(8, 2), C(16, 1),
};

/* A40 and L40S share one 48 GB table. */
static const struct vgpu_profile gb48_profiles[] = {
	B(1, 32), B(2, 24),
	Q(1, 48), Q(2, 24), Q(3, 16), Q(4, 12), Q(6, 8), Q(8, 6),
	Q(12, 4), Q(16, 3), Q(24, 2), Q(48, 1),
	A(1, 48), A(2, 24), A(3, 16), A(4, 12), A(6, 8), A(8, 6),
	A(12, 4), A(16, 3), A(24, 2), A(48, 1),
	C(4, 12), C(6, 8), C(8, 6), C(12, 4), C(16, 3), C(24, 2), C(48, 1),
};

static const struct vgpu_profile a100_profiles[] = {
	C(4, 10), C(5, 8), C(8, 5), C(10, 4), C(20, 2), C(40, 1),
	MIG(1, 5, 7), MIG(1, 10, 4), MIG(2, 10, 3), MIG(3, 20, 2),
	MIG(4, 20, 1), MIG(7, 40, 1),
};

/* 16C is 5 per GPU: six 16 GB vGPUs would need 96 GB of an 80 GB card. */
static const struct vgpu_profile h100_profiles[] = {
	C(4, 20), C(5, 16), C(8, 10), C(10, 8), C(16, 5), C(20, 4),
	C(40, 2), C(80, 1),
};

#define MODEL(k, brd, dev, sub, cls, base, iov, audio, bar1, tbl) \
	{ k, brd, dev, sub, cls, base, iov, audio, bar1, tbl, COUNT(tbl) }

static const struct gpu_model models[] = {
	MODEL("T4", "T4", 0x1eb8, 0x12a2, 0x030200, 222, false, false, 256ull << 20, t4_profiles),
	MODEL("A16", "A16", 0x25b6, 0x14a9, 0x030000, 683, true, false, 32 * GIB, a16_profiles),
	MODEL("A40", "A40", 0x2235, 0x145a, 0x030200, 553, true, true, 64 * GIB, gb48_profiles),
	MODEL("L40S", "L40S", 0x26b9, 0x1851, 0x030200, 1145, true, false, 64 * GIB, gb48_profiles),
	MODEL("A100", "A100", 0x20f1, 0x145f, 0x030200, 470, true, false, 64 * GIB, a100_profiles),
	MODEL("H100", "H100", 0x2331, 0x1626, 0x030200, 1000, true, false, 128 * GIB, h100_profiles),
};

const struct gpu_model *profiles_find_model(const char *key)
{
	for (size_t i = 0; i < COUNT(models); i++)
		if (strcasecmp(models[i].key, key) == 0)
			return &models[i];
	return NULL;
}

/* Boards have no '-', so the first one ends the board: "A100-1-5C" is A100's "1-5C". */
int profiles_find_profile(const char *name, const struct gpu_model **model)
{
	size_t board_len = strcspn(name, "-");

	if (!name[board_len])
		return -1;
	for (size_t i = 0; i < COUNT(models); i++) {
		const struct gpu_model *m = &models[i];

		if (strlen(m->board) != board_len || strncasecmp(m->board, name, board_len))
			continue;
		for (unsigned t = 0; t < m->nprofiles; t++) {
			if (strcasecmp(m->profiles[t].suffix, name + board_len + 1) == 0) {
				*model = m;
				return (int)t;
			}
		}
	}
	return -1;
}

const char *profiles_model_keys(void)
{
	return "T4 A16 A40 L40S A100 H100";
}
