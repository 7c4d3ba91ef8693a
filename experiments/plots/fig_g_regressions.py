"""Figure (g): the known regressions, broken pipeline vs its fix: largest phase error and largest score error."""
from ropelab_plots import directories, num, plt, read_csv, save

data_dir, figures_dir = directories()
meta, rows = read_csv(data_dir, "g_regressions")
cases = []
for r in rows:
    if r["case"] not in [c[0] for c in cases]:
        cases.append((r["case"], r["source"]))
by_key = {(r["case"], r["role"]): r for r in rows}

fig, axes = plt.subplots(1, 2, figsize=(13, 5), sharey=True)
for ax, key, label in ((axes[0], "max_phase_error", "max phase error (rad)"),
                       (axes[1], "max_score_error", "max score error (abs)")):
    for j, (role, color) in enumerate((("broken", "C3"), ("fixed", "C2"))):
        ys = [i + (j - 0.5) * 0.38 for i in range(len(cases))]
        values = [max(num(by_key[(c, role)][key]), 1e-12) for c, _ in cases]
        ax.barh(ys, values, height=0.38, color=color, label=role)
    ax.set(xscale="log", xlabel=label)
axes[0].axvline(num(meta["tau"]), color="0.3", ls="--", lw=1)
axes[0].set_yticks(range(len(cases)), [f"{c} ({s})" for c, s in cases], fontsize=7)
axes[0].invert_yaxis()
axes[1].legend()
save(fig, figures_dir, "g_regressions")
