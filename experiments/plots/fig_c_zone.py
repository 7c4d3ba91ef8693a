"""Figure (c): the Goldilocks zone [lower, upper) per model (fp32 angles) in both theta_min conventions, with
each model's (effective) base; green when the model is inside the zone."""
from ropelab_plots import directories, num, plt, read_csv, save

data_dir, figures_dir = directories()
meta, rows = read_csv(data_dir, "c_zone")
rows = [r for r in rows if r["format"] == "binary32"]

fig, axes = plt.subplots(1, 2, figsize=(13, 7), sharey=True)
for ax, convention in zip(axes, ("approximate", "exact")):
    selected = [r for r in rows if r["convention"] == convention]
    for y, r in enumerate(selected):
        lower, upper, base = num(r["lower"]), num(r["upper"]), num(r["base"])
        color = "C2" if r["feasible"] == "true" else "C3"
        ax.plot([lower, upper], [y, y], color="0.6", lw=4, solid_capstyle="butt")
        ax.plot([base], [y], "o", color=color)
    ax.set_yticks(range(len(selected)), [f"{r['model']} (L={r['context']}, N={r['layers']})" for r in selected],
                  fontsize=7)
    ax.set(xscale="log", xlabel="base", title=f"{convention} convention (eps = {meta['eps']}): bar = zone, dot = base")
save(fig, figures_dir, "c_zone")
