/**
 * Every registered format spec is complete: it detects a record of its own format, normalises it,
 * finds no fault in it, and reports each field it requires — missing or of the wrong type — naming
 * that field. A format added without a fixture here does not compile.
 */
import * as assert from 'node:assert/strict';
import { labelSpan } from '../../src/core/curate/labelSpan';
import { Dataset } from '../../src/core/dataset';
import { detectFormat, recordFormat } from '../../src/core/formats/detect';
import { imageList, normalize } from '../../src/core/formats/normalize';
import { FORMAT_SPECS, formatSpec } from '../../src/core/formats/registry';
import { FORMAT_IDS, type FormatId } from '../../src/core/item';
import { validateDataset, validateRecord } from '../../src/core/validate';

type Rec = Record<string, unknown>;

interface Fixture {
  /** A good record of the format. */
  record: Rec;
  images: string[];
  label: string;
  /** Fields of the record that may be left out; leaving out any other one is a fault naming it. */
  optional: string[];
  /** A field whose fault names another (the item field it feeds). */
  reportedAs?: Record<string, string>;
  /** Leaving out the image field is a no-images warning, not a missing field. */
  imagesOptional?: true;
  /** Where a correction replaces the label, and the value there; absent: the format's labels are not corrected in place. */
  labelAt?: [path: string, value: unknown];
}

const FIXTURES: Record<FormatId, Fixture> = {
  llava: {
    record: {
      id: 'l1',
      image: ['a.jpg', 'b.jpg'],
      conversations: [
        { from: 'human', value: 'The first image: <image>\nThe second image: <image>\nWhich image is sharper?' },
        { from: 'gpt', value: 'The second image is sharper.' },
      ],
    },
    images: ['a.jpg', 'b.jpg'],
    label: 'The second image is sharper.',
    optional: ['id'],
    imagesOptional: true,
    labelAt: ['conversations[1].value', 'The second image is sharper.'],
  },
  'qbench-a1': {
    record: { id: 'a1', img_path: 'a.jpg', question: 'How is the sharpness?', candidates: ['Good', 'Poor'], correct_ans: 'Good', type: 0, concern: 1 },
    images: ['a.jpg'],
    label: 'Good',
    optional: ['id', 'correct_ans', 'type', 'concern'],
    labelAt: ['correct_ans', 'Good'],
  },
  'qbench2-pair': {
    record: { id: 'p1', img_path: 'pairs/a_cat_b.jpg', question: 'Which is sharper?', candidates: ['The first', 'The second'], correct_ans: 'The second' },
    images: ['pairs/a_cat_b.jpg'],
    label: 'The second',
    optional: ['id', 'correct_ans'],
    labelAt: ['correct_ans', 'The second'],
  },
  'qbench-hf': {
    record: { id: 'h1', question: 'Is it blurry?', option0: 'Yes', option1: 'No', option2: 'N/A', option3: 'N/A', correct_choice: 'B', image: 'a.jpg' },
    images: ['a.jpg'],
    label: 'No',
    optional: ['id', 'option2', 'option3', 'correct_choice'],
  },
  mcq: {
    record: { id: 'm1', question: 'Which is noisier?', options: ['the first', 'the second'], answer: 'B', images: ['a.jpg', 'b.jpg'] },
    images: ['a.jpg', 'b.jpg'],
    label: 'the second',
    // A question without an answer is a test split; a record without a question is not checked (as before FormatSpec).
    optional: ['id', 'answer', 'question'],
    reportedAs: { options: 'candidates' },
    imagesOptional: true,
    labelAt: ['answer', 'B'],
  },
  iqa: { record: { id: 'i1', img_path: 'a.jpg', gt_score: 3.5 }, images: ['a.jpg'], label: '3.5', optional: ['id'] },
  descriptions: {
    record: { id: 'd1', image: 'a.jpg', description: 'A sharp photo of a cat.' },
    images: ['a.jpg'],
    label: 'A sharp photo of a cat.',
    optional: ['id'],
    labelAt: ['description', 'A sharp photo of a cat.'],
  },
  unknown: {
    record: { id: 'u1', image: 'a.jpg', label: 'fine' },
    images: ['a.jpg'],
    label: 'fine',
    optional: ['id', 'image', 'label'],
    labelAt: ['label', 'fine'],
  },
};

/** Formats that require nothing by name: MCQ reads mapped field names, an unknown record anything. */
const NOTHING_REQUIRED: FormatId[] = ['mcq', 'unknown'];

const ctx = { index: 0, line: 1, hash: '' };

/** Validates [good, broken] as a file of the format (as `--format` would) and returns the broken record's faults. */
function faultsOf(format: FormatId, good: Rec, broken: Rec): { code: string; field?: string; message: string }[] {
  // The broken copy gets an id of its own (a shared one would be a fault of its own).
  const copy = 'id' in broken ? { ...broken, id: `${String(broken.id)}-broken` } : broken;
  const ds = Dataset.fromText(JSON.stringify([good, copy], null, 1), 'spec.json', { format });
  try {
    return validateDataset(ds, { checkImages: false })
      .diagnostics.filter((d) => d.index === 1)
      .map((d) => ({ code: d.code, field: d.field, message: d.message }));
  } finally {
    ds.close();
  }
}

describe('format specs: every registered spec is complete', () => {
  it('the registry holds one spec per format name, each under its own id', () => {
    const ids = FORMAT_SPECS.map((s) => s.id);
    assert.deepEqual([...ids].sort(), [...FORMAT_IDS].sort());
    for (const id of FORMAT_IDS) assert.equal(formatSpec(id).id, id);
  });

  for (const spec of FORMAT_SPECS) {
    const fx = FIXTURES[spec.id];
    describe(spec.id, () => {
      it('detects its own record (unknown: detects nothing)', () => {
        assert.equal(recordFormat(fx.record), spec.id === 'unknown' ? undefined : spec.id);
        assert.equal(detectFormat([fx.record, fx.record]), spec.id);
        const ds = Dataset.fromText(JSON.stringify([fx.record]), 'spec.json');
        assert.equal(ds.format, spec.id);
        ds.close();
      });

      it('normalises it: images, label; fields it does not read stay in extra', () => {
        const item = normalize({ ...fx.record, curator_note: 'kept' }, spec.id, ctx);
        assert.equal(item.format, spec.id);
        assert.deepEqual(item.images, fx.images);
        assert.equal(item.label, fx.label);
        assert.equal(item.extra.curator_note, 'kept');
        // An unknown record keeps everything but its id in extra.
        if (spec.id !== 'unknown') for (const k of Object.keys(fx.record)) assert.ok(spec.knownFields.includes(k), `${spec.id} reads "${k}"`);
        const imgField = spec.imageField(fx.record);
        assert.ok(imgField, 'names the field holding the images');
        assert.deepEqual(imageList(fx.record[imgField]), fx.images, `images are in "${imgField}"`);
      });

      it('finds its label in the record text (or says why a correction cannot go there)', () => {
        const text = JSON.stringify(fx.record, null, 1);
        const span = labelSpan(text, spec.id);
        if (!fx.labelAt) return assert.equal(typeof span, 'string', JSON.stringify(span));
        assert.ok(typeof span !== 'string', String(span));
        assert.equal(span.path, fx.labelAt[0]);
        assert.deepEqual(JSON.parse(text.slice(span.offset, span.offset + span.length)), fx.labelAt[1]);
      });

      it('finds no fault in it', () => {
        assert.deepEqual(validateRecord(fx.record, normalize(fx.record, spec.id, ctx)), []);
      });

      it('reports each field it needs missing, or of the wrong type, naming the field', () => {
        if (!NOTHING_REQUIRED.includes(spec.id)) assert.ok(spec.required.length > 0, `${spec.id} requires fields`);
        for (const [field] of spec.required) assert.ok(field in fx.record && !fx.optional.includes(field), `the fixture has required "${field}"`);
        const imageField = spec.imageField(fx.record);
        for (const deleted of Object.keys(fx.record).filter((k) => !fx.optional.includes(k))) {
          const named = fx.reportedAs?.[deleted] ?? deleted;
          const broken = { ...fx.record };
          delete broken[deleted];
          const faults = faultsOf(spec.id, fx.record, broken);
          const fault = faults.find((f) => f.code === 'missing-field' && f.field === named);
          if (deleted === imageField && fx.imagesOptional)
            assert.ok(
              faults.some((f) => f.code === 'no-images'),
              `without "${deleted}": ${JSON.stringify(faults)}`,
            );
          else {
            assert.ok(fault, `without "${deleted}": ${JSON.stringify(faults)}`);
            assert.match(fault.message, new RegExp(`^record 1 \\(line \\d+\\), field ${named}: `));
          }
        }
        for (const deleted of fx.optional) {
          const broken = { ...fx.record };
          delete broken[deleted];
          assert.deepEqual(faultsOf(spec.id, fx.record, broken), [], `"${deleted}" may be left out`);
        }
        for (const [field] of spec.required) {
          const faults = faultsOf(spec.id, fx.record, { ...fx.record, [field]: { wrong: true } });
          const fault = faults.find((f) => f.code === 'wrong-type' && f.field === field);
          assert.ok(fault, `"${field}" as an object: ${JSON.stringify(faults)}`);
          assert.match(fault.message, new RegExp(`field ${field}: "${field}" is an object but must be`));
        }
      });
    });
  }
});
