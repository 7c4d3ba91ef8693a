"""Figure (e): token inversion and token aliasing (bf16) against M for several bases B: the trade-off
between a relevant key k1 and an irrelevant key k2."""
from collections import defaultdict

from ropelab_plots import directories, num, plt, read_csv, save

data_dir, figures_dir = directories()
meta, rows = read_csv(data_dir, "e_token_statistics")
series = defaultdict(lambda: defaultdict(dict))
for r in rows:
    series[r["statistic"]][num(r["base"])][num(r["context"])] = num(r["value"])

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for ax, statistic, label in ((axes[0], "token_inversion", "fraction of m where k2 outscores k1"),
                             (axes[1], "token_aliasing_fraction", f"fraction of m with S1 = S2 in {meta['format']}")):
    for i, base in enumerate(sorted(series[statistic])):
        values = series[statistic][base]
        xs = sorted(values)
        ax.plot(xs, [values[x] for x in xs], "o-", color=f"C{i}", label=f"B = {base:g}")
    ax.set_xscale("log", base=2)
    ax.set(xlabel="context M", ylabel=label)
    ax.legend(fontsize=7)
axes[0].set_title(f"token inversion: k1 = {meta['k1']}, k2 = {meta['k2']}")
axes[1].set_title("token aliasing")
save(fig, figures_dir, "e_token_statistics")
