/**
 * Images embedded in a dataset file (parquet `{bytes, path}` structs): records carry a reference
 * `parquet-embedded:<token>/<row>/<column>` instead of a path, and whoever shows or sends the image
 * asks the open dataset for its bytes here. Nothing is written to disk (ARCHITECTURE.md, "Parquet
 * datasets").
 */
export const EMBEDDED_SCHEME = 'parquet-embedded:';

export interface EmbeddedImageSource {
  imageBytes(row: number, column: string): Buffer | undefined;
}

const sources = new Map<string, Set<EmbeddedImageSource>>();

export function registerEmbeddedSource(token: string, src: EmbeddedImageSource): void {
  const set = sources.get(token) ?? new Set();
  set.add(src);
  sources.set(token, set);
}

export function unregisterEmbeddedSource(token: string, src: EmbeddedImageSource): void {
  const set = sources.get(token);
  if (!set) return;
  set.delete(src);
  if (set.size === 0) sources.delete(token);
}

export function embeddedRef(token: string, row: number, column: string): string {
  return `${EMBEDDED_SCHEME}${token}/${row}/${encodeURIComponent(column)}`;
}

export function isEmbeddedRef(p: string): boolean {
  return p.startsWith(EMBEDDED_SCHEME);
}

export function parseEmbeddedRef(p: string): { token: string; row: number; column: string } | undefined {
  const m = /^parquet-embedded:([0-9a-f]+)\/(\d+)\/([^/]+)$/.exec(p);
  return m ? { token: m[1], row: Number(m[2]), column: decodeURIComponent(m[3]) } : undefined;
}

/** Whether the dataset holding this image is open. */
export function embeddedAvailable(p: string): boolean {
  const r = parseEmbeddedRef(p);
  return r !== undefined && sources.has(r.token);
}

/** The image's bytes; throws a clear error when its dataset is not open or the cell is empty. */
export function embeddedImageBytes(p: string): Buffer {
  const r = parseEmbeddedRef(p);
  if (!r) throw new Error(`"${p}" is not an embedded image reference`);
  const set = sources.get(r.token);
  if (!set) throw new Error(`the parquet dataset holding ${p} is not open`);
  for (const s of set) {
    const b = s.imageBytes(r.row, r.column);
    if (b) return b;
  }
  throw new Error(`row ${r.row} has no image in column "${r.column}"`);
}
