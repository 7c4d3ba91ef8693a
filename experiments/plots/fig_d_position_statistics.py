"""Figure (d): position inversion (halves of [0, M)) and position aliasing (equal after rounding to bf16)
against M for several bases B; dotted lines mark M = 2*pi*B."""
import math
from collections import defaultdict

from ropelab_plots import directories, num, plt, read_csv, save

data_dir, figures_dir = directories()
meta, rows = read_csv(data_dir, "d_position_statistics")
series = defaultdict(lambda: defaultdict(dict))
for r in rows:
    series[r["statistic"]][num(r["base"])][num(r["context"])] = num(r["value"])

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for ax, statistic, label in ((axes[0], "position_inversion", "P(far half beats near half)"),
                             (axes[1], "position_aliasing_fraction", "fraction of positions with an aliased partner")):
    for i, base in enumerate(sorted(series[statistic])):
        values = series[statistic][base]
        xs = sorted(values)
        ax.plot(xs, [values[x] for x in xs], "o-", color=f"C{i}", label=f"B = {base:g}")
        if xs[0] <= 2 * math.pi * base <= xs[-1]:
            ax.axvline(2 * math.pi * base, color=f"C{i}", ls=":", lw=1)
    ax.set(xscale="log", xlabel="context M", ylabel=label)
    ax.set_xscale("log", base=2)
    ax.legend(fontsize=7)
axes[0].axhline(0.5, color="0.4", lw=0.8)
axes[0].set_title(f"position inversion ({meta['heads']} heads, {meta['k1']})")
axes[1].set_title(f"position aliasing in {meta['format']}")
save(fig, figures_dir, "d_position_statistics")
