/**
 * The item key rule (ARCHITECTURE.md, "Items and formats"): an item's key is its record's id (the
 * `id` field, or the mapped id field) when present and unique in the file, else `#<index>`. Plans
 * and journals name items by key; `Dataset.keyFor` and the language server both apply this rule.
 */

/** The key of record `index` whose id is `id` (undefined: none), `unique` when no other record has it. */
export function itemKey(index: number, id: string | undefined, unique: boolean): string {
  return id !== undefined && unique ? id : `#${index}`;
}

/** The record index a `#<index>` key names, or undefined for an id key. */
export function indexOfKey(key: string): number | undefined {
  const m = /^#(\d+)$/.exec(key);
  return m ? Number(m[1]) : undefined;
}
