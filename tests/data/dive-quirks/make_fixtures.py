#!/usr/bin/env python3
"""Writes the small quirk fixtures (A..T) used to check dive_ref.py against dive 0.13.1.
usage: make_fixtures.py OUTDIR   (each fixture: dive and dive_ref.py give byte-identical JSON, or both fail)"""
import json, hashlib, io, os, sys, tarfile, gzip, subprocess

def octf(v, n):
    return (("%0" + str(n - 1) + "o") % v).encode() + b"\0"

def header(name, tf=b"0", size=0, mode=0o644, uid=0, gid=0, linkname=b"", size_field=None, uid_field=None, gnu=False, prefix=b""):
    if isinstance(name, str): name = name.encode()
    if isinstance(linkname, str): linkname = linkname.encode()
    b = bytearray(512)
    b[0:len(name[:100])] = name[:100]
    b[100:108] = octf(mode, 8)
    b[108:116] = uid_field if uid_field is not None else octf(uid, 8)
    b[116:124] = octf(gid, 8)
    b[124:136] = size_field if size_field is not None else octf(size, 12)
    b[136:148] = octf(0, 12)
    b[148:156] = b" " * 8
    b[156:157] = tf
    b[157:157 + len(linkname)] = linkname
    if gnu:
        b[257:265] = b"ustar  \0"
    else:
        b[257:263] = b"ustar\0"; b[263:265] = b"00"
    b[329:337] = octf(0, 8); b[337:345] = octf(0, 8)
    b[345:345 + len(prefix)] = prefix
    b[148:156] = ("%06o\0 " % sum(b)).encode()
    return bytes(b)

def pad(d):
    return d + b"\0" * (-len(d) % 512)

def entry(name, data=b"", tf=b"0", **kw):
    if isinstance(data, int): data = b"x" * data
    size = kw.pop("size", len(data))
    return header(name, tf, size=size, **kw) + pad(data)

def d(name, **kw):  # directory
    return header(name, b"5", mode=0o755, **kw)

def longname(name, data=b"", tf=b"0"):
    nb = name.encode() + b"\0"
    return header("././@LongLink", b"L", size=len(nb), gnu=True) + pad(nb) + header(name[:100], tf, size=len(data), gnu=True) + pad(data)

def pax(records, tf=b"x", name="PaxHeaders/x"):
    body = b""
    for k, v in records:
        if isinstance(v, str): v = v.encode()
        rec = b" " + k.encode() + b"=" + v + b"\n"
        n = len(rec) + 1
        while len(str(n)) + len(rec) != n: n = len(str(n)) + len(rec)
        body += str(n).encode() + rec
    return header(name, tf, size=len(body)) + pad(body)

def layer(*entries):
    return b"".join(entries) + b"\0" * 1024

def config(n, cmds=None):
    diff = ["sha256:%064x" % (i + 1) for i in range(n)]
    hist = [{"created_by": "/bin/sh -c " + (cmds[i] if cmds else "step %d" % i)} for i in range(n)]
    return json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": diff}, "history": hist}).encode()

def outer_entry(name, data, tf=b"0", linkname=b""):
    return header(name, tf, size=0 if tf != b"0" else len(data), linkname=linkname) + (pad(data) if tf == b"0" else b"")

def legacy(path, layers, dup_symlink_of=None):
    """docker<=24 save; dup_symlink_of: {i: j} makes layer i a symlink to layer j's layer.tar"""
    out = b""
    ids = ["%064x" % (0xabc000 + i) for i in range(len(layers))]
    for i, l in enumerate(layers):
        if dup_symlink_of and i in dup_symlink_of:
            out += outer_entry(ids[i] + "/layer.tar", b"", tf=b"2", linkname=("../%s/layer.tar" % ids[dup_symlink_of[i]]).encode())
        else:
            out += outer_entry(ids[i] + "/layer.tar", l)
    cfg = config(len(layers))
    out += outer_entry("cfg0000.json", cfg)
    man = [{"Config": "cfg0000.json", "RepoTags": ["x:y"], "Layers": [i + "/layer.tar" for i in ids]}]
    out += outer_entry("manifest.json", json.dumps(man).encode())
    open(path, "wb").write(out + b"\0" * 1024)

def docker25(path, layers, order):
    """docker>=25 save: blobs/sha256/<hex> + manifest.json; order: list of layer indexes in the manifest"""
    out = b""
    names = []
    for l in layers:
        h = hashlib.sha256(l).hexdigest()
        names.append("blobs/sha256/" + h)
        out += outer_entry("blobs/sha256/" + h, l)
    cfg = config(len(order))
    ch = hashlib.sha256(cfg).hexdigest()
    out += outer_entry("blobs/sha256/" + ch, cfg)
    man = [{"Config": "blobs/sha256/" + ch, "RepoTags": ["x:y"], "Layers": [names[i] for i in order]}]
    out += outer_entry("manifest.json", json.dumps(man).encode())
    open(path, "wb").write(out + b"\0" * 1024)

F = (sys.argv[1].rstrip("/") + "/") if len(sys.argv) > 1 else "./"
# A: whiteout of a missing path aborts the rest of that layer's walk
legacy(F + "A-wh-missing.tar", [
    layer(d("a/"), entry("a/f1", 100), entry("z/file", 50)),
    layer(d("a/"), entry("a/.wh.nonexistent"), entry("a/f1", 200), entry("b/x", 10), entry("z/file", 60)),
])
# B: rm -rf of a dir (with and without a dir entry) and an empty dir later filled then removed
legacy(F + "B-rmrf.tar", [
    layer(d("d/"), entry("d/x", 1000), entry("d/sub/y", 500), entry("d2/x", 300), d("e/")),
    layer(entry("e/f", 100)),
    layer(entry(".wh.d"), entry(".wh.d2"), entry(".wh.e")),
])
# C: opaque dir
legacy(F + "C-opaque.tar", [
    layer(d("o/"), entry("o/a", 100)),
    layer(d("o/"), entry("o/.wh..wh..opq"), entry("o/b", 10)),
    layer(entry("o/a", 100)),
])
# D: duplicate entries of one path inside one layer, plus path cleaning
legacy(F + "D-dups.tar", [
    layer(entry("f", 10), entry("f", 20), entry("./g", 5), entry("/h", 7), entry("a/../i", 3), entry("./", 0, tf=b"5")),
    layer(entry("g", 6), entry("/i", 4)),
])
# E1: PAX global header at the start of a layer (git-archive style) -> dive error
legacy(F + "E1-paxglobal.tar", [layer(pax([("comment", "abc")], tf=b"g", name="pax_global_header"), entry("f", 10))])
# E2: PAX global header whose name cleans to "." -> skipped
legacy(F + "E2-paxglobal-dot.tar", [layer(pax([("comment", "abc")], tf=b"g", name="./"), entry("f", 10))])
# F: docker25 with the same blob listed twice
l0 = layer(entry("base", 1000)); l1 = layer(entry("same", 77))
docker25(F + "F-docker25-dup.tar", [l0, l1], [0, 1, 1])
# G: legacy with the duplicate layer written as a symlink
legacy(F + "G-legacy-dup-symlink.tar", [l0, l1, l1], dup_symlink_of={2: 1})
# H: 20 ties -> pdqsort order
legacy(F + "H-ties.tar", [
    layer(*[entry("t/f%02d" % i, 64) for i in range(20)], *[entry("u/g%02d" % i, 32 * (i % 3)) for i in range(15)]),
    layer(*[entry("t/f%02d" % i, 64) for i in range(20)], *[entry("u/g%02d" % i, 32 * (i % 3)) for i in range(15)]),
])
# I: header-only types with non-zero size fields, TypeRegA dir, base-256 size and uid, long names
b256 = lambda v, n: bytes([0x80] + list(v.to_bytes(n - 1, "big")))
long = "L" * 120 + "/file"
legacy(F + "I-headers.tar", [
    layer(entry("hl", tf=b"1", linkname="x", size=777), entry("sl", tf=b"2", linkname="x", size=555),
          header("olddir/", b"\0", mode=0o755) , entry("b256", b"hello", size_field=b256(5, 12), uid_field=b256(70000, 8)),
          longname(long, b"y" * 33), pax([("path", "p" * 150 + "/paxfile"), ("size", "21")]) + header("short", b"0", size=21) + pad(b"z" * 21),
          entry("modedir", b"abcdefg", mode=0o40644)),
    layer(entry("hl", tf=b"1", linkname="x", size=778), longname(long, b"y" * 34), entry(".wh.modedir"),
          pax([("path", "p" * 150 + "/paxfile"), ("size", "22")]) + header("short", b"0", size=22) + pad(b"z" * 22)),
])
# L: whiteout in layer 0
legacy(F + "L-wh-layer0.tar", [
    layer(entry(".wh.aaa"), entry("b", 10), entry("c", 10)),
    layer(entry("b", 11), entry("c", 12)),
])
# T: a directory deleted, made again with other files below it, and deleted again: the second
# deletion counts only what the new directory holds
legacy(F + "T-readd.tar", [
    layer(d("d/"), entry("d/a", 100), entry("d/b", 200), d("d/sub/"), entry("d/sub/c", 400)),
    layer(entry(".wh.d")),
    layer(d("d/"), entry("d/c", 50), d("d/sub/"), entry("d/sub/e", 30)),
    layer(entry(".wh.d")),
])
# P: odd names (invalid UTF-8, HTML chars) duplicated
legacy(F + "P-names.tar", [
    layer(entry(b"bad\xffname", 9), entry("a<b>&c", 8), entry("tab\tname", 3)),
    layer(entry(b"bad\xffname", 9), entry("a<b>&c", 8), entry("tab\tname", 3)),
])
# R: a later layer's implicit parent overwrites the dir's FileInfo in the stacked tree
legacy(F + "R-implicit-parent.tar", [
    layer(d("s/"), d("t/")),
    layer(entry("s/b", 5), d("t/"), entry("t/b", 5)),
    layer(entry(".wh.s"), entry(".wh.t")),
])
# S: gzip layers in crane style (.tar.gz) and a .tar that is really gzip (dive error)
def crane(path, layers, fake_tar=False):
    out = b""
    names = []
    for l in layers:
        gz = gzip.compress(l, mtime=0)
        h = hashlib.sha256(gz).hexdigest()
        n = h + (".tar" if fake_tar else ".tar.gz")
        names.append(n); out += outer_entry(n, gz)
    cfg = config(len(layers)); ch = hashlib.sha256(cfg).hexdigest()
    out += outer_entry("sha256:" + ch, cfg)
    out += outer_entry("manifest.json", json.dumps([{"Config": "sha256:" + ch, "RepoTags": [], "Layers": names}]).encode())
    open(path, "wb").write(out + b"\0" * 1024)
crane(F + "S1-crane.tar", [l0, layer(entry("base", 999))])
crane(F + "S2-gzip-named-tar.tar", [l0], fake_tar=True)
print("ok")
