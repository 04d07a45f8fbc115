/** Minimal, strict argument parsing for cocurate commands: flags with values, booleans, positionals. */

/** A wrong command line (exit 2 with the usage). Known by its name: each command is bundled apart from main.ts (scripts/build.mjs). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const isUsageError = (e: unknown): boolean => e instanceof Error && e.name === 'UsageError';

export interface FlagSpec {
  /** Flags that take a value (--size 250 or --size=250). */
  values?: string[];
  /** Flags without a value. */
  booleans?: string[];
  /** Flags that may repeat (collected into arrays). */
  repeatable?: string[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
  lists: Map<string, string[]>;
  str(name: string): string | undefined;
  bool(name: string): boolean;
  num(name: string, dflt?: number): number | undefined;
  list(name: string): string[];
}

export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const booleans = new Set([...(spec.booleans ?? []), 'json', 'help']);
  const repeatable = new Set(spec.repeatable ?? []);
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '-') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (booleans.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (values.has(name) || repeatable.has(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      if (repeatable.has(name)) lists.set(name, [...(lists.get(name) ?? []), v]);
      else flags.set(name, v);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return {
    positionals,
    flags,
    lists,
    str: (n) => {
      const v = flags.get(n);
      return typeof v === 'string' ? v : undefined;
    },
    bool: (n) => flags.get(n) === true,
    num: (n, dflt) => {
      const v = flags.get(n);
      if (typeof v !== 'string') return dflt;
      const x = Number(v);
      if (!Number.isFinite(x)) throw new UsageError(`--${n} must be a number, got "${v}"`);
      return x;
    },
    list: (n) => lists.get(n) ?? [],
  };
}
