/* fuzz_domxml.c — a domain's XML as libvirt hands it back (virDomainGetXMLDesc: any
 * text, NUL-terminated), through every entry point of core/domxml.c: the devices our
 * metadata records, whether a hostdev exists, and edits to no devices and to a fixed
 * set of two devices (two mdev vGPUs and a VF, sharing one ISO). What an edit returns
 * must read back as exactly what was asked for. */
#include "fuzz_input.h"
#include "domxml.h"

#include <errno.h>

static const struct domxml_vgpu gpu0_vgpus[] = {
	{ DOMXML_MDEV, "aaaaaaaa-0000-4000-8000-000000000001", "", "0000:41:00.0", "A16-4Q" },
	{ DOMXML_MDEV, "aaaaaaaa-0000-4000-8000-000000000002", "", "0000:41:00.0", "A16-4Q" },
};
static const struct domxml_vgpu gpu1_vgpus[] = {
	{ DOMXML_VF, "bbbbbbbb-0000-4000-8000-000000000003", "0000:c1:00.4", "0000:c1:00.0",
	  "L40S-4Q" },
};
static const struct domxml_device wanted[] = {
	{ "gpu0", gpu0_vgpus, 2, "/isos/nvidia-guest.iso" },
	{ "gpu1", gpu1_vgpus, 1, "/isos/nvidia-guest.iso" },
};
#define N_WANTED (sizeof(wanted) / sizeof(wanted[0]))

struct seen {
	size_t devices, vgpus;
	size_t matched;  /* devices equal to one of wanted[] */
};

static int collect(const struct domxml_device *d, void *ctx)
{
	struct seen *s = ctx;

	FUZZ_CHECK(strnlen(d->name, sizeof(d->name)) < sizeof(d->name) && d->name[0]);
	FUZZ_CHECK(strnlen(d->cdrom, sizeof(d->cdrom)) < sizeof(d->cdrom));
	FUZZ_CHECK(d->n_vgpus == 0 || d->vgpus != NULL);
	for (size_t j = 0; j < d->n_vgpus; j++)
		FUZZ_CHECK(strnlen(d->vgpus[j].uuid, sizeof(d->vgpus[j].uuid)) <
			   sizeof(d->vgpus[j].uuid));
	for (size_t i = 0; i < N_WANTED; i++)
		if (!strcmp(d->name, wanted[i].name) && !strcmp(d->cdrom, wanted[i].cdrom) &&
		    d->n_vgpus == wanted[i].n_vgpus)
			s->matched++;
	s->devices++;
	s->vgpus += d->n_vgpus;
	return 0;
}

static void check_has_all(const char *xml, int expect)
{
	for (size_t i = 0; i < N_WANTED; i++)
		for (size_t j = 0; j < wanted[i].n_vgpus; j++)
			FUZZ_CHECK(domxml_has_hostdev(xml, &wanted[i].vgpus[j]) == expect);
}

/* The edits, on XML that the first edit made, must all succeed. */
static void check_edited(const char *edited)
{
	char err[256], *again = NULL, *cleared = NULL;
	struct seen s = { 0 };

	FUZZ_CHECK(domxml_owned(edited, collect, &s, err, sizeof(err)) == (int)N_WANTED);
	FUZZ_CHECK(s.matched == N_WANTED);
	check_has_all(edited, 1);

	FUZZ_CHECK(domxml_apply(edited, wanted, N_WANTED, &again, err, sizeof(err)) == 0);
	FUZZ_CHECK(strcmp(again, edited) == 0);  /* idempotent */
	free(again);
	FUZZ_CHECK(domxml_apply_changes(edited, wanted, N_WANTED, &again, err, sizeof(err)) == 0);
	FUZZ_CHECK(again == NULL);  /* and it knows: nothing to define */
	FUZZ_CHECK(domxml_apply(edited, NULL, 0, &cleared, err, sizeof(err)) == 0);
	FUZZ_CHECK(domxml_owned(cleared, collect, &s, err, sizeof(err)) == 0);
	check_has_all(cleared, 0);
	free(again);
	free(cleared);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *xml = malloc(size + 1), err[256], *out = NULL;
	struct seen s = { 0 };
	int r;

	if (!xml)
		return 0;
	memcpy(xml, data, size);
	xml[size] = '\0';

	r = domxml_owned(xml, collect, &s, err, sizeof(err));
	FUZZ_CHECK(r < 0 || (size_t)r == s.devices);
	for (size_t i = 0; i < N_WANTED; i++)
		for (size_t j = 0; j < wanted[i].n_vgpus; j++)
			r = domxml_has_hostdev(xml, &wanted[i].vgpus[j]);

	r = domxml_apply(xml, NULL, 0, &out, err, sizeof(err));
	if (r == 0) {
		s = (struct seen){ 0 };
		FUZZ_CHECK(domxml_owned(out, collect, &s, err, sizeof(err)) == 0);
		free(out);
		out = NULL;
	}

	r = domxml_apply(xml, wanted, N_WANTED, &out, err, sizeof(err));
	if (r == 0) {
		char *changes = NULL;

		/* the same edit, or nothing when xml held it already */
		FUZZ_CHECK(domxml_apply_changes(xml, wanted, N_WANTED, &changes, err,
						sizeof(err)) == 0);
		FUZZ_CHECK(!changes || strcmp(changes, out) == 0);
		free(changes);
		check_edited(out);
		free(out);
	} else {
		FUZZ_CHECK(r == -EINVAL || r == -EEXIST || r == -ENOSPC);
	}
	free(xml);
	return 0;
}
