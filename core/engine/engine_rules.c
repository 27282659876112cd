/* engine_rules.c — rules of resource groups (groups/<g>/rules/<r>) and the shortcut
 * gpus/<bdf>/group, which manages one rule per GPU named after its address. */
#include "engine_internal.h"
#include "compat.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The rule gpus/<bdf>/group creates: "pci-0000-41-00.0" (names cannot hold colons). */
static void gpu_rule_name(char *buf, size_t size, const char *bdf)
{
	str_copy(buf, size, "pci-");
	str_copy(buf + 4, size - 4, bdf);
	for (char *p = buf; *p; p++)
		if (*p == ':')
			*p = '-';
}

static int find_rule(struct engine *e, const char *group, const char *rule,
		     struct group **g, struct rule **r)
{
	*g = groups_find(&e->groups, group);
	*r = *g ? group_find_rule(*g, rule) : NULL;
	return *r ? 0 : -ENOENT;
}

/* ---- rule changes that would strand vGPUs ---- */

/* The first vGPU that would end up on a GPU outside its device's group once edit is made
 * (it belongs to the group now), or NULL. Its device goes to *device. */
static const struct vgpu *vgpu_stranded(struct engine *e, const struct rule_edit *edit,
					const struct device **device)
{
	for (size_t i = 0; i < e->devices.n_vgpus; i++) {
		const struct vgpu *v = &e->devices.vgpus[i];
		const struct device *d = devices_find(&e->devices, v->vm_uuid, v->device);
		const struct gpu *gpu = host_find_gpu(&e->host, v->gpu);
		const struct group *g = d ? device_group(e, d) : NULL;

		if (!g || !gpu || groups_owner_after(&e->groups, gpu, e->host_name, NULL) != g)
			continue;
		if (groups_owner_after(&e->groups, gpu, e->host_name, edit) != g) {
			*device = d;
			return v;
		}
	}
	return NULL;
}

/* Refuses (EBUSY, naming the device) a rule change that would take a GPU holding vGPUs
 * out of their device's group: by removing or narrowing its rule, or by matching it
 * from a second group, which puts it in neither. */
static int check_vgpus_stay(struct engine *e, const struct rule_edit *edit)
{
	const struct device *d;
	const struct vgpu *v = vgpu_stranded(e, edit, &d);
	char device[OBJECT_MAX];

	if (!v)
		return 0;
	device_path(e, d, device, sizeof(device));
	return refuse(e, -EBUSY, "GPU %s would leave group %s while %s holds vGPUs on "
		      "it; free them first", v->gpu, device_group(e, d)->name, device);
}

/* The first GPU that edit would bring into its group although the group's host driver
 * cannot drive it (the compatibility data says so), or NULL. */
static const struct gpu *gpu_undriven(struct engine *e, const struct rule_edit *edit)
{
	const struct group *g = edit->group;

	for (size_t i = 0; g->driver[0] && i < e->host.n_gpus; i++) {
		const struct gpu *gpu = &e->host.gpus[i];

		if (groups_owner_after(&e->groups, gpu, e->host_name, edit) == g &&
		    groups_owner_after(&e->groups, gpu, e->host_name, NULL) != g &&
		    compat_drives(g->driver, gpu->pci.vendor, gpu->pci.device) == COMPAT_NO)
			return gpu;
	}
	return NULL;
}

static int check_driven(struct engine *e, const struct rule_edit *edit)
{
	const struct gpu *gpu = gpu_undriven(e, edit);

	return gpu ? media_check_gpu_joins(e, edit->group, gpu) : 0;
}

/* ---- hardware identity ---- */

/* The first GPU r judges hardware-changed, or NULL. */
static const struct gpu *rule_changed_gpu(struct engine *e, const struct rule *r)
{
	for (size_t i = 0; i < e->host.n_gpus; i++)
		if (rule_judge(r, &e->host.gpus[i], e->host_name) == RULE_HARDWARE_CHANGED)
			return &e->host.gpus[i];
	return NULL;
}

/* "GPU … is <found>, not <recorded> as recorded": the one wording of a changed card. */
static void hardware_message(const struct rule *r, const struct gpu *gpu, char *buf,
			     size_t size)
{
	char found[GPU_IDENTITY_MAX];

	gpu_identity(gpu, found, sizeof(found));
	snprintf(buf, size, "GPU %s is %s (%s), not %s as recorded in identity; no vGPU is "
		 "placed on it until the card is accepted (echo 1 > accept_hardware)",
		 gpu->pci.bdf, found, gpu->name, r->identity);
}

/* The identity of the GPUs r's filters select, enabled or not and identity aside: into
 * out ("" when none); -EINVAL when they have several, *other then one that differs
 * from *first. */
static int selected_identity(struct engine *e, const struct rule *r, char *out, size_t size,
			     const struct gpu **first, const struct gpu **other)
{
	struct rule any = *r;
	char id[GPU_IDENTITY_MAX];

	any.enabled = true;
	any.identity[0] = '\0';
	out[0] = '\0';
	*first = *other = NULL;
	for (size_t i = 0; i < e->host.n_gpus; i++) {
		if (!rule_matches(&any, &e->host.gpus[i], e->host_name))
			continue;
		gpu_identity(&e->host.gpus[i], id, sizeof(id));
		if (!*first) {
			*first = &e->host.gpus[i];
			str_copy(out, size, id);
		} else if (strcmp(out, id)) {
			*other = &e->host.gpus[i];
			return -EINVAL;
		}
	}
	return 0;
}

void rules_note_hardware(struct engine *e)
{
	for (size_t i = 0; i < e->groups.n; i++) {
		struct group *g = &e->groups.items[i];

		for (size_t j = 0; j < g->n_rules; j++) {
			struct rule *r = &g->rules[j];
			const struct gpu *gpu = rule_changed_gpu(e, r);
			char found[GPU_IDENTITY_MAX] = "", why[MESSAGE_MAX];

			if (gpu)
				gpu_identity(gpu, found, sizeof(found));
			if (gpu && strcmp(found, r->hardware_reported)) {
				hardware_message(r, gpu, why, sizeof(why));
				events_add(&e->events, "groups/%s/rules/%s: hardware changed: %s",
					   g->name, r->name, why);
			}
			str_copy(r->hardware_reported, sizeof(r->hardware_reported), found);
		}
	}
}

int group_gpu_unconfirmed(struct engine *e, const struct group *g, const struct gpu *gpu,
			  char *why, size_t size)
{
	const struct rule *r = group_rule_changed(g, gpu, e->host_name);
	char message[MESSAGE_MAX];

	if (!r || group_owns(&e->groups, g, gpu, e->host_name))
		return 0; /* unchanged, or in the group through another rule */
	hardware_message(r, gpu, message, sizeof(message));
	snprintf(why, size, "rule %s of group %s: %s", r->name, g->name, message);
	return -ENODEV;
}

/* ---- fields ---- */

/* The first of these that applies: disabled, hardware-changed, no-gpus, active. */
static const char *rule_status(struct engine *e, const struct rule *r)
{
	if (!r->enabled)
		return "disabled";
	if (rule_changed_gpu(e, r))
		return "hardware-changed";
	for (size_t i = 0; i < e->host.n_gpus; i++)
		if (rule_matches(r, &e->host.gpus[i], e->host_name))
			return "active";
	return "no-gpus";
}

static int rule_error_text(struct engine *e, const struct rule *r, char *buf, size_t size)
{
	const struct gpu *gpu = rule_changed_gpu(e, r);

	if (gpu) {
		hardware_message(r, gpu, buf, size);
		return 0;
	}
	return str_copy(buf, size, events_error(&e->events, e->object));
}

static int rule_gpus_text(struct engine *e, const struct rule *r, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e->host.n_gpus; i++) {
		if (!rule_matches(r, &e->host.gpus[i], e->host_name))
			continue;
		len += snprintf(buf + len, size - len, "%s\n", e->host.gpus[i].pci.bdf);
		if (len >= size)
			return -E2BIG;
	}
	return 0;
}

int engine_rule_get(struct engine *e, const char *group, const char *rule, const char *field,
		    char *buf, size_t size)
{
	LOCK_ENGINE(e);
	const struct field *f = field_find(rule_fields, field);
	struct group *g;
	struct rule *r;

	if (find_rule(e, group, rule, &g, &r) < 0)
		return -ENOENT;
	if (f) {
		field_format(f, r, buf, size);
		return 0;
	}
	if (!strcmp(field, "gpus"))
		return rule_gpus_text(e, r, buf, size);
	if (!strcmp(field, "status"))
		return str_copy(buf, size, rule_status(e, r));
	if (!strcmp(field, "error")) {
		engine_object(e, "groups/%s/rules/%s", group, rule);
		return rule_error_text(e, r, buf, size);
	}
	return -ENOENT;
}

struct rule_row {
	const char *group;
	const struct rule *rule;
};

static int save_rule(struct engine *e, void *arg)
{
	const struct rule_row *row = arg;

	return store_rule_save(&e->store, row->group, row->rule);
}

/* Makes the checked edit r -> wanted of group g, if it strands no vGPU and brings in no
 * GPU the group's driver cannot drive: commits it, then changes what readers see. */
static int change_rule(struct engine *e, struct group *g, struct rule *r,
		       const struct rule *wanted)
{
	int rc = check_vgpus_stay(e, &(struct rule_edit){ g, r, wanted });

	if (rc >= 0)
		rc = check_driven(e, &(struct rule_edit){ g, r, wanted });
	if (rc >= 0)
		rc = commit_change(e, save_rule, &(struct rule_row){ g->name, wanted });
	if (rc < 0)
		return rc;
	*r = *wanted;
	/* the edit's own event says what the admin changed; report the card afresh */
	r->hardware_reported[0] = '\0';
	rules_note_hardware(e);
	return 0;
}

/* A new slot names other cards: a rule that records an identity records theirs (""
 * when none or several models are there). */
static void slot_identity(struct engine *e, struct rule *wanted)
{
	const struct gpu *first, *other;

	if (wanted->identity[0] &&
	    selected_identity(e, wanted, wanted->identity, sizeof(wanted->identity), &first,
			      &other) < 0)
		wanted->identity[0] = '\0';
}

/* echo 1 > accept_hardware: the identity found in place of the recorded one becomes the
 * recorded one. Nothing to accept is no change. */
static int accept_hardware(struct engine *e, struct group *g, struct rule *r,
			   const char *value)
{
	const struct gpu *first, *other;
	struct rule wanted = *r;
	bool on;
	int rc;

	if (value_parse_bool(value, &on) < 0)
		return refuse(e, -EINVAL, "write 1 to accept the card found in place of the "
			      "recorded identity, not \"%s\"", value);
	if (!on || !rule_changed_gpu(e, r))
		return 0;
	if (selected_identity(e, r, wanted.identity, sizeof(wanted.identity), &first,
			      &other) < 0)
		return refuse(e, -EINVAL, "the GPUs this rule selects are of several models "
			      "(%s is %s, %s is %s); narrow its filters or write identity",
			      first->pci.bdf, first->name, other->pci.bdf, other->name);
	rc = change_rule(e, g, r, &wanted);
	if (rc >= 0)
		events_add(&e->events, "%s: hardware accepted: identity = %s", e->object,
			   r->identity);
	return rc;
}

/* Checks the value whole (its syntax, the rule as it would be, then that no vGPU is
 * stranded), commits the rule as wanted, and only then changes what readers see. */
int engine_rule_set(struct engine *e, const char *group, const char *rule, const char *field,
		    const char *value)
{
	LOCK_ENGINE(e);
	const struct field *f = field_find(rule_fields, field);
	struct group *g;
	struct rule *r, wanted;
	char why[MESSAGE_MAX], shown[256];
	bool identity_changed;
	int rc;

	if (find_rule(e, group, rule, &g, &r) < 0)
		return -ENOENT;
	engine_object(e, "groups/%s/rules/%s", group, rule);
	if (!strcmp(field, "accept_hardware"))
		return accept_hardware(e, g, r, value);
	if (!f)
		return -ENOENT;
	wanted = *r;
	if (field_parse(f, value, &wanted, why, sizeof(why)) < 0 ||
	    rule_check(&wanted, why, sizeof(why)) < 0)
		return refuse(e, -EINVAL, "%s", why);
	if (!strcmp(field, "slot"))
		slot_identity(e, &wanted);
	if (!fields_differ(rule_fields, r, &wanted))
		return 0;
	identity_changed = strcmp(r->identity, wanted.identity);
	rc = change_rule(e, g, r, &wanted);
	if (rc < 0)
		return rc;
	field_format(f, r, shown, sizeof(shown));
	events_add(&e->events, "%s/%s = %s", e->object, field, shown);
	if (identity_changed && strcmp(field, "identity"))
		events_add(&e->events, "%s/identity = %s (the cards its %s selects)", e->object,
			   r->identity, field);
	return 0;
}

/* ---- creating and deleting rules ---- */

static int insert_rule(struct engine *e, void *arg)
{
	const struct rule_row *row = arg;

	return store_rule_insert(&e->store, row->group, row->rule);
}

static int delete_rule(struct engine *e, void *arg)
{
	const struct rule_row *row = arg;

	return store_rule_delete(&e->store, row->group, row->rule->name);
}

/* A rule for this node with the given slot ("" for any), the rest as the table starts it. */
static struct rule new_rule(struct engine *e, const char *name, const char *slot)
{
	struct rule r = { 0 };

	fields_init(rule_fields, &r);
	str_copy(r.name, sizeof(r.name), name);
	str_copy(r.node, sizeof(r.node), e->host_name);
	str_copy(r.slot, sizeof(r.slot), slot);
	return r;
}

/* Commits and adds wanted (checked by the caller) to g. */
static int add_rule(struct engine *e, struct group *g, const struct rule *wanted)
{
	struct rule_row row = { g->name, wanted };
	struct rule *r;
	int id, rc = commit_change(e, insert_rule, &row);

	if (rc < 0)
		return rc;
	r = group_add_rule(g, wanted->name, wanted->node);
	if (!r)
		return -ENOMEM;
	id = r->id;
	*r = *wanted;
	r->id = id;
	events_add(&e->events, "%s created (node %s, slot %s%s%s%s)", e->object, wanted->node,
		   wanted->slot[0] ? wanted->slot : "any", wanted->identity[0] ? ", identity " : "",
		   wanted->identity, wanted->enabled ? "" : ", disabled");
	return 0;
}

/* Commits and removes r (checked by the caller) from g. */
static int remove_rule(struct engine *e, struct group *g, struct rule *r)
{
	struct rule_row row = { g->name, r };
	int rc;

	engine_object(e, "groups/%s/rules/%s", g->name, r->name);
	rc = commit_change(e, delete_rule, &row);
	if (rc < 0)
		return rc;
	group_remove_rule(g, r);
	events_forget(&e->events, e->object);
	events_add(&e->events, "%s deleted", e->object);
	return 0;
}

/* A new rule matches every GPU of this node until narrowed (docs/tree.md). Where that
 * would take GPUs holding vGPUs from their group, it starts disabled instead: mkdir
 * still works, and enabling it is checked like any other rule change. */
int engine_rule_create(struct engine *e, const char *group, const char *name)
{
	LOCK_ENGINE(e);
	struct group *g = groups_find(&e->groups, group);
	const struct device *d;
	struct rule wanted;

	if (!g)
		return -ENOENT;
	engine_object(e, "groups/%s", group);
	if (!value_is_name(name))
		return refuse(e, -EINVAL, "\"%s\" is not a valid rule name "
			      "([A-Za-z0-9][A-Za-z0-9._-], at most 63)", name);
	engine_object(e, "groups/%s/rules/%s", group, name);
	if (group_find_rule(g, name))
		return refuse(e, -EEXIST, "rule %s already exists in group %s", name,
			      group);
	wanted = new_rule(e, name, "");
	wanted.enabled = !vgpu_stranded(e, &(struct rule_edit){ g, NULL, &wanted }, &d) &&
			 !gpu_undriven(e, &(struct rule_edit){ g, NULL, &wanted });
	return add_rule(e, g, &wanted);
}

int engine_rule_delete(struct engine *e, const char *group, const char *rule)
{
	LOCK_ENGINE(e);
	struct group *g;
	struct rule *r;
	int rc;

	if (find_rule(e, group, rule, &g, &r) < 0)
		return -ENOENT;
	engine_object(e, "groups/%s/rules/%s", group, rule);
	rc = check_vgpus_stay(e, &(struct rule_edit){ g, r, NULL });
	return rc < 0 ? rc : remove_rule(e, g, r);
}

int engine_rule_id(struct engine *e, const char *group, const char *rule)
{
	LOCK_ENGINE(e);
	struct group *g;
	struct rule *r;

	return find_rule(e, group, rule, &g, &r) < 0 ? -ENOENT : r->id;
}

int engine_for_each_rule(struct engine *e, const char *group, engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	struct group *g = groups_find(&e->groups, group);

	if (!g)
		return -ENOENT;
	for (size_t i = 0; i < g->n_rules; i++) {
		int r = fn(g->rules[i].name, ctx);

		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- gpus/<bdf>/group ---- */

int engine_gpu_group(struct engine *e, const char *bdf, char *buf, size_t size)
{
	LOCK_ENGINE(e);
	const struct gpu *gpu = host_find_gpu(&e->host, bdf);
	const struct group *first;

	if (!gpu)
		return -ENOENT;
	/* matched by two groups: it belongs to neither (see the groups' error) */
	if (groups_matching(&e->groups, gpu, e->host_name, &first) != 1)
		first = NULL;
	return str_copy(buf, size, first ? first->name : "");
}

/* The GPU's own rule (pci-<bdf>), in whichever group holds it. */
static struct rule *own_rule(struct engine *e, const char *bdf, struct group **holder)
{
	char name[NAME_MAX_LEN + 1];

	gpu_rule_name(name, sizeof(name), bdf);
	for (size_t i = 0; i < e->groups.n; i++) {
		struct rule *r = group_find_rule(&e->groups.items[i], name);

		if (r) {
			*holder = &e->groups.items[i];
			return r;
		}
	}
	return NULL;
}

/* The first rule that matches gpu, outside group `except_group` and other than rule
 * `except_rule`. */
static const struct rule *other_match(struct engine *e, const struct gpu *gpu,
				      const struct group *except_group,
				      const struct rule *except_rule, const struct group **holder)
{
	for (size_t i = 0; i < e->groups.n; i++) {
		const struct group *g = &e->groups.items[i];

		if (g == except_group)
			continue;
		for (size_t j = 0; j < g->n_rules; j++) {
			if (&g->rules[j] != except_rule &&
			    rule_matches(&g->rules[j], gpu, e->host_name)) {
				*holder = g;
				return &g->rules[j];
			}
		}
	}
	return NULL;
}

/* "": the GPU's own rule goes, if nothing else would keep the GPU in a group. */
static int gpu_unassign(struct engine *e, const struct gpu *gpu)
{
	struct group *holder = NULL;
	struct rule *own = own_rule(e, gpu->pci.bdf, &holder);
	const struct group *other;
	const struct rule *r = other_match(e, gpu, NULL, own, &other);
	int rc;

	if (r)
		return refuse(e, -EBUSY, "GPU %s is still matched by rule %s of group "
			      "%s; change or remove that rule", gpu->pci.bdf, r->name, other->name);
	if (!own)
		return 0;
	rc = check_vgpus_stay(e, &(struct rule_edit){ holder, own, NULL });
	return rc < 0 ? rc : remove_rule(e, holder, own);
}

int engine_gpu_set_group(struct engine *e, const char *bdf, const char *name)
{
	LOCK_ENGINE(e);
	const struct gpu *gpu = host_find_gpu(&e->host, bdf);
	struct group *g, *holder = NULL;
	const struct group *other;
	const struct rule *r, *own;
	struct rule wanted;
	char rule[NAME_MAX_LEN + 1];
	int rc;

	if (!gpu)
		return -ENOENT;
	engine_object(e, "gpus/%s", bdf);
	if (!name[0])
		return gpu_unassign(e, gpu);
	if (!value_is_name(name))
		return refuse(e, -EINVAL, "group takes a group name or \"\", not \"%s\"",
			      name);
	g = groups_find(&e->groups, name);
	if (!g)
		return refuse(e, -ENOENT, "no resource group named \"%s\" (see groups/)",
			      name);
	r = other_match(e, gpu, g, NULL, &other);
	if (r)
		return refuse(e, -EBUSY, "GPU %s already belongs to group %s (rule %s); "
			      "write \"\" to its group first", bdf, other->name, r->name);
	own = own_rule(e, bdf, &holder);
	if (own && rule_judge(own, gpu, e->host_name) == RULE_HARDWARE_CHANGED)
		return refuse(e, -EBUSY, "GPU %s is not the card its rule %s in group %s "
			      "recorded (%s); accept it there (echo 1 > accept_hardware) or "
			      "remove the rule", bdf, own->name, holder->name, own->identity);
	if (own && holder != g)
		return refuse(e, -EBUSY, "GPU %s has the disabled rule %s in group %s; "
			      "remove it first", bdf, own->name, holder->name);
	if (own || group_matches(g, gpu, e->host_name))
		return 0; /* already in g */
	if (g->profile[0] && gpu_find_type(gpu, g->profile) < 0)
		return refuse(e, -EINVAL, "GPU %s (%s) does not offer profile %s of group "
			      "%s: a rule for it could never give a vGPU", bdf, gpu->name,
			      g->profile, g->name);
	gpu_rule_name(rule, sizeof(rule), bdf);
	wanted = new_rule(e, rule, bdf);
	gpu_identity(gpu, wanted.identity, sizeof(wanted.identity));
	rc = check_vgpus_stay(e, &(struct rule_edit){ g, NULL, &wanted });
	if (rc >= 0)
		rc = check_driven(e, &(struct rule_edit){ g, NULL, &wanted });
	if (rc < 0)
		return rc;
	engine_object(e, "groups/%s/rules/%s", g->name, rule);
	return add_rule(e, g, &wanted);
}

