/**
 * Endpoint bench (npm run bench -- endpoint, or node out/test/bench/endpointBench.js): prints
 *  - client overhead per request: EndpointClient.ask (openai@6, streaming, two 448 px images) against
 *    a zero-latency local server, minus a bare fetch of the same request to the same server;
 *  - image preparation time (EXIF rotate, pad, resize 448, JPEG) per image;
 *  - throughput against a server answering after 200 ms at concurrency 1, 4 and 16.
 * Figures, not assertions. BENCH_ENDPOINT_REQUESTS=N changes the overhead sample (default 300).
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runBatch } from '../../src/core/endpoint/batch';
import { EndpointClient } from '../../src/core/endpoint/client';
import { encodeImageBytes } from '../../src/core/endpoint/imageEncoding';
import { resolveProfile } from '../../src/core/endpoint/profile';
import { buildContent, type ContentPart } from '../../src/core/endpoint/prompt';

/** Starts the bench server in its own process; resolves its URL. */
function startServer(
  delayMs: number,
): Promise<{ url: string; child: ChildProcess; stats: () => Promise<{ maxInFlight: number; requests: number }>; reset: () => void }> {
  const child = fork(path.join(__dirname, 'endpointBenchServer.js'), [String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        resolve({
          url: buf.slice(0, nl).trim(),
          child,
          stats: () =>
            new Promise((res) => {
              child.once('message', (m) => res(m as { maxInFlight: number; requests: number }));
              child.send('stats');
            }),
          reset: () => child.send('reset'),
        });
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

const N = Number(process.env.BENCH_ENDPOINT_REQUESTS ?? 300);
const DEMO = path.resolve(__dirname, '../../../demo/images');

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

async function main(): Promise<void> {
  const files = fs
    .readdirSync(DEMO)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, 2)
    .map((f) => fs.readFileSync(path.join(DEMO, f)));
  // Image preparation.
  const encMs: number[] = [];
  for (let k = 0; k < 40; k++) {
    const t = performance.now();
    await encodeImageBytes(files[k % 2], { mode: 'square' });
    encMs.push(performance.now() - t);
  }
  const images = await Promise.all(files.map((b) => encodeImageBytes(b, { mode: 'square' })));
  const content = (i: number): ContentPart[] =>
    buildContent(
      `Which image has better quality? (${i})`,
      images.map((x) => x.dataUri),
    );

  // Overhead against a zero-latency server.
  const server = await startServer(0);
  const profile = resolveProfile({ baseURL: server.url, model: 'bench', maxRetries: 0 });
  const client = new EndpointClient(profile, 'sk-bench');
  const rawBody = (i: number) =>
    JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: content(i) }], temperature: 0, max_tokens: 512, stream: true });
  const raw = async (i: number) => {
    const res = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
      body: rawBody(i),
    });
    await res.text();
  };
  for (let i = 0; i < 30; i++) {
    await raw(i);
    await client.ask(content(i));
  } // warm-up
  const rawMs: number[] = [],
    clientMs: number[] = [];
  for (let i = 0; i < N; i++) {
    let t = performance.now();
    await raw(i);
    rawMs.push(performance.now() - t);
    t = performance.now();
    await client.ask(content(i));
    clientMs.push(performance.now() - t);
  }
  server.child.disconnect();
  const payloadKB = Buffer.byteLength(rawBody(0)) / 1024;

  // Throughput at 200 ms latency.
  const slow = await startServer(200);
  const slowClient = new EndpointClient(resolveProfile({ baseURL: slow.url, model: 'bench', maxRetries: 0 }), undefined);
  const rows: { c: number; n: number; sec: number; rps: number; maxInFlight: number }[] = [];
  for (const [c, n] of [
    [1, 20],
    [4, 64],
    [16, 192],
  ] as const) {
    slow.reset();
    const t = performance.now();
    const r = await runBatch(
      Array.from({ length: n }, (_, i) => i),
      (i, _k, signal) => slowClient.ask(content(1000 * c + i), { signal }),
      { concurrency: c },
    );
    const sec = (performance.now() - t) / 1000;
    if (r.failed) console.log(`  (${r.failed} failed at concurrency ${c})`);
    rows.push({ c, n, sec, rps: n / sec, maxInFlight: (await slow.stats()).maxInFlight });
  }
  // The same at concurrency 16 with a tiny payload (one 32 px image): separates the client's
  // scheduling from the cost of moving 150 KiB per request on this machine.
  const tiny = await encodeImageBytes(files[0], { mode: 'square', size: 32 });
  slow.reset();
  const t16 = performance.now();
  await runBatch(
    Array.from({ length: 192 }, (_, i) => i),
    (i, _k, signal) => slowClient.ask(buildContent(`tiny ${i}`, [tiny.dataUri]), { signal }),
    { concurrency: 16 },
  );
  const tinySec = (performance.now() - t16) / 1000;
  slow.child.disconnect();

  const base = rows[0].rps;
  console.log('endpoint client');
  console.log(`  request payload (two 448 px JPEG data URIs + text): ${payloadKB.toFixed(0)} KiB`);
  console.log(`  image preparation (rotate, pad, resize 448, JPEG q95): median ${median(encMs).toFixed(1)} ms per image`);
  console.log(`  zero-latency server, ${N} streamed requests one at a time:`);
  console.log(`    bare fetch          median ${median(rawMs).toFixed(2)} ms  mean ${mean(rawMs).toFixed(2)} ms`);
  console.log(`    EndpointClient.ask  median ${median(clientMs).toFixed(2)} ms  mean ${mean(clientMs).toFixed(2)} ms`);
  console.log(
    `    client overhead     median ${(median(clientMs) - median(rawMs)).toFixed(2)} ms per request (${(((median(clientMs) - median(rawMs)) / 200) * 100).toFixed(1)} % of a 200 ms model answer)`,
  );
  console.log('  server answering after 200 ms:');
  for (const r of rows) {
    console.log(
      `    concurrency ${String(r.c).padStart(2)}: ${r.n} requests in ${r.sec.toFixed(2)} s = ${r.rps.toFixed(1)} req/s  (×${(r.rps / base).toFixed(2)}; ideal ×${r.c}; max in flight ${r.maxInFlight})`,
    );
  }
  console.log(
    `    concurrency 16, 32 px image: 192 requests in ${tinySec.toFixed(2)} s = ${(192 / tinySec).toFixed(1)} req/s (ideal ${(16 / 0.2).toFixed(0)} req/s)`,
  );
  console.log(`  (${os.cpus().length} CPU cores, load average ${os.loadavg()[0].toFixed(1)} while measuring)`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
