#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The kernel module's files call only downward.

Reads the symbols of every object of one module build (nm) and makes a
file-level graph: an edge a -> b when a.o uses a symbol b.o defines. The
layers are the ones kernel/mosaic_internal.h describes, lowest first; a
file may use a file of a lower layer, or one of its own layer listed
before it (files of one folder, backends/ or map/, may use one another).

Prints one line per finding, "unplaced FILE", "upward A -> B: SYMBOLS" or
"cycle A B ...", and "files N edges M" last. Exit status 1 on a finding.
With --names it prints the layer list's entries instead, one per line.
"""
import os
import subprocess
import sys

LAYERS = [
    ["limits", "segments", "dev_ranges", "validate", "ioctl_arg", "dma_map",
     "planted", "backends/", "map/"],
    ["buffer"],
    ["dma"],
    ["dmabuf"],
    ["testing", "ioctl", "file", "revoke"],
    ["api", "core"],
]


def place(name):
    for li, layer in enumerate(LAYERS):
        for pi, entry in enumerate(layer):
            if name == entry or (entry.endswith("/") and name.startswith(entry)):
                return (li, pi, entry)
    return None


def objects(root):
    """The module's objects as Kbuild listed them in mosaic.mod (so a
    stale object of a file that is gone does not count)."""
    with open(os.path.join(root, "mosaic.mod")) as f:
        for word in f.read().split():
            if word.endswith(".o"):
                path = word if os.path.isabs(word) else os.path.join(root, word)
                yield os.path.relpath(path, root)[:-2], path


def find_cycles(nodes, edges):
    """Tarjan's strongly connected components of more than one file."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return cycles


def main():
    if sys.argv[1] == "--names":
        for layer in LAYERS:
            print("\n".join(layer))
        return 0
    defs, uses = {}, {}
    for name, path in objects(sys.argv[1]):
        out = subprocess.check_output(["nm", path], text=True)
        uses[name] = set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "U":
                uses[name].add(parts[1])
            elif len(parts) == 3 and parts[1] in "TDBRG":
                defs[parts[2]] = name
    edges = {}
    for a, syms in uses.items():
        for s in syms:
            b = defs.get(s)
            if b and b != a:
                edges.setdefault(a, {}).setdefault(b, set()).add(s)
    findings = 0
    for name in sorted(uses):
        if place(name) is None:
            print(f"unplaced {name}")
            findings += 1
    for a in sorted(edges):
        for b in sorted(edges[a]):
            pa, pb = place(a), place(b)
            if pa is None or pb is None:
                continue
            same_folder = pa[2] == pb[2] and pa[2].endswith("/")
            if pb[:2] < pa[:2] or same_folder:
                continue
            print(f"upward {a} -> {b}: {' '.join(sorted(edges[a][b]))}")
            findings += 1
    for comp in find_cycles(uses, edges):
        print("cycle " + " ".join(comp))
        findings += 1
    print(f"files {len(uses)} edges {sum(len(e) for e in edges.values())}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
