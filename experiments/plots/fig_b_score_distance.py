"""Figure (b): score and mean cosine against distance (binned mean with min-max band), with the aliasing
horizon 2*pi*base (approximate convention) and 2*pi*base^((d-2)/d) (exact convention) from the CSV metadata."""
from ropelab_plots import directories, num, plt, read_csv, save

data_dir, figures_dir = directories()
meta, rows = read_csv(data_dir, "b_score_distance")
x = [max(0.5, (num(r["distance_begin"]) + num(r["distance_end"]) - 1) / 2) for r in rows]

fig, axes = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
for ax, key, label in ((axes[0], "score", f"score S(m), mean of {meta['heads']} heads (rho = {num(meta['rho']):g})"),
                       (axes[1], "mean_cosine", "mean cosine (1/h) sum cos(m omega_n)")):
    ax.fill_between(x, [num(r[key + "_min"]) for r in rows], [num(r[key + "_max"]) for r in rows], color="C0",
                    alpha=0.25, lw=0, label="min-max in bin")
    ax.plot(x, [num(r[key + "_mean"]) for r in rows], color="C0", lw=1, label="bin mean")
    for name, color in (("approximate", "C3"), ("exact", "C2")):
        horizon = num(meta[f"aliasing_horizon_{name}"])
        formula = "2 pi base" if name == "approximate" else "2 pi base^((d-2)/d)"
        ax.axvline(horizon, color=color, ls="--", label=f"{formula} = {horizon:.6g}")
    ax.set_ylabel(label)
    ax.legend(fontsize=7)
axes[1].set(xscale="log", xlabel=f"distance m (base {num(meta['base']):g}, d = {meta['dim']})")
save(fig, figures_dir, "b_score_distance")
