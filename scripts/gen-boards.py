#!/usr/bin/env python3
# Regenerates the numbered boards in dts/ (all but fvp-revc-mte.dts, written by hand): the
# data/tag split of each DRAM range is the largest pageblock-aligned tag region with
# tag * 33 <= range size (32 slices of data, one of tags, as in the RFC FVP layout).
# Run from anywhere: python3 scripts/gen-boards.py
import os
DTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dts")
MiB=1<<20; GiB=1<<30
def cells(v): return "0x%x 0x%x" % (v>>32, v & 0xffffffff)
def cpus(clocks, mte=None):
    s="\tcpus {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <0>;\n\n"
    for i,(hz,compat) in enumerate(clocks):
        s+="\t\tcpu@%d {\n\t\t\tdevice_type = \"cpu\";\n\t\t\tcompatible = \"%s\";\n\t\t\treg = <%d>;\n\t\t\tclock-frequency = <%d>;\n" % (i,compat,i,hz)
        if mte is not None: s+="\t\t\tmtesim,mte-version = <%d>;\n" % mte
        s+="\t\t};\n"
    return s+"\t};\n"
def split(dram):
    # largest pageblock-aligned tag region with tag*32 + tag <= dram
    tag = dram//33 // (2*MiB) * (2*MiB)
    return tag*32, tag
def board(name, model, cpulist, drams, timing, comment, reusable=True, form="v3"):
    out = "// SPDX-License-Identifier: MIT\n// %s\n" % comment
    out += "/dts-v1/;\n\n/ {\n\tmodel = \"%s\";\n\tcompatible = \"mtesim,%s\";\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n\n" % (model, name)
    out += cpus(cpulist) + "\n"
    tags=[]
    for i,(base,size) in enumerate(drams):
        data, tag = split(size)
        out += "\tmemory%d: memory@%x {\n\t\tdevice_type = \"memory\";\n\t\treg = <%s %s>;\n\t};\n\n" % (i, base, cells(base), cells(data))
        tags.append((i, base+data, tag))
    def tagnode(i, tbase, tsize, indent, prop):
        t = indent
        s = "%stags%d: tag-storage@%x {\n" % (t, i, tbase)
        s += "%s\tcompatible = \"arm,mte-tag-storage\";\n" % t
        s += "%s\treg = <%s %s>;\n" % (t, cells(tbase), cells(tsize))
        s += "%s\tblock-size = <0x1000>;\n" % t
        s += "%s\t%s = <&memory%d>;\n" % (t, prop, i)
        if reusable and form == "v3": s += "%s\treusable;\n" % t
        s += "%s};\n" % t
        return s
    if form == "v3":
        out += "\treserved-memory {\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tranges;\n\n"
        out += "\n".join(tagnode(i,b,s,"\t\t","tagged-memory") for i,b,s in tags)
        out += "\t};\n\n"
    else:
        out += "\n".join(tagnode(i,b,s,"\t","memory") for i,b,s in tags) + "\n"
    b0 = drams[0][0]
    out += "\tdram-controller@%x {\n\t\tcompatible = \"mtesim,dram-controller\";\n\t\treg = <%s>;\n\t\tmtesim,timing = \"%s\";\n\t};\n};\n" % (b0, "\n\t\t       ".join("%s %s" % (cells(b), cells(s)) for b,s in drams), timing)
    open(os.path.join(DTS_DIR, "%s.dts" % name), "w").write(out)

A55=(2000000000,"arm,cortex-a710")
board("virt-4g-mte","mtesim virt, 4 CPUs, 4 GiB, MTE",[A55]*4,[(0x80000000,4*GiB)],"ddr4-3200",
      "The default board: 4 cores at 2 GHz, 4 GiB of DDR4 of which 1/33 is tag storage (v3 binding, reusable).")
board("static-carveout-4g","mtesim virt, 4 CPUs, 4 GiB, MTE, static tag carve-out",[A55]*4,[(0x80000000,4*GiB)],"ddr4-3200",
      "virt-4g-mte with the tag storage hidden by firmware: no \"reusable\", so it never holds data (the baseline).", reusable=False)
board("phone-8g-lpddr5","mtesim phone, 8 CPUs (4+3+1), 8 GiB LPDDR5, MTE",
      [(1800000000,"arm,cortex-a510")]*4+[(2850000000,"arm,cortex-a715")]*3+[(3050000000,"arm,cortex-x3")],
      [(0x80000000,2*GiB),(0x880000000,6*GiB)],"lpddr5-6400",
      "A phone-class SoC: 8 cores in three clusters, 8 GiB LPDDR5-6400 in two ranges, each with tag storage (v1 binding).", form="v1")
board("server-64g-mte","mtesim server, 16 CPUs, 64 GiB, MTE",[(3000000000,"arm,neoverse-v2")]*16,[(0x1000000000,64*GiB)],"ddr4-3200",
      "A server: 16 cores at 3 GHz, 64 GiB of DDR4 in one range with its tag storage on top.")
for g in (16,64,256,512):
    board("linearmap-%dg"%g,"mtesim linear-map study, %d GiB"%g,[A55]*8,[(0x8000000000,g*GiB)],"ddr4-3200-rdimm",
          "Boot study board (BACKGROUND.md section 4): %d GiB in one range for linear-map creation." % g)
