/* exposition.c — see exposition.h. */
#include "exposition.h"
#include "value.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* [a-zA-Z_][a-zA-Z0-9_]*: a metric or label name both formats take (no ':', which is
 * for recording rules). */
static bool name_ok(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
	       strlen(s);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* OpenMetrics: a unit is the name's last part; the suffixes a type adds are not in it. */
static bool family_ok(const char *name, enum metric_type type, const char *unit)
{
	char tail[64];

	if (!name_ok(name) || ends_with(name, "_total") || ends_with(name, "_info"))
		return false;
	if (!*unit)
		return true;
	snprintf(tail, sizeof(tail), "_%s", unit);
	return type != METRIC_INFO && name_ok(unit) && ends_with(name, tail);
}

void exposition_family(struct exposition *x, const char *name, enum metric_type type,
		       const char *unit, const char *help)
{
	struct metric_family *grown;

	assert(family_ok(name, type, unit) && help && *help);
	if (x->error)
		return;
	grown = realloc(x->families, (x->n + 1) * sizeof(*x->families));
	if (!grown) {
		x->error = -ENOMEM;
		return;
	}
	x->families = grown;
	x->families[x->n++] = (struct metric_family){ name, type, unit, help, NULL, 0 };
}

static void sample_free(struct metric_sample *s)
{
	for (size_t i = 0; i < s->n_labels; i++)
		free(s->label_values[i]);
}

/* Reads the label pairs of ap into s; false when a copy failed. */
static bool take_labels(struct metric_sample *s, va_list ap)
{
	const char *name;

	while ((name = va_arg(ap, const char *))) {
		const char *value = va_arg(ap, const char *);

		assert(s->n_labels < METRIC_LABELS_MAX && name_ok(name) && value);
		s->label_names[s->n_labels] = name;
		s->label_values[s->n_labels] = strdup(value);
		if (!s->label_values[s->n_labels++])
			return false;
	}
	return true;
}

void exposition_sample(struct exposition *x, unsigned long long value, ...)
{
	struct metric_family *f;
	struct metric_sample s = { .value = value }, *grown;
	bool copied;
	va_list ap;

	assert(x->n || x->error);
	if (x->error)
		return;
	f = &x->families[x->n - 1];
	assert(f->type != METRIC_INFO || value == 1);
	va_start(ap, value);
	copied = take_labels(&s, ap);
	va_end(ap);
	grown = copied ? realloc(f->samples, (f->n + 1) * sizeof(*f->samples)) : NULL;
	if (!grown) {
		sample_free(&s);
		x->error = -ENOMEM;
		return;
	}
	f->samples = grown;
	f->samples[f->n++] = s;
}

/* ---- rendering ---- */

/* A label value or help text: backslash and newline escaped, the double quote too where
 * the format asks; invalid UTF-8 becomes U+FFFD, since neither format can carry it. */
static void put_escaped(FILE *out, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_sequence(p);

		if (!n)
			fputs("\xef\xbf\xbd", out), n = 1;
		else if (*p == '\\')
			fputs("\\\\", out);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '"' && quote)
			fputs("\\\"", out);
		else
			fwrite(p, 1, n, out);
		p += n;
	}
}

static const char *const type_names[] = {
	[METRIC_GAUGE] = "gauge", [METRIC_COUNTER] = "counter", [METRIC_INFO] = "info",
};

/* What a sample's name adds to its family's. */
static const char *sample_suffix(enum metric_type type)
{
	return type == METRIC_COUNTER ? "_total" : type == METRIC_INFO ? "_info" : "";
}

static void put_metadata(FILE *out, const struct metric_family *f,
			 enum exposition_format format)
{
	bool om = format == EXPOSITION_OPENMETRICS;
	const char *suffix = om ? "" : sample_suffix(f->type);
	/* 0.0.4 has no info type: the info sample is a gauge there */
	const char *type = !om && f->type == METRIC_INFO ? "gauge" : type_names[f->type];

	fprintf(out, "# HELP %s%s ", f->name, suffix);
	put_escaped(out, f->help, om); /* 0.0.4 escapes no quote in HELP */
	fprintf(out, "\n# TYPE %s%s %s\n", f->name, suffix, type);
	if (om && *f->unit)
		fprintf(out, "# UNIT %s %s\n", f->name, f->unit);
}

static void put_sample(FILE *out, const struct metric_family *f, const struct metric_sample *s)
{
	fprintf(out, "%s%s", f->name, sample_suffix(f->type));
	for (size_t i = 0; i < s->n_labels; i++) {
		fprintf(out, "%s%s=\"", i ? "," : "{", s->label_names[i]);
		put_escaped(out, s->label_values[i], true);
		fputc('"', out);
	}
	fprintf(out, "%s %llu\n", s->n_labels ? "}" : "", s->value);
}

int exposition_render(const struct exposition *x, enum exposition_format format, char **out,
		      size_t *len)
{
	FILE *f;
	bool failed;

	*out = NULL;
	*len = 0;
	if (x->error)
		return x->error;
	f = open_memstream(out, len);
	if (!f)
		return -errno;
	for (size_t i = 0; i < x->n; i++) {
		put_metadata(f, &x->families[i], format);
		for (size_t j = 0; j < x->families[i].n; j++)
			put_sample(f, &x->families[i], &x->families[i].samples[j]);
	}
	if (format == EXPOSITION_OPENMETRICS)
		fputs("# EOF\n", f);
	failed = ferror(f);
	if (fclose(f) == 0 && !failed)
		return 0;
	free(*out);
	*out = NULL;
	*len = 0;
	return -ENOMEM;
}

void exposition_free(struct exposition *x)
{
	for (size_t i = 0; i < x->n; i++) {
		for (size_t j = 0; j < x->families[i].n; j++)
			sample_free(&x->families[i].samples[j]);
		free(x->families[i].samples);
	}
	free(x->families);
	*x = (struct exposition){ 0 };
}
