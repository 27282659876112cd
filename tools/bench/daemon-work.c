/* daemon-work.c: see daemon-work.h. */
#include "daemon-work.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Which column each counter of host/counters adds to; the others are not shown. */
static const struct {
	const char *name;
	enum work_kind kind;
} counted[] = {
	{ "sysfs_reads", WORK_SYSFS_READS },
	{ "sysfs_writes", WORK_SYSFS_WRITES },
	{ "libvirt_lookups", WORK_LIBVIRT },
	{ "libvirt_get_xml", WORK_LIBVIRT },
	{ "libvirt_defines", WORK_LIBVIRT },
	{ "libvirt_lists", WORK_LIBVIRT },
	{ "libvirt_other", WORK_LIBVIRT },
	{ "sql_transactions", WORK_SQL },
};

static void add_counter(struct work *w, const char *name, double value)
{
	for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
		if (!strcmp(counted[i].name, name))
			w->n[counted[i].kind] += value;
}

struct work work_read(const char *mount)
{
	struct work w = { 0 };
	char path[PATH_MAX], line[256], name[128];
	unsigned long long value;
	FILE *f;

	if (!mount || snprintf(path, sizeof(path), "%s/host/counters", mount) >= (int)sizeof(path))
		return w;
	if (!(f = fopen(path, "re")))
		return w;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %llu", name, &value) == 2) {
			add_counter(&w, name, (double)value);
			w.known = true;
		}
	fclose(f);
	return w;
}

struct work work_between(const struct work *before, const struct work *after)
{
	struct work d = { .known = before->known && after->known };

	for (int k = 0; d.known && k < WORK_KINDS; k++)
		d.n[k] = after->n[k] - before->n[k];
	return d;
}

/* Whole numbers as such, a fraction with two decimals (work done every few ops). */
static void format_count(double v, char *buf, size_t size)
{
	if (v >= 10 || fabs(v - round(v)) < 0.005)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.2f", v);
}

void work_format(const struct work *w, double ops, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int k = 0; k < WORK_KINDS && len < size; k++) {
		char count[32] = "-";

		if (w->known && ops > 0)
			format_count(w->n[k] / ops, count, sizeof(count));
		len += snprintf(buf + len, size - len, "%s%7s", k ? " " : "", count);
	}
}
