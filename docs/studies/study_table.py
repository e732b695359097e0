"""Shared by the studies' table scripts: a run's stats.json as a dict, and a mean ± sd cell."""
import json
import os
import statistics


def stats(root, run):
    """stats.json of the run directory @run under @root: {name: value}."""
    doc = json.load(open(os.path.join(root, run, "stats.json")))
    return {r["name"]: r["value"] for r in doc["stats"]}


def cell(xs, fmt="{:.0f}"):
    """The mean of @xs and their sample standard deviation (0 for one value), as "m ± sd"."""
    m = statistics.mean(xs)
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return (fmt + " ± " + fmt).format(m, sd)
