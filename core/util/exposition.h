/* exposition.h — metrics as the text Prometheus reads: one model (families of samples,
 * each sample a set of labels and a value) and two renderers of it, OpenMetrics 1.0
 * (/vgpu/metrics) and the Prometheus text format 0.0.4 (node_exporter's textfile
 * collector, whose promtool rejects OpenMetrics-only types such as info). Both come from
 * the same model, so the two files can never say different things.
 *
 * The formats differ in how a family is named: OpenMetrics names the family
 * ("vgpufs_allocations", type counter) and suffixes its samples ("_total", "_info");
 * 0.0.4 names the samples only ("# TYPE vgpufs_allocations_total counter") and has no
 * info type, so an info family is a gauge of value 1 there, and no UNIT line.
 *
 * Names, units, help texts and label names are the program's own (string literals that
 * outlive the model; asserted to be valid); label values come from users (VM, group,
 * tenant names) and are escaped, invalid UTF-8 becoming U+FFFD. A failed allocation is
 * kept and returned by exposition_render, so that building needs no error checks. */
#ifndef VGPUFS_EXPOSITION_H
#define VGPUFS_EXPOSITION_H

#include <stddef.h>

enum metric_type { METRIC_GAUGE, METRIC_COUNTER, METRIC_INFO };
enum exposition_format { EXPOSITION_OPENMETRICS, EXPOSITION_PROMETHEUS };

#define METRIC_LABELS_MAX 8

struct metric_sample {
	const char *label_names[METRIC_LABELS_MAX];
	char *label_values[METRIC_LABELS_MAX];
	size_t n_labels;
	unsigned long long value;
};

struct metric_family {
	const char *name;   /* the family's: without "_total" or "_info" */
	enum metric_type type;
	const char *unit;   /* "" or the last part of name ("bytes") */
	const char *help;
	struct metric_sample *samples;
	size_t n;
};

struct exposition {
	struct metric_family *families;
	size_t n;
	int error;   /* the first failure (-ENOMEM), 0 while none */
};

/* Starts a family; the samples added next belong to it. */
void exposition_family(struct exposition *x, const char *name, enum metric_type type,
		       const char *unit, const char *help);
/* Adds a sample to the last family: label name and value pairs, then NULL. An info
 * sample's value is 1. */
void exposition_sample(struct exposition *x, unsigned long long value, ...)
	__attribute__((sentinel));
/* The text of every family in format, into *out (malloc'd, NUL-terminated, *len bytes);
 * returns 0 or the model's (or the rendering's) -errno. */
int exposition_render(const struct exposition *x, enum exposition_format format, char **out,
		      size_t *len);
void exposition_free(struct exposition *x);

#endif
