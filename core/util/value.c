/* value.c — see value.h. */
#include "value.h"
#include "util.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

bool value_is_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return strcmp(s, "..") != 0;
}

int value_parse_bool(const char *s, bool *out)
{
	static const char *const truths[] = { "1", "yes", "true", "on" };
	static const char *const falsehoods[] = { "0", "no", "false", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(truths); i++) {
		if (!strcasecmp(s, truths[i]))
			return *out = true, 0;
		if (!strcasecmp(s, falsehoods[i]))
			return *out = false, 0;
	}
	return -EINVAL;
}

size_t utf8_sequence(const unsigned char *p)
{
	unsigned cp;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool value_is_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p; p += n)
		if (!(n = utf8_sequence(p)))
			return false;
	return true;
}

bool value_is_text_line(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_sequence(p);

		if (!n || (*p < 0x20 && *p != '\t') || *p == 0x7f)
			return false;
		p += n;
	}
	return true;
}

int value_normalize_pci_id(const char *s, char *out, size_t size)
{
	const char *hex = s;
	size_t n;

	if (!*s)
		return str_copy(out, size, "");
	if (!strncasecmp(hex, "0x", 2))
		hex += 2;
	n = strlen(hex);
	if (n == 0 || n > 4 || strspn(hex, "0123456789abcdefABCDEF") != n)
		return -EINVAL;
	return str_printf(out, size, "0x%04lx", strtoul(hex, NULL, 16)) < 0 ? -EINVAL : 0;
}

bool value_is_driver_version(const char *s)
{
	int parts = 1;
	size_t digits = 0;

	for (; *s; s++) {
		if (isdigit((unsigned char)*s)) {
			if (++digits > 6)
				return false;
		} else if (*s == '.' && digits) {
			parts++;
			digits = 0;
		} else {
			return false;
		}
	}
	return digits && parts >= 2 && parts <= 4;
}

int value_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long long v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 10 || strspn(s, "0123456789") != n || (s[0] == '0' && n > 1))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned long long)(s[i] - '0');
	if (v < min || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

void value_escape(const char *s, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0;

	assert(size > 0);
	while (*p) {
		char esc[8];
		size_t n = utf8_sequence(p), elen;

		if (*p == '\\' || *p == '\n' || *p == '\t') {
			elen = (size_t)snprintf(esc, sizeof(esc), "\\%c",
						*p == '\n' ? 'n' : *p == '\t' ? 't' : '\\');
			n = 1;
		} else if (!n || *p < 0x20 || *p == 0x7f) {
			elen = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", *p);
			n = 1;
		} else {
			elen = n;
			memcpy(esc, p, n);
		}
		if (len + elen >= size)
			break;
		memcpy(out + len, esc, elen);
		len += elen;
		p += n;
	}
	out[len] = '\0';
}
