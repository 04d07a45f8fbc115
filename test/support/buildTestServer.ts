/**
 * A small OpenAI-compatible HTTP server on 127.0.0.1 for the builder tests: /v1/chat/completions
 * (text and vision content parts) and /v1/embeddings. Answers come from handlers the test supplies;
 * every request body is recorded so tests can assert what was sent and how many calls were made.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string | { type: string; text?: string; image_url?: { url: string } }[] }[];
  temperature?: number;
  max_tokens?: number;
}

export type Reply = string | { status: number; body?: unknown };

export interface BuildTestServerOptions {
  chat?: (body: ChatRequestBody, n: number) => Reply | Promise<Reply>;
  embed?: (text: string) => number[];
}

export interface BuildTestServer {
  url: string;
  chatRequests: ChatRequestBody[];
  embeddingRequests: { model: string; input: string[] }[];
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startBuildTestServer(opts: BuildTestServerOptions = {}): Promise<BuildTestServer> {
  const chatRequests: ChatRequestBody[] = [];
  const embeddingRequests: { model: string; input: string[] }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        } catch {
          send(res, 400, { error: { message: 'bad json' } });
          return;
        }
        if (req.method === 'POST' && req.url === '/v1/chat/completions') {
          const b = body as unknown as ChatRequestBody;
          chatRequests.push(b);
          const reply = opts.chat ? await opts.chat(b, chatRequests.length) : 'The first image is better.';
          if (typeof reply !== 'string') {
            send(res, reply.status, reply.body ?? { error: { message: `status ${reply.status}` } });
            return;
          }
          send(res, 200, {
            id: `chatcmpl-${chatRequests.length}`,
            object: 'chat.completion',
            created: 0,
            model: b.model,
            choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          });
        } else if (req.method === 'POST' && req.url === '/v1/embeddings') {
          const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
          embeddingRequests.push({ model: String(body.model), input });
          const embed = opts.embed ?? ((t: string) => [t.length, 1, 0]);
          send(res, 200, {
            object: 'list',
            model: body.model,
            data: input.map((t, index) => ({ object: 'embedding', index, embedding: embed(t) })),
            usage: { prompt_tokens: 1, total_tokens: 1 },
          });
        } else {
          send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    chatRequests,
    embeddingRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
