/**
 * The command table (src/extension/commandIds.ts, registered from src/extension/commands.ts)
 * against package.json `contributes`: every contributed command is registered and every
 * registered non-internal command is contributed; keybindings and menus name only contributed
 * commands; review keys have keybindings with `when` clauses; titles come from package.nls.json.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTRIBUTED_COMMANDS, INTERNAL_COMMANDS, KEY_COMMANDS, LENS_COMMANDS } from '../../src/extension/commandIds';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    keybindings: { command: string; key: string; when?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
  };
};
const nls = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;

const contributed = pkg.contributes.commands.map((c) => c.command);
const table = new Set<string>([...CONTRIBUTED_COMMANDS, ...Object.keys(KEY_COMMANDS), ...LENS_COMMANDS, ...INTERNAL_COMMANDS]);
const paletteAndKeys = new Set<string>([...CONTRIBUTED_COMMANDS, ...Object.keys(KEY_COMMANDS)]);

describe('command table vs package.json contributes', () => {
  it('registers every contributed command, and contributes every registered one that is not internal or CodeLens-only', () => {
    assert.deepEqual(
      contributed.filter((c) => !table.has(c)),
      [],
      'contributed but not registered',
    );
    assert.deepEqual(
      [...paletteAndKeys].filter((c) => !contributed.includes(c)),
      [],
      'registered for the palette or keys but not contributed',
    );
    assert.equal(new Set(contributed).size, contributed.length, 'a command is contributed twice');
  });

  it('keeps test hooks and CodeLens commands out of contributes', () => {
    for (const id of [...INTERNAL_COMMANDS, ...LENS_COMMANDS.filter((c) => !CONTRIBUTED_COMMANDS.includes(c as never))]) {
      assert.ok(!contributed.includes(id), `${id} is contributed`);
    }
    for (const id of INTERNAL_COMMANDS) assert.match(id, /^curator\.internal\./);
  });

  it('binds keys only to registered commands, and every review/navigation key command has a keybinding with a when clause', () => {
    for (const k of pkg.contributes.keybindings) {
      assert.ok(table.has(k.command), `keybinding ${k.key} → ${k.command} is not registered`);
      assert.ok(k.when && k.when.trim(), `keybinding ${k.key} → ${k.command} has no when clause`);
    }
    for (const id of Object.keys(KEY_COMMANDS))
      assert.ok(
        pkg.contributes.keybindings.some((k) => k.command === id),
        `${id} has no keybinding`,
      );
  });

  it('lists only contributed commands in menus', () => {
    for (const [menu, items] of Object.entries(pkg.contributes.menus)) {
      for (const m of items) assert.ok(contributed.includes(m.command), `menu ${menu} names ${m.command}, which is not contributed`);
    }
  });

  it('gives every contributed command a localised title and the Curator category', () => {
    for (const c of pkg.contributes.commands) {
      const title = /^%(.+)%$/.exec(c.title)?.[1];
      assert.ok(title && nls[title], `${c.command}: title ${c.title} is not in package.nls.json`);
      assert.equal(c.category, '%category.curator%', `${c.command}: category`);
    }
  });
});
