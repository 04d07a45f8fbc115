/**
 * A local OpenAI-compatible server in its own process for the endpoint bench, so the client under
 * test does not share an event loop with it. Prints its base URL on the first line of stdout.
 * Usage: node endpointBenchServer.js DELAY_MS
 */
import { OpenAITestServer } from '../support/openaiTestServer';

async function main(): Promise<void> {
  const delayMs = Number(process.argv[2] ?? 0);
  const server = await OpenAITestServer.start({ skipChecks: true, answer: () => 'The first image has better quality because it is sharper.' });
  server.defaultBehaviour = { kind: 'answer', delayMs: delayMs || undefined };
  process.stdout.write(`${server.url}\n`);
  process.on('message', (m) => {
    if (m === 'stats' && process.send) process.send({ maxInFlight: server.maxInFlight, requests: server.requests.length });
    if (m === 'reset') {
      server.maxInFlight = 0;
      server.requests.length = 0;
    }
  });
  process.on('disconnect', () => {
    void server.close().then(() => process.exit(0));
  });
}

void main();
