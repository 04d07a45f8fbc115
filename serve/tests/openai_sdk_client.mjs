// Talks to the companion server through the `openai` npm package (the product's own SDK) and prints
// what it saw as one JSON line. Usage: node openai_sdk_client.mjs BASE_URL IMAGE_DATA_URI
import OpenAI from 'openai';

const [baseURL, image] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'k', maxRetries: 0, timeout: 20_000 });
const content = [
  { type: 'text', text: 'The first image:' }, { type: 'image_url', image_url: { url: image } },
  { type: 'text', text: 'The second image:' }, { type: 'image_url', image_url: { url: image } },
  { type: 'text', text: 'Which image has better quality?' },
];
const out = {};
const whole = await client.chat.completions.create({ model: 'q-future/co-instruct', messages: [{ role: 'user', content }], temperature: 0, max_tokens: 64 });
out.whole = { text: whole.choices[0].message.content, finish: whole.choices[0].finish_reason, usage: whole.usage };
const stream = await client.chat.completions.create({ model: 'q-future/co-instruct', messages: [{ role: 'user', content }], stream: true, stream_options: { include_usage: true } });
out.deltas = [];
for await (const chunk of stream) {
  if (chunk.choices[0]?.delta?.content) out.deltas.push(chunk.choices[0].delta.content);
  if (chunk.choices[0]?.finish_reason) out.streamFinish = chunk.choices[0].finish_reason;
  if (chunk.usage) out.streamUsage = chunk.usage;
}
try {
  await client.chat.completions.create({ model: 'q-future/co-instruct', messages: [{ role: 'user', content: 'no image' }] });
} catch (e) {
  out.error = { status: e.status, code: e.code, message: e.message };
}
out.models = (await client.models.list()).data.map((m) => m.id);
console.log(JSON.stringify(out));
