"""Smoke test of the DataStax Python driver (Debian's python3-cassandra) against a Ringtail node.

Usage: python3 python_smoke.py PORT. Prints one JSON line with what it observed; the tap test
(python-driver.test.ts) checks it. Any exception fails the run with a traceback on stderr.
"""
import json
import sys
import uuid

from cassandra.cluster import Cluster
from cassandra.query import SimpleStatement, BatchStatement

port = int(sys.argv[1])
cluster = Cluster(["127.0.0.1"], port=port)
session = cluster.connect()
out = {"protocol_version": cluster.protocol_version}
session.execute("CREATE KEYSPACE py WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
session.execute("CREATE TABLE py.items (id uuid, seq int, name text, tags set<text>, attrs map<text, int>, PRIMARY KEY (id, seq))")
item = uuid.uuid4()
insert = session.prepare("INSERT INTO py.items (id, seq, name, tags, attrs) VALUES (?, ?, ?, ?, ?)")
for i in range(250):
    session.execute(insert, (item, i, "name-%d" % i, {"t%d" % (i % 3), "all"}, {"n": i}))
batch = BatchStatement()
batch.add(insert, (item, 1000, "batched", None, None))
batch.add(SimpleStatement("UPDATE py.items SET name = 'renamed' WHERE id = %s AND seq = 0"), (item,))
session.execute(batch)
rows = list(session.execute(SimpleStatement("SELECT seq, name, tags, attrs FROM py.items WHERE id = %s", fetch_size=40), (item,)))
out["rows"] = len(rows)
out["first"] = [rows[0].seq, rows[0].name, sorted(rows[0].tags), dict(rows[0].attrs)]
out["last"] = [rows[-1].seq, rows[-1].name]
select = session.prepare("SELECT name FROM py.items WHERE id = ? AND seq = ?")
out["prepared"] = session.execute(select, (item, 42)).one().name
cluster.refresh_schema_metadata()
meta = cluster.metadata.keyspaces["py"].tables["items"]
out["partition_key"] = [c.name for c in meta.partition_key]
out["clustering_key"] = [c.name for c in meta.clustering_key]
out["columns"] = sorted(meta.columns.keys())
out["cql"] = meta.export_as_string().splitlines()[0]
out["hosts"] = [h.address for h in cluster.metadata.all_hosts()]
try:
    session.execute("SELECT * FROM py.nope")
    out["error"] = None
except Exception as e:  # the driver's InvalidRequest
    out["error"] = type(e).__name__
cluster.shutdown()
print(json.dumps(out))
