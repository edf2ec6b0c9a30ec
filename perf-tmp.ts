import 'reflect-metadata';
import { Client } from 'pg';
import Cursor from 'pg-cursor';
import { rowQuery } from './src/modules/report/report-row';
async function main() {
  const url = 'postgres://postgres@127.0.0.1:5432/cg_report_dev';
  const c = new Client({ connectionString: url }); await c.connect();
  const team = (await c.query(`SELECT id FROM teams WHERE slug='bench'`)).rows[0].id;
  const u1 = (await c.query(`SELECT id FROM users WHERE email='a@x.y'`)).rows[0].id;
  const scope = { team: { id: team, slug: 'bench', name: 'Bench' }, articleIds: null, publishedFrom: null, publishedTo: null, status: null, sourcing: null, rating: null, reviewer: null };
  const { sql, params } = rowQuery(scope as any);
  for (const mode of ['rls', 'rls-nojit', 'norls-nojit']) {
    await c.query('BEGIN');
    if (mode.startsWith('rls')) await c.query(`SELECT set_config('role','claimgraph_app',true), set_config('claimgraph.user_id',$1,true), set_config('claimgraph.team_ids',$2,true)`, [u1, `{${team}}`]);
    if (mode.includes('nojit')) await c.query('SET LOCAL jit = off');
    let t = Date.now();
    const cursor = c.query(new Cursor(sql, params));
    let n = 0, first = 0;
    for (;;) { const rows = await cursor.read(1000); if (!first) first = Date.now() - t; n += rows.length; if (rows.length < 1000) break; }
    await cursor.close();
    console.log(mode, n, 'rows', Date.now() - t, 'ms; first batch', first, 'ms');
    await c.query('ROLLBACK');
  }
  await c.end();
}
main();
