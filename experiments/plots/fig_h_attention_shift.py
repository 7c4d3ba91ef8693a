"""Figure (h): AnchorAttention's relative-invariance violation D(shift) per preset (left: against the shift at the
first sequence length; right: against the sequence length at the largest shift), and the first token's share of D."""
from ropelab_plots import directories, num, plt, read_csv, save

data_dir, figures_dir = directories()
meta, rows = read_csv(data_dir, "h_attention_shift")
presets = list(dict.fromkeys(r["preset"] for r in rows))
contexts = list(dict.fromkeys(int(r["context"]) for r in rows))
shifts = sorted({int(r["shift"]) for r in rows})
first_context, last_shift = contexts[0], shifts[-1]

fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
for preset in presets:
    mine = [r for r in rows if r["preset"] == preset]
    at_context = sorted((int(r["shift"]), max(num(r["D_weight"]), 1e-17)) for r in mine if int(r["context"]) == first_context)
    axes[0].plot([s for s, _ in at_context], [d for _, d in at_context], marker="o", label=preset)
    at_shift = sorted((int(r["context"]), max(num(r["D_weight"]), 1e-17)) for r in mine if int(r["shift"]) == last_shift)
    axes[1].plot([c for c, _ in at_shift], [d for _, d in at_shift], marker="o", label=preset)
    shares = sorted((int(r["shift"]), num(r["first_key_share"])) for r in mine if int(r["context"]) == first_context)
    axes[2].plot([s for s, _ in shares], [v for _, v in shares], marker="o", label=preset)
axes[0].set(xscale="log", yscale="log", xlabel="shift", ylabel="D = sum |w(shift) - w(0)|", title=f"L = {first_context}")
axes[1].set(xscale="log", yscale="log", xlabel="sequence length L", ylabel="D", title=f"shift = {last_shift}")
axes[2].axhline(1.0 / first_context, color="0.3", ls="--", lw=1, label="fair share 1/L")
axes[2].set(xscale="log", xlabel="shift", ylabel="first token's share of D", title=f"L = {first_context}")
axes[0].legend(fontsize=7)
axes[2].legend(fontsize=7)
save(fig, figures_dir, "h_attention_shift")
