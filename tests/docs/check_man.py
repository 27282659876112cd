#!/usr/bin/env python3
"""check_man.py TREE_NAMES VGPUFS PAGE... — the man pages against the program.

- Every name the tree's node kinds declare (TREE_NAMES prints them from the tables) is a
  file name in vgpufs-tree(5): a word of its bold text or of its code blocks.
- Every option `vgpufs --help` prints is in vgpufs(8), as bold text.
- Each page renders with `man -l` and groff finds nothing in it to warn of but lines it
  cannot break (long names in narrow table cells).
TAP output."""
import os
import re
import subprocess
import sys

results = []


def check(ok, what):
    results.append((ok, what))
    print('%s %d - %s' % ('ok' if ok else 'not ok', len(results), what), flush=True)


def roff_text(page):
    """The page's file-name words: its bold spans and code blocks, escapes undone."""
    src = open(page, encoding='ascii').read()
    spans = re.findall(r'\\f\[B\](.*?)\\f\[', src)
    spans += re.findall(r'^\.nf\n(.*?)^\.fi', src, flags=re.S | re.M)
    text = '\n'.join(spans)
    for escaped, char in (('\\-', '-'), ('\\e', '\\'), ('\\&', ''), ('\\:', '')):
        text = text.replace(escaped, char)
    return set(re.split(r'[^A-Za-z0-9_.:-]+', text)) | set(re.split(r'[^A-Za-z0-9_-]+', text))


def renders(page):
    env = dict(os.environ, LC_ALL='C', MANWIDTH='80')
    man = subprocess.run(['man', '-l', page], env=env, capture_output=True, text=True)
    check(man.returncode == 0 and len(man.stdout.splitlines()) > 20 and not man.stderr,
          '%s renders with man -l (%d lines) %s' % (os.path.basename(page),
                                                  len(man.stdout.splitlines()), man.stderr))
    groff = subprocess.run(['groff', '-t', '-man', '-Tascii', '-ww', '-z', page], env=env,
                           capture_output=True, text=True)
    warnings = [w for w in groff.stderr.splitlines() if "can't break line" not in w]
    check(groff.returncode == 0 and not warnings,
          '%s: no groff warnings %s' % (os.path.basename(page), warnings[:5]))


def main():
    tree_names, vgpufs, pages = sys.argv[1], sys.argv[2], sys.argv[3:]
    page = {os.path.basename(p): p for p in pages}
    names = subprocess.run([tree_names], check=True, capture_output=True,
                           text=True).stdout.split()
    check(len(names) > 100, 'the node kinds declare %d names' % len(names))
    words = roff_text(page['vgpufs-tree.5'])
    missing = sorted(set(n for n in names if n not in words))
    check(not missing, 'every declared name is in vgpufs-tree(5); missing: %s' % missing)

    help_text = subprocess.run([vgpufs, '--help'], check=True, capture_output=True,
                               text=True).stdout
    options = set(re.findall(r'(?<![\w-])(--?[A-Za-z][\w-]*)', help_text))
    check(len(options) >= 10, '--help names %d options' % len(options))
    words = roff_text(page['vgpufs.8'])
    missing = sorted(o for o in options if o not in words)
    check(not missing, 'every option of --help is in vgpufs(8); missing: %s' % missing)

    for p in pages:
        renders(p)
    print('1..%d' % len(results))
    sys.exit(0 if all(ok for ok, _ in results) else 1)


if __name__ == '__main__':
    main()
