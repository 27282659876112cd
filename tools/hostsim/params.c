/* params.c - value parsing shared by the attribute handlers.
 *
 * vgpu_params is a comma separated list of name=value pairs; spaces may
 * follow a comma.  The NVIDIA driver refuses unknown names and bad values,
 * so the simulator does too (EINVAL), to catch typos in what callers write. */
#include "params.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct param_rule {
	const char *name;
	unsigned long max;
};

static const struct param_rule param_rules[] = {
	{ "frame_rate_limiter", UINT_MAX },
	{ "disable_vnc", 1 },
	{ "enable_uvm", 1 },
	{ "enable_debugging", 1 },
	{ "enable_profiling", 1 },
	{ "vgpu-placement-id", UINT_MAX },
};

int parse_ulong(const char *text, int base, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	*out = strtoul(text, &end, base);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static const struct param_rule *find_rule(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(param_rules) / sizeof(param_rules[0]); i++)
		if (strlen(param_rules[i].name) == len && strncmp(param_rules[i].name, name, len) == 0)
			return &param_rules[i];
	return NULL;
}

/* Checks one "name=value" item (ITEM is a private, writable copy). */
static int validate_item(char *item)
{
	char *eq = strchr(item, '=');
	const struct param_rule *rule;
	unsigned long value;

	if (!eq)
		return -EINVAL;
	rule = find_rule(item, (size_t)(eq - item));
	if (!rule || parse_ulong(eq + 1, 10, &value) < 0 || value > rule->max)
		return -EINVAL;
	return 0;
}

int params_validate(const char *text)
{
	char *copy = strdup(text), *item = copy;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	while (r == 0 && item) {
		char *comma = strchr(item, ',');

		if (comma)
			*comma = '\0';
		r = validate_item(item);
		item = comma ? comma + 1 + strspn(comma + 1, " ") : NULL;
	}
	free(copy);
	return r;
}
