"""The agency of the daemon benchmarks: the worked example's table t_xzcf in a
SQLite file (write-ahead log on), holding the example's five valid rows.

    python3 Benchmarks/agency-table.py EXAMPLE.csv DATABASE
"""
import csv, sqlite3, sys

rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
db = sqlite3.connect(sys.argv[2])
db.execute("PRAGMA journal_mode = WAL")
db.execute("CREATE TABLE t_xzcf (" + ", ".join("ID INTEGER PRIMARY KEY" if c == "ID" else f"{c} TEXT" for c in rows[0]) + ")")
db.executemany(f"INSERT INTO t_xzcf VALUES ({','.join('?' * len(rows[0]))})", [r for r in rows[1:] if r[0] in ("1001", "1002", "1003", "1004", "1005")])
db.commit()
