/* engine_groups.c — the resource-group half of the engine API (engine.h): groups, their
 * rules, and gpus/<bdf>/group. Each settable field has a validator that refuses with a
 * precise errno and message, or yields the normalised value that is committed and then
 * applied to the in-memory copy. */
#include "engine_internal.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

/* ---- what a group is made of now ---- */

static size_t group_gpu_count(struct engine *e, const struct group *g)
{
	size_t n = 0;

	for (size_t i = 0; i < e->host.n_gpus; i++)
		n += group_owns(&e->groups, g, &e->host.gpus[i], e->host_name);
	return n;
}

/* The first GPU g's rules match that another group's rules match too, or NULL. */
static const struct gpu *group_conflict(struct engine *e, const struct group *g,
					const struct group **other)
{
	for (size_t i = 0; i < e->host.n_gpus; i++) {
		const struct gpu *gpu = &e->host.gpus[i];

		if (!group_matches(g, gpu, e->host_name))
			continue;
		for (size_t j = 0; j < e->groups.n; j++) {
			*other = &e->groups.items[j];
			if (*other != g && group_matches(*other, gpu, e->host_name))
				return gpu;
		}
	}
	return NULL;
}

/* A GPU of g that does not offer profile, or NULL. */
static const struct gpu *gpu_lacking(struct engine *e, const struct group *g,
				     const char *profile)
{
	for (size_t i = 0; i < e->host.n_gpus; i++) {
		const struct gpu *gpu = &e->host.gpus[i];

		if (group_owns(&e->groups, g, gpu, e->host_name) && gpu_find_type(gpu, profile) < 0)
			return gpu;
	}
	return NULL;
}

/* A GPU that a rule of g finds is not the card it recorded (why says so), or NULL. */
static const struct gpu *gpu_unconfirmed(struct engine *e, const struct group *g, char *why,
					 size_t size)
{
	for (size_t i = 0; i < e->host.n_gpus; i++)
		if (group_gpu_unconfirmed(e, g, &e->host.gpus[i], why, size) < 0)
			return &e->host.gpus[i];
	return NULL;
}

/* A GPU of g that is gone from the host, or NULL. */
static const struct gpu *gpu_gone(struct engine *e, const struct group *g)
{
	for (size_t i = 0; i < e->host.n_gpus; i++) {
		const struct gpu *gpu = &e->host.gpus[i];

		if (gpu->gone && group_owns(&e->groups, g, gpu, e->host_name))
			return gpu;
	}
	return NULL;
}

static bool host_offers(struct engine *e, const char *profile)
{
	for (size_t i = 0; i < e->host.n_gpus; i++)
		if (!e->host.gpus[i].gone && gpu_find_type(&e->host.gpus[i], profile) >= 0)
			return true;
	return false;
}

/* ---- status ---- */

static bool is_degraded(struct engine *e, const struct group *g)
{
	const struct group *other;
	char why[MESSAGE_MAX];

	return group_conflict(e, g, &other) || gpu_gone(e, g) ||
	       (g->profile[0] && gpu_lacking(e, g, g->profile)) ||
	       gpu_unconfirmed(e, g, why, sizeof(why));
}

static bool has_no_gpus(struct engine *e, const struct group *g)
{
	return !group_gpu_count(e, g);
}

static bool has_no_driver(struct engine *e, const struct group *g)
{
	(void)e;
	return !g->driver[0];
}

static bool has_no_profile(struct engine *e, const struct group *g)
{
	(void)e;
	return !g->profile[0];
}

static bool needs_reboot(struct engine *e, const struct group *g)
{
	char running[64] = "";

	host_driver_version(&e->host, running, sizeof(running));
	return strcmp(g->driver, running) != 0;
}

/* A group's status is the first of these that applies; docs/tree.md lists them in this
 * order. The last applies always. */
static const struct {
	const char *name;
	bool (*applies)(struct engine *e, const struct group *g);
} group_statuses[] = {
	{ "degraded", is_degraded },
	{ "no-gpus", has_no_gpus },
	{ "no-driver", has_no_driver },
	{ "no-profile", has_no_profile },
	{ "reboot-required", needs_reboot },
	{ "ready", NULL },
};

static const char *group_status(struct engine *e, const struct group *g)
{
	size_t i = 0;

	while (group_statuses[i].applies && !group_statuses[i].applies(e, g))
		i++;
	assert(i < ARRAY_SIZE(group_statuses));
	return group_statuses[i].name;
}

/* ---- capacity ---- */

/* Reads only the group's GPUs (what other GPUs hold decides nothing here), and the
 * host's mdevs once for all of them. */
int group_candidates(struct engine *e, const struct group *g, struct gpu **gpus,
		     struct placement_gpu *load, size_t *n)
{
	struct gpu_usage usage[e->host.n_gpus + 1];
	bool mine[e->host.n_gpus + 1];

	*n = 0;
	for (size_t i = 0; i < e->host.n_gpus; i++)
		mine[i] = !e->host.gpus[i].gone &&
			  gpu_find_type(&e->host.gpus[i], g->profile) >= 0 &&
			  group_owns(&e->groups, g, &e->host.gpus[i], e->host_name);
	if (host_usage_all(&e->host, usage, mine) < 0)
		return -EIO;
	for (size_t i = 0; i < e->host.n_gpus; i++) {
		struct gpu *gpu = &e->host.gpus[i];
		int t = gpu_find_type(gpu, g->profile), avail;
		const struct gpu_usage u = usage[i];

		if (!mine[i])
			continue;
		avail = host_type_available(&e->host, gpu, (size_t)t, &u);
		if (avail < 0)
			return -EIO;
		gpus[*n] = gpu;
		/* vGPUs of another profile leave no room here: count only the profile's */
		load[*n] = (struct placement_gpu){ u.type_index == t ? u.used : 0, (unsigned)avail };
		(*n)++;
	}
	return 0;
}

int group_capacity(struct engine *e, const struct group *g, struct capacity *c)
{
	struct gpu *gpus[e->host.n_gpus + 1];
	struct placement_gpu load[e->host.n_gpus + 1];
	size_t n;
	int r;

	memset(c, 0, sizeof(*c));
	if (!g->profile[0])
		return 0;
	r = group_candidates(e, g, gpus, load, &n);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		c->total += gpus[i]->types[gpu_find_type(gpus[i], g->profile)].max_instances;
		c->used += load[i].used;
		c->free += load[i].free;
	}
	return r;
}

static int group_gpus_text(struct engine *e, const struct group *g, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e->host.n_gpus; i++) {
		if (!group_owns(&e->groups, g, &e->host.gpus[i], e->host_name))
			continue;
		len += snprintf(buf + len, size - len, "%s\n", e->host.gpus[i].pci.bdf);
		if (len >= size)
			return -E2BIG;
	}
	return 0;
}

static int group_error_text(struct engine *e, const struct group *g, char *buf, size_t size)
{
	const struct group *other;
	const struct gpu *gpu = group_conflict(e, g, &other);

	if (gpu)
		return str_printf(buf, size, "conflict: GPU %s is matched by the rules of groups "
				  "'%s' and '%s'; it is in neither until one rule changes",
				  gpu->pci.bdf, g->name, other->name) < 0 ? -E2BIG : 0;
	if ((gpu = gpu_gone(e, g)))
		return str_printf(buf, size, "GPU %s (%s) of this group is gone from the host "
				  "(gpus/%s/state)", gpu->pci.bdf, gpu->name, gpu->pci.bdf) < 0 ?
			-E2BIG : 0;
	if (g->profile[0] && (gpu = gpu_lacking(e, g, g->profile)))
		return str_printf(buf, size, "GPU %s (%s) of this group does not offer profile "
				  "%s", gpu->pci.bdf, gpu->name, g->profile) < 0 ? -E2BIG : 0;
	if (gpu_unconfirmed(e, g, buf, size))
		return 0;
	engine_object(e, "groups/%s", g->name);
	return str_copy(buf, size, events_error(&e->events, e->object));
}

/* ---- fields ---- */

/* What a profile must be besides a name: offered here, by every GPU of the group, and
 * the same while devices hold vGPUs of the group (checked in this order, docs/tree.md). */
static int check_profile(struct engine *e, const struct group *g,
			 const char *value)
{
	const struct gpu *lacking;
	char user[OBJECT_MAX];

	if (value[0] && !host_offers(e, value))
		return refuse(e, -ENOENT, "no GPU on this host offers profile \"%s\" "
			      "(see profiles/)", value);
	if (value[0] && (lacking = gpu_lacking(e, g, value)))
		return refuse(e, -EINVAL, "GPU %s (%s) of this group does not offer "
			      "profile %s (see groups/%s/profiles/)", lacking->pci.bdf,
			      lacking->name, value, g->name);
	if (strcmp(value, g->profile) && group_in_use(e, g->name, user, sizeof(user)))
		return refuse(e, -EBUSY, "%s holds or reserves vGPUs of profile %s from this "
			      "group; free them first", user, g->profile);
	return 0;
}

int group_get(struct engine *e, struct group *g, const char *field, char *buf, size_t size)
{
	const struct field *f = field_find(group_fields, field);
	struct capacity c;
	int r;

	if (f) {
		field_format(f, g, buf, size);
		return 0;
	}
	if (!strcmp(field, "type"))
		return str_copy(buf, size, "nvidia-vgpu");
	if (!strcmp(field, "status"))
		return str_copy(buf, size, group_status(e, g));
	if (!strcmp(field, "gpus"))
		return group_gpus_text(e, g, buf, size);
	if (!strcmp(field, "error"))
		return group_error_text(e, g, buf, size);
	if (!strcmp(field, "iso_status") || !strcmp(field, "iso_error"))
		return group_iso_field(e, g, field, buf, size);
	if (strncmp(field, "vgpus_", 6))
		return -ENOENT;
	r = group_capacity(e, g, &c);
	if (r < 0)
		return r;
	if (!strcmp(field, "vgpus_total"))
		return str_printf(buf, size, "%u", c.total) < 0 ? -E2BIG : 0;
	if (!strcmp(field, "vgpus_used"))
		return str_printf(buf, size, "%u", c.used) < 0 ? -E2BIG : 0;
	if (!strcmp(field, "vgpus_free")) /* less what shares reserve and do not use */
		return str_printf(buf, size, "%u", c.free > group_unused_reserve(e, g, NULL) ?
				  c.free - group_unused_reserve(e, g, NULL) : 0) < 0 ? -E2BIG : 0;
	if (!strcmp(field, "vgpus_reserved"))
		return str_printf(buf, size, "%u", group_reserved(e, g)) < 0 ? -E2BIG : 0;
	return -ENOENT;
}

int engine_group_get(struct engine *e, const char *name, const char *field,
		     char *buf, size_t size)
{
	LOCK_ENGINE(e);
	struct group *g = groups_find(&e->groups, name);

	return g ? group_get(e, g, field, buf, size) : -ENOENT;
}

static int save_group(struct engine *e, void *arg)
{
	const struct group *want = arg;

	return store_group_save(&e->store, want);
}

/* Checks the value whole (the field's syntax, then what it refers to), commits the
 * group as wanted, and only then changes what readers see. */
int engine_group_set(struct engine *e, const char *name, const char *field, const char *value)
{
	LOCK_ENGINE(e);
	struct group *g = groups_find(&e->groups, name);
	const struct field *f = field_find(group_fields, field);
	char why[MESSAGE_MAX], shown[VALUE_SIZE_MAX + 1];
	struct group *want, *was;
	bool changed;
	int r;

	if (!g || !f)
		return -ENOENT;
	engine_object(e, "groups/%s", name);
	want = malloc(2 * sizeof(*want));
	if (!want)
		return -ENOMEM;
	was = want + 1;
	*want = *was = *g;
	r = field_parse(f, value, want, why, sizeof(why));
	if (r < 0)
		r = refuse(e, -EINVAL, "%s", why);
	else if (!strcmp(field, "profile"))
		r = check_profile(e, g, want->profile);
	else
		r = media_check_group(e, g, want, field);
	/* besides the field, a driver or token may settle driver_iso, and a hand-set
	 * driver_iso stops make_guest_iso */
	changed = r >= 0 && (!field_equal(f, g, want) || strcmp(g->driver_iso, want->driver_iso) ||
			     g->make_guest_iso != want->make_guest_iso);
	if (changed)
		r = commit_change(e, save_group, want);
	if (changed && r >= 0) {
		*g = *want;
		field_format(f, g, shown, sizeof(shown));
		events_add(&e->events, "%s/%s = %s", e->object, field, shown);
	}
	if (r >= 0)
		media_group_changed(e, was, g, field);
	free(want);
	return r < 0 ? r : 0;
}

/* ---- creating and deleting groups ---- */

static int insert_group(struct engine *e, void *arg)
{
	return store_group_insert(&e->store, arg);
}

static int delete_group(struct engine *e, void *arg)
{
	return store_group_delete(&e->store, arg);
}

int engine_group_create(struct engine *e, const char *name)
{
	LOCK_ENGINE(e);
	int r;

	engine_object(e, "groups");
	if (!value_is_name(name))
		return refuse(e, -EINVAL, "\"%s\" is not a valid group name "
			      "([A-Za-z0-9][A-Za-z0-9._-], at most 63)", name);
	engine_object(e, "groups/%s", name);
	if (groups_find(&e->groups, name))
		return refuse(e, -EEXIST, "group %s already exists", name);
	r = commit_change(e, insert_group, (void *)name);
	if (r < 0)
		return r;
	if (!groups_add(&e->groups, name))
		return -ENOMEM;
	events_add(&e->events, "%s created", e->object);
	return 0;
}

/* Deleting a group takes its rules with it (ON DELETE CASCADE): they are its settings. */
int engine_group_delete(struct engine *e, const char *name)
{
	LOCK_ENGINE(e);
	struct group *g = groups_find(&e->groups, name);
	int r;

	char user[OBJECT_MAX];

	if (!g)
		return -ENOENT;
	engine_object(e, "groups/%s", name);
	if (group_in_use(e, name, user, sizeof(user)))
		return refuse(e, -EBUSY, "group %s is used by %s; free that first", name,
			      user);
	r = commit_change(e, delete_group, (void *)name);
	if (r < 0)
		return r;
	groups_remove(&e->groups, g);
	events_forget(&e->events, e->object);
	events_add(&e->events, "%s deleted", e->object);
	media_group_changed(e, NULL, NULL, ""); /* its guest ISO may be unused now */
	return 0;
}

int engine_for_each_group(struct engine *e, engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	for (size_t i = 0; i < e->groups.n; i++) {
		int r = fn(e->groups.items[i].name, ctx);

		if (r < 0)
			return r;
	}
	return 0;
}

int engine_group_id(struct engine *e, const char *name)
{
	LOCK_ENGINE(e);
	const struct group *g = groups_find(&e->groups, name);

	return g ? g->id : -ENOENT;
}

/* Profiles listed once each, at the first GPU offering them, if the group accepts them. */
int engine_for_each_group_profile(struct engine *e, const char *name, engine_name_fn fn,
				  void *ctx)
{
	LOCK_ENGINE(e);
	struct group *g = groups_find(&e->groups, name);

	if (!g)
		return -ENOENT;
	for (size_t i = 0; i < e->host.n_gpus; i++) {
		const struct gpu *gpu = &e->host.gpus[i];

		for (size_t t = 0; t < gpu->n_types; t++) {
			const char *p = gpu->types[t].profile;
			bool seen = false;
			int r;

			for (size_t j = 0; j < i && !seen; j++)
				seen = gpu_find_type(&e->host.gpus[j], p) >= 0;
			if (seen || gpu_lacking(e, g, p))
				continue;
			r = fn(p, ctx);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

