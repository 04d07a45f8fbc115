/** The TextMate injection grammar: placeholders and ordinal prefixes inside JSON / JSONL string values. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const INJECTION = 'source.json.curator-markup';
// VS Code's own JSON grammars when code-server is installed (the e2e stage installs it), else a minimal one.
const VSCODE_JSON = path.join(ROOT, '.code-server', 'node_modules', 'code-server', 'lib', 'vscode', 'extensions', 'json', 'syntaxes');
const GRAMMARS: Record<string, string> = {
  [INJECTION]: path.join(ROOT, 'syntaxes', 'dataset-markup.tmLanguage.json'),
  'source.json': fs.existsSync(path.join(VSCODE_JSON, 'JSON.tmLanguage.json'))
    ? path.join(VSCODE_JSON, 'JSON.tmLanguage.json')
    : path.join(ROOT, 'test', 'fixtures', 'grammars', 'json-minimal.tmLanguage.json'),
  'source.json.lines': path.join(VSCODE_JSON, 'JSONL.tmLanguage.json'),
};

interface Token {
  text: string;
  scopes: string[];
}

describe('TextMate grammar: dataset markup in JSON strings', () => {
  let registry: vsctm.Registry;
  before(async () => {
    const wasm = fs.readFileSync(path.join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scope) => {
        const file = GRAMMARS[scope];
        if (!file || !fs.existsSync(file)) return null;
        return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
      },
      getInjections: (scope) => (scope === 'source.json' || scope === 'source.json.lines' ? [INJECTION] : undefined),
    });
  });

  async function tokens(line: string, scope = 'source.json'): Promise<Token[]> {
    const grammar = await registry.loadGrammar(scope);
    assert.ok(grammar, `grammar ${scope}`);
    const r = grammar.tokenizeLine(line, vsctm.INITIAL);
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  }
  const scopesOf = (toks: Token[], text: string): string[] => {
    const t = toks.find((x) => x.text === text);
    assert.ok(t, `no token "${text}" in ${JSON.stringify(toks.map((x) => x.text))}`);
    return t.scopes;
  };

  it('declares an injection into JSON string values for VS Code', () => {
    const g = JSON.parse(fs.readFileSync(GRAMMARS[INJECTION], 'utf8'));
    assert.equal(g.scopeName, INJECTION);
    assert.equal(g.injectionSelector, 'L:string.quoted.double.json');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const entry = (pkg.contributes?.grammars ?? []).find((x: { scopeName: string }) => x.scopeName === INJECTION);
    assert.ok(entry, 'package.json contributes the grammar');
    assert.deepEqual(entry.injectTo, ['source.json', 'source.json.lines']);
    assert.ok(fs.existsSync(path.join(ROOT, entry.path)));
  });

  it('highlights <image>, <|image|> and ordinal prefixes, also after a \\n escape', async () => {
    const line = '{"value": "The first image: <image>\\nThe second image: <|image|>\\nWhich image is better?"}';
    const toks = await tokens(line);
    const prefixes = toks
      .filter((t) => t.scopes.includes('keyword.other.ordinal-prefix.curator'))
      .map((t) => t.text)
      .join('');
    assert.equal(prefixes, 'The first image:The second image:');
    assert.ok(scopesOf(toks, 'first').includes('constant.language.ordinal.curator'));
    assert.ok(scopesOf(toks, 'second').includes('constant.language.ordinal.curator'));
    const angle = toks
      .filter((t) => t.scopes.includes('variable.language.placeholder.image.angle.curator'))
      .map((t) => t.text)
      .join('');
    const pipe = toks
      .filter((t) => t.scopes.includes('variable.language.placeholder.image.pipe.curator'))
      .map((t) => t.text)
      .join('');
    assert.equal(angle, '<image>');
    assert.equal(pipe, '<|image|>');
    // Every highlighted token still sits inside the JSON string.
    for (const t of toks.filter((x) => x.scopes.some((s) => s.endsWith('.curator')))) assert.ok(t.scopes.includes('string.quoted.double.json'), t.text);
    // The escape keeps its own scope.
    assert.ok(toks.some((t) => t.text === '\\n' && t.scopes.includes('constant.character.escape.json')));
  });

  it('highlights "The image:" and "The input image:" but not words that merely end in "the"', async () => {
    const toks = await tokens('["The image: <image> What about it?", "bathe first image: no", "The input image: x"]');
    const prefixes = toks
      .filter((t) => t.scopes.includes('keyword.other.ordinal-prefix.curator'))
      .map((t) => t.text)
      .join('');
    assert.equal(prefixes, 'The image:The input image:');
  });

  it('leaves property names and text outside strings alone', async () => {
    const toks = await tokens('{"<image>": "no markup here", "The first image:": 1}');
    assert.ok(
      toks.every((t) => !t.scopes.some((s) => s.endsWith('.curator'))),
      JSON.stringify(toks),
    );
  });

  it('works in JSON Lines files too', async () => {
    // VS Code's own JSONL grammar ships with code-server, which npm test installs before this stage.
    assert.ok(
      fs.existsSync(GRAMMARS['source.json.lines']),
      `VS Code's JSONL grammar not found at ${GRAMMARS['source.json.lines']}: run scripts/install-code-server.sh`,
    );
    const toks = await tokens(
      '{"id": 1, "conversations": [{"from": "human", "value": "The first image: <image>\\nThe second image: <image>"}]}',
      'source.json.lines',
    );
    assert.equal(
      toks
        .filter((t) => t.scopes.includes('variable.language.placeholder.image.angle.curator'))
        .map((t) => t.text)
        .join(''),
      '<image><image>',
    );
    assert.ok(scopesOf(toks, 'second').includes('constant.language.ordinal.curator'));
  });
});
