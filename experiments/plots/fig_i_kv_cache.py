"""Figure (i): key-cache formats for Llama-3.1-8B at 128K: largest logit error per (stack, format) against the
tolerance; formats that merge adjacent keys or scores are marked."""
from ropelab_plots import directories, num, plt, read_csv, save

data_dir, figures_dir = directories()
meta, rows = read_csv(data_dir, "i_kv_cache_llama31_8b")
labels = [f"{r['preset']}: {r['key_cache']}" for r in rows]
values = [max(num(r["max_logit_error"]), 1e-12) for r in rows]
colors = ["C0" if r["safe"] == "yes" else "C3" for r in rows]

fig, ax = plt.subplots(figsize=(9, 0.32 * len(rows) + 1.5))
ax.barh(range(len(rows)), values, color=colors)
ax.axvline(num(meta["logit_tolerance"]), color="0.3", ls="--", label=f"tolerance {num(meta['logit_tolerance']):g} nats")
for i, r in enumerate(rows):
    if int(r["first_key_collision"]) >= 0 or num(r["equal_neighbour_fraction"]) > 0:
        ax.annotate("merges neighbours", (values[i], i), xytext=(4, -3), textcoords="offset points", fontsize=7)
ax.set_yticks(range(len(rows)), labels, fontsize=8)
ax.invert_yaxis()
ax.set(xscale="log", xlabel="max logit error (score error / sqrt(head_dim)), nats")
ax.legend(fontsize=7)
fig.suptitle(f"{meta['model']} key cache, context {rows[0]['context']} (red: not safe)")
save(fig, figures_dir, "i_kv_cache")
