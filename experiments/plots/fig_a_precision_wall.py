"""Figure (a): the precision wall. Left: first adjacent collision of the direct p-bit angle pipelines against
base, with the band [2^(p-1), 2^p] where positions themselves merge and the claimed wall base = 1/eps_mach.
Middle and right: each preset's largest phase error and largest colliding fraction within [0, L) against L."""
from collections import defaultdict

from ropelab_plots import directories, event, num, plt, read_csv, save

data_dir, figures_dir = directories()
meta, rows = read_csv(data_dir, "a_precision_wall")

fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
direct = defaultdict(dict)
for r in rows:
    if r["series"] == "direct":
        direct[(r["pipeline"], r["angle_format"])].setdefault(num(r["base"]), {})[r["statistic"]] = r["value"]
ax = axes[0]
for i, ((pipeline, fmt), by_base) in enumerate(sorted(direct.items())):
    color = f"C{i}"
    bases = sorted(by_base)
    ax.plot(bases, [event(by_base[b]["first_collision"]) for b in bases], "o-", color=color, label=pipeline)
    wall = num(by_base[bases[0]]["one_over_eps_mach"])
    ax.axhspan(wall, 2 * wall, color=color, alpha=0.12)
    ax.axvline(wall, color=color, ls=":", lw=1)
ax.set(xscale="log", yscale="log", xlabel="base", ylabel="first adjacent collision (position)",
       title="direct angle pipelines: band [2^(p-1), 2^p]; dotted: base = 1/eps_mach")
ax.legend()

presets = defaultdict(lambda: defaultdict(dict))
for r in rows:
    if r["series"] == "preset":
        presets[r["pipeline"]][r["statistic"]][num(r["context"])] = num(r["value"])
for ax, statistic, label in ((axes[1], "max_phase_error", "max phase error in [0, L) (rad)"),
                             (axes[2], "max_colliding_fraction", "max fraction of pairs merging m, m+1")):
    for i, (name, stats) in enumerate(sorted(presets.items())):
        series = stats[statistic]
        xs = sorted(series)
        ys = [max(series[x], 1e-9) if statistic == "max_phase_error" else series[x] for x in xs]
        ax.plot(xs, ys, marker=".", color=plt.cm.tab20(i % 20), ls="-" if i % 2 == 0 else "--", label=name)
    ax.set(xscale="log", xlabel="context length L", ylabel=label, title=f"presets (base 1e4, d = {meta.get('preset_dim')})")
    if statistic == "max_phase_error":
        ax.set_yscale("log")
axes[2].legend(fontsize=6, ncol=2)
save(fig, figures_dir, "a_precision_wall")
