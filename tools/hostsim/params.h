/* params.h - parsing of values written to attributes: kernel-style unsigned
 * numbers and NVIDIA's vgpu_params "name=value, name=value" lists. */
#ifndef HOSTSIM_PARAMS_H
#define HOSTSIM_PARAMS_H

/* Like the kernel's kstrtoul: digits only (BASE 0 also takes 0x/0 prefixes),
 * no sign, no spaces.  Returns 0 or -EINVAL. */
int parse_ulong(const char *text, int base, unsigned long *out);

/* Checks a vgpu_params list: known names, values in range.  0 or -EINVAL. */
int params_validate(const char *text);

#endif
