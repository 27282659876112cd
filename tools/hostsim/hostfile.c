/* hostfile.c - parser for host description files.
 *
 * Line oriented: "driver VERSION|none", "names nvidia|grid", "type_ids +N",
 * "drop PROFILE" and "gpu MODEL [key=value...]".  "#" starts a comment
 * anywhere.  Buses are assigned here (first free from 0x41, or bus=) so that
 * a clash is reported against the line that caused it. */
#include "hostfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FIRST_AUTO_BUS 0x41
#define MAX_TOKENS 16

struct parser {
	struct host_spec *spec;
	bool bus_used[256];
	char *err;
	size_t errlen;
	const char *path;
	unsigned line;
};

/* Options of one "gpu" line before it is expanded into COUNT GPUs. */
struct gpu_line {
	const struct gpu_model *model;
	enum gpu_mode mode;
	unsigned count, numa_node, vfs;
	int bus;                    /* -1: automatic */
	bool vfs_given;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "%s:%u: ", p->path, p->line);

	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Parses an unsigned number in BASE (0: C rules) within [min, max]. */
static int parse_number(const char *text, int base, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long value;

	if (!(base == 16 ? isxdigit : isdigit)((unsigned char)text[0]))
		return -1;
	errno = 0;
	value = strtoul(text, &end, base);
	if (errno || *end || value < min || value > max)
		return -1;
	*out = (unsigned)value;
	return 0;
}

static bool valid_driver_version(const char *v)
{
	bool dot = false;

	if (!isdigit((unsigned char)v[0]) || strlen(v) >= sizeof(((struct host_spec *)0)->driver))
		return false;
	for (; *v; v++) {
		if (*v == '.' && isdigit((unsigned char)v[1]))
			dot = true;
		else if (!isdigit((unsigned char)*v))
			return false;
	}
	return dot;
}

static int parse_driver(struct parser *p, char **tok, int ntok)
{
	if (ntok != 2)
		return fail(p, "usage: driver VERSION|none");
	if (strcmp(tok[1], "none") == 0) {
		p->spec->driver[0] = '\0';
		return 0;
	}
	if (!valid_driver_version(tok[1]))
		return fail(p, "bad driver version '%s' (want e.g. 550.54.16 or none)", tok[1]);
	strcpy(p->spec->driver, tok[1]);
	return 0;
}

static int parse_names(struct parser *p, char **tok, int ntok)
{
	if (ntok == 2 && strcmp(tok[1], "nvidia") == 0)
		p->spec->names = NAMES_NVIDIA;
	else if (ntok == 2 && strcmp(tok[1], "grid") == 0)
		p->spec->names = NAMES_GRID;
	else
		return fail(p, "usage: names nvidia|grid");
	return 0;
}

/* A newer driver numbers its types differently: every id moves by N. */
static int parse_type_ids(struct parser *p, char **tok, int ntok)
{
	if (ntok != 2 || tok[1][0] != '+' ||
	    parse_number(tok[1] + 1, 10, 0, HOSTFILE_MAX_TYPE_ID_SHIFT, &p->spec->type_id_shift))
		return fail(p, "usage: type_ids +N (N from 0 to %d)", HOSTFILE_MAX_TYPE_ID_SHIFT);
	return 0;
}

/* A driver that no longer offers a profile; naming it twice is harmless. */
static int parse_drop(struct parser *p, char **tok, int ntok)
{
	struct host_spec *spec = p->spec;
	const struct gpu_model *model;
	int profile;

	if (ntok != 2)
		return fail(p, "usage: drop PROFILE (e.g. A16-4Q)");
	profile = profiles_find_profile(tok[1], &model);
	if (profile < 0)
		return fail(p, "unknown profile '%s' (want e.g. A16-4Q)", tok[1]);
	for (unsigned i = 0; i < spec->ndrops; i++)
		if (spec->drops[i].model == model && spec->drops[i].profile == (unsigned)profile)
			return 0;
	if (spec->ndrops == HOSTFILE_MAX_DROPS)
		return fail(p, "more than %d dropped profiles", HOSTFILE_MAX_DROPS);
	spec->drops[spec->ndrops].model = model;
	spec->drops[spec->ndrops].profile = (unsigned)profile;
	spec->ndrops++;
	return 0;
}

static int parse_mode(const char *text, enum gpu_mode *mode)
{
	if (strcmp(text, "mdev") == 0)
		*mode = MODE_MDEV;
	else if (strcmp(text, "mdev-sriov") == 0)
		*mode = MODE_MDEV_SRIOV;
	else if (strcmp(text, "vfio-sriov") == 0)
		*mode = MODE_VFIO_SRIOV;
	else
		return -1;
	return 0;
}

static int parse_gpu_option(struct parser *p, struct gpu_line *g, char *opt)
{
	char *value = strchr(opt, '=');
	unsigned bus;

	if (!value)
		return fail(p, "expected key=value, got '%s'", opt);
	*value++ = '\0';
	if (strcmp(opt, "count") == 0 && !parse_number(value, 10, 1, HOSTFILE_MAX_GPUS, &g->count))
		return 0;
	if (strcmp(opt, "mode") == 0 && !parse_mode(value, &g->mode))
		return 0;
	if (strcmp(opt, "node") == 0 && !parse_number(value, 10, 0, 63, &g->numa_node))
		return 0;
	if (strcmp(opt, "bus") == 0 && !parse_number(value, 16, 1, 0xff, &bus)) {
		g->bus = (int)bus;
		return 0;
	}
	if (strcmp(opt, "vfs") == 0 && !parse_number(value, 10, 1, HOSTFILE_MAX_VFS, &g->vfs)) {
		g->vfs_given = true;
		return 0;
	}
	return fail(p, "bad option %s=%s", opt, value);
}

static int check_gpu_line(struct parser *p, const struct gpu_line *g)
{
	if (g->vfs_given && !gpu_mode_is_sriov(g->mode))
		return fail(p, "vfs= needs mode=mdev-sriov or mode=vfio-sriov");
	if (gpu_mode_is_sriov(g->mode) && !g->model->sriov)
		return fail(p, "%s has no SR-IOV; use mode=mdev", g->model->key);
	if (p->spec->ngpus + g->count > HOSTFILE_MAX_GPUS)
		return fail(p, "more than %d GPUs", HOSTFILE_MAX_GPUS);
	return 0;
}

/* Picks the bus for the next GPU of G: consecutive from bus=, else the
 * first free one from 0x41. */
static int take_bus(struct parser *p, const struct gpu_line *g, unsigned i, unsigned *bus)
{
	unsigned b = FIRST_AUTO_BUS;

	if (g->bus >= 0) {
		b = (unsigned)g->bus + i;
		if (b > 0xff)
			return fail(p, "bus 0x%x is past 0xff", b);
		if (p->bus_used[b])
			return fail(p, "bus 0x%02x is already used", b);
	}
	while (b <= 0xff && p->bus_used[b])
		b++;
	if (b > 0xff)
		return fail(p, "no free PCI bus left");
	p->bus_used[b] = true;
	*bus = b;
	return 0;
}

static int add_gpus(struct parser *p, const struct gpu_line *g)
{
	for (unsigned i = 0; i < g->count; i++) {
		struct gpu_spec *s = &p->spec->gpus[p->spec->ngpus];

		if (take_bus(p, g, i, &s->bus) < 0)
			return -1;
		s->model = g->model;
		s->mode = g->mode;
		s->numa_node = g->numa_node;
		s->vfs = gpu_mode_is_sriov(g->mode) ? g->vfs : 0;
		p->spec->ngpus++;
	}
	return 0;
}

static int parse_gpu(struct parser *p, char **tok, int ntok)
{
	struct gpu_line g = { .mode = MODE_MDEV, .count = 1, .vfs = 16, .bus = -1 };

	if (ntok < 2)
		return fail(p, "usage: gpu MODEL [count=N] [mode=M] [node=N] [bus=0xNN] [vfs=N]");
	g.model = profiles_find_model(tok[1]);
	if (!g.model)
		return fail(p, "unknown GPU model '%s' (known: %s)", tok[1], profiles_model_keys());
	for (int i = 2; i < ntok; i++)
		if (parse_gpu_option(p, &g, tok[i]) < 0)
			return -1;
	if (check_gpu_line(p, &g) < 0)
		return -1;
	return add_gpus(p, &g);
}

/* Splits LINE in place at whitespace, dropping a "#" comment. */
static int tokenize(char *line, char **tok)
{
	int n = 0;
	char *save = NULL;

	line[strcspn(line, "#")] = '\0';
	for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == MAX_TOKENS)
			return -1;
		tok[n++] = t;
	}
	return n;
}

static int parse_line(struct parser *p, char *line)
{
	char *tok[MAX_TOKENS];
	int n = tokenize(line, tok);

	if (n < 0)
		return fail(p, "too many words");
	if (n == 0)
		return 0;
	if (strcmp(tok[0], "driver") == 0)
		return parse_driver(p, tok, n);
	if (strcmp(tok[0], "names") == 0)
		return parse_names(p, tok, n);
	if (strcmp(tok[0], "type_ids") == 0)
		return parse_type_ids(p, tok, n);
	if (strcmp(tok[0], "drop") == 0)
		return parse_drop(p, tok, n);
	if (strcmp(tok[0], "gpu") == 0)
		return parse_gpu(p, tok, n);
	return fail(p, "unknown keyword '%s' (want driver, names, type_ids, drop or gpu)",
		    tok[0]);
}

int hostfile_parse_stream(FILE *f, const char *name, struct host_spec *spec, char *err,
			  size_t errlen)
{
	struct parser p = { .spec = spec, .err = err, .errlen = errlen, .path = name };
	char line[1024];
	int r = 0;

	memset(spec, 0, sizeof(*spec));
	strcpy(spec->driver, "550.54.16");
	while (r == 0 && fgets(line, sizeof(line), f)) {
		p.line++;
		if (!strchr(line, '\n') && !feof(f))
			r = fail(&p, "line too long");
		else
			r = parse_line(&p, line);
	}
	return r;
}

int hostfile_parse(const char *path, struct host_spec *spec, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	int r;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	r = hostfile_parse_stream(f, path, spec, err, errlen);
	fclose(f);
	return r;
}
