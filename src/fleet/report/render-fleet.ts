// `ctvm report fleet-<id>`: the fleet report as bytes in memory (report.md, index.html, the
// cross-host charts, the fleet's Figure 12.1, and each host's own report under <host>/).
import type { Block, Doc } from '../../report/doc.js';
import { exportMarkdown } from '../../report/export-markdown.js';
import { exportHtml } from '../../report/export-html.js';
import { renderReport, type RenderedReport } from '../../report/render-report.js';
import { isSkip, renderChartPng } from '../../report/charts/index.js';
import { describeStatus } from '../host-status.js';
import { crossRows, findings, spread, type CrossRow } from './cross-host.js';
import { fleetCharts } from './fleet-charts.js';
import { fleetHeadline, renderFleetFigure } from './fleet-figure.js';
import { FINGERPRINT_LABELS, type Fingerprint } from './fingerprint.js';
import { loadFleet, measuredHosts, type LoadedFleet } from './load-fleet.js';

export async function renderFleetReport(dir: string): Promise<RenderedReport> {
  const fleet = loadFleet(dir);
  const files = new Map<string, Buffer>();
  const hosts = measuredHosts(fleet);
  const names = hosts.map((h) => h.name);
  const rows = crossRows(fleet);
  const head = fleetHeadline(fleet);
  const doc: Doc = [{ type: 'h1', text: `ctvm fleet report: ${fleet.manifest.fleetId}` }];
  doc.push({ type: 'p', role: 'headline', text: head.sentence });
  doc.push({ type: 'list', role: 'caveat', items: head.caveats });
  doc.push(...statusBlocks(fleet));
  const figure = renderFleetFigure(fleet, head);
  if (figure) {
    files.set('figure-12-1.png', figure);
    doc.push({ type: 'h2', text: 'Figure 12.1 for the fleet' });
    doc.push({
      type: 'image',
      file: 'figure-12-1.png',
      alt: 'Figure 12.1 for the fleet: medians over hosts',
      caption:
        "Every layer carries the median over hosts of that host's median; the ranges over hosts are in the sentence under the figure and the table below.",
    });
  }
  if (hosts.length) {
    doc.push({ type: 'h2', text: 'Host fingerprints' }, fingerprintTable(fleet));
    doc.push({ type: 'h2', text: 'Headline metrics across hosts' }, crossTable(rows, names));
    for (const c of fleetCharts(rows, names)) {
      if (isSkip(c)) doc.push({ type: 'p', role: 'note', text: `${c.title}: ${c.skipped}.` });
      else {
        files.set(c.file, await renderChartPng(c.config, c.width, c.height));
        doc.push({ type: 'image', file: c.file, alt: c.title, caption: c.caption });
      }
    }
    const fs = findings(fleet, rows);
    doc.push({ type: 'h2', text: 'Findings that hold on every host' });
    pushList(
      doc,
      fs.filter((f) => f.everywhere).map((f) => f.text),
      'none: no comparison gave the same clear answer (non-overlapping 95% CIs) on every host',
    );
    doc.push({ type: 'h2', text: 'Findings that depend on the host' });
    pushList(
      doc,
      fs.filter((f) => !f.everywhere).map((f) => f.text),
      'none',
    );
  }
  const warnings = [...fleet.warnings];
  for (const h of hosts) {
    const r = await renderReport(h.run.loaded);
    for (const [name, bytes] of r.files) files.set(`${h.name}/${name}`, bytes);
    doc.push(...nested(h.name, r.doc));
  }
  files.set('report.md', Buffer.from(exportMarkdown(doc)));
  files.set(
    'index.html',
    Buffer.from(exportHtml(doc, { title: `ctvm fleet report ${fleet.manifest.fleetId}`, images: files })),
  );
  return { runId: fleet.manifest.fleetId, files, doc, warnings };
}

function statusBlocks(f: LoadedFleet): Block[] {
  const count = (s: string) => f.hosts.filter((h) => h.status.status === s).length;
  const parts = [`${count('complete')} complete`];
  if (count('incomplete')) parts.push(`${count('incomplete')} incomplete`);
  if (count('failed')) parts.push(`${count('failed')} failed`);
  const m = f.manifest;
  return [
    { type: 'h2', text: 'Hosts' },
    {
      type: 'p',
      text: `${f.hosts.length} hosts: ${parts.join(', ')}. Scenario ${m.scenario.name}, seed ${m.seed}, revision ${m.revision.slice(0, 12)}, ${m.passes.length} pass${m.passes.length === 1 ? '' : 'es'} (${m.serial ? 'one host at a time' : 'hosts in parallel'}).`,
    },
    { type: 'list', items: f.hosts.map((h) => describeStatus(h.name, h.status)) },
  ];
}

function fingerprintTable(f: LoadedFleet): Block {
  const hosts = measuredHosts(f);
  const keys = Object.keys(FINGERPRINT_LABELS) as (keyof Fingerprint)[];
  return {
    type: 'table',
    head: ['', ...hosts.map((h) => h.name), 'same on all?'],
    rows: keys.map((k) => {
      const vals = hosts.map((h) => h.run.fingerprint[k]);
      return [FINGERPRINT_LABELS[k], ...vals, new Set(vals).size === 1 ? 'yes' : 'no'];
    }),
  };
}

function crossTable(rows: CrossRow[], hosts: string[]): Block {
  return {
    type: 'table',
    head: ['metric', 'env', ...hosts, 'median over hosts', 'spread (max/min)'],
    align: ['l', 'l', ...hosts.map(() => 'r' as const), 'r', 'r'],
    rows: rows.map((r) => [
      r.metric.title,
      r.env,
      ...hosts.map((h) => {
        const d = r.byHost.get(h);
        return d ? `${r.metric.fmt(d.median)} (n=${d.n})` : '–';
      }),
      r.metric.fmt(r.medianOverHosts),
      spread(r),
    ]),
  };
}

function pushList(doc: Doc, items: string[], none: string): void {
  doc.push(items.length ? { type: 'list', items } : { type: 'p', role: 'note', text: none });
}

/** A host's own report inside the fleet's: headings one level down, images under <host>/. */
function nested(host: string, doc: Doc): Doc {
  return doc.map((b): Block => {
    if (b.type === 'h1')
      return { type: 'h2', text: `Host ${host}: ${b.text.replace(/^ctvm report: /, 'run ')}` };
    if (b.type === 'h2') return { type: 'h3', text: `${host}: ${b.text}` };
    if (b.type === 'image') return { ...b, file: `${host}/${b.file}` };
    return b;
  });
}
