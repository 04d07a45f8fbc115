/**
 * The words a quality label uses for the measurable attributes (ARCHITECTURE.md, "Image cues and label claims"):
 * each phrase names an attribute, a form (comparative, superlative, absolute, equative "as … as")
 * and a direction in the cue's own sense (+1 = more sharpness / noise / brightness / colour /
 * contrast / blocking / quality). "Blurrier" is sharpness −1; "cleaner" is noise −1.
 */

export type Attribute = 'sharpness' | 'noise' | 'exposure' | 'contrast' | 'colourfulness' | 'blockiness' | 'quality';
export const ATTRIBUTES: readonly Attribute[] = ['sharpness', 'noise', 'exposure', 'contrast', 'colourfulness', 'blockiness', 'quality'];

export type Form = 'cmp' | 'sup' | 'abs' | 'eq';

export interface Term {
  re: RegExp;
  attribute: Attribute;
  form: Form;
  dir: 1 | -1;
}

const C = 'colou?rs?';
const ADV =
  '(?:(?:very|quite|rather|slightly|somewhat|a\\s+bit|a\\s+little|much|far|significantly|noticeably|considerably|clearly|obviously|relatively|extremely|overly|too|severely|heavily|seriously|visibly|a\\s+lot)\\s+)*';

function t(src: string, attribute: Attribute, form: Form, dir: 1 | -1): Term {
  return { re: new RegExp(`\\b(?:${src})\\b`, 'gi'), attribute, form, dir };
}

/** "more X" / "less X" phrases share one pattern per attribute and direction. */
const MORE = `(?:more|greater|higher|stronger|heavier|richer)\\s+${ADV}`;
const LESS = `(?:less|fewer|lower|weaker|lighter|reduced)\\s+${ADV}`;

/** Aspect nouns of "better in terms of X" / "better X" / "the best X": attribute and which way "better" points. */
export const ASPECTS: { re: RegExp; attribute: Attribute; betterDir: 1 | -1 }[] = [
  { re: /\b(?:clarity|sharpness|focus|focusing|definition|details?|detail\s+retention|texture\s+details?)\b/i, attribute: 'sharpness', betterDir: 1 },
  { re: /\b(?:noise(?:\s+(?:level|control|performance))?|graininess|grain)\b/i, attribute: 'noise', betterDir: -1 },
  { re: /\bcontrast\b/i, attribute: 'contrast', betterDir: 1 },
  { re: /\b(?:compression|compression\s+artifacts?|artifacts?|blockiness)\b/i, attribute: 'blockiness', betterDir: -1 },
  { re: /\b(?:brightness)\b/i, attribute: 'exposure', betterDir: 1 },
  { re: /\b(?:colou?rfulness|saturation|vibrancy|vividness)\b/i, attribute: 'colourfulness', betterDir: 1 },
];

/** Aspects no cue measures: "better lighting", "better composition" are not claims we can check or count. */
export const NON_CUE_ASPECTS =
  /\b(?:lighting|light|exposure|composition|colou?rs?|colou?r\s+(?:reproduction|balance|rendition|accuracy)|aesthetics?|framing|tones?|white\s+balance|content|subject)\b/i;

export const TERMS: Term[] = [
  // --- equatives ("not as sharp as"); matched before the bare adjectives
  t('as\\s+(?:sharp|clear|crisp|detailed|focused|well[- ]focused)\\s+as', 'sharpness', 'eq', 1),
  t('as\\s+(?:blurry|blurred|fuzzy|soft)\\s+as', 'sharpness', 'eq', -1),
  t('as\\s+(?:noisy|grainy)\\s+as', 'noise', 'eq', 1),
  t('as\\s+(?:clean|noise[- ]free)\\s+as', 'noise', 'eq', -1),
  t('as\\s+(?:bright|well[- ]lit|light)\\s+as', 'exposure', 'eq', 1),
  t('as\\s+(?:dark|dim)\\s+as', 'exposure', 'eq', -1),
  t(`as\\s+(?:colou?rful|vivid|vibrant|saturated)\\s+as`, 'colourfulness', 'eq', 1),
  t('as\\s+(?:dull|faded|washed[- ]out)\\s+as', 'colourfulness', 'eq', -1),
  t('as\\s+(?:good|high[- ]quality)\\s+as', 'quality', 'eq', 1),
  t('as\\s+(?:bad|poor|low[- ]quality)\\s+as', 'quality', 'eq', -1),

  // --- superlatives
  t(`(?:the\\s+)?(?:sharpest|clearest|crispest|most\\s+(?:in[- ]focus|focused|detailed|defined|distinct)|best[- ](?:focused|defined))`, 'sharpness', 'sup', 1),
  t(
    `(?:the\\s+)?(?:blurriest|fuzziest|most\\s+(?:blurry|blurred|out[- ]of[- ]focus|unfocused)|least\\s+(?:sharp|clear|detailed|focused))`,
    'sharpness',
    'sup',
    -1,
  ),
  t(`(?:the\\s+)?(?:noisiest|grainiest|most\\s+(?:noise|noisy|grainy|grain))`, 'noise', 'sup', 1),
  t(`(?:the\\s+)?(?:cleanest|least\\s+(?:noise|noisy|grainy|grain))`, 'noise', 'sup', -1),
  t(`(?:the\\s+)?(?:brightest|lightest|most\\s+(?:exposed|overexposed|brightness))`, 'exposure', 'sup', 1),
  t(`(?:the\\s+)?(?:darkest|dimmest|most\\s+underexposed|least\\s+bright)`, 'exposure', 'sup', -1),
  t(`(?:the\\s+)?(?:most\\s+(?:colou?rful|saturated|vivid|vibrant)|richest\\s+${C}|most\\s+vivid\\s+${C}|most\\s+vibrant\\s+${C})`, 'colourfulness', 'sup', 1),
  t(`(?:the\\s+)?(?:dullest|least\\s+(?:colou?rful|saturated|vivid|vibrant)|most\\s+(?:muted|faded|washed[- ]out|desaturated))`, 'colourfulness', 'sup', -1),
  t(`(?:the\\s+)?(?:highest|strongest|most)\\s+contrast`, 'contrast', 'sup', 1),
  t(`(?:the\\s+)?(?:lowest|weakest|least)\\s+contrast`, 'contrast', 'sup', -1),
  t(
    `(?:the\\s+)?(?:most|heaviest|strongest)\\s+(?:(?:jpeg|compression|blocking|block)\\s+)?(?:artifacts|artefacts)|(?:the\\s+)?most\\s+(?:blocky|compressed|pixelated)|(?:the\\s+)?blockiest`,
    'blockiness',
    'sup',
    1,
  ),
  t(`(?:the\\s+)?(?:best|highest|finest|most\\s+(?:pleasing|appealing))(?:\\s+(?:overall\\s+)?(?:visual\\s+)?quality)?`, 'quality', 'sup', 1),
  t(`(?:the\\s+)?(?:worst|lowest|poorest)(?:\\s+(?:overall\\s+)?(?:visual\\s+)?quality)?`, 'quality', 'sup', -1),

  // --- comparatives
  t(
    `sharper|clearer|crisper|(?:higher|greater|better)\\s+level\\s+of\\s+details?|${MORE}(?:sharp|clear|crisp|in[- ]focus|focused|detailed|details?|defined|distinct|clarity|sharpness|definition)|better[- ](?:focused|defined)|finer\\s+details|richer\\s+details`,
    'sharpness',
    'cmp',
    1,
  ),
  t(
    `blurrier|fuzzier|${MORE}(?:blurry|blurred|blur|fuzzy|out[- ]of[- ]focus|unfocused)|(?:lower|less)\\s+level\\s+of\\s+details?|${LESS}(?:sharp|clear|crisp|focused|detailed|details?|defined|clarity|sharpness|definition)|less\\s+in\\s+focus|poorer\\s+(?:clarity|focus|sharpness)|worse\\s+(?:clarity|focus|sharpness)`,
    'sharpness',
    'cmp',
    -1,
  ),
  t(`noisier|grainier|${MORE}(?:noise|noisy|grain|grainy|visible\\s+noise|noticeable\\s+noise)`, 'noise', 'cmp', 1),
  t(`cleaner|${LESS}(?:noise|noisy|grain|grainy|visible\\s+noise|noticeable\\s+noise)`, 'noise', 'cmp', -1),
  t(
    `(?:richer|more\\s+vivid|more\\s+vibrant|more\\s+saturated|stronger|livelier|brighter)\\s+${C}|more\\s+(?:colou?rful|saturated|vivid|vibrant|saturation|colou?r)|higher\\s+saturation|(?:more|greater)\\s+colou?r\\s+vibrancy`,
    'colourfulness',
    'cmp',
    1,
  ),
  t(
    `(?:duller|paler|more\\s+muted|weaker)\\s+${C}|duller|paler|${LESS}(?:colou?rful|saturated|vivid|vibrant|saturation|colou?r)|more\\s+(?:muted|faded|washed[- ]out|desaturated|dull)`,
    'colourfulness',
    'cmp',
    -1,
  ),
  t(`brighter|lighter|${MORE}(?:bright|brightness|exposed|overexposed|light|well[- ]lit)|better[- ]lit`, 'exposure', 'cmp', 1),
  t(`darker|dimmer|${LESS}(?:bright|brightness|exposed|light|lit)|more\\s+underexposed|more\\s+(?:dark|dim)`, 'exposure', 'cmp', -1),
  t(`${MORE}contrast|more\\s+contrasty|better\\s+contrast`, 'contrast', 'cmp', 1),
  t(`${LESS}contrast|flatter|poorer\\s+contrast|worse\\s+contrast`, 'contrast', 'cmp', -1),
  t(
    `blockier|${MORE}(?:(?:jpeg|compression|blocking|block)\\s+)?(?:artifacts|artefacts)|more\\s+(?:blocky|compressed|blocking|compression)|more\\s+obvious\\s+compression`,
    'blockiness',
    'cmp',
    1,
  ),
  t(`${LESS}(?:(?:jpeg|compression|blocking|block)\\s+)?(?:artifacts|artefacts)|less\\s+(?:blocky|compressed|blocking|compression)`, 'blockiness', 'cmp', -1),
  t(
    `better(?!\\s+(?:lit|focused|defined))|superior|preferable|preferred|higher(?:\\s+(?:overall\\s+)?(?:visual\\s+|image\\s+)?quality)|more\\s+(?:pleasing|appealing)|finer\\s+quality`,
    'quality',
    'cmp',
    1,
  ),
  t(`worse|inferior|poorer|lower(?:\\s+(?:overall\\s+)?(?:visual\\s+|image\\s+)?quality)|less\\s+(?:pleasing|appealing)`, 'quality', 'cmp', -1),

  // --- absolute terms
  t(
    `out[- ]of[- ]focus|unfocused|blurry|blurred|blurriness|blur|fuzzy|lacks?\\s+(?:sharpness|clarity|focus|details?)|lack\\s+of\\s+(?:sharpness|clarity|focus|details?)|loss\\s+of\\s+(?:details?|sharpness|clarity)|(?:poor|low|insufficient|limited)\\s+(?:clarity|sharpness|focus|definition)|not\\s+in\\s+focus`,
    'sharpness',
    'abs',
    -1,
  ),
  t(
    `(?:is|are|looks?|appears?|remains?|seems?)\\s+${ADV}(?:sharp|clear|crisp|in[- ]focus|well[- ]focused)|(?:sharp|clear|crisp|fine|rich)\\s+(?:details|edges|textures?)|(?:high|good|excellent|great)\\s+(?:clarity|sharpness|definition)|well[- ]focused|in\\s+sharp\\s+focus`,
    'sharpness',
    'abs',
    1,
  ),
  t(
    `noise\\s+(?:level\\s+)?(?:is|remains|was)\\s+${ADV}(?:low|minimal|negligible|well\\s+controlled)|no\\s+${ADV}(?:obvious\\s+|visible\\s+|noticeable\\s+|apparent\\s+)?noise|noise[- ]free|free\\s+(?:of|from)\\s+noise|without\\s+(?:any\\s+)?(?:visible\\s+|noticeable\\s+)?noise|(?:low|little|minimal)\\s+noise|(?:is|are|looks?|appears?|seems?)\\s+${ADV}clean`,
    'noise',
    'abs',
    -1,
  ),
  t(`noisy|grainy|graininess|noise`, 'noise', 'abs', 1),
  t(
    `over[- ]?exposed|over[- ]?exposure|too\\s+bright|overly\\s+bright|blown[- ]out(?:\\s+highlights)?|excessive\\s+(?:brightness|light)`,
    'exposure',
    'abs',
    1,
  ),
  t(
    `under[- ]?exposed|under[- ]?exposure|too\\s+dark|overly\\s+dark|dimly[- ]lit|poorly[- ]lit|low[- ]light|insufficient\\s+(?:light|lighting)|lack\\s+of\\s+(?:light|lighting)|(?:is|are|looks?|appears?|seems?)\\s+${ADV}(?:dark|dim)`,
    'exposure',
    'abs',
    -1,
  ),
  t(
    `${C}(?:\\s+of\\s+(?:the\\s+|this\\s+)?(?:[\\w-]+\\s+){0,2}?(?:image|picture|photo))?\\s+(?:is|are|looks?|appears?|seems?)\\s+${ADV}(?:vivid|vibrant|rich|saturated|bright)|(?:vivid|vibrant|rich|saturated|bright)\\s+${C}|colou?rful|over[- ]?saturat(?:ed|ion)`,
    'colourfulness',
    'abs',
    1,
  ),
  t(
    `(?:dull|faded|muted|washed[- ]out|monotonous|pale|desaturated)(?:\\s+${C})?|lack\\s+of\\s+colou?r|lacks\\s+colou?r|under[- ]?saturat(?:ed|ion)`,
    'colourfulness',
    'abs',
    -1,
  ),
  t(`(?:high|strong|good)\\s+contrast|contrast\\s+(?:is|was)\\s+${ADV}(?:high|strong|good)`, 'contrast', 'abs', 1),
  t(
    `contrast\\s+(?:is|was)\\s+${ADV}(?:low|poor|weak|insufficient)|(?:low|poor|weak|insufficient)\\s+contrast|lacks?\\s+contrast|lack\\s+of\\s+contrast`,
    'contrast',
    'abs',
    -1,
  ),
  t(
    `(?:(?:jpeg|compression|blocking|block)\\s+)(?:artifacts|artefacts|distortion)|(?:heavy|strong|severe|obvious|noticeable)\\s+(?:jpeg\\s+)?compression|jpeg\\s+compression|blocky|blockiness|blocking`,
    'blockiness',
    'abs',
    1,
  ),
  t(
    `(?:good|high|excellent|great|decent|fine|acceptable|superb)\\s+(?:overall\\s+)?(?:visual\\s+|image\\s+)?quality|quality(?:\\s+of\\s+(?:the\\s+|this\\s+)?(?:[\\w-]+\\s+){0,2}?(?:image|picture|photo))?\\s+(?:is|was|remains)\\s+${ADV}(?:good|high|excellent|great|decent|fine|acceptable)`,
    'quality',
    'abs',
    1,
  ),
  t(
    `(?:poor|low|bad|terrible|mediocre|unsatisfactory)\\s+(?:overall\\s+)?(?:visual\\s+|image\\s+)?quality|quality(?:\\s+of\\s+(?:the\\s+|this\\s+)?(?:[\\w-]+\\s+){0,2}?(?:image|picture|photo))?\\s+(?:is|was|remains)\\s+${ADV}(?:poor|low|bad|terrible|mediocre|unsatisfactory)`,
    'quality',
    'abs',
    -1,
  ),
];
