"""Reference for bench/scoring.bench.ts: pandas.read_csv + scikit-learn on the same files.

usage: scoring-reference.py <macro_f1|rmse> <truth.csv> <predictions.csv> <id column> <target column>
prints one JSON line: {"score", "seconds", "maxRssMb"}
"""
import json
import resource
import sys
import time

t0 = time.perf_counter()
import pandas as pd  # noqa: E402
from sklearn.metrics import f1_score, mean_squared_error  # noqa: E402

metric, truth_path, pred_path, id_col, target = sys.argv[1:6]
start = time.perf_counter()
dtype = {id_col: str, target: str} if metric == "macro_f1" else {id_col: str, target: float}
truth = pd.read_csv(truth_path, dtype=dtype)
pred = pd.read_csv(pred_path, dtype=dtype)
joined = truth.merge(pred, on=id_col, how="inner", suffixes=("_t", "_p"), validate="one_to_one")
if len(joined) != len(truth):
    raise SystemExit("ids differ")
if metric == "macro_f1":
    score = f1_score(joined[target + "_t"], joined[target + "_p"], average="macro")
else:
    score = mean_squared_error(joined[target + "_t"], joined[target + "_p"]) ** 0.5
seconds = time.perf_counter() - start
print(json.dumps({"score": float(score), "seconds": seconds, "importSeconds": start - t0,
                  "maxRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
