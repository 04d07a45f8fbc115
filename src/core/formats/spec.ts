/**
 * What the curator knows about one dataset format, in one object (ARCHITECTURE.md, "Items and
 * formats"): how a record is recognised, how it becomes an `Item`, which fields it must have and
 * what else is checked, and where its images are. `registry.ts` lists every spec; detection,
 * normalisation and validation iterate it instead of switching on the format name.
 */
import type { Node } from 'jsonc-parser';
import type { FieldMapping, FormatId, Item } from '../item';
import type { FieldPath, RULES } from '../validate';

export type Rec = Record<string, unknown>;

/** JSON type a required field must have. */
export type FieldType = 'string' | 'array' | 'number' | 'string|array';

/** What a spec's `normalize` returns: the Item fields that depend on the record (makeItem adds the rest). */
export type ItemFields = Partial<Omit<Item, 'index' | 'line' | 'hash' | 'key' | 'images' | 'groupSize' | 'extra'>> &
  Pick<Item, 'images' | 'groupSize' | 'extra'>;

export interface NormalizeInput {
  mapping?: FieldMapping;
  /** The record's subset (its subset field, else the container's group name). */
  subset?: string;
  /** The record's fields the format does not read (`knownFields` and mapped fields removed); the spec may add to it. */
  extra: Record<string, unknown>;
}

/** Where a record's label sits in its JSON text (character offset and length of the value). */
export interface LabelSpan {
  offset: number;
  length: number;
  /** JSON path of the label, for messages: conversations[3].value. */
  path: string;
}

/** The name of a rule in validate.ts's `RULES`. */
export type RuleName = keyof typeof RULES;

/** Reports one problem in the record being checked: which rule, the problem in words, the field. */
export type ProblemSink = (rule: RuleName, detail: string, fieldPath?: FieldPath) => void;

export interface FormatSpec<F extends FormatId = FormatId> {
  readonly id: F;
  /**
   * Does this parsed object look like a record of this format? Specs are asked in registry order and
   * the first that says yes names the record's format; absent for `unknown`, which is never detected.
   */
  readonly matches?: (r: Rec, mapping?: FieldMapping) => boolean;
  /** Formats of the same family whose records count as this one in a file that has both (detect.ts). */
  readonly absorbs?: readonly FormatId[];
  /** Fields `normalize` reads: every other field goes to `Item.extra` untouched. */
  readonly knownFields: readonly string[];
  /** The record (a JSON object) as Item fields. */
  normalize(r: Rec, input: NormalizeInput): ItemFields;
  /** Fields a record must have, with their JSON types (missing-field, wrong-type). */
  readonly required: readonly (readonly [string, FieldType])[];
  /** The format's own checks, after the required fields (validate.ts runs the image checks for every format). */
  check?(r: Rec, item: Item, report: ProblemSink): void;
  /** The field that holds the record's images, for problems about them. */
  imageField(r: Rec): string | undefined;
  /** Is a record without images reported (no-images)? */
  readonly expectsImages: boolean;
  /**
   * Where the label sits in the record's JSON tree (an object), so a correction replaces exactly that
   * value (src/core/curate/labelSpan.ts); or why the label cannot be corrected in place.
   */
  labelAt(tree: Node, mapping?: FieldMapping): LabelSpan | string;
}
