/* fields.c — see fields.h. */
#include "fields.h"
#include "util.h"
#include "value.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const void *at_const(const struct field *f, const void *obj)
{
	return (const char *)obj + f->offset;
}

const struct field *field_find(const struct field *table, const char *name)
{
	for (const struct field *f = table; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

/* What the field takes, for the one wording every refusal has. */
static void expects(const struct field *f, char *buf, size_t size)
{
	size_t len;

	switch (f->type) {
	case FIELD_BOOL:
		str_copy(buf, size, "a boolean (0 1 yes no true false on off)");
		return;
	case FIELD_UINT:
		snprintf(buf, size, "a whole number from %u to %u, in plain digits", f->min, f->max);
		return;
	case FIELD_ENUM:
		str_copy(buf, size, "one of:");
		for (const char *const *c = f->choices; *c; c++) {
			len = strlen(buf);
			snprintf(buf + len, size - len, " %s", *c);
		}
		return;
	case FIELD_NAME:
		snprintf(buf, size, "a name ([A-Za-z0-9][A-Za-z0-9._-], at most %d characters)%s",
			 NAME_MAX_LEN, f->empty_ok ? " or \"\"" : "");
		return;
	case FIELD_TEXT:
		snprintf(buf, size, "one line of UTF-8 text, at most %zu bytes", f->size - 1);
		return;
	case FIELD_CUSTOM:
		str_copy(buf, size, f->expects);
		return;
	}
}

/* The normalised text of value for a char[] field, or -EINVAL. */
static int parse_text(const struct field *f, const char *value, char *out)
{
	bool ok = false;

	switch (f->type) {
	case FIELD_ENUM:
		for (const char *const *c = f->choices; *c && !ok; c++)
			ok = !strcmp(*c, value);
		break;
	case FIELD_NAME:
		ok = value_is_name(value) || (f->empty_ok && !value[0]);
		break;
	case FIELD_TEXT:
		ok = value_is_text_line(value);
		break;
	case FIELD_CUSTOM:
		return f->parse(value, out, f->size) < 0 ? -EINVAL : 0;
	default:
		assert(!"not a text field");
	}
	return ok ? str_copy(out, f->size, value) < 0 ? -EINVAL : 0 : -EINVAL;
}

int field_parse(const struct field *f, const char *value, void *obj, char *why,
		size_t why_size)
{
	char takes[256], text[VALUE_SIZE_MAX + 1];
	unsigned number;
	bool on;
	int r;

	switch (f->type) {
	case FIELD_BOOL:
		r = value_parse_bool(value, &on);
		if (r >= 0)
			*(bool *)field_at(f, obj) = on;
		break;
	case FIELD_UINT:
		r = value_parse_uint(value, f->min, f->max, &number);
		if (r >= 0)
			*(unsigned *)field_at(f, obj) = number;
		break;
	default:
		assert(f->size <= sizeof(text));
		r = parse_text(f, value, text);
		if (r >= 0)
			memcpy(field_at(f, obj), text, f->size);
	}
	if (r < 0) {
		expects(f, takes, sizeof(takes));
		snprintf(why, why_size, "%s takes %s, not \"%s\"", f->name, takes, value);
	}
	return r;
}

void fields_init(const struct field *table, void *obj)
{
	char why[8];

	for (const struct field *f = table; f->name; f++) {
		if (f->initial) {
			int r = field_parse(f, f->initial, obj, why, sizeof(why));

			assert(r == 0); /* the table's own initial values parse */
			(void)r;
		} else if (f->type == FIELD_BOOL) {
			*(bool *)field_at(f, obj) = false;
		} else if (f->type == FIELD_UINT) {
			*(unsigned *)field_at(f, obj) = 0;
		} else {
			*(char *)field_at(f, obj) = '\0';
		}
	}
}

void field_format(const struct field *f, const void *obj, char *buf, size_t size)
{
	switch (f->type) {
	case FIELD_BOOL:
		str_copy(buf, size, *(const bool *)at_const(f, obj) ? "1" : "0");
		break;
	case FIELD_UINT:
		snprintf(buf, size, "%u", *(const unsigned *)at_const(f, obj));
		break;
	default:
		str_copy(buf, size, at_const(f, obj));
	}
}

bool field_equal(const struct field *f, const void *a, const void *b)
{
	switch (f->type) {
	case FIELD_BOOL:
		return *(const bool *)at_const(f, a) == *(const bool *)at_const(f, b);
	case FIELD_UINT:
		return *(const unsigned *)at_const(f, a) == *(const unsigned *)at_const(f, b);
	default:
		return !strcmp(at_const(f, a), at_const(f, b));
	}
}

const struct field *fields_differ(const struct field *table, const void *a, const void *b)
{
	for (const struct field *f = table; f->name; f++)
		if (!field_equal(f, a, b))
			return f;
	return NULL;
}

void fields_vgpu_params(const struct field *table, const void *obj, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (const struct field *f = table; f->name; f++) {
		char value[32];

		if (!f->vgpu_param)
			continue;
		field_format(f, obj, value, sizeof(value));
		if (!strcmp(value, "0"))
			continue; /* options at their defaults are left out */
		len += (size_t)snprintf(buf + len, size - len, "%s%s=%s", len ? ", " : "",
					f->vgpu_param, value);
		if (len >= size) {
			buf[size - 1] = '\0';
			return;
		}
	}
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The name=value items of s (modified), blanks around them dropped, sorted; -1 when
 * there are more than max. */
static int params_items(char *s, char **items, int max)
{
	int n = 0;
	char *save = NULL;

	for (char *item = strtok_r(s, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		size_t len;

		item += strspn(item, " \t\n");
		len = strlen(item);
		while (len && isspace((unsigned char)item[len - 1]))
			item[--len] = '\0';
		if (!len)
			continue;
		if (n == max)
			return -1;
		items[n++] = item;
	}
	qsort(items, (size_t)n, sizeof(*items), compare_strings);
	return n;
}

#define PARAMS_COMPARED_MAX 4096
#define PARAM_ITEMS_MAX 64

bool fields_vgpu_params_equal(const char *a, const char *b)
{
	char copy_a[PARAMS_COMPARED_MAX], copy_b[PARAMS_COMPARED_MAX];
	char *items_a[PARAM_ITEMS_MAX], *items_b[PARAM_ITEMS_MAX];
	int n;

	if (str_copy(copy_a, sizeof(copy_a), a) < 0 || str_copy(copy_b, sizeof(copy_b), b) < 0)
		return !strcmp(a, b);
	n = params_items(copy_a, items_a, PARAM_ITEMS_MAX);
	if (n < 0 || n != params_items(copy_b, items_b, PARAM_ITEMS_MAX))
		return !strcmp(a, b);
	for (int i = 0; i < n; i++)
		if (strcmp(items_a[i], items_b[i]))
			return false;
	return true;
}
