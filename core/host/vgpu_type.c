/* vgpu_type.c — see vgpu_type.h. */
#include "vgpu_type.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int vgpu_type_profile_from_name(const char *name, char *profile, unsigned size)
{
	const char *end = name + strlen(name), *start;

	while (end > name && isspace((unsigned char)end[-1]))
		end--;
	start = end;
	while (start > name && !isspace((unsigned char)start[-1]))
		start--;
	if (start == end || (unsigned)(end - start) >= size)
		return -EINVAL;
	memcpy(profile, start, end - start);
	profile[end - start] = '\0';
	return 0;
}

/* Parses "<digits><LETTERS>[digits]" (the last dash-separated token). */
static int parse_size_series(const char *tok, unsigned *fb_gib, char *series, unsigned size)
{
	const char *p = tok, *letters, *letters_end;
	unsigned n = 0;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	while (isdigit((unsigned char)*p))
		n = n * 10 + (unsigned)(*p++ - '0');
	letters = p;
	while (isupper((unsigned char)*p))
		p++;
	letters_end = p;
	if (p == letters || (unsigned)(p - letters) >= size)
		return -EINVAL;
	while (isdigit((unsigned char)*p)) /* display-count suffix as in T4-2B4 */
		p++;
	if (*p)
		return -EINVAL;
	memcpy(series, letters, letters_end - letters);
	series[letters_end - letters] = '\0';
	*fb_gib = n;
	return 0;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

int vgpu_profile_parse(const char *profile, char *board, unsigned board_size,
		       unsigned *fb_mib, char *series, unsigned series_size)
{
	const char *last = strrchr(profile, '-'), *board_end;
	unsigned gib;
	int r;

	if (!last || last == profile)
		return -EINVAL;
	r = parse_size_series(last + 1, &gib, series, series_size);
	if (r < 0)
		return r;
	board_end = last;
	/* MIG-backed "A100-1-5C": the token before is the slice count, not the board. */
	for (const char *p = last - 1; p > profile; p--) {
		if (*p == '-') {
			if (all_digits(p + 1, last - p - 1))
				board_end = p;
			break;
		}
	}
	if ((unsigned)(board_end - profile) >= board_size)
		return -ENAMETOOLONG;
	memcpy(board, profile, board_end - profile);
	board[board_end - profile] = '\0';
	*fb_mib = gib ? gib * 1024 : 512;
	return 0;
}

static unsigned parse_uint(const char *s)
{
	unsigned long v = strtoul(s, NULL, 10);

	return v > 0xffffffffUL ? 0 : (unsigned)v;
}

static bool apply_key(struct vgpu_type *t, const char *key, const char *value)
{
	if (!strcmp(key, "num_heads"))
		t->heads = parse_uint(value);
	else if (!strcmp(key, "frl_config"))
		t->frl = parse_uint(value);
	else if (!strcmp(key, "max_instance"))
		t->max_instances = parse_uint(value);
	else if (!strcmp(key, "max_resolution"))
		str_copy(t->max_resolution, sizeof(t->max_resolution), value);
	else if (!strcmp(key, "framebuffer")) {
		char *unit;
		unsigned long v = strtoul(value, &unit, 10);

		t->framebuffer_mib = (unsigned)(*unit == 'G' ? v * 1024 : v);
	} else
		return false;
	return true;
}

int vgpu_type_parse_description(struct vgpu_type *t, const char *description)
{
	char buf[1024], *save = NULL, *item;
	int understood = 0;

	str_copy(buf, sizeof(buf), description);
	for (item = strtok_r(buf, ",\n", &save); item; item = strtok_r(NULL, ",\n", &save)) {
		char *eq = strchr(item, '='), *key = item, *value, *end;

		if (!eq)
			continue;
		*eq = '\0';
		value = eq + 1;
		while (isspace((unsigned char)*key))
			key++;
		for (end = eq; end > key && isspace((unsigned char)end[-1]); end--)
			end[-1] = '\0';
		while (isspace((unsigned char)*value))
			value++;
		for (end = value + strlen(value); end > value && isspace((unsigned char)end[-1]);)
			*--end = '\0';
		understood += apply_key(t, key, value);
	}
	return understood;
}

int vgpu_type_from_name(struct vgpu_type *t, const char *type_id, const char *name)
{
	char board[64];
	int r;

	memset(t, 0, sizeof(*t));
	r = str_copy(t->type_id, sizeof(t->type_id), type_id);
	if (r < 0)
		return r;
	str_copy(t->name, sizeof(t->name), name);
	r = vgpu_type_profile_from_name(name, t->profile, sizeof(t->profile));
	if (r < 0)
		return r;
	if (vgpu_profile_parse(t->profile, board, sizeof(board), &t->framebuffer_mib,
			       t->series, sizeof(t->series)) == 0)
		t->frl = t->series[0] == 'B' ? 45 : 60;
	return 0;
}

struct vgpu_type *vgpu_types_copy(const struct vgpu_type *types, size_t n)
{
	struct vgpu_type *copy = malloc((n ? n : 1) * sizeof(*types));

	if (copy)
		memcpy(copy, types, n * sizeof(*types));
	return copy;
}

const struct catalogue *catalogue_find(const struct catalogues *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->items[i].key, key))
			return &c->items[i];
	return NULL;
}

int catalogue_add(struct catalogues *c, const char *key, const struct vgpu_type *types,
		  size_t n_types)
{
	struct catalogue *grown = realloc(c->items, (c->n + 1) * sizeof(*c->items));
	struct catalogue *added;

	if (!grown)
		return -ENOMEM;
	c->items = grown;
	added = &c->items[c->n];
	*added = (struct catalogue){ .n_types = n_types };
	if (str_copy(added->key, sizeof(added->key), key) < 0)
		return -ENAMETOOLONG;
	if (!(added->types = vgpu_types_copy(types, n_types)))
		return -ENOMEM;
	c->n++;
	c->changed = true;
	return 0;
}

void catalogues_free(struct catalogues *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->items[i].types);
	free(c->items);
	*c = (struct catalogues){ 0 };
}
