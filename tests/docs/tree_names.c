/* tree_names.c — prints every name the tree's node kinds declare (attributes, fields,
 * fixed subdirectories), one per line, each kind reached from root_kind once: what
 * check_man.py looks for in vgpufs-tree(5). The names come from the tables themselves,
 * so a file added to a kind and not to docs/tree.md fails the check. */
#include "fields.h"
#include "tree.h"

#include <stdio.h>

#define KINDS_MAX 64

static const struct node_kind *seen[KINDS_MAX];
static size_t n_seen;

static bool visit(const struct node_kind *k)
{
	for (size_t i = 0; i < n_seen; i++)
		if (seen[i] == k)
			return false;
	if (n_seen == KINDS_MAX) {
		fprintf(stderr, "tree_names: more than %d node kinds\n", KINDS_MAX);
		return false;
	}
	seen[n_seen++] = k;
	return true;
}

static void print_kind(const struct node_kind *k)
{
	if (!k || !visit(k))
		return;
	for (const struct attr *a = k->attrs; a && a->name; a++)
		puts(a->name);
	for (const struct field *f = k->fields; f && f->name; f++)
		puts(f->name);
	for (const struct subdir *s = k->subdirs; s && s->name; s++) {
		puts(s->name);
		print_kind(s->kind);
	}
	print_kind(k->entry_kind);
}

int main(void)
{
	print_kind(&root_kind);
	return n_seen < KINDS_MAX ? 0 : 1;
}
