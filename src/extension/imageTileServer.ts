/**
 * Host side of the compare view's full-resolution tiles (ARCHITECTURE.md, "Compare view"): the
 * webview names an image by an opaque id handed out with the item (never by a path it chose), and
 * gets webview URIs of tile PNGs cut by core's TileCache into the preview cache folder.
 */
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { PreviewCache } from '../core/imagePreview';
import { TileCache } from '../core/imageTiles';
import type * as P from '../protocol';

const MAX_IDS = 4096;

export class ImageTileServer {
  readonly cache: TileCache;
  /** Image files handed out with items, by id (oldest first). */
  private readonly files = new Map<string, string>();

  constructor(previews: PreviewCache) {
    this.cache = new TileCache(previews);
  }

  /** The tile source the webview may ask for, for an image file that was resolved under the image root. */
  source(abs: string): P.TileSource {
    const id = createHash('sha256').update(abs).digest('hex').slice(0, 20);
    this.files.delete(id);
    this.files.set(id, abs);
    if (this.files.size > MAX_IDS) this.files.delete(this.files.keys().next().value as string);
    return { id, size: this.cache.tileSize };
  }

  async tiles(id: string, wanted: [number, number][], webview: vscode.Webview): Promise<P.ResultOf<typeof P.GetTiles>> {
    const file = this.files.get(id);
    if (!file) throw new Error(`no image with tile id ${id} was shown in this window`);
    const tiles = await this.cache.tiles(file, wanted.slice(0, 256));
    return { tiles: tiles.map((t) => ({ col: t.col, row: t.row, src: webview.asWebviewUri(vscode.Uri.file(t.file)).toString() })) };
  }

  warm(ids: string[], cut: { id: string; tiles: [number, number][] }[] = []): void {
    const cuts = cut.slice(0, 16).flatMap((n) => {
      const file = this.files.get(n.id);
      return file ? [{ file, tiles: n.tiles.slice(0, 64) }] : [];
    });
    this.cache.warm(
      ids.map((id) => this.files.get(id)).filter((f): f is string => !!f),
      cuts,
    );
  }

  dispose(): void {
    this.cache.clear();
  }
}
