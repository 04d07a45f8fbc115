/** The compare view's input (no DOM types here: the tests' Node side imports it too). */

/** One image of the group as the compare view shows it. */
export interface CompareImage {
  /** 1-based position in the group. */
  ordinal: number;
  /** "The first image", … */
  caption: string;
  path: string;
  /** Size after EXIF rotation, when known before loading (gives placeholders their aspect ratio). */
  width?: number;
  height?: number;
  /** A downscaled upright picture for fit views. */
  preview?: { src: string; width: number; height: number };
  /** The full-size picture (1:1), loaded whole when no tiles are given. */
  full?: { src: string };
  /** Full-resolution tiles (size × size image px) the host cuts on request: only the visible ones are fetched. */
  tiles?: { id: string; size: number };
  /** Set when the image cannot be shown: the placeholder names the problem. */
  fault?: { title: string; reason: string };
}
