/* groups.c — see groups.h. */
#include "groups.h"
#include "media.h"
#include "util.h"
#include "value.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- the fields ---- */

/* A media file name a driver can come from: a bundle or a host package. */
static bool is_driver_file_name(const char *name)
{
	static const char *const suffixes[] = { ".zip", ".run", ".deb", ".rpm" };
	size_t n = strlen(name);

	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++)
		if (n > 4 && !strcasecmp(name + n - 4, suffixes[i]))
			return media_name_ok(name);
	return false;
}

/* A host driver version, or a driver bundle's media file name (the engine normalises it
 * to the bundle's version and checks that drivers/ lists it: validate_driver). */
static int parse_driver(const char *value, char *out, size_t size)
{
	if (value[0] && !value_is_driver_version(value) && !is_driver_file_name(value))
		return -EINVAL;
	return str_copy(out, size, value);
}

/* A file name in media/ (media_name_ok), or "". */
static int parse_media_name(const char *value, char *out, size_t size)
{
	if (value[0] && !media_name_ok(value))
		return -EINVAL;
	return str_copy(out, size, value);
}

static const char *const policies[] = { "depth-first", "breadth-first", NULL };

const struct field group_fields[] = {
	FIELD_OF(struct group, description, .type = FIELD_TEXT),
	FIELD_OF(struct group, class, .type = FIELD_NAME, .initial = "vgpu"),
	FIELD_OF(struct group, driver, .type = FIELD_CUSTOM, .parse = parse_driver,
		 .expects = "\"\", a host driver version such as 550.54.16 (see drivers/) or "
			    "the name of a driver bundle (.zip) or host package in media/"),
	FIELD_OF(struct group, profile, .type = FIELD_NAME, .empty_ok = true,
		 .effect = EFFECT_HOST),
	FIELD_OF(struct group, make_guest_iso, .type = FIELD_BOOL),
	FIELD_OF(struct group, driver_iso, .type = FIELD_CUSTOM, .parse = parse_media_name,
		 .expects = "\"\" or a file name in media/ (no '/', at most 255 bytes)",
		 .effect = EFFECT_DEFINITION),
	FIELD_OF(struct group, client_token, .type = FIELD_CUSTOM, .parse = parse_media_name,
		 .expects = "\"\" or a .tok file name in media/"),
	FIELD_OF(struct group, policy, .type = FIELD_ENUM, .choices = policies,
		 .initial = "depth-first"),
	{ NULL },
};

static bool is_node_name(const char *s)
{
	size_t n = strlen(s);

	if (n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".-_", s[i]))
			return false;
	return true;
}

static bool is_hex(const char *s, size_t n)
{
	return strspn(s, "0123456789abcdefABCDEF") >= n;
}

/* A PCI device number (00-1f), when the text has no glob character. */
static bool device_ok(const char *s, size_t n)
{
	return strcspn(s, "*?[") < n || (n == 2 && is_hex(s, 2) && strchr("01", s[0]));
}

/* A PCI function (0-7), when the text has no glob character. */
static bool function_ok(const char *s)
{
	return strpbrk(s, "*?[") || (s[0] >= '0' && s[0] <= '7' && !s[1]);
}

/* "0000:41:00.0" or, with_domain false, "41:00.0": hex, device 00-1f, function 0-7. */
static bool is_bdf(const char *s, bool with_domain)
{
	if (with_domain) {
		if (strlen(s) != 12 || !is_hex(s, 4) || s[4] != ':')
			return false;
		s += 5;
	}
	return strlen(s) == 7 && is_hex(s, 2) && s[2] == ':' && device_ok(s + 3, 2) &&
	       s[5] == '.' && function_ok(s + 6);
}

/* Brackets must pair up, or fnmatch() just never matches. */
static bool brackets_balanced(const char *s)
{
	bool open = false;

	for (; *s; s++) {
		if (*s == '[' && !open)
			open = true;
		else if (*s == ']' && open)
			open = false;
		else if (*s == ']' || *s == '[')
			return false;
	}
	return !open;
}

/* A BDF (the domain may be left out), or a glob over one: it must name at least the
 * bus and device (a ':' in it) and use only address characters and glob syntax. */
static bool is_slot_filter(const char *s)
{
	const char *dot = strrchr(s, '.'), *colon = strrchr(s, ':');

	if (!s[0] || is_bdf(s, true) || is_bdf(s, false))
		return true;
	if (strlen(s) >= 64 || !strpbrk(s, "*?[") || !colon || !brackets_balanced(s) ||
	    strspn(s, "0123456789abcdefABCDEF:.*?[]!-") != strlen(s))
		return false;
	/* the parts a glob leaves literal must still be a device and a function */
	return !dot || dot < colon || (function_ok(dot + 1) &&
				       device_ok(colon + 1, (size_t)(dot - colon - 1)));
}

static int parse_node(const char *value, char *out, size_t size)
{
	return is_node_name(value) ? str_copy(out, size, value) : -EINVAL;
}

static int parse_slot(const char *value, char *out, size_t size)
{
	return is_slot_filter(value) ? str_copy(out, size, value) : -EINVAL;
}

/* "" or "10de:1eb8 10de:12a2" (any case; stored in lower case). */
static int parse_identity(const char *value, char *out, size_t size)
{
	static const char shape[] = "xxxx:xxxx xxxx:xxxx";
	char lower[sizeof(shape)];
	size_t i;

	if (!value[0])
		return str_copy(out, size, "");
	if (strlen(value) != strlen(shape))
		return -EINVAL;
	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'x' ? !isxdigit((unsigned char)value[i]) : value[i] != shape[i])
			return -EINVAL;
		lower[i] = (char)tolower((unsigned char)value[i]);
	}
	lower[i] = '\0';
	return str_copy(out, size, lower);
}

const char *const rule_match_operators[] = { "equals", "begins-with", "contains", "regex",
					     NULL };
static const char *const functions[] = { "any", "physical", "virtual", NULL };

const struct field rule_fields[] = {
	FIELD_OF(struct rule, node, .type = FIELD_CUSTOM, .parse = parse_node,
		 .expects = "a host name, or \"\" for any node"),
	FIELD_OF(struct rule, vendor, .type = FIELD_CUSTOM, .parse = value_normalize_pci_id,
		 .expects = "a hex PCI id such as 0x10de, or \"\" for any"),
	FIELD_OF(struct rule, device, .type = FIELD_CUSTOM, .parse = value_normalize_pci_id,
		 .expects = "a hex PCI id such as 0x2236, or \"\" for any"),
	FIELD_OF(struct rule, slot, .type = FIELD_CUSTOM, .parse = parse_slot,
		 .expects = "a PCI address such as 0000:41:00.0 (globs allowed), or \"\""),
	FIELD_OF(struct rule, enabled, .type = FIELD_BOOL, .initial = "1"),
	FIELD_FILE(struct rule, "name", gpu_name, "gpu_name", .type = FIELD_TEXT),
	FIELD_OF(struct rule, name_match, .type = FIELD_ENUM, .choices = rule_match_operators,
		 .initial = "equals"),
	FIELD_OF(struct rule, type_id, .type = FIELD_TEXT),
	FIELD_OF(struct rule, type_id_match, .type = FIELD_ENUM,
		 .choices = rule_match_operators, .initial = "equals"),
	FIELD_OF(struct rule, function, .type = FIELD_ENUM, .choices = functions,
		 .initial = "any"),
	FIELD_OF(struct rule, identity, .type = FIELD_CUSTOM, .parse = parse_identity,
		 .expects = "a card's PCI IDs as vendor:device subsystem_vendor:subsystem_device, "
			    "such as 10de:1eb8 10de:12a2, or \"\" for none"),
	{ NULL },
};

/* ---- groups and rules in memory ---- */

static void group_defaults(struct group *g, const char *name)
{
	memset(g, 0, sizeof(*g));
	g->id = object_id_next();
	str_copy(g->name, sizeof(g->name), name);
	fields_init(group_fields, g);
}

struct group *groups_add(struct groups *gs, const char *name)
{
	struct group *grown = realloc(gs->items, (gs->n + 1) * sizeof(*gs->items));

	if (!grown)
		return NULL;
	gs->items = grown;
	group_defaults(&grown[gs->n], name);
	return &grown[gs->n++];
}

struct rule *group_add_rule(struct group *g, const char *name, const char *node)
{
	struct rule *grown = realloc(g->rules, (g->n_rules + 1) * sizeof(*g->rules));
	struct rule *r;

	if (!grown)
		return NULL;
	g->rules = grown;
	r = &grown[g->n_rules++];
	memset(r, 0, sizeof(*r));
	r->id = object_id_next();
	str_copy(r->name, sizeof(r->name), name);
	fields_init(rule_fields, r);
	str_copy(r->node, sizeof(r->node), node);
	return r;
}

static void group_free(struct group *g)
{
	free(g->rules);
}

void groups_remove(struct groups *gs, struct group *g)
{
	size_t i = (size_t)(g - gs->items);

	assert(g >= gs->items && i < gs->n);
	group_free(g);
	memmove(g, g + 1, (gs->n - i - 1) * sizeof(*g));
	gs->n--;
}

void group_remove_rule(struct group *g, struct rule *r)
{
	size_t i = (size_t)(r - g->rules);

	assert(r >= g->rules && i < g->n_rules);
	memmove(r, r + 1, (g->n_rules - i - 1) * sizeof(*r));
	g->n_rules--;
}

void groups_free(struct groups *gs)
{
	for (size_t i = 0; i < gs->n; i++)
		group_free(&gs->items[i]);
	free(gs->items);
	gs->items = NULL;
	gs->n = 0;
}

struct group *groups_find(struct groups *gs, const char *name)
{
	for (size_t i = 0; i < gs->n; i++)
		if (!strcmp(gs->items[i].name, name))
			return &gs->items[i];
	return NULL;
}

struct rule *group_find_rule(struct group *g, const char *name)
{
	for (size_t i = 0; i < g->n_rules; i++)
		if (!strcmp(g->rules[i].name, name))
			return &g->rules[i];
	return NULL;
}

static bool id_matches(const char *filter, unsigned id)
{
	return !filter[0] || strtoul(filter, NULL, 16) == id;
}

/* A slot filter is a BDF or a glob over it; the PCI domain may be left out. */
static bool slot_matches(const char *filter, const char *bdf)
{
	if (!filter[0] || fnmatch(filter, bdf, 0) == 0)
		return true;
	return strlen(bdf) > 5 && fnmatch(filter, bdf + 5, 0) == 0;
}

/* A text filter ready to compare: its operator, its pattern, and the pattern compiled
 * when the operator is regex. Compiled for each judgement: rules are copied by value (an
 * edit is judged on a copy), so they cannot own a regex_t. */
struct text_filter {
	const char *op, *pattern;
	bool compiled;
	regex_t re;
};

/* False when the regex does not compile (rule_check refuses such a rule). */
static bool filter_open(struct text_filter *f, const char *op, const char *pattern)
{
	*f = (struct text_filter){ .op = op, .pattern = pattern };
	if (!pattern[0] || strcmp(op, "regex"))
		return true;
	f->compiled = !regcomp(&f->re, pattern, REG_EXTENDED | REG_NOSUB);
	return f->compiled;
}

static void filter_close(struct text_filter *f)
{
	if (f->compiled)
		regfree(&f->re);
}

/* "" passes anything; a regex is found anywhere in text, as grep -E finds it. */
static bool filter_passes(const struct text_filter *f, const char *text)
{
	if (!f->pattern[0])
		return true;
	if (f->compiled)
		return !regexec(&f->re, text, 0, NULL, 0);
	if (!strcmp(f->op, "begins-with"))
		return !strncmp(text, f->pattern, strlen(f->pattern));
	if (!strcmp(f->op, "contains"))
		return strstr(text, f->pattern);
	return !strcmp(text, f->pattern);
}

static bool name_matches(const struct rule *r, const struct gpu *gpu)
{
	struct text_filter f;
	bool passes = filter_open(&f, r->name_match, r->gpu_name) && filter_passes(&f, gpu->name);

	filter_close(&f);
	return passes;
}

/* One of the types the GPU offers passes. */
static bool type_id_matches(const struct rule *r, const struct gpu *gpu)
{
	struct text_filter f;
	bool passes = !r->type_id[0];

	if (passes || !filter_open(&f, r->type_id_match, r->type_id))
		return passes;
	for (size_t i = 0; i < gpu->n_types && !passes; i++)
		passes = filter_passes(&f, gpu->types[i].type_id);
	filter_close(&f);
	return passes;
}

/* physical: the GPU makes its vGPUs on itself; virtual: on its SR-IOV VFs. A GPU that
 * makes none is neither. */
static bool function_matches(const char *filter, const struct gpu *gpu)
{
	bool on_vfs = gpu->n_slots && strcmp(gpu->slots[0], gpu->pci.bdf);

	if (!filter[0] || !strcmp(filter, "any"))
		return true;
	return gpu->n_slots && !strcmp(filter, on_vfs ? "virtual" : "physical");
}

void gpu_identity(const struct gpu *gpu, char *buf, size_t size)
{
	snprintf(buf, size, "%04x:%04x %04x:%04x", gpu->pci.vendor, gpu->pci.device,
		 gpu->pci.subsystem_vendor, gpu->pci.subsystem_device);
}

enum rule_verdict rule_judge(const struct rule *r, const struct gpu *gpu, const char *host_name)
{
	char found[GPU_IDENTITY_MAX];

	if (!r->enabled || (r->node[0] && strcmp(r->node, host_name)) ||
	    !id_matches(r->vendor, gpu->pci.vendor) || !id_matches(r->device, gpu->pci.device) ||
	    !slot_matches(r->slot, gpu->pci.bdf) || !name_matches(r, gpu) ||
	    !type_id_matches(r, gpu) || !function_matches(r->function, gpu))
		return RULE_MISSES;
	gpu_identity(gpu, found, sizeof(found));
	return !r->identity[0] || !strcmp(r->identity, found) ? RULE_MATCHES
							       : RULE_HARDWARE_CHANGED;
}

bool rule_names_slot(const struct rule *r, const char *bdf)
{
	return r->slot[0] && slot_matches(r->slot, bdf);
}

bool rule_matches(const struct rule *r, const struct gpu *gpu, const char *host_name)
{
	return rule_judge(r, gpu, host_name) == RULE_MATCHES;
}

static int check_pattern(const char *file, const char *op, const char *pattern, char *why,
			 size_t why_size)
{
	char message[256];
	regex_t re;
	int rc;

	if (strcmp(op, "regex") || !pattern[0])
		return 0;
	rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
	if (!rc) {
		regfree(&re);
		return 0;
	}
	regerror(rc, &re, message, sizeof(message));
	snprintf(why, why_size, "%s \"%s\" is not an extended regular expression: %s", file,
		 pattern, message);
	return -EINVAL;
}

int rule_check(const struct rule *r, char *why, size_t why_size)
{
	int rc = check_pattern("name", r->name_match, r->gpu_name, why, why_size);

	return rc < 0 ? rc : check_pattern("type_id", r->type_id_match, r->type_id, why,
					   why_size);
}

const struct rule *group_rule_changed(const struct group *g, const struct gpu *gpu,
				      const char *host_name)
{
	for (size_t i = 0; i < g->n_rules; i++)
		if (rule_judge(&g->rules[i], gpu, host_name) == RULE_HARDWARE_CHANGED)
			return &g->rules[i];
	return NULL;
}

bool group_matches(const struct group *g, const struct gpu *gpu, const char *host_name)
{
	for (size_t i = 0; i < g->n_rules; i++)
		if (rule_matches(&g->rules[i], gpu, host_name))
			return true;
	return false;
}

size_t groups_matching(const struct groups *gs, const struct gpu *gpu, const char *host_name,
		       const struct group **first)
{
	size_t n = 0;

	*first = NULL;
	for (size_t i = 0; i < gs->n; i++) {
		if (!group_matches(&gs->items[i], gpu, host_name))
			continue;
		if (!n++)
			*first = &gs->items[i];
	}
	return n;
}

bool group_owns(const struct groups *gs, const struct group *g, const struct gpu *gpu,
		const char *host_name)
{
	const struct group *first;

	return group_matches(g, gpu, host_name) &&
	       groups_matching(gs, gpu, host_name, &first) == 1;
}

static bool matches_after(const struct group *g, const struct gpu *gpu, const char *host_name,
			  const struct rule_edit *edit)
{
	bool edited = edit && edit->group == g;

	if (edited && edit->now && rule_matches(edit->now, gpu, host_name))
		return true;
	for (size_t i = 0; i < g->n_rules; i++)
		if (!(edited && &g->rules[i] == edit->old) &&
		    rule_matches(&g->rules[i], gpu, host_name))
			return true;
	return false;
}

const struct group *groups_owner_after(const struct groups *gs, const struct gpu *gpu,
				       const char *host_name, const struct rule_edit *edit)
{
	const struct group *owner = NULL;

	assert(!edit || edit->old || edit->now);
	for (size_t i = 0; i < gs->n; i++) {
		if (!matches_after(&gs->items[i], gpu, host_name, edit))
			continue;
		if (owner)
			return NULL;
		owner = &gs->items[i];
	}
	return owner;
}
