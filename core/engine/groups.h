/* groups.h — resource groups and their rules, as the engine holds them in memory (the
 * database is the durable copy; see cluster_store.h). A rule selects GPUs by node, vendor,
 * device, slot, name, vGPU type id and function; "" matches anything. A rule may also
 * record the identity of the card it was made for: a GPU its filters select that has
 * other IDs is not matched, and the rule reads hardware-changed until an admin accepts
 * the card. A group's GPUs are those its enabled rules match and no other group's rules
 * also match (a conflict is reported, never resolved silently). */
#ifndef VGPUFS_GROUPS_H
#define VGPUFS_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include "engine.h"  /* group_fields, rule_fields */
#include "host.h"
#include "value.h"

/* "10de:1eb8 10de:12a2": vendor:device subsystem_vendor:subsystem_device, lower-case hex. */
#define GPU_IDENTITY_MAX 20

struct rule {
	int id;              /* object_id_next() */
	char name[NAME_MAX_LEN + 1];
	/* the settable fields, declared in rule_fields */
	char node[256];
	char vendor[8];
	char device[8];
	char slot[64];
	bool enabled;
	char gpu_name[256];      /* the file "name": the GPU's name */
	char name_match[16];     /* how gpu_name compares: rule_match_operators */
	char type_id[128];       /* a vGPU type id the GPU offers */
	char type_id_match[16];
	char function[16];       /* any, physical, virtual */
	char identity[GPU_IDENTITY_MAX];  /* the card's IDs (gpu_identity), "" none */
	/* not stored: the identity found in its place that events last reported, "" none */
	char hardware_reported[GPU_IDENTITY_MAX];
};

struct group {
	int id;              /* object_id_next() */
	char name[NAME_MAX_LEN + 1];
	/* the settable fields, declared in group_fields */
	char description[VALUE_SIZE_MAX + 1];
	char class[NAME_MAX_LEN + 1];
	char driver[256];
	char profile[PROFILE_MAX];
	bool make_guest_iso;
	char driver_iso[256];
	char client_token[256];
	char policy[16];
	struct rule *rules;
	size_t n_rules;
};

struct groups {
	struct group *items;
	size_t n;
};

void groups_free(struct groups *gs);

struct group *groups_find(struct groups *gs, const char *name);
struct rule *group_find_rule(struct group *g, const char *name);

/* Appends a group / rule with defaults (in memory only). */
struct group *groups_add(struct groups *gs, const char *name);
struct rule *group_add_rule(struct group *g, const char *name, const char *node);
void groups_remove(struct groups *gs, struct group *g);
void group_remove_rule(struct group *g, struct rule *r);

/* The card's identity, as rules record it: "10de:1eb8 10de:12a2". */
void gpu_identity(const struct gpu *gpu, char *buf, size_t size);

/* How a rule's name and type_id filters compare (name_match, type_id_match). */
extern const char *const rule_match_operators[];

enum rule_verdict {
	RULE_MISSES,            /* disabled, or a filter leaves the GPU out */
	RULE_MATCHES,
	RULE_HARDWARE_CHANGED,  /* every filter selects it, but its identity differs */
};

/* The one matching function: what rule r says of gpu on node host_name. */
enum rule_verdict rule_judge(const struct rule *r, const struct gpu *gpu,
			     const char *host_name);
bool rule_matches(const struct rule *r, const struct gpu *gpu, const char *host_name);

/* What no single field can check: each regex filter compiles. -EINVAL and one line
 * in why (regerror's text) if one does not. */
int rule_check(const struct rule *r, char *why, size_t why_size);

/* The first rule of g that judges gpu hardware-changed, or NULL. */
const struct rule *group_rule_changed(const struct group *g, const struct gpu *gpu,
				      const char *host_name);
/* The rule's slot filter names the address (an empty filter names none). */
bool rule_names_slot(const struct rule *r, const char *bdf);
bool group_matches(const struct group *g, const struct gpu *gpu, const char *host_name);

/* The groups whose rules match gpu: count, and the first in *first (NULL if none). */
size_t groups_matching(const struct groups *gs, const struct gpu *gpu, const char *host_name,
		       const struct group **first);

/* True when gpu belongs to g: matched by g and by no other group. */
bool group_owns(const struct groups *gs, const struct group *g, const struct gpu *gpu,
		const char *host_name);

/* A change to one rule, judged before it is made: rule `old` of group `group` (NULL for
 * a new rule) becomes `now` (NULL when it is removed). */
struct rule_edit {
	const struct group *group;
	const struct rule *old;
	const struct rule *now;
};

/* The group gpu would belong to once edit (NULL: none) is made: the one group whose
 * rules match it, or NULL when none or several do. */
const struct group *groups_owner_after(const struct groups *gs, const struct gpu *gpu,
				       const char *host_name, const struct rule_edit *edit);

#endif
