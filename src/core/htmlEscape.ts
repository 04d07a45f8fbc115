/**
 * Text into HTML (ARCHITECTURE.md, "Reports"): the five characters that could open markup or end an
 * attribute become entities. Used for element text and quoted attribute values alike — the HTML
 * report, its SVG charts, the editor's report panel and webview page titles.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
