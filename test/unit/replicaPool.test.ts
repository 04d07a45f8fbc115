import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReplicaPool } from '../../src/core/endpoint/replicaPool';

type Mode = 'ok' | 'hold' | 'fail500' | 'fail400' | 'hang';

/** A local OpenAI-style replica: POST {base}/chat/completions answers {id, by}; GET {base}/health. */
class Replica {
  readonly asked: string[] = [];
  readonly answered: string[] = [];
  private held: Array<() => void> = [];
  mode: Mode = 'ok';
  /** Answer this many requests, then switch to `thenMode`. */
  answerFirst = Infinity;
  thenMode: Mode = 'hold';
  healthStatus = 200;
  healthProbes = 0;
  private server?: http.Server;
  port = 0;

  constructor(readonly name: string) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  get heldCount(): number {
    return this.held.length;
  }

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method === 'GET' && req.url === '/v1/health') {
      this.healthProbes++;
      res.writeHead(this.healthStatus, { 'content-type': 'application/json' }).end('{"status":"?"}');
      return;
    }
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const { id } = JSON.parse(body) as { id: string };
      this.asked.push(id);
      const mode = this.asked.length <= this.answerFirst ? this.mode : this.thenMode;
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id, by: this.name }), () => this.answered.push(id));
      };
      if (mode === 'ok') setImmediate(answer);
      else if (mode === 'hold') this.held.push(answer);
      else if (mode === 'fail500') res.writeHead(500).end('{"error":{"message":"boom"}}');
      else if (mode === 'fail400') res.writeHead(400).end('{"error":{"message":"bad image"}}');
      // 'hang': never answer
    });
  }

  release(): void {
    const h = this.held;
    this.held = [];
    h.forEach((f) => f());
  }

  /** Like a crashed process: every open connection dropped, port closed. */
  async kill(): Promise<void> {
    const s = this.server!;
    this.held = [];
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }
}

interface Answer {
  id: string;
  by: string;
}

async function ask(base: string, signal: AbortSignal, id: string, timeoutMs?: number): Promise<Answer> {
  const sig = timeoutMs ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : signal;
  const res = await fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id }),
    signal: sig,
  });
  const text = await res.text();
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}: ${text}`), { status: res.status });
  return JSON.parse(text) as Answer;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe('replica pool', () => {
  let replicas: Replica[] = [];
  const start = async (...names: string[]) => {
    const rs = await Promise.all(names.map((n) => new Replica(n).start()));
    replicas.push(...rs);
    return rs;
  };
  afterEach(async () => {
    for (const r of replicas) {
      r.release();
      await r.kill().catch(() => undefined);
    }
    replicas = [];
  });

  it('spreads requests by least in flight', async () => {
    const [a, b, c] = await start('a', 'b', 'c');
    for (const r of [a, b, c]) r.mode = 'hold';
    const pool = new ReplicaPool([a.base, b.base, c.base], { healthPath: '/health' });
    const first = Array.from({ length: 6 }, (_, i) => pool.run((base, sig) => ask(base, sig, `q${i}`)));
    await until(() => a.asked.length + b.asked.length + c.asked.length === 6, 'six requests to arrive');
    assert.deepEqual([a.asked.length, b.asked.length, c.asked.length], [2, 2, 2]);
    assert.deepEqual(pool.inFlight(), { [a.base]: 2, [b.base]: 2, [c.base]: 2 });

    // b finishes its two: it now has the fewest in flight and takes the next two requests.
    b.release();
    await until(() => pool.inFlight()[b.base] === 0, 'b to drain');
    const next = [pool.run((base, sig) => ask(base, sig, 'n1')), pool.run((base, sig) => ask(base, sig, 'n2'))];
    await until(() => b.asked.length === 4, 'n1 and n2 to reach b');
    assert.deepEqual(b.asked.slice(2).sort(), ['n1', 'n2']);
    assert.deepEqual([a.asked.length, c.asked.length], [2, 2]);
    a.release();
    b.release();
    c.release();
    const answers = await Promise.all([...first, ...next]);
    assert.deepEqual(
      answers.map((x) => x.id),
      ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'n1', 'n2'],
    );
    assert.deepEqual(pool.inFlight(), { [a.base]: 0, [b.base]: 0, [c.base]: 0 });
    assert.deepEqual(pool.healthy(), [a.base, b.base, c.base]);
  });

  it('a replica killed mid-batch: the batch completes and nothing answered is asked twice', async () => {
    const [a, b, c] = await start('a', 'b', 'c');
    b.answerFirst = 3; // b answers three requests, then holds the next ones until it is killed
    b.thenMode = 'hold';
    const pool = new ReplicaPool([a.base, b.base, c.base], { unhealthyForMs: 60_000 });
    const ids = Array.from({ length: 40 }, (_, i) => `item-${i}`);
    const results = new Map<string, Answer>();
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++];
        results.set(id, await pool.run((base, sig) => ask(base, sig, id)));
      }
    };
    const batch = Promise.all(Array.from({ length: 6 }, worker));

    await until(() => b.heldCount >= 1 && b.answered.length === 3 && b.answered.every((id) => results.has(id)), 'b to hold a request');
    const heldAtKill = b.asked.filter((id) => !b.answered.includes(id));
    assert.ok(heldAtKill.length >= 1);
    await b.kill();
    await batch;

    assert.equal(results.size, ids.length, 'every item got an answer');
    for (const id of ids) assert.equal(results.get(id)!.id, id);
    const answered = [...a.answered, ...b.answered, ...c.answered];
    assert.equal(answered.length, ids.length, 'each item answered exactly once across replicas');
    assert.equal(new Set(answered).size, ids.length);
    assert.equal(b.answered.length, 3);
    const asks = [...a.asked, ...b.asked, ...c.asked];
    const count = (id: string) => asks.filter((x) => x === id).length;
    for (const id of b.answered) assert.equal(count(id), 1, `${id} was answered by b and never asked again`);
    assert.deepEqual(ids.filter((id) => count(id) > 1).sort(), [...heldAtKill].sort(), 'only the requests lost with b were asked again');
    for (const id of heldAtKill) assert.notEqual(results.get(id)!.by, 'b');
    assert.deepEqual(pool.healthy(), [a.base, c.base]);
    assert.deepEqual(pool.inFlight(), { [a.base]: 0, [b.base]: 0, [c.base]: 0 });
  });

  it('rethrows a 4xx at once without retrying or marking the replica', async () => {
    const [a, b] = await start('a', 'b');
    a.mode = 'fail400';
    b.mode = 'fail400';
    const pool = new ReplicaPool([a.base, b.base]);
    await assert.rejects(
      pool.run((base, sig) => ask(base, sig, 'x')),
      (e: { status?: number }) => e.status === 400,
    );
    assert.equal(a.asked.length + b.asked.length, 1);
    assert.deepEqual(pool.healthy(), [a.base, b.base]);
  });

  it('retries a 5xx elsewhere, sets the replica aside, readmits it after a passing health check', async () => {
    const [a, b] = await start('a', 'b');
    a.mode = 'fail500';
    const pool = new ReplicaPool([a.base, b.base], { unhealthyForMs: 60_000 });
    const r = await pool.run((base, sig) => ask(base, sig, 'x'));
    assert.equal(r.by, 'b');
    assert.deepEqual(a.asked, ['x']);
    assert.deepEqual(pool.healthy(), [b.base]);
    await pool.run((base, sig) => ask(base, sig, 'y'));
    assert.deepEqual(a.asked, ['x'], 'a set-aside replica gets no requests');

    a.healthStatus = 503;
    assert.deepEqual(await pool.checkHealth(), [b.base], 'a 503 from /health keeps it out');
    a.healthStatus = 200;
    a.mode = 'ok';
    assert.deepEqual(await pool.checkHealth(), [a.base, b.base]);
    assert.equal(a.healthProbes, 2);
  });

  it('skips a replica that times out', async () => {
    const [a, b] = await start('a', 'b');
    a.mode = 'hang';
    const pool = new ReplicaPool([a.base, b.base]);
    const r = await pool.run((base, sig) => ask(base, sig, 'x', 300));
    assert.equal(r.by, 'b');
    assert.deepEqual(a.asked, ['x']);
    assert.deepEqual(pool.healthy(), [b.base]);
  });

  it('when every replica is set aside, probes them and uses the first that answers', async () => {
    const [a, b] = await start('a', 'b');
    a.mode = 'fail500';
    b.mode = 'fail500';
    const pool = new ReplicaPool([a.base, b.base], { unhealthyForMs: 60_000 });
    await assert.rejects(
      pool.run((base, sig) => ask(base, sig, 'x')),
      (e: { status?: number }) => e.status === 500,
    );
    assert.equal(a.asked.length + b.asked.length, 2, 'each replica tried once');
    assert.deepEqual(pool.healthy(), []);

    a.healthStatus = 503;
    b.mode = 'ok';
    const r = await pool.run((base, sig) => ask(base, sig, 'y'));
    assert.equal(r.by, 'b');
    assert.deepEqual(a.asked, ['x']);
    assert.deepEqual(pool.healthy(), [b.base]);
  });

  it('a dead replica is left out; a restarted one comes back', async () => {
    const [a, b] = await start('a', 'b');
    const port = a.port;
    await a.kill();
    const pool = new ReplicaPool([a.base, b.base], { unhealthyForMs: 60_000 });
    assert.equal((await pool.run((base, sig) => ask(base, sig, 'x'))).by, 'b');
    assert.deepEqual(pool.healthy(), [b.base]);
    await a.start(port);
    assert.deepEqual(await pool.checkHealth(), [a.base, b.base]);
  });

  it('the caller cancelling is not a replica failure', async () => {
    const [a] = await start('a');
    a.mode = 'hold';
    const pool = new ReplicaPool([a.base]);
    const ctrl = new AbortController();
    const p = pool.run((base, sig) => ask(base, sig, 'x'), ctrl.signal);
    await until(() => a.heldCount === 1, 'the request to arrive');
    ctrl.abort();
    await assert.rejects(p);
    assert.deepEqual(pool.healthy(), [a.base]);
    assert.deepEqual(pool.inFlight(), { [a.base]: 0 });
    await assert.rejects(
      pool.run((base, sig) => ask(base, sig, 'y'), ctrl.signal),
      'an aborted signal is refused at once',
    );
    assert.equal(a.asked.length, 1);
  });

  it('stops after maxAttempts', async () => {
    const rs = await start('a', 'b', 'c');
    for (const r of rs) r.mode = 'fail500';
    const pool = new ReplicaPool(
      rs.map((r) => r.base),
      { maxAttempts: 2 },
    );
    await assert.rejects(
      pool.run((base, sig) => ask(base, sig, 'x')),
      (e: { status?: number }) => e.status === 500,
    );
    assert.equal(
      rs.reduce((n, r) => n + r.asked.length, 0),
      2,
    );
    assert.throws(() => new ReplicaPool([]), /at least one base URL/);
  });
});
