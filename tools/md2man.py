#!/usr/bin/env python3
"""md2man.py — a man page (roff, with tbl tables) from the markdown of docs/.

    md2man.py NAME SECTION SUMMARY VERSION INPUT.md OUTPUT

The man pages are made from the documents the project keeps (docs/tree.md is
vgpufs-tree(5), docs/vgpufs.8.md is vgpufs(8)), so the two cannot disagree. It reads the
markdown those files use, and nothing more:

- `# title` is dropped (.TH and NAME replace it); what precedes the first `##` goes
  under DESCRIPTION; `##` is .SH, `###` and deeper .SS;
- paragraphs; `-` and `1.` lists, nested by indentation, holding paragraphs, lists,
  tables and code; fenced code blocks; tables (tbl); `<!-- comments -->` dropped;
- a line followed by `: text` lines is a tagged paragraph (.TP), for options;
- inline: `code` and **bold** in bold, *emphasis* in italics, [text](link) as text.

Anything else is an error, so that a construct the page would garble is noticed.
"""
import re
import sys

ITEM = re.compile(r'^( *)([-*]|\d+\.) +(.*)$')
FENCE = re.compile(r'^ *```')
# Characters with a name every groff device has; others become \[uXXXX].
GLYPHS = {'\u2026': '...', '\u2192': '\\(->', '\u2190': '\\(<-', '\u00d7': '\\(mu',
          '\u2013': '\\(en', '\u2014': '\\(em', '\u2264': '\\(<=', '\u2265': '\\(>='}


def interrupts(line):
    """Whether line ends the text before it: a bullet, or a numbered list starting at 1
    (as in CommonMark: "0200. Directories" continues a sentence), code or a table."""
    m = ITEM.match(line)
    return (bool(m) and m.group(2) in ('-', '*', '1.')) or bool(FENCE.match(line)) \
        or line.strip().startswith('|')


def indent_of(line):
    return len(line) - len(line.lstrip(' '))


# --- inline text --------------------------------------------------------------

def escape(text):
    """roff-safe characters: backslashes, hyphens (as minus: options stay typeable),
    and anything outside ASCII as a named Unicode escape."""
    out = []
    for ch in text:
        if ch == '\\':
            out.append('\\e')
        elif ch == '-':
            out.append('\\-')
        elif ch in GLYPHS:
            out.append(GLYPHS[ch])
        elif ord(ch) > 126:
            out.append('\\[u%04X]' % ord(ch))
        else:
            out.append(ch)
    return ''.join(out)


# Code spans, bold toggles, a whole *emphasis* span (a lone * is text), links.
INLINE = re.compile(r'(`[^`]+`|\*\*|(?<![\w*])\*[^\s*][^*]*?(?<!\s)\*(?![\w*])'
                    r'|\[[^\]]+\]\([^)]+\))')


def break_points(code):
    """Code in a narrow table cell may break after / and _, and after a - inside a word
    (not in --option): an invisible \\:."""
    return re.sub(r'((?<=[A-Za-z0-9>])\\-|/|_)', r'\1\\:', code)


def inline(text, narrow=False):
    """Markdown inline markup to roff font escapes; returns one roff text line. In a
    narrow place (a table cell) code may break after - / and _."""
    bold = italic = False
    font = 'R'
    out = []

    def want(code=False):
        nonlocal font
        f = ('B' if bold or code else '') + ('I' if italic else '')
        f = f or 'R'
        if f != font:
            out.append('\\f[%s]' % f)
            font = f

    for tok in INLINE.split(text):
        if not tok:
            continue
        if tok.startswith('`') and tok.endswith('`') and len(tok) > 1:
            want(code=True)
            out.append(break_points(escape(tok[1:-1])) if narrow else escape(tok[1:-1]))
            want()
        elif tok == '**':
            bold = not bold
            want()
        elif tok.startswith('*') and tok.endswith('*') and len(tok) > 2:
            italic = True
            want()
            out.append(escape(tok[1:-1]))
            italic = False
            want()
        elif tok.startswith('[') and tok.endswith(')'):
            out.append(escape(tok[1:tok.index('](')]))
        else:
            out.append(escape(tok))
    if bold:
        raise ValueError('unbalanced emphasis in: %s' % text)
    line = ''.join(out) + ('\\f[R]' if font != 'R' else '')
    return '\\&' + line if line[:1] in ('.', "'") else line


def plain(text):
    """A heading's text without markup."""
    return escape(re.sub(r'[`*]', '', text))


# --- blocks -------------------------------------------------------------------

def dedent(lines, n):
    return [line[min(n, indent_of(line)):] for line in lines]


def split_cells(row):
    """A table row's cells: split on | outside code spans."""
    cells, cur, code = [], '', False
    for ch in row.strip()[1:]:
        if ch == '`':
            code = not code
        if ch == '|' and not code:
            cells.append(cur.strip())
            cur = ''
        else:
            cur += ch
    return cells


def table(rows, out):
    head = split_cells(rows[0])
    if not re.match(r'^\|( *:?-+:? *\|)+$', rows[1].strip()):
        raise ValueError('a table without its |---| line: %s' % rows[0])
    body = [split_cells(r) for r in rows[2:]]
    n = len(head)
    for r in body:
        if len(r) != n:
            raise ValueError('a table row of %d cells, not %d: %s' % (len(r), n, r))
    out += ['.PP', '.TS', 'allbox tab(\t);',
            ' '.join(['lB'] * n), ' '.join(['l'] * (n - 1) + ['lx']) + '.']
    out.append('\t'.join(inline(c) for c in head))
    for r in body:
        out.append('\t'.join('T{\n%s\nT}' % inline(c, True) if c else '' for c in r))
    out.append('.TE')


def code(lines, out):
    out += ['.PP', '.RS 4', '.nf']
    out += ['\\&' + escape(line) if line else '' for line in lines]
    out += ['.fi', '.RE']


def take_item(lines, i):
    """The lines of the list item at lines[i]: its text and what is indented below it."""
    m = ITEM.match(lines[i])
    base = len(m.group(1))
    body_indent = base + len(m.group(0)) - len(m.group(1)) - len(m.group(3))
    body = [m.group(3)]
    i += 1
    while i < len(lines):
        line = lines[i]
        if line.strip() and indent_of(line) <= base:
            break
        if not line.strip():
            nxt = next((x for x in lines[i:] if x.strip()), None)
            if nxt is None or indent_of(nxt) <= base:
                break
        body.append(line)
        i += 1
    return m.group(2), [body[0]] + dedent(body[1:], body_indent), i


def blocks(lines, out):
    i = 0
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if not s:
            i += 1
        elif FENCE.match(line):
            j = i + 1
            while not FENCE.match(lines[j]):
                j += 1
            code(dedent(lines[i + 1:j], indent_of(line)), out)
            i = j + 1
        elif s.startswith('|'):
            j = i
            while j < len(lines) and lines[j].strip().startswith('|'):
                j += 1
            table(lines[i:j], out)
            i = j
        elif s.startswith('#'):
            level, title = re.match(r'^(#+) +(.*)$', s).groups()
            if len(level) == 2:
                out.append('.SH "%s"' % plain(title).upper())
            elif len(level) >= 3:
                out.append('.SS "%s"' % plain(title))
            i += 1
        elif ITEM.match(line):
            i = list_items(lines, i, out)
        elif i + 1 < len(lines) and lines[i + 1].startswith(': '):
            out += ['.TP', inline(s)]
            j = i + 1
            body = [lines[j][2:]]
            j += 1
            while j < len(lines) and lines[j].startswith('  '):
                body.append(lines[j])
                j += 1
            item_body(dedent(body, 2), out)
            i = j
        else:
            j = i
            while (j < len(lines) and lines[j].strip() and (j == i or not interrupts(lines[j]))
                   and not lines[j].startswith(': ')):
                j += 1
            if j < len(lines) and lines[j].startswith(': '):
                j -= 1  # the last line is a tag
            if j == i:
                raise ValueError('cannot read line %r' % line)
            out += ['.PP', inline(' '.join(x.strip() for x in lines[i:j]))]
            i = j


def item_body(body, out):
    """An item's text, then its other blocks indented under it."""
    first = []
    while body and body[0].strip() and (not first or not interrupts(body[0])):
        first.append(body.pop(0).strip())
    if first:
        out.append(inline(' '.join(first)))
    if any(x.strip() for x in body):
        out.append('.RS')
        blocks(body, out)
        out.append('.RE')


def list_items(lines, i, out):
    base = indent_of(lines[i])
    number = 0
    while i < len(lines) and ITEM.match(lines[i]) and indent_of(lines[i]) == base:
        marker, body, i = take_item(lines, i)
        number += 1
        tag = '\\(bu' if marker in '-*' else '%d.' % number
        out.append('.IP "%s" %d' % (tag, 2 if marker in '-*' else 4))
        item_body(body, out)
        while i < len(lines) and not lines[i].strip() and i + 1 < len(lines) \
                and ITEM.match(lines[i + 1]) and indent_of(lines[i + 1]) == base:
            i += 1
    return i


def man_page(name, section, summary, version, text):
    text = re.sub(r'<!--.*?-->', '', text, flags=re.S)
    lines = text.split('\n')
    out = ['.\\" Made by tools/md2man.py from the markdown: edit that, not this.',
           '.TH "%s" "%s" "" "vgpufs %s" "vgpufs"' % (name.upper(), section, version),
           '.nh', '.ad l',
           '.SH NAME', '%s \\- %s' % (escape(name), escape(summary))]
    first_h2 = next((k for k, x in enumerate(lines) if x.startswith('## ')), len(lines))
    intro = [x for x in lines[:first_h2] if not x.startswith('# ')]
    if any(x.strip() for x in intro):
        out.append('.SH DESCRIPTION')
    blocks(intro + lines[first_h2:], out)
    return '\n'.join(out) + '\n'


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__.split('\n\n')[1])
    name, section, summary, version, src, dst = sys.argv[1:]
    with open(src, encoding='utf-8') as f:
        page = man_page(name, section, summary, version, f.read())
    with open(dst, 'w', encoding='ascii') as f:
        f.write(page)


if __name__ == '__main__':
    main()
