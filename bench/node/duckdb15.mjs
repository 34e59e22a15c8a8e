// DuckDB 1.5 (through @duckdb/node-api) as an extra reference for Sluice's
// benchmarks: not the target peer (that is bench/cmd/duckpeer, the engine
// build Sluice links), but the newest DuckDB release line.
//
//   node duckdb15.mjs version
//   node duckdb15.mjs queries < spec.json   # {"threads","warmups","runs","queries":[{"name","sql"}]}
//   node duckdb15.mjs exec THREADS SQL...    # like duckpeer: row count and ms per statement
//
// "queries" prints {"version", "queries":[{"name","rows","ms":[...]}]}: one
// warm-up run is untimed, the rest are timed, each draining all rows.
import { DuckDBInstance, version } from '@duckdb/node-api';

async function open(threads) {
  const opts = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' };
  if (threads > 0) opts.threads = String(threads);
  const instance = await DuckDBInstance.create(':memory:', opts);
  return { instance, conn: await instance.connect() };
}

// drain streams every chunk of sql's result and returns the row count.
async function drain(conn, sql) {
  const result = await conn.stream(sql);
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    rows += chunk.rowCount;
  }
  return rows;
}

async function readStdin() {
  const parts = [];
  for await (const p of process.stdin) parts.push(p);
  return Buffer.concat(parts).toString('utf8');
}

async function main(argv) {
  const mode = argv[0];
  if (mode === 'version') {
    console.log(version());
    return;
  }
  if (mode === 'exec') {
    const { conn } = await open(Number(argv[1] || 0));
    for (const sql of argv.slice(2)) {
      const t0 = performance.now();
      const n = await drain(conn, sql);
      console.log(`${n}\t${(performance.now() - t0).toFixed(3)}`);
    }
    return;
  }
  if (mode === 'queries') {
    const spec = JSON.parse(await readStdin());
    const { conn } = await open(spec.threads || 0);
    const out = { version: version(), queries: [] };
    for (const q of spec.queries) {
      let rows = 0;
      for (let i = 0; i < (spec.warmups ?? 1); i++) rows = await drain(conn, q.sql);
      const ms = [];
      for (let i = 0; i < spec.runs; i++) {
        const t0 = performance.now();
        rows = await drain(conn, q.sql);
        ms.push(performance.now() - t0);
      }
      out.queries.push({ name: q.name, rows, ms });
    }
    console.log(JSON.stringify(out));
    return;
  }
  throw new Error(`unknown mode ${JSON.stringify(mode)}; use version, queries or exec`);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`duckdb15: ${err.message}`);
  process.exit(1);
});
