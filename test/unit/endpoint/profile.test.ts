import { strict as assert } from 'node:assert';
import { cacheKey, keyPartsFor, publicEndpoint } from '../../../src/core/endpoint/answerCache';
import { apiKeyFromEnv, resolveProfile, slugify } from '../../../src/core/endpoint/profile';
import { buildContent, mcqQuestion, promptText } from '../../../src/core/endpoint/prompt';

describe('endpoint profiles, prompts and cache keys', () => {
  it('fills defaults, normalises URLs and names the cache file', () => {
    const p = resolveProfile({ baseURL: 'http://127.0.0.1:8000/v1/', model: 'q-future/co-instruct' });
    assert.deepEqual(p.baseURLs, ['http://127.0.0.1:8000/v1']);
    assert.equal(p.slug, 'q-future-co-instruct');
    assert.equal(p.imagePreprocessing, 'square');
    assert.equal(p.imageSize, 448);
    assert.equal(p.temperature, 0);
    assert.deepEqual(resolveProfile({ baseURL: 'http://a:1/v1, http://b:2/v1', model: 'm' }).baseURLs, ['http://a:1/v1', 'http://b:2/v1']);
    assert.throws(() => resolveProfile({ baseURL: 'ftp://x', model: 'm' }), /http or https/);
    assert.throws(() => resolveProfile({ baseURL: 'http://user:secret@x/v1', model: 'm' }), /credentials/);
    assert.throws(() => resolveProfile({ baseURL: 'http://x/v1', model: '' }), /model/);
    assert.throws(() => resolveProfile({ baseURL: 'http://x/v1', model: 'm', concurrency: 0 }), /concurrency/);
    assert.equal(slugify('../../etc'), 'etc');
  });

  it('reads the key only from the environment variable the profile names', () => {
    const p = resolveProfile({ baseURL: 'http://x/v1', model: 'm' });
    assert.equal(apiKeyFromEnv(p, { COCURATE_API_KEY: ' sk-1 ' }), 'sk-1');
    assert.equal(apiKeyFromEnv(p, {}), undefined);
    assert.equal(apiKeyFromEnv(resolveProfile({ baseURL: 'http://x/v1', model: 'm', apiKeySource: 'none' }), { COCURATE_API_KEY: 'k' }), undefined);
  });

  it('builds the interleaved parts and the Co-Instruct prompt text', () => {
    assert.deepEqual(
      buildContent('Q?', ['u1', 'u2']).map((p) => (p.type === 'text' ? p.text : '<img>')),
      ['The first image:', '<img>', 'The second image:', '<img>', 'Q?'],
    );
    assert.equal(promptText('Which is better?', 2), 'The first image: <|image|>\nThe second image: <|image|>Which is better?');
    assert.equal(promptText('How is it?', 1), 'The image: <|image|>How is it?');
    assert.equal(mcqQuestion('Is it blurry?', ['Yes', 'No']), "Is it blurry?\nA. Yes\nB. No\nAnswer with the option's letter from the given choices directly.");
  });

  it('cache keys change with endpoint, model, parameters, prompt and images', () => {
    const p = resolveProfile({ baseURL: 'http://x/v1', model: 'm' });
    const k = cacheKey(keyPartsFor(p, 'prompt', ['h1', 'h2']));
    assert.equal(k, cacheKey(keyPartsFor(resolveProfile({ baseURL: 'http://x/v1/', model: 'm', name: 'other name' }), 'prompt', ['h1', 'h2'])));
    for (const other of [
      keyPartsFor(resolveProfile({ baseURL: 'http://y/v1', model: 'm' }), 'prompt', ['h1', 'h2']),
      keyPartsFor(resolveProfile({ baseURL: 'http://x/v1', model: 'm2' }), 'prompt', ['h1', 'h2']),
      keyPartsFor(resolveProfile({ baseURL: 'http://x/v1', model: 'm', maxTokens: 9 }), 'prompt', ['h1', 'h2']),
      keyPartsFor(resolveProfile({ baseURL: 'http://x/v1', model: 'm', imagePreprocessing: 'original' }), 'prompt', ['h1', 'h2']),
      keyPartsFor(p, 'prompt!', ['h1', 'h2']),
      keyPartsFor(p, 'prompt', ['h2', 'h1']),
    ])
      assert.notEqual(cacheKey(other), k);
    assert.equal(publicEndpoint('https://h.example/v1?api-key=sk-123#x'), 'https://h.example/v1');
  });
});
