/**
 * A local OpenAI-compatible Chat Completions server for tests (real HTTP on 127.0.0.1, real SSE).
 * It checks each request's shape — one user message whose parts interleave ordinal texts and data-URI
 * images, images that decode to the expected size — and answers as scripted: normally, slowly,
 * 429 with Retry-After, 500, malformed JSON, a dropped connection, or not at all.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export type Behaviour =
  | { kind: 'answer'; text?: string; delayMs?: number; chunkDelayMs?: number }
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'malformed' }
  | { kind: 'drop' }
  | { kind: 'hang' }
  /** Held until the test calls `release()`, then answered. */
  | { kind: 'gated'; text?: string };

/** The request body as the server reads it (loosely typed: it is checked, not trusted). */
export interface ChatBody {
  model?: unknown;
  stream?: unknown;
  temperature?: unknown;
  max_tokens?: unknown;
  messages?: { role?: unknown; content?: unknown }[];
  [k: string]: unknown;
}

interface Part {
  type?: unknown;
  text?: unknown;
  image_url?: { url?: unknown };
}

export interface DecodedImage {
  width: number;
  height: number;
  format: string;
  bytes: Buffer;
}

export interface RecordedRequest {
  n: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  body: ChatBody | undefined;
  stream: boolean;
  /** Text parts in order, and "<image>" where an image part stood. */
  parts: string[];
  images: DecodedImage[];
  /** The last text part (the question). */
  question: string;
  /** Shape problems found; tests assert this is empty. */
  problems: string[];
  /** True once the response has been completely written, or the connection ended. */
  finished: boolean;
  aborted: boolean;
}

export interface TestServerOptions {
  /** Expected width and height of every image (e.g. 448 for square mode). */
  expectImageSize?: number;
  /** Chooses the answer text for a request (default: "The first image has better quality."). */
  answer?: (req: RecordedRequest) => string;
  /** Bearer key the server requires (401 otherwise). */
  requireKey?: string;
  /** Repeat the request's Authorization header in error bodies, as some servers and proxies do. */
  echoAuthorization?: boolean;
  /** Skip decoding images and checking the request (benchmarks: a zero-cost server). */
  skipChecks?: boolean;
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth'];

export class OpenAITestServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: Behaviour[] = [];
  defaultBehaviour: Behaviour = { kind: 'answer' };
  inFlight = 0;
  maxInFlight = 0;
  /** In-flight counts seen each time a request arrived. */
  readonly inFlightOnArrival: number[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly gates: (() => void)[] = [];
  private releases = 0;

  /** Lets `n` gated requests answer (in arrival order; releases given early are kept). */
  release(n = 1): void {
    this.releases += n;
    while (this.releases > 0 && this.gates.length > 0) {
      this.releases--;
      this.gates.shift()!();
    }
  }

  private constructor(
    private readonly server: http.Server,
    readonly opts: TestServerOptions,
  ) {}

  static async start(opts: TestServerOptions = {}): Promise<OpenAITestServer> {
    const holder: { self?: OpenAITestServer } = {};
    const server = http.createServer((req, res) => {
      void holder.self!.handle(req, res);
    });
    const self = new OpenAITestServer(server, opts);
    holder.self = self;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
  /** Base URL to give the client ("…/v1"). */
  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Behaviours for the next requests, in order; afterwards `defaultBehaviour`. */
  script(...b: Behaviour[]): this {
    this.queue.push(...b);
    return this;
  }

  /** Resolves once `n` requests have arrived in total. */
  waitForRequests(n: number): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.requests.length >= n) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The echoed header for an error message ("" unless echoAuthorization). */
  private echo(req: http.IncomingMessage): string {
    return this.opts.echoAuthorization ? `; request headers: Authorization: ${req.headers.authorization ?? '(none)'}, url ${req.url}` : '';
  }

  private async checkShape(r: RecordedRequest): Promise<void> {
    const b = r.body;
    const p = r.problems;
    if (typeof b?.model !== 'string' || !b.model) p.push('model missing');
    if (!Array.isArray(b?.messages) || b.messages.length !== 1) {
      p.push('expected exactly one message');
      return;
    }
    const m = b.messages[0];
    if (m.role !== 'user') p.push(`message role is ${m.role}`);
    if (!Array.isArray(m.content)) {
      p.push('content is not a list of parts');
      return;
    }
    const content = m.content as Part[];
    const imageParts = content.filter((c) => c?.type === 'image_url');
    const n = imageParts.length;
    for (const c of content) {
      if (c?.type === 'text') r.parts.push(String(c.text));
      else if (c?.type === 'image_url') {
        r.parts.push('<image>');
        const url = String(c.image_url?.url ?? '');
        const mm = /^data:(image\/[a-z+.-]+);base64,([A-Za-z0-9+/=]+)$/.exec(url);
        if (!mm) {
          p.push(`image part is not a base64 data URI: ${url.slice(0, 40)}`);
          continue;
        }
        const bytes = Buffer.from(mm[2], 'base64');
        try {
          const meta = await sharp(bytes).metadata();
          r.images.push({ width: meta.width ?? 0, height: meta.height ?? 0, format: meta.format ?? '?', bytes });
          const s = this.opts.expectImageSize;
          if (s !== undefined && (meta.width !== s || meta.height !== s)) p.push(`image is ${meta.width}x${meta.height}, expected ${s}x${s}`);
        } catch (e) {
          p.push(`image does not decode: ${(e as Error).message}`);
        }
      } else p.push(`unknown part type ${c?.type}`);
    }
    // Expected: [ordinal, <image>]×n, question.
    for (let i = 0; i < n; i++) {
      const want = n === 1 ? 'The image:' : `The ${ORDINALS[i]} image:`;
      if (r.parts[2 * i] !== want) p.push(`part ${2 * i} is "${r.parts[2 * i]}", expected "${want}"`);
      if (r.parts[2 * i + 1] !== '<image>') p.push(`part ${2 * i + 1} should be an image`);
    }
    if (r.parts.length !== 2 * n + 1) p.push(`expected ${2 * n + 1} parts, got ${r.parts.length}`);
    r.question = r.parts[r.parts.length - 1] ?? '';
    if (r.question === '<image>' || !r.question.trim()) p.push('the last part should be the question');
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'test-model', object: 'model' }] }));
      return;
    }
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: ChatBody | undefined;
    try {
      body = JSON.parse(rawBody) as ChatBody;
    } catch {
      body = undefined;
    }
    const r: RecordedRequest = {
      n: this.requests.length,
      path: req.url ?? '',
      headers: req.headers,
      rawBody,
      body,
      stream: body?.stream === true,
      parts: [],
      images: [],
      question: '',
      problems: [],
      finished: false,
      aborted: false,
    };
    if (!req.url?.endsWith('/chat/completions') || req.method !== 'POST') r.problems.push(`unexpected ${req.method} ${req.url}`);
    this.inFlightOnArrival.push(this.inFlight);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.requests.push(r);
    for (const w of this.waiters.splice(0)) w();
    let ended = false;
    const end = () => {
      if (!ended) {
        ended = true;
        this.inFlight--;
        r.finished = true;
      }
    };
    res.on('close', () => {
      if (!res.writableFinished) r.aborted = true;
      end();
    });
    if (!this.opts.skipChecks) await this.checkShape(r);
    if (this.opts.requireKey !== undefined && req.headers.authorization !== `Bearer ${this.opts.requireKey}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `bad key${this.echo(req)}`, type: 'auth' } }));
      return;
    }
    const b = this.queue.shift() ?? this.defaultBehaviour;
    const text =
      (b.kind === 'answer' || b.kind === 'gated') && b.text !== undefined ? b.text : (this.opts.answer?.(r) ?? 'The first image has better quality.');
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    switch (b.kind) {
      case 'hang':
        return;
      case 'gated':
        await new Promise<void>((resolve) => {
          this.gates.push(resolve);
          this.release(0);
        });
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id: `chatcmpl-${r.n}`,
            object: 'chat.completion',
            created: 0,
            model: body?.model,
            choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          }),
        );
        return;
      case 'status': {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (b.retryAfter !== undefined) headers['retry-after'] = b.retryAfter;
        res.writeHead(b.status, headers).end(b.body ?? JSON.stringify({ error: { message: `scripted ${b.status}${this.echo(req)}`, type: 'test' } }));
        return;
      }
      case 'malformed':
        if (r.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end('data: {"id": "x", "choices": [ {"delta": {"content": "Th\n\n');
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "x", "choices": [ {"message": ');
        }
        return;
      case 'drop':
        res.writeHead(200, { 'content-type': r.stream ? 'text/event-stream' : 'application/json' });
        if (r.stream) res.write(`data: ${JSON.stringify(this.chunk(body, 'The fi', null))}\n\n`);
        else res.write('{"id": "x", "choices"');
        await sleep(20);
        req.socket.destroy();
        return;
      case 'answer': {
        if (b.delayMs) await sleep(b.delayMs);
        if (res.destroyed) return;
        if (!r.stream) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              id: `chatcmpl-${r.n}`,
              object: 'chat.completion',
              created: Math.floor(Date.now() / 1000),
              model: body?.model,
              choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
              usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
            }),
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        const pieces = text.match(/[\s\S]{1,8}/g) ?? [''];
        res.write(`data: ${JSON.stringify(this.chunk(body, '', null, 'assistant'))}\n\n`);
        for (const piece of pieces) {
          if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
          if (res.destroyed) return;
          res.write(`data: ${JSON.stringify(this.chunk(body, piece, null))}\n\n`);
        }
        res.write(`data: ${JSON.stringify(this.chunk(body, undefined, 'stop'))}\n\n`);
        res.end('data: [DONE]\n\n');
        return;
      }
    }
  }

  private chunk(body: ChatBody | undefined, content: string | undefined, finish: string | null, role?: string) {
    const delta: Record<string, string> = {};
    if (role) delta.role = role;
    if (content !== undefined) delta.content = content;
    return {
      id: 'chatcmpl-test',
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: body?.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
  }
}
