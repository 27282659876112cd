/* host.c — see host.h. */
#include "host.h"
#include "mdev.h"
#include "util.h"
#include "vfio_sriov.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

const char *gpu_mode_name(enum gpu_mode mode)
{
	switch (mode) {
	case GPU_MODE_MDEV: return "mdev";
	case GPU_MODE_VFIO_SRIOV: return "vfio-sriov";
	default: return "none";
	}
}

static int add_slot(struct gpu *g, const char *bdf)
{
	void *grown = realloc(g->slots, (g->n_slots + 1) * sizeof(*g->slots));

	if (!grown)
		return -ENOMEM;
	g->slots = grown;
	return str_copy(g->slots[g->n_slots++], BDF_MAX, bdf);
}

/* Types are merged by id: every VF of a GPU lists the same ones. A larger max_instances
 * seen on any slot wins, since per-slot readings can only under-report. */
static int merge_type(const struct vgpu_type *t, void *ctx)
{
	struct gpu *g = ctx;
	void *grown;

	for (size_t i = 0; i < g->n_types; i++) {
		if (!strcmp(g->types[i].type_id, t->type_id)) {
			if (t->max_instances > g->types[i].max_instances)
				g->types[i].max_instances = t->max_instances;
			return 0;
		}
	}
	if (gpu_find_type(g, t->profile) >= 0)
		return 0; /* two ids for one profile name: keep the first */
	grown = realloc(g->types, (g->n_types + 1) * sizeof(*g->types));
	if (!grown)
		return -ENOMEM;
	g->types = grown;
	g->types[g->n_types++] = *t;
	return 0;
}

/* The host's mdev parents, "\n"-separated with one leading and one after each. */
struct parents {
	char *list;
	size_t len;
};

static int add_parent(const char *bdf, void *ctx)
{
	struct parents *p = ctx;
	size_t len = strlen(bdf);
	char *grown = realloc(p->list, p->len + len + 2);

	if (!grown)
		return -ENOMEM;
	p->list = grown;
	sprintf(p->list + p->len, "%s\n", bdf);
	p->len += len + 1;
	return 0;
}

static bool is_parent(const struct parents *p, const char *bdf)
{
	char line[BDF_MAX + 2];

	snprintf(line, sizeof(line), "\n%s\n", bdf);
	return strstr(p->list, line) != NULL;
}

static int detect_mode(struct host *h, const struct parents *parents, struct gpu *g)
{
	int r = 0;

	if (is_parent(parents, g->pci.bdf)) {
		g->mode = GPU_MODE_MDEV;
		return add_slot(g, g->pci.bdf);
	}
	for (size_t i = 0; i < g->pci.n_vfs && r >= 0; i++) {
		const char *vf = g->pci.vfs[i];

		if (is_parent(parents, vf) && g->mode != GPU_MODE_VFIO_SRIOV) {
			g->mode = GPU_MODE_MDEV;
			r = add_slot(g, vf);
		} else if (vfio_sriov_is_capable(&h->snapshot, h->root, vf) &&
			   g->mode != GPU_MODE_MDEV) {
			g->mode = GPU_MODE_VFIO_SRIOV;
			r = add_slot(g, vf);
		}
	}
	return r;
}

/* The parents of an mdev GPU (the GPU, or each of its VFs) offer the same types: the
 * first is read. A vfio-sriov VF lists what it can create now: every type while the GPU
 * is empty (the first VF is read then), else only the one in use, so every VF is read. */
static int read_types(const char *root, struct gpu *g, bool in_use)
{
	size_t n = g->mode == GPU_MODE_VFIO_SRIOV && in_use ? g->n_slots : g->n_slots > 0;
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i++) {
		if (g->mode == GPU_MODE_MDEV)
			r = mdev_for_each_type(root, g->slots[i], merge_type, g);
		else
			r = vfio_sriov_for_each_creatable(NULL, root, g->slots[i], merge_type, g);
	}
	return r;
}

/* "NVIDIA A16" from the board of its vGPU types (what the driver calls the card), else
 * the pci.ids name, else the device id. */
static void name_gpu(struct gpu *g)
{
	char board[64], series[8];
	unsigned fb;

	if (g->n_types && vgpu_profile_parse(g->types[0].profile, board, sizeof(board), &fb,
					     series, sizeof(series)) == 0)
		snprintf(g->name, sizeof(g->name), "NVIDIA %s", board);
	else if (g->pci.pci_name[0])
		str_printf(g->name, sizeof(g->name), "NVIDIA %.100s", g->pci.pci_name);
	else
		snprintf(g->name, sizeof(g->name), "NVIDIA device %04x", g->pci.device);
}

/* The vendor-specific VFIO interface publishes no max_instances. NVIDIA sizes a GPU's
 * profiles so that max = the board's framebuffer / the profile's, one per VF at most;
 * the board's framebuffer is that of its largest profile seen. Read while the GPU holds
 * vGPUs (only their type listed), this under-estimates: it never over-promises. */
static void derive_max_instances(struct gpu *g)
{
	unsigned board = 0;

	for (size_t i = 0; i < g->n_types; i++)
		if (g->types[i].framebuffer_mib > board)
			board = g->types[i].framebuffer_mib;
	for (size_t i = 0; i < g->n_types; i++) {
		unsigned fb = g->types[i].framebuffer_mib;
		unsigned max = fb ? board / fb : (unsigned)g->n_slots;

		g->types[i].max_instances = max < g->n_slots ? max : (unsigned)g->n_slots;
	}
}

/* g's types: from the catalogue of its model when one is known, else read (and the
 * catalogue kept when it is complete). */
static int load_types(struct host *h, struct gpu *g, const char *driver,
		      struct catalogues *known)
{
	char key[CATALOGUE_KEY_MAX];
	const struct catalogue *c;
	struct gpu_usage u = { -1, 0 };
	int r = g->mode == GPU_MODE_VFIO_SRIOV ? host_gpu_usage(h, g, &u) : 0;

	snprintf(key, sizeof(key), "%04x:%04x %04x:%04x %s %s", g->pci.vendor, g->pci.device,
		 g->pci.subsystem_vendor, g->pci.subsystem_device, gpu_mode_name(g->mode),
		 driver);
	if (r < 0)
		return r;
	if ((c = catalogue_find(known, key))) {
		if (!(g->types = vgpu_types_copy(c->types, c->n_types)))
			return -ENOMEM;
		g->n_types = c->n_types;
		return 0;
	}
	if ((r = read_types(h->root, g, u.used > 0)) < 0)
		return r;
	if (g->mode == GPU_MODE_VFIO_SRIOV) {
		g->catalogue_partial = u.used > 0;
		derive_max_instances(g);
	}
	if (g->catalogue_partial || !g->n_types)
		return 0;
	return catalogue_add(known, key, g->types, g->n_types);
}

static int build_gpu(struct host *h, struct gpu *g, const struct parents *parents,
		     const char *driver, struct catalogues *known)
{
	struct gpu_usage u;
	int r = detect_mode(h, parents, g);

	if (r >= 0 && g->mode != GPU_MODE_NONE)
		r = load_types(h, g, driver, known);
	if (r < 0)
		return r;
	name_gpu(g);
	if (g->mode == GPU_MODE_VFIO_SRIOV && (r = host_gpu_usage(h, g, &u)) >= 0 &&
	    u.type_index >= 0 && g->types[u.type_index].max_instances < u.used)
		g->types[u.type_index].max_instances = u.used; /* what exists fits */
	return r < 0 ? r : 0;
}

/* Each GPU's mode, slots and types, from one listing of the mdev parents and one read
 * of the driver version for them all. */
static int build_gpus(struct host *h, struct gpu *gpus, size_t n, struct catalogues *known,
		      char *err, size_t err_size)
{
	struct parents parents = { strdup("\n"), 1 };
	char driver[64];
	int r = parents.list ? mdev_for_each_parent(h->root, add_parent, &parents) : -ENOMEM;

	if (host_driver_version(h, driver, sizeof(driver)) < 0)
		driver[0] = '\0'; /* a catalogue of no driver: read, never found again */
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = build_gpu(h, &gpus[i], &parents, driver, known);
		if (r < 0)
			snprintf(err, err_size, "reading vGPU types of %s: %s",
				 gpus[i].pci.bdf, strerror(-r));
	}
	if (r < 0 && !err[0])
		snprintf(err, err_size, "listing mdev parents: %s", strerror(-r));
	free(parents.list);
	return r;
}

int host_discover(struct host *h, const char *root, unsigned max_age_ms,
		  struct catalogues *known, char *err, size_t err_size)
{
	struct pci_gpu *found;
	size_t n;
	int r;

	memset(h, 0, sizeof(*h));
	snapshot_init(&h->snapshot, max_age_ms);
	r = str_copy(h->root, sizeof(h->root), root);
	if (r < 0)
		return r;
	r = pci_discover_gpus(root, &found, &n, err, err_size);
	if (r < 0)
		return r;
	h->gpus = calloc(n ? n : 1, sizeof(*h->gpus));
	if (!h->gpus) {
		pci_gpus_free(found, n);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		h->gpus[h->n_gpus++].pci = found[i]; /* takes over found[i].vfs */
	free(found);
	r = build_gpus(h, h->gpus, h->n_gpus, known, err, err_size);
	if (r < 0)
		host_free(h);
	return r < 0 ? r : 0;
}

static void gpu_free(struct gpu *g)
{
	free(g->pci.vfs);
	free(g->slots);
	free(g->types);
}

void host_free(struct host *h)
{
	for (size_t i = 0; i < h->n_gpus; i++)
		gpu_free(&h->gpus[i]);
	free(h->gpus);
	h->gpus = NULL;
	h->n_gpus = 0;
	snapshot_free(&h->snapshot);
}

bool pci_same_card(const struct pci_gpu *a, const struct pci_gpu *b)
{
	return !strcmp(a->bdf, b->bdf) && a->vendor == b->vendor && a->device == b->device &&
	       a->subsystem_vendor == b->subsystem_vendor &&
	       a->subsystem_device == b->subsystem_device;
}

/* Found as it was: the same card, driver, mode and slots (the VFs make the slots). */
static bool gpu_unchanged(const struct gpu *was, const struct gpu *now)
{
	if (was->gone || !pci_same_card(&was->pci, &now->pci) ||
	    strcmp(was->pci.kernel_driver, now->pci.kernel_driver) ||
	    was->mode != now->mode || was->n_slots != now->n_slots)
		return false;
	for (size_t i = 0; i < now->n_slots; i++)
		if (strcmp(was->slots[i], now->slots[i]))
			return false;
	return true;
}

static int cmp_gpu_bdf(const void *a, const void *b)
{
	return strcmp(((const struct gpu *)a)->pci.bdf, ((const struct gpu *)b)->pci.bdf);
}

static void note(struct gpu_change_note *notes, size_t *n, const struct gpu *was,
		 const char *bdf, enum gpu_change change)
{
	struct gpu_change_note *c = &notes[(*n)++];

	memset(c, 0, sizeof(*c));
	str_copy(c->bdf, sizeof(c->bdf), bdf);
	c->change = change;
	if (was) {
		c->was = was->pci;
		c->was.vfs = NULL;
		c->was.n_vfs = 0;
		c->was_mode = was->mode;
	}
}

static enum gpu_change change_of(const struct gpu *was, const struct gpu *now)
{
	if (!was)
		return GPU_APPEARED;
	if (!pci_same_card(&was->pci, &now->pci))
		return GPU_REPLACED;
	return was->gone ? GPU_RETURNED : GPU_CHANGED;
}

/* The new array: each GPU found, as it was when unchanged (kept[] marks the old entries
 * taken over), else as just read; then the old ones not found, gone. */
static void merge(struct host *h, struct gpu *fresh, size_t n, struct gpu *out, size_t *m,
		  struct gpu_change_note *notes, size_t *n_notes)
{
	bool kept[h->n_gpus + 1], found[h->n_gpus + 1];

	memset(kept, 0, sizeof(kept));
	memset(found, 0, sizeof(found));
	for (size_t i = 0; i < n; i++) {
		struct gpu *was = host_find_gpu(h, fresh[i].pci.bdf);

		if (was)
			found[was - h->gpus] = true;
		if (was && gpu_unchanged(was, &fresh[i])) {
			kept[was - h->gpus] = true;
			out[(*m)++] = *was;
			gpu_free(&fresh[i]);
			continue;
		}
		note(notes, n_notes, was, fresh[i].pci.bdf, change_of(was, &fresh[i]));
		out[(*m)++] = fresh[i];
	}
	for (size_t i = 0; i < h->n_gpus; i++) {
		struct gpu *was = &h->gpus[i];

		if (found[i] && !kept[i])
			gpu_free(was);
		if (found[i])
			continue;
		if (!was->gone)
			note(notes, n_notes, was, was->pci.bdf, GPU_VANISHED);
		was->gone = true;
		out[(*m)++] = *was;
	}
}

int host_merge(struct host *h, struct host *fresh, struct gpu_change_note **notes,
	       size_t *n_notes)
{
	struct gpu *merged = calloc(fresh->n_gpus + h->n_gpus + 1, sizeof(*merged));
	size_t m = 0;

	*n_notes = 0;
	*notes = calloc(fresh->n_gpus + h->n_gpus + 1, sizeof(**notes));
	if (!merged || !*notes) {
		free(merged);
		free(*notes);
		*notes = NULL;
		return -ENOMEM;
	}
	merge(h, fresh->gpus, fresh->n_gpus, merged, &m, *notes, n_notes);
	qsort(merged, m, sizeof(*merged), cmp_gpu_bdf);
	free(h->gpus);
	h->gpus = merged;
	h->n_gpus = m;
	fresh->n_gpus = 0; /* its GPUs are h's now, or freed */
	host_free(fresh);
	host_forget_all(h);
	return 0;
}

void host_drop_gpu(struct host *h, struct gpu *g)
{
	size_t i = (size_t)(g - h->gpus);

	assert(i < h->n_gpus && g->gone);
	gpu_free(g);
	memmove(g, g + 1, (h->n_gpus - i - 1) * sizeof(*g));
	h->n_gpus--;
}

void host_forget_all(struct host *h)
{
	snapshot_forget_below(&h->snapshot, h->root);
}

struct gpu *host_find_gpu(struct host *h, const char *bdf)
{
	for (size_t i = 0; i < h->n_gpus; i++)
		if (!strcmp(h->gpus[i].pci.bdf, bdf))
			return &h->gpus[i];
	return NULL;
}

bool gpu_has_slot(const struct gpu *g, const char *slot)
{
	for (size_t i = 0; i < g->n_slots; i++)
		if (!strcmp(g->slots[i], slot))
			return true;
	return false;
}

int gpu_find_type(const struct gpu *g, const char *profile)
{
	for (size_t i = 0; i < g->n_types; i++)
		if (!strcmp(g->types[i].profile, profile))
			return (int)i;
	return -1;
}

static int find_type_id(const struct gpu *g, const char *type_id)
{
	for (size_t i = 0; i < g->n_types; i++)
		if (!strcmp(g->types[i].type_id, type_id))
			return (int)i;
	return -1;
}

struct usage_walk {
	const struct gpu *gpu;
	struct gpu_usage *usage;
};

static void count_use(const struct gpu *g, struct gpu_usage *u, const char *type_id)
{
	u->used++;
	if (u->type_index < 0)
		u->type_index = find_type_id(g, type_id);
}

static int count_mdev(const struct mdev_device *d, void *ctx)
{
	struct usage_walk *w = ctx;

	if (gpu_has_slot(w->gpu, d->parent))
		count_use(w->gpu, w->usage, d->type_id);
	return 0;
}

static int vfio_usage(struct host *h, const struct gpu *g, struct gpu_usage *u)
{
	for (size_t i = 0; i < g->n_slots; i++) {
		unsigned id;
		char id_text[16];
		int r = vfio_sriov_current_type(&h->snapshot, h->root, g->slots[i], &id);

		if (r == -ENOENT)
			continue; /* VF disabled meanwhile */
		if (r < 0)
			return r;
		if (!id)
			continue;
		snprintf(id_text, sizeof(id_text), "%u", id);
		count_use(g, u, id_text);
	}
	return 0;
}

/* A partial vfio-sriov catalogue is completed once the GPU is empty: every type is
 * creatable then, and the maxima can be derived from the whole list. */
static int complete_catalogue(struct host *h, struct gpu *g, const struct gpu_usage *u)
{
	int r;

	if (!g->catalogue_partial || u->used)
		return 0;
	r = read_types(h->root, g, false);
	if (r < 0)
		return r;
	derive_max_instances(g);
	g->catalogue_partial = false;
	return 0;
}

int host_gpu_usage(struct host *h, struct gpu *g, struct gpu_usage *u)
{
	struct usage_walk w = { g, u };
	int r;

	u->type_index = -1;
	u->used = 0;
	switch (g->mode) {
	case GPU_MODE_MDEV:
		return mdev_for_each_device(&h->snapshot, h->root, count_mdev, &w);
	case GPU_MODE_VFIO_SRIOV:
		r = vfio_usage(h, g, u);
		return r < 0 ? r : complete_catalogue(h, g, u);
	default:
		return 0;
	}
}

struct usage_all_walk {
	struct host *host;
	struct gpu_usage *out;
};

static int count_mdev_any(const struct mdev_device *d, void *ctx)
{
	struct usage_all_walk *w = ctx;

	for (size_t i = 0; i < w->host->n_gpus; i++) {
		const struct gpu *g = &w->host->gpus[i];

		if (g->mode == GPU_MODE_MDEV && gpu_has_slot(g, d->parent)) {
			count_use(g, &w->out[i], d->type_id);
			break;
		}
	}
	return 0;
}

int host_usage_all(struct host *h, struct gpu_usage *out, const bool *which)
{
	struct usage_all_walk w = { h, out };
	int r;

	for (size_t i = 0; i < h->n_gpus; i++)
		out[i] = (struct gpu_usage){ -1, 0 };
	r = mdev_for_each_device(&h->snapshot, h->root, count_mdev_any, &w);
	for (size_t i = 0; i < h->n_gpus && r >= 0; i++)
		if (h->gpus[i].mode == GPU_MODE_VFIO_SRIOV && (!which || which[i]))
			r = host_gpu_usage(h, &h->gpus[i], &out[i]);
	return r;
}

struct creatable_walk {
	const char *type_id;
	bool found;
};

static int match_creatable(const struct vgpu_type *t, void *ctx)
{
	struct creatable_walk *w = ctx;

	if (!strcmp(t->type_id, w->type_id))
		w->found = true;
	return 0;
}

static int vfio_available(struct host *h, const struct gpu *g, const char *type_id)
{
	int count = 0;

	for (size_t i = 0; i < g->n_slots; i++) {
		struct creatable_walk w = { type_id, false };
		int r = vfio_sriov_for_each_creatable(&h->snapshot, h->root, g->slots[i],
						      match_creatable, &w);

		if (r < 0 && r != -ENOENT)
			return r;
		count += w.found;
	}
	return count;
}

/* Whether g makes vGPUs on its virtual functions, one per VF. */
static bool on_vfs(const struct gpu *g)
{
	return g->n_slots && strcmp(g->slots[0], g->pci.bdf);
}

/* Each VF reports room for one vGPU on its own, so their sum over-promises: the GPU as a
 * whole holds max_instances of a type, and nothing else once a type is in use. */
static int cap_by_gpu(struct host *h, struct gpu *g, size_t index, int total,
		      const struct gpu_usage *usage)
{
	unsigned max = g->types[index].max_instances;
	struct gpu_usage u;
	int r = usage ? 0 : host_gpu_usage(h, g, &u);

	if (r < 0)
		return r;
	if (usage)
		u = *usage;
	if (u.type_index >= 0 && (size_t)u.type_index != index)
		return 0;
	if (max && u.used >= max)
		return 0;
	return max && (unsigned)total > max - u.used ? (int)(max - u.used) : total;
}

int host_type_available(struct host *h, struct gpu *g, size_t index,
			const struct gpu_usage *usage)
{
	const struct vgpu_type *t = &g->types[index];
	int r, total = 0;

	if (g->mode == GPU_MODE_VFIO_SRIOV) {
		total = vfio_available(h, g, t->type_id);
		return total < 0 ? total : cap_by_gpu(h, g, index, total, usage);
	}
	for (size_t i = 0; i < g->n_slots; i++) {
		r = mdev_available(&h->snapshot, h->root, g->slots[i], t->type_id);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		total += r;
	}
	return on_vfs(g) ? cap_by_gpu(h, g, index, total, usage) : total;
}

static int push_slot(char (**slots)[BDF_MAX], size_t *n, const char *bdf)
{
	void *grown = realloc(*slots, (*n + 1) * sizeof(**slots));

	if (!grown)
		return -ENOMEM;
	*slots = grown;
	return str_copy((*slots)[(*n)++], BDF_MAX, bdf);
}

static int slot_room(struct host *h, const struct gpu *g, const char *slot,
		     const struct vgpu_type *t)
{
	struct creatable_walk w = { t->type_id, false };
	int r;

	if (g->mode == GPU_MODE_MDEV)
		return mdev_available(&h->snapshot, h->root, slot, t->type_id);
	r = vfio_sriov_for_each_creatable(&h->snapshot, h->root, slot, match_creatable, &w);
	return r < 0 ? r : w.found;
}

int host_free_slots(struct host *h, struct gpu *g, size_t index, char (**slots)[BDF_MAX],
		    size_t *n)
{
	int r = 0;

	*slots = NULL;
	*n = 0;
	for (size_t i = 0; i < g->n_slots && r >= 0; i++) {
		int room = slot_room(h, g, g->slots[i], &g->types[index]);

		if (room == -ENOENT)
			continue; /* VF disabled meanwhile */
		if (room < 0)
			r = room;
		while (room-- > 0 && r >= 0)
			r = push_slot(slots, n, g->slots[i]);
	}
	if (r < 0) {
		free(*slots);
		*slots = NULL;
		*n = 0;
	}
	return r < 0 ? r : 0;
}

/* A vGPU made or removed on one slot changes what every slot of its GPU can take: they
 * share the GPU. */
static void forget_slots(struct host *h, const struct gpu *g)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < g->n_slots; i++) {
		if (str_printf(path, sizeof(path), "%s/class/mdev_bus/%s", h->root, g->slots[i]) >= 0)
			snapshot_forget_below(&h->snapshot, path);
		if (str_printf(path, sizeof(path), "%s/bus/pci/devices/%s", h->root, g->slots[i]) >= 0)
			snapshot_forget_below(&h->snapshot, path);
	}
}

void host_forget_gpu(struct host *h, const struct gpu *g)
{
	char path[PATH_MAX];

	forget_slots(h, g);
	if (str_printf(path, sizeof(path), "%s/bus/mdev/devices", h->root) >= 0)
		snapshot_forget(&h->snapshot, path);
}

int host_vgpu_create(struct host *h, const struct gpu *g, const char *slot,
		     const char *type_id, const char *uuid)
{
	forget_slots(h, g);
	if (g->mode == GPU_MODE_VFIO_SRIOV)
		return vfio_sriov_create(h->root, slot, type_id);
	return mdev_create(&h->snapshot, h->root, slot, type_id, uuid);
}

int host_vgpu_remove(struct host *h, const struct gpu *g, const char *slot, const char *uuid)
{
	forget_slots(h, g);
	if (g->mode == GPU_MODE_VFIO_SRIOV)
		return vfio_sriov_delete(h->root, slot);
	return mdev_remove(&h->snapshot, h->root, uuid);
}

int host_vgpu_set_params(struct host *h, const struct gpu *g, const char *slot,
			 const char *uuid, const char *params)
{
	if (g->mode == GPU_MODE_VFIO_SRIOV)
		return vfio_sriov_set_params(h->root, slot, params);
	return mdev_set_params(h->root, uuid, params);
}

int host_vgpu_get_params(struct host *h, const struct gpu *g, const char *slot,
			 const char *uuid, char *buf, size_t size)
{
	if (g->mode == GPU_MODE_VFIO_SRIOV)
		return vfio_sriov_get_params(h->root, slot, buf, size);
	return mdev_get_params(h->root, uuid, buf, size);
}

bool host_vgpu_exists(struct host *h, const struct gpu *g, const char *slot,
		      const char *type_id, const char *uuid)
{
	unsigned current;

	if (g->mode != GPU_MODE_VFIO_SRIOV)
		return mdev_exists(h->root, uuid);
	return vfio_sriov_current_type(&h->snapshot, h->root, slot, &current) == 0 &&
	       current == strtoul(type_id, NULL, 10);
}

struct vgpu_walk {
	struct host *host;
	int (*fn)(const struct host_vgpu *v, void *ctx);
	void *ctx;
};

static const struct gpu *gpu_of_slot(struct host *h, const char *slot)
{
	for (size_t i = 0; i < h->n_gpus; i++)
		if (gpu_has_slot(&h->gpus[i], slot))
			return &h->gpus[i];
	return NULL;
}

static int visit_mdev(const struct mdev_device *d, void *ctx)
{
	struct vgpu_walk *w = ctx;
	struct host_vgpu v = { .gpu = gpu_of_slot(w->host, d->parent) };

	if (!v.gpu)
		return 0; /* an mdev of some other vendor's device */
	str_copy(v.uuid, sizeof(v.uuid), d->uuid);
	str_copy(v.slot, sizeof(v.slot), d->parent);
	str_copy(v.type_id, sizeof(v.type_id), d->type_id);
	return w->fn(&v, w->ctx);
}

static int visit_vfs(struct vgpu_walk *w, const struct gpu *g)
{
	for (size_t i = 0; i < g->n_slots; i++) {
		struct host_vgpu v = { .gpu = g };
		unsigned id;
		int r;

		if (vfio_sriov_current_type(&w->host->snapshot, w->host->root, g->slots[i],
					    &id) < 0 || !id)
			continue;
		str_copy(v.slot, sizeof(v.slot), g->slots[i]);
		snprintf(v.type_id, sizeof(v.type_id), "%u", id);
		r = w->fn(&v, w->ctx);
		if (r < 0)
			return r;
	}
	return 0;
}

int host_for_each_vgpu(struct host *h, int (*fn)(const struct host_vgpu *v, void *ctx),
		       void *ctx)
{
	struct vgpu_walk w = { h, fn, ctx };
	int r = mdev_for_each_device(&h->snapshot, h->root, visit_mdev, &w);

	for (size_t i = 0; i < h->n_gpus && r >= 0; i++)
		if (h->gpus[i].mode == GPU_MODE_VFIO_SRIOV)
			r = visit_vfs(&w, &h->gpus[i]);
	return r;
}

int host_driver_version(const struct host *h, char *buf, size_t size)
{
	char path[PATH_MAX];
	int r = str_printf(path, sizeof(path), "%s/module/nvidia/version", h->root);

	if (r < 0)
		return r;
	r = file_read_value(path, buf, size);
	if (r == -ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	return r < 0 ? r : 0;
}
