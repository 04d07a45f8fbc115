/**
 * Script of the spot-check report webview: export buttons, item links back to the review editor,
 * Decide buttons per spot check and stratum (reportDecide.ts), and live refresh (the host sends new
 * report content; scroll position and open sections stay). The content is HTML rendered by core
 * with every dataset string escaped.
 */
import { ReportDecide, ReportDecideTargets, ReportExport, ReportExportCurated, ReportOpenItem, ReportUpdate, type ReportFormat } from '../src/protocol';
import { WebviewChannel } from './channel';
import { addDecideBars } from './reportDecide';

const channel = new WebviewChannel<{ scrollY?: number }>();

/** Asks the host what can be decided on and puts the Decide bars into the cards shown. */
async function decideBars(): Promise<void> {
  const main = document.getElementById('report');
  if (!main) return;
  const { targets } = await channel.request(ReportDecideTargets, {});
  addDecideBars(
    main,
    targets,
    (dir, decision, stratum) => channel.request(ReportDecide, { dir, decision, ...(stratum !== undefined ? { stratum } : {}) }),
    (dir) => channel.command(ReportExportCurated, { dir }),
  );
  main.dataset.decide = 'ready';
}

document.addEventListener('click', (e) => {
  const target = e.target as Element | null;
  const button = target?.closest('button[data-export]') as HTMLButtonElement | null;
  if (button) {
    channel.command(ReportExport, { format: button.dataset.export as ReportFormat });
    return;
  }
  const link = target?.closest('a.item[data-key]') as HTMLAnchorElement | null;
  if (link) {
    e.preventDefault();
    channel.command(ReportOpenItem, { dir: link.dataset.dir ?? '', key: link.dataset.key ?? '', index: Number(link.dataset.index ?? 0) });
  }
});

channel.on(ReportUpdate, ({ html, generatedAt }) => {
  const main = document.getElementById('report');
  if (!main) return;
  const wasOpen = [...main.querySelectorAll('details')].map((d) => d.open);
  const y = window.scrollY;
  main.innerHTML = html;
  main.querySelectorAll('details').forEach((d, i) => {
    if (i < wasOpen.length) d.open = wasOpen[i];
  });
  main.dataset.generatedAt = generatedAt;
  window.scrollTo(0, y);
  void decideBars();
});

window.addEventListener(
  'scroll',
  () => {
    channel.state = { scrollY: window.scrollY };
  },
  { passive: true },
);
const saved = channel.state?.scrollY;
if (saved) window.scrollTo(0, saved);
void decideBars();
