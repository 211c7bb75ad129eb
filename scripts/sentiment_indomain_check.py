"""How much would labelled real headlines in training help? 5-fold CV inside the tune half only:
train v4's features on tweets + own sentences + 4/5 of the tune half (weight w per headline),
score the other 1/5 at band 0.15. Research figure only (nothing shipped; held-out never read)."""
import sys, numpy as np
sys.path.insert(0, "scripts")  # run from the worktree: .venv/bin/python scripts/sentiment_indomain_check.py
import train_sentiment as ts
from tapewire.enrich.sentiment_model import BUCKETS
import sentiment_experiments3 as ex
rows, y = ts.load_rows(); own = ts.load_templates(); tune_rows, tune_y = ts.load_tune()
fold = np.random.default_rng(1).permutation(len(tune_rows)) % 5
for w in (0.0, 1.0, 10.0, 30.0):
    pred = np.zeros(len(tune_rows), dtype=np.intp)
    for k in range(5):
        tr, te = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        base = rows + own[0]
        add = [tune_rows[i] for i in tr] if w else []
        yy = np.concatenate([y, own[1], tune_y[tr] if w else np.zeros(0, np.intp)])
        # weight: own-sentence slot reused for the headlines at the end of the rows
        W, b = ex.train(base + add, yy, BUCKETS, 1e-4, 300, None, len(add), w)
        pred[te] = ts.labels_of(ts.predict(W, b, [tune_rows[i] for i in te]), 0.15)
    print(f"headline weight {w:>4}: tune-half 5-fold acc {np.mean(pred == tune_y):.3f}", flush=True)
