"""The happy path: aggregate a granted CSV into /output."""
import csv
import json
import os
from collections import defaultdict

totals = defaultdict(float)
counts = defaultdict(int)
with open("/data/ds1/sales.csv", newline="") as f:
    for row in csv.DictReader(f):
        totals[row["district"]] += float(row["amount"])
        counts[row["district"]] += 1
os.makedirs("/output/report", exist_ok=True)
with open("/output/report/by_district.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["district", "rows", "total"])
    for d in sorted(totals):
        w.writerow([d, counts[d], "%.2f" % totals[d]])
print(json.dumps({"districts": len(totals), "rows": sum(counts.values()), "env": os.environ.get("REPORT_TITLE")}))
