/* value.h — validation and parsing of values written to the tree, shared by every object
 * so that names, booleans and text are judged the same way everywhere (docs/tree.md,
 * "Conventions"). */
#ifndef VGPUFS_VALUE_H
#define VGPUFS_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#define VALUE_SIZE_MAX 4096
#define NAME_MAX_LEN 63

/* [A-Za-z0-9][A-Za-z0-9._-]{0,62} */
bool value_is_name(const char *s);

/* 0 1 yes no true false on off, any case. Returns 0 and *out, or -EINVAL. */
int value_parse_bool(const char *s, bool *out);

/* Length of the UTF-8 sequence starting at p (at a NUL: 1), 0 if invalid (overlong,
 * surrogate, >U+10FFFF). */
size_t utf8_sequence(const unsigned char *p);

/* Valid UTF-8 (any characters). */
bool value_is_utf8(const char *s);

/* Valid UTF-8 without control characters other than tab. */
bool value_is_text_line(const char *s);

/* "" or a hex PCI id of 1-4 digits, with or without 0x; normalised to "0x%04x". */
int value_normalize_pci_id(const char *s, char *out, size_t size);

/* A host driver version such as 535.161.05 (digits and dots, 2-4 parts). */
bool value_is_driver_version(const char *s);

/* A whole number written plainly: decimal digits only, no sign, no leading zero, no
 * spaces (stricter than the kernel's kstrtouint), from min to max. 0 and *out, or -EINVAL. */
int value_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out);

/* Copies s into out as one printable line: '\\' '\n' '\t' are escaped as such, other
 * control bytes and invalid UTF-8 as \xHH. out is always NUL-terminated; an escape that
 * does not fit whole is left out. */
void value_escape(const char *s, char *out, size_t size);

#endif
