/* fields.h — the settable fields of each kind of object, declared once as a table
 * (devices.c, groups.c): the tree's file name, the type and its limits, the SQL column,
 * the vgpu_params key. Parsing, the refusal's wording, formatting, comparison, loading
 * and saving rows, and vgpu_params all read the table, so a new option is one line of it.
 * What a value refers to (does the group exist? does every GPU offer the profile?) is
 * the engine's to check, after the field has parsed. */
#ifndef VGPUFS_FIELDS_H
#define VGPUFS_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

enum field_type {
	FIELD_BOOL,    /* bool: 0 1 yes no true false on off, any case; reads 0 or 1 */
	FIELD_UINT,    /* unsigned: plain decimal digits, min to max */
	FIELD_ENUM,    /* char[]: one of choices */
	FIELD_NAME,    /* char[]: a name (value_is_name), or "" when empty_ok */
	FIELD_TEXT,    /* char[]: one line of UTF-8 text */
	FIELD_CUSTOM,  /* char[]: what parse() accepts, normalised by it */
};

/* What a change of the field needs besides the database. */
enum field_effect {
	EFFECT_NONE,        /* nothing: a label */
	EFFECT_HOST,        /* the vGPUs' vgpu_params, or where they are made */
	EFFECT_DEFINITION,  /* the VM's libvirt definition */
};

struct field {
	const char *name;            /* the file in the tree */
	const char *column;          /* the SQL column */
	enum field_type type;
	size_t offset, size;         /* the value in the object's struct (size: char[]) */
	unsigned min, max;           /* FIELD_UINT */
	const char *const *choices;  /* FIELD_ENUM, NULL-terminated */
	bool empty_ok;               /* FIELD_NAME: "" (unset) is allowed too */
	/* FIELD_CUSTOM: writes value normalised to out, or returns -EINVAL */
	int (*parse)(const char *value, char *out, size_t size);
	const char *expects;         /* FIELD_CUSTOM: what it takes, for the refusal */
	const char *vgpu_param;      /* the vgpu_params key: bool on is key=1, uint > 0 key=N */
	enum field_effect effect;
	const char *initial;         /* a new object's value, as written; NULL: 0 or "" */
};

/* A field of struct `type`: its file in the tree, its member, and its SQL column. */
#define FIELD_FILE(type, file, member, sql_column, ...)                             \
	{ .name = file, .column = sql_column, .offset = offsetof(type, member),     \
	  .size = sizeof(((type *)0)->member), __VA_ARGS__ }
/* The same, with the file named as its member. */
#define FIELD_AS(type, member, sql_column, ...) \
	FIELD_FILE(type, #member, member, sql_column, __VA_ARGS__)
/* The same, stored in the column of its own name. */
#define FIELD_OF(type, member, ...) FIELD_AS(type, member, #member, __VA_ARGS__)

/* Gives every field of obj its initial value. */
void fields_init(const struct field *table, void *obj);

/* The field called name in table (ended by { NULL }), or NULL. */
const struct field *field_find(const struct field *table, const char *name);

/* Parses value into f's place in obj. On a bad value: -EINVAL, obj unchanged, and one
 * line in why ("count takes a whole number from 1 to 64 …, not \"x\""). */
int field_parse(const struct field *f, const char *value, void *obj, char *why,
		size_t why_size);

/* The value as the tree shows it (no newline). */
void field_format(const struct field *f, const void *obj, char *buf, size_t size);

bool field_equal(const struct field *f, const void *a, const void *b);
/* The first field of table that differs between a and b, or NULL. */
const struct field *fields_differ(const struct field *table, const void *a, const void *b);

/* Where field f of obj is. */
static inline void *field_at(const struct field *f, void *obj)
{
	return (char *)obj + f->offset;
}

/* vgpu_params for obj: "key=value, …" for the fields that have a key and are not at
 * their zero value; "" when none. */
void fields_vgpu_params(const struct field *table, const void *obj, char *buf, size_t size);

/* Whether two vgpu_params texts say the same, as the driver may read them back: the same
 * items in any order and spacing ("a=1, b=2" is "b=2,a=1"), and the " " that clears them
 * is "". Texts too long or with too many items to sort are compared as they are. */
bool fields_vgpu_params_equal(const char *a, const char *b);

#endif
