/** Dataset text shown in hovers is text, never markup: escape everything Markdown would interpret. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~&]/g, (c) => `\\${c}`).replace(/\r?\n/g, '  \n');
}

/** First `n` characters (with an ellipsis when cut). */
export function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n)}…` : text;
}
