/**
 * Messages between the extension host and the curator webview, declared once and used on both
 * sides (ARCHITECTURE.md › Protocols). Three kinds, after GitLens' webview IPC:
 *   - requests  (webview → host, answered with a response carrying the same id),
 *   - commands  (webview → host, fire and forget),
 *   - notifications (host → webview).
 * Both sides import the descriptors below and get their parameter and result types from them.
 * This file is compiled for Node and for the browser: no imports.
 *
 * The curator webview runs in one of three modes, each with its controller on both sides
 * (src/extension/views/*, webview/*Controller.ts). Messages say what they mean: a plan position
 * (review) is never sent where a dataset record index (browse, preview) is meant.
 */

// ---------------------------------------------------------------------------------------------
// Envelope

export interface RequestType<P, R> {
  readonly kind: 'request';
  readonly method: string;
  readonly _types?: [P, R];
}
export interface CommandType<P> {
  readonly kind: 'command';
  readonly method: string;
  readonly _types?: [P];
}
export interface NotificationType<P> {
  readonly kind: 'notification';
  readonly method: string;
  readonly _types?: [P];
}

export type ParamsOf<T> = T extends RequestType<infer P, unknown> ? P : T extends CommandType<infer P> ? P : T extends NotificationType<infer P> ? P : never;
export type ResultOf<T> = T extends RequestType<unknown, infer R> ? R : never;

const request = <P, R>(method: string): RequestType<P, R> => ({ kind: 'request', method });
const command = <P>(method: string): CommandType<P> => ({ kind: 'command', method });
const notification = <P>(method: string): NotificationType<P> => ({ kind: 'notification', method });

/** What travels over postMessage, either way. */
export type WireMessage =
  | { kind: 'request'; id: number; method: string; params: unknown }
  | { kind: 'command'; method: string; params: unknown }
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: string }
  | { kind: 'notification'; method: string; params: unknown };

export function isWireMessage(m: unknown): m is WireMessage {
  return !!m && typeof m === 'object' && typeof (m as { kind?: unknown }).kind === 'string';
}

// ---------------------------------------------------------------------------------------------
// Data shapes

export type Verdict = 'correct' | 'incorrect' | 'skip';
export type Mode = 'browse' | 'review' | 'preview';

/**
 * One image of an item: a webview URI to load, or why it is not shown. `src` is the picture for fit
 * views: a downscaled upright preview when `full` (the full-size picture, for 1:1) is given, else the
 * file itself. width/height: the image's size after EXIF rotation; srcWidth/srcHeight: the size of
 * `src` (when known on the host).
 */
export type ImageView =
  | { ok: true; path: string; src: string; full?: string; width?: number; height?: number; srcWidth?: number; srcHeight?: number; tiles?: TileSource }
  | { ok: false; path: string; problem: string; reason: string };

/** Full-resolution tiles of an image (1:1 and closer): `id` names it in GetTiles; tiles are `size` px squares. */
export interface TileSource {
  id: string;
  size: number;
}

/** An item as the webview shows it. Every string is dataset text: render it as text only. */
export interface ItemView {
  index: number;
  key: string;
  hash: string;
  line: number;
  format: string;
  images: ImageView[];
  question?: string;
  label?: string;
  candidates?: string[];
  correct?: string;
  subset?: string;
  groupSize: number;
  /** Source descriptions aligned with the images (Merge2Compare-style items), when present. */
  descriptions?: string[];
  /** Other fields, as JSON text. */
  extra?: string;
}

/** A record that could not be shown (syntax error, …). */
export interface ItemProblem {
  index: number;
  line?: number;
  message: string;
}

export interface DatasetInfo {
  name: string;
  path: string;
  count: number;
  format: string;
  bytes: number;
}

export interface SavedVerdict {
  verdict: Verdict;
  note?: string;
  /** The right label, for an item judged incorrect (issue #17). */
  correction?: string;
  /** Why the item is wrong: reason names from `curator.review.reasons`. */
  reasons?: string[];
  at: string;
}

/** One entry of `curator.review.reasons`: the key (1–9) that records the reason on an incorrect item. */
export interface ReviewReason {
  key: string;
  reason: string;
}

export interface PlanInfo {
  name: string;
  size: number;
  seed: string;
  strata: string;
  reviewer: string;
  /** Plan order: key and dataset index of every sampled item. */
  items: { key: string; index: number; stratum: string }[];
}

export interface Progress {
  judged: number;
  size: number;
  correct: number;
  incorrect: number;
  skip: number;
}

export interface InitState {
  mode: Mode;
  /** Untrusted workspace (or a plan whose dataset changed): browse only, no marking. */
  readOnly: boolean;
  readOnlyReason?: string;
  dataset: DatasetInfo;
  plan?: PlanInfo;
  /** Current verdicts of this reviewer, by key (review mode). */
  verdicts?: Record<string, SavedVerdict>;
  /** Review: the reasons a reviewer can give with one key (`curator.review.reasons`). */
  reasons?: ReviewReason[];
  progress?: Progress;
  /** Where to start: review = plan position (first unjudged), browse = dataset index. */
  start: number;
  /** Warnings to show once (torn journal line, dataset drift, …). */
  warnings: string[];
  /** Distinct subset names seen, for the browse filter (may be empty for big files). */
  subsets: string[];
}

/** How a label's claim compares with the measured cues (core claims/checkClaims.ts). */
export type ClaimStatus = 'agrees' | 'contradicts' | 'unchecked';

/** One claim of a label: `images` are 1-based ordinals, `values` the cue of each (null when unmeasured). */
export interface ClaimView {
  text: string;
  attribute: string;
  images: number[];
  relation: string;
  status: ClaimStatus;
  hedged?: boolean;
  values: (number | null)[];
  /** Why, in a few words ("sharpness 812 vs 95", "no cue for overall quality"). */
  reason: string;
}

/** The cues of one image (README › Label audit for each cue's scale and direction), or why there are none. */
export interface ImageCuesView {
  path: string;
  cues?: { sharpness: number; noise: number; exposure: number; contrast: number; colourfulness: number; blockiness: number; megapixels: number };
  error?: string;
}

export interface ItemClaimsView {
  key: string;
  /** In [0, 1]: contradicted claims against agreeing ones (0 with no contradiction). */
  suspicion: number;
  claims: ClaimView[];
  images: ImageCuesView[];
  /** Images measured now / taken from the cue cache. */
  measured: number;
  cached: number;
}

export type VerdictFilter = 'any' | 'judged' | 'unjudged' | Verdict;

export interface BrowseFilter {
  groupSize?: number;
  subset?: string;
  text?: string;
  verdict?: VerdictFilter;
  /** Most suspicious first (issue #16); the host measures the whole dataset's suspicion once, then caches it. */
  sort?: 'index' | 'suspicion';
  /** Only records whose suspicion is at least this (in [0, 1]). */
  minSuspicion?: number;
}

export interface ListRow {
  index: number;
  key: string;
  groupSize: number;
  subset?: string;
  snippet: string;
  verdict?: Verdict;
  error?: boolean;
  /** The record's suspicion, once the host has measured the dataset's (issue #16). */
  suspicion?: number;
}

/** Key actions the host forwards from contributed keybindings. */
export type KeyAction =
  | 'correct'
  | 'incorrect'
  | 'skip'
  | 'note'
  | 'undo'
  | 'correction'
  | 'reason'
  | 'next'
  | 'prev'
  | 'first'
  | 'last'
  | 'enlarge'
  | 'compare'
  | 'find'
  | 'escape';

/** Where keyboard focus is inside the webview; the host mirrors it into a context key. */
export type FocusArea = 'none' | 'item' | 'input';

/** What the webview keeps with getState/setState (survives hide and window reload). */
export interface PersistedState {
  position: number;
  filter?: BrowseFilter;
  scrollTop?: number;
  /** The item index shown in browse mode. */
  browseIndex?: number;
}

// ---------------------------------------------------------------------------------------------
// Requests (webview → host → response)

export const Ready = request<{ state?: PersistedState }, InitState>('ready');
export interface ItemResult {
  item?: ItemView;
  problem?: ItemProblem;
  changed?: string;
}
/** Browse, preview: the record at a dataset index. */
export const GetRecord = request<{ index: number }, ItemResult>('record');
/** Review: the item at a plan position (`changed` says when its record changed since the plan was drawn). */
export const GetPlanItem = request<{ position: number }, ItemResult>('review.item');
/**
 * Answered after the verdict is appended and fsynced; `hostMs` is the time the host spent on it. The
 * line carries the item's whole state (latest line wins): a correction or reasons only with `incorrect`.
 */
export const Mark = request<
  { key: string; verdict: Verdict; note?: string; correction?: string; reasons?: string[] },
  { key: string; saved: SavedVerdict; progress: Progress; hostMs?: number }
>('mark');
export const Undo = request<{ key: string }, { key: string; current?: SavedVerdict; progress: Progress }>('undo');
/** Browse: apply a filter; the host keeps the matching indices and answers with their number. */
export const Query = request<{ filter: BrowseFilter }, { total: number; matches: number; filterId: number; sorted?: boolean; note?: string }>('query');
export const ListPage = request<{ filterId: number; offset: number; limit: number }, { rows: ListRow[]; offset: number }>('listPage');
/** Jump: "12", "#12" or an id. */
export const Find = request<{ query: string }, { index?: number; message?: string }>('find');
/** Review: the claims of the label at a plan position, checked against its images' measured cues (issue #16). */
export const GetClaims = request<{ position: number }, ItemClaimsView>('review.claims');
/** Browse: the claims of the label of the record at a dataset index, checked against its images' cues. */
export const GetRecordClaims = request<{ index: number }, ItemClaimsView>('browse.claims');

/** Compare view at 1:1 and closer: the full-resolution tiles (col, row) of an image, as webview URIs. */
export const GetTiles = request<{ id: string; tiles: [number, number][] }, { tiles: { col: number; row: number; src: string }[] }>('image.tiles');

// ---------------------------------------------------------------------------------------------
// Commands (webview → host, no answer)

export const FocusChanged = command<{ area: FocusArea }>('focusChanged');
export const PositionChanged = command<{ position: number; key?: string }>('positionChanged');
/**
 * Compare view: `ids` are on screen (decoded whole once zoomed into, for pans); `cut` lists tiles to cut
 * ahead, in order: those the shown group's first zoom will show, then the next group's. Replaces the
 * previous request.
 */
export const WarmTiles = command<{ ids: string[]; cut?: { id: string; tiles: [number, number][] }[] }>('image.warmTiles');
export const ShowMessage = command<{ level: 'info' | 'warning' | 'error'; text: string }>('showMessage');

// ---------------------------------------------------------------------------------------------
// Notifications (host → webview)

/** `key`: which reason key was pressed (action `reason`). */
export const KeyPressed = notification<{ action: KeyAction; key?: string }>('key');
/** Review: `curator.review.reasons` changed. */
export const ReviewReasons = notification<{ reasons: ReviewReason[] }>('review.reasons');
/** Browse, preview: show the record at this dataset index (browse clears a filter that hides it; `textChanged`: the preview's document was edited, drop what was fetched). */
export const ShowRecord = notification<{ index: number; textChanged?: boolean }>('showRecord');
/** Review: show the item at this plan position. */
export const ShowPlanPosition = notification<{ position: number }>('review.show');
/** The dataset changed on disk, or its verdicts changed elsewhere: re-initialise. */
export const Refresh = notification<{ reason: string }>('refresh');

// ---------------------------------------------------------------------------------------------
// Spot-check report webview (issue #4)

export type ReportFormat = 'md' | 'html' | 'json' | 'csv';
/** Export the report beside the plans (.curator/reports/<name>.<format>). */
export const ReportExport = command<{ format: ReportFormat }>('report.export');
/** Open a sampled item in the review editor. */
export const ReportOpenItem = command<{ dir: string; key: string; index: number }>('report.openItem');
/** Verdicts changed: the report's new content (HTML rendered by core, every dataset string escaped). */
export const ReportUpdate = notification<{ html: string; generatedAt: string }>('report.update');

/** A decision on a spot check or one stratum (issue #17); the same values as `cocurate decide`. */
export type DecisionValue = 'keep' | 'drop' | 'keep-with-corrections';
/** What the report can decide on: its spot checks in card order (hunts are not decided on), with their strata. */
export interface ReportDecideTarget {
  /** Index of the spot check's card (`#spotcheck-<card>`). */
  card: number;
  dir: string;
  name: string;
  strata: { name: string; label: string }[];
}
export const ReportDecideTargets = request<Record<string, never>, { targets: ReportDecideTarget[] }>('report.decideTargets');
/** Records the decision in the spot check's decisions.json (answered once it is on disk). */
export const ReportDecide = request<{ dir: string; stratum?: string; decision: DecisionValue }, { file: string; text: string }>('report.decide');
/** Runs "Curator: Export Curated Dataset" for one of the report's spot checks (it asks what to apply and where). */
export const ReportExportCurated = command<{ dir: string }>('report.exportCurated');

// ---------------------------------------------------------------------------------------------
// Model answers beside the label (issue #5): one column per endpoint profile in the item view.

export type ModelAnswerState = 'asking' | 'streaming' | 'done' | 'cached' | 'error' | 'cancelled';

/** The answer of one profile for one item; `text` is the whole answer so far (dataset-like text: render as text). */
export interface ModelAnswerView {
  key: string;
  profile: string;
  model: string;
  state: ModelAnswerState;
  text: string;
  /** Parsed choice of the answer and of the label ("second image", "B. …", "yes"), when done. */
  answerChoice?: string;
  labelChoice?: string;
  agreement?: 'agree' | 'disagree' | 'label-unparsed' | 'answer-unparsed' | 'different-kinds';
  error?: string;
}

/** Host → webview: an answer started, grew, finished or failed. */
export const ModelAnswer = notification<ModelAnswerView>('model.answer');
/** Webview → host: ask every enabled profile about this item (the "Ask model" button). */
export const AskModel = command<{ key: string; index: number }>('model.ask');
/** Webview → host: this item is now shown; send the answers already cached for it (no request is made). */
export const ModelAnswersWanted = command<{ key: string; index: number }>('model.cached');
/** Host → webview (review): keys of the spot check's items where some profile's answer disagrees with the label. */
export const ModelDisagreements = notification<{ keys: string[] }>('model.disagreements');
/** Webview → host (review): show the next (1) or previous (−1) item with a disagreement. */
export const NextModelDisagreement = command<{ key: string; direction: 1 | -1 }>('model.nextDisagreement');
