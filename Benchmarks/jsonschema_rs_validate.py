#!/usr/bin/env python3
"""Validates an NDJSON file of records with jsonschema-rs (PyPI `jsonschema-rs`)
against the same Schemas/, for a side-by-side figure with `hutong-bench validate`.
Usage: jsonschema_rs_validate.py SCHEMAS_DIR TYPE FILE"""
import json, os, sys, time
import jsonschema_rs

schemas_dir, type_name, path = sys.argv[1], sys.argv[2], sys.argv[3]
BASE = "https://hutong.example/standard/v1/"
docs = {}
for root, dirs, files in os.walk(schemas_dir):
    dirs[:] = [d for d in dirs if d != "examples"]
    for f in files:
        if f.endswith(".json"):
            doc = json.load(open(os.path.join(root, f), encoding="utf-8"))
            # jsonschema-rs 0.60.3 mis-evaluates if/contains under a custom metaschema
            # (every sample penalty came out invalid); without "$schema" it is draft
            # 2020-12 with the same keywords, and validate_formats=True asserts formats.
            doc.pop("$schema", None)
            docs[doc.get("$id", "file://" + os.path.join(root, f))] = doc

def retrieve(uri):
    if uri in docs:
        return docs[uri]
    raise ValueError("unknown schema " + uri)

# The standard's own formats, written in Python: jsonschema-rs calls back into them.
CH = "0123456789ABCDEFGHJKLMNPQRTUWXY"
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
def uscc(s):
    if len(s) != 18 or any(c not in CH for c in s): return False
    return True  # a wrong check character is only a warning in the standard
def resident_id(s):
    if len(s) != 18 or not s[:17].isdigit(): return False
    r = sum(int(c) * w for c, w in zip(s[:17], [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])) % 11
    return "10X98765432"[r] == s[17]
def admin_division(s): return len(s) == 6 and s.isdigit()
def org_code(s): return len(s.replace("-", "")) == 9

schema = docs[BASE + type_name + ".json"]
validator = jsonschema_rs.validator_for(
    schema, retriever=retrieve, validate_formats=True,
    formats={"uscc": uscc, "cn-resident-id": resident_id, "cn-admin-division": admin_division, "cn-org-code": org_code})

size = os.path.getsize(path)
start = time.perf_counter()
n = invalid = 0
with open(path, "rb") as fh:
    for line in fh:
        if not line.strip(): continue
        n += 1
        if not validator.is_valid(json.loads(line)):
            invalid += 1
secs = time.perf_counter() - start
print(f"jsonschema-rs {jsonschema_rs.__version__ if hasattr(jsonschema_rs, '__version__') else ''}: {n} records ({invalid} invalid) in {secs:.2f} s: {n / secs:,.0f} records/s, {size / secs / 1e6:.1f} MB/s")
