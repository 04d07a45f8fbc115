import * as assert from 'node:assert/strict';
import { escapeHtml } from '../../src/core/htmlEscape';

describe('escapeHtml', () => {
  it('turns markup and quote characters into entities, once, and leaves other text alone', () => {
    assert.equal(escapeHtml(`<img src="x" onerror='a&b'>`), '&lt;img src=&quot;x&quot; onerror=&#39;a&amp;b&#39;&gt;');
    assert.equal(escapeHtml('&amp;'), '&amp;amp;', 'an entity in data is data');
    assert.equal(escapeHtml('96.0 % [92.8, 97.8] — ok'), '96.0 % [92.8, 97.8] — ok');
  });
});
