/**
 * Issue #12 §2.8: the API key never reaches a message, log or file — not when a server echoes the
 * request's Authorization header in an error body (the real local OpenAI-compatible test server,
 * made to echo it), not when the key sits in the endpoint URL's query.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EndpointClient, EndpointError } from '../../../src/core/endpoint/client';
import { resolveProfile } from '../../../src/core/endpoint/profile';
import { redactSecrets, StreamRedactor } from '../../../src/core/endpoint/redact';
import { OpenAITestServer } from '../../support/openaiTestServer';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const demo = path.join(root, 'demo', 'coinstruct-demo.json');
const KEY = 'sk-hostile-0a1b2c3d4e5f6a7b-NEVER-PRINT';
const URL_KEY = 'urlkey-9f8e7d6c5b4a-NEVER-PRINT';

/** Runs the built CLI without blocking this process (the test server lives here). */
function cocurate(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'cocurate.js'), ...args], { env: { ...process.env, COCURATE_API_KEY: KEY, ...env } });
    let out = '',
      err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? allFiles(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

function assertClean(text: string, where: string): void {
  assert.ok(!text.includes(KEY), `${where} holds the API key:\n${text}`);
  assert.ok(!text.includes(URL_KEY), `${where} holds the URL key:\n${text}`);
  assert.ok(!/Bearer sk-/.test(text), `${where} holds a Bearer credential:\n${text}`);
}

describe('API key redaction (issue #12 §2.8)', function () {
  this.timeout(60_000);
  let server: OpenAITestServer | undefined;
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-redact-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    for (const f of allFiles(tmp)) assertClean(fs.readFileSync(f, 'latin1'), f);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('redactSecrets: known keys (also URL-encoded and JSON-escaped), Bearer, key-like query parameters, user:password, sk- tokens', () => {
    const k = 'k3y/with+odd"chars';
    const t = `a ${k} b ${encodeURIComponent(k)} c ${JSON.stringify(k)} Authorization: Bearer abc.def-ghi, http://u:p@h/x?api_key=zzz&x=1&token=qq sk-abcdefghijklmnopqrstu x-api-key: secretvalue`;
    const r = redactSecrets(t, [k]);
    for (const leak of [k, encodeURIComponent(k), 'abc.def-ghi', 'u:p@', 'zzz', '=qq', 'sk-abcdefghijklmnopqrstu', 'secretvalue'])
      assert.ok(!r.includes(leak), `${leak} in ${r}`);
    assert.match(r, /Bearer \[REDACTED\]/);
    assert.match(r, /api_key=\[REDACTED\]&x=1/);
    assert.equal(redactSecrets('plain text, nothing secret: the first image is sharper.'), 'plain text, nothing secret: the first image is sharper.');
    // Record text keeps "Bearer" words when only known keys are asked for.
    assert.equal(redactSecrets('Bearer of bad news', [], { patterns: false }), 'Bearer of bad news');
  });

  it('the client: an echoed Authorization header in a 401 body is not in the error', async () => {
    server = await OpenAITestServer.start({ requireKey: 'another-key', echoAuthorization: true });
    const client = new EndpointClient(
      resolveProfile({ baseURL: server.url, model: 'm', apiKeySource: 'env', maxRetries: 0, imagePreprocessing: 'original' }),
      KEY,
    );
    await assert.rejects(client.ask([{ type: 'text', text: 'hi' }]), (e: unknown) => {
      assert.ok(e instanceof EndpointError);
      assert.equal(e.status, 401);
      assert.match(e.message, /Authorization: Bearer \[REDACTED\]/);
      assertClean(e.message, 'the error');
      return true;
    });
  });

  it('the client: a key the server repeats in its answer never reaches a streamed delta, split across chunks or not', async () => {
    // The test server streams 8-character pieces, so the 40-character key arrives in six chunks.
    const echo = await OpenAITestServer.start({ answer: () => `Your key is ${KEY}; again:${KEY}. Done.` });
    server = echo;
    for (const stream of [true, false]) {
      const client = new EndpointClient(
        resolveProfile({ baseURL: echo.url, model: 'm', apiKeySource: 'env', maxRetries: 0, imagePreprocessing: 'original', stream }),
        KEY,
      );
      const deltas: string[] = [];
      const r = await client.ask([{ type: 'text', text: 'hi' }], { onDelta: (d) => deltas.push(d) });
      if (stream) assert.ok(deltas.length > 2, `streamed in pieces: ${deltas.length}`);
      for (const d of deltas) assertClean(d, 'a delta');
      assert.equal(deltas.join(''), r.text, 'the deltas add up to the answer');
      assert.equal(r.text, 'Your key is [REDACTED]; again:[REDACTED]. Done.');
    }
  });

  it('streamRedactor: holds back only a tail that could still become a key', () => {
    const r = new StreamRedactor([KEY]);
    let out = '';
    const text = `a${KEY}b ${KEY.slice(0, 10)}x and sk-hostile`;
    for (const ch of text) out += r.push(ch);
    assert.ok(out.endsWith(' and '), `everything but the possible key start is out: ${out}`);
    out += r.flush();
    assert.equal(out, `a[REDACTED]b ${KEY.slice(0, 10)}x and sk-hostile`);
  });

  it('ask FILE ID: stderr of a 401 and of a retried 500 hold no key', async () => {
    server = await OpenAITestServer.start({ requireKey: 'another-key', echoAuthorization: true });
    const endpoint = ['--endpoint', server.url, '--model', 'm', '--curation', path.join(tmp, '.curator'), '--retries', '0'];
    const r = await cocurate(['ask', demo, 'demo-group2-005', ...endpoint]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /HTTP 401/);
    assert.match(r.err, /Bearer \[REDACTED\]/);
    assertClean(r.err + r.out, 'ask output');
    await server.close();
    server = await OpenAITestServer.start({ echoAuthorization: true });
    server.script({ kind: 'status', status: 500 });
    const retried = await cocurate([
      'ask',
      demo,
      'demo-group2-005',
      '--endpoint',
      server.url,
      '--model',
      'm',
      '--curation',
      path.join(tmp, '.curator'),
      '--retries',
      '1',
      '--no-stream',
    ]);
    assert.equal(retried.code, 0, retried.err);
    assert.match(retried.err, /HTTP 500 .*retry 1/);
    assertClean(retried.err + retried.out, 'ask output');
  });

  it('ask PLAN_DIR: stdout, stderr and agreement-<name>.json hold no key', async () => {
    const curation = path.join(tmp, '.curator');
    const s = spawnSync(
      process.execPath,
      [path.join(root, 'bin', 'cocurate.js'), 'sample', demo, '--size', '4', '--seed', '1', '--name', 'p', '--out', curation],
      { encoding: 'utf8' },
    );
    assert.equal(s.status, 0, s.stderr);
    server = await OpenAITestServer.start({ requireKey: 'another-key', echoAuthorization: true });
    const r = await cocurate([
      'ask',
      path.join(curation, 'spotchecks', 'p'),
      '--endpoint',
      server.url,
      '--model',
      'm',
      '--curation',
      curation,
      '--retries',
      '0',
    ]);
    assert.equal(r.code, 1, r.err);
    assertClean(r.out + r.err, 'ask PLAN_DIR output');
    assert.match(r.out, /failed .*HTTP 401/);
    const file = path.join(curation, 'spotchecks', 'p', 'agreement-m.json');
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { failures: { error: string }[] };
    assert.equal(saved.failures.length, 4);
    for (const f of saved.failures) assert.match(f.error, /Bearer \[REDACTED\]/);
  });

  it('a key in the endpoint URL query (?api_key=) is not printed', async () => {
    const r = await cocurate([
      'ask',
      demo,
      'demo-group2-005',
      '--endpoint',
      `http://127.0.0.1:9/v1?api_key=${URL_KEY}`,
      '--model',
      'm',
      '--curation',
      path.join(tmp, '.curator'),
      '--retries',
      '0',
    ]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /api_key=\[REDACTED\]/);
    assertClean(r.err + r.out, 'ask output');
  });
});
