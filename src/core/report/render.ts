/** Picks a renderer by format name or file extension. */
import { renderCsv } from './csv';
import { renderHtml, type WebviewHtmlOptions } from './html';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import type { Report } from './model';

export type ReportFormat = 'md' | 'html' | 'json' | 'csv';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html', 'json', 'csv'];

export function formatFromName(name: string): ReportFormat | undefined {
  const ext = name.toLowerCase().replace(/^.*\./, '');
  if (ext === 'md' || ext === 'markdown') return 'md';
  if (ext === 'html' || ext === 'htm') return 'html';
  if (ext === 'json') return 'json';
  if (ext === 'csv') return 'csv';
  return undefined;
}

export function renderReport(report: Report, format: ReportFormat, webview?: WebviewHtmlOptions): string {
  switch (format) {
    case 'md':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report, webview);
    case 'json':
      return renderJson(report);
    case 'csv':
      return renderCsv(report);
  }
}
