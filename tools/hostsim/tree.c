/* tree.c - the generic part of the tree: path walking and the emit helpers
 * that directory kinds use to declare their children. */
#include "tree.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tb_printf(struct textbuf *tb, const char *fmt, ...)
{
	size_t room = sizeof(tb->data) - tb->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tb->data + tb->len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		tb->len += (size_t)n < room ? (size_t)n : room - 1;
}

static bool wanted(const struct lister *l, const char *name)
{
	return !l->stop && (!l->want || strcmp(l->want, name) == 0);
}

static void deliver(struct lister *l, const char *name, const struct sim_node *child)
{
	if (l->emit(l->ctx, name, child) || l->want)
		l->stop = true;
}

void emit_dir(struct lister *l, const char *name, const struct sim_node *ctx,
	      const struct dir_kind *kind)
{
	struct sim_node child;

	if (!wanted(l, name))
		return;
	child = *ctx;
	child.kind = NODE_DIR;
	child.dir = kind;
	deliver(l, name, &child);
}

void emit_attrs(struct lister *l, const struct sim_node *ctx, const struct sim_attr *table)
{
	for (const struct sim_attr *a = table; a->name; a++) {
		struct sim_node child;

		if (!wanted(l, a->name))
			continue;
		child = *ctx;
		child.kind = NODE_FILE;
		child.attr = a;
		deliver(l, a->name, &child);
	}
}

void emit_link(struct lister *l, const char *name, const struct sim_node *ctx, const char *fmt, ...)
{
	struct sim_node child;
	va_list ap;

	if (!wanted(l, name))
		return;
	child = *ctx;
	child.kind = NODE_LINK;
	va_start(ap, fmt);
	vsnprintf(child.target, sizeof(child.target), fmt, ap);
	va_end(ap);
	deliver(l, name, &child);
}

void tree_list(struct sim_host *host, const struct sim_node *dir, emit_fn emit, void *ctx)
{
	struct lister l = { .emit = emit, .ctx = ctx };

	dir->dir->list(host, dir, &l);
}

static bool take_child(void *ctx, const char *name, const struct sim_node *child)
{
	(void)name;
	*(struct sim_node *)ctx = *child;
	return true;
}

static int lookup(struct sim_host *host, const struct sim_node *dir, const char *name,
		  struct sim_node *out)
{
	struct lister l = { .want = name, .emit = take_child, .ctx = out };

	dir->dir->list(host, dir, &l);
	return l.stop ? 0 : -ENOENT;
}

int tree_resolve(struct sim_host *host, const char *path, struct sim_node *out)
{
	char buf[PATH_MAX], *save = NULL;
	struct sim_node next;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	*out = (struct sim_node){ .kind = NODE_DIR, .dir = &dir_root, .dev = -1, .type = -1,
			      .group = -1 };
	for (char *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (out->kind != NODE_DIR)
			return -ENOTDIR;
		if (lookup(host, out, t, &next) < 0)
			return -ENOENT;
		*out = next;
	}
	return 0;
}
