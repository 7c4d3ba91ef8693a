"""Figure (f): every real-stack preset on Llama-3.1-8B at 128K: largest phase error and largest score error."""
from ropelab_plots import directories, num, plt, read_csv, save

data_dir, figures_dir = directories()
meta, rows = read_csv(data_dir, "f_presets_llama31_8b")
names = [r["preset"] for r in rows]

fig, axes = plt.subplots(1, 2, figsize=(12, 5.5), sharey=True)
for ax, key, label in ((axes[0], "max_phase_error", "max phase error (rad)"),
                       (axes[1], "max_score_error", "max score error (abs)")):
    values = [max(num(r[key]), 1e-12) for r in rows]
    colors = ["C3" if int(r["first_full_collision"]) >= 0 or num(r["max_phase_error"]) > num(meta["tau"]) else "C0"
              for r in rows]
    ax.barh(range(len(rows)), values, color=colors)
    ax.set(xscale="log", xlabel=label)
axes[0].axvline(num(meta["tau"]), color="0.3", ls="--", label=f"tau = {meta['tau']}")
axes[0].legend(fontsize=7)
axes[0].set_yticks(range(len(names)), names, fontsize=8)
axes[0].invert_yaxis()
fig.suptitle(f"llama-3.1-8b, context {rows[0]['context']} (red: merges positions or phase error > tau)")
save(fig, figures_dir, "f_presets")
