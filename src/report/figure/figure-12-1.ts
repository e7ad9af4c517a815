// Figure 12.1, quantified: one stack per environment of the run (layers from
// spectrum/env-kinds.ts) over one host OS and the hardware, each layer annotated with this run's
// numbers, heights proportional to memory on one scale.
import { createCanvas, type CanvasRenderingContext2D } from 'canvas';
import type { ReportModel } from '../model.js';
import type { Stacks } from '../stacks.js';
import type { Headline } from '../headline.js';
import { box, fitFont, FONT, text, wrap } from './draw.js';
import { layerHeights, type Column } from './layers.js';
import { envStacks } from '../spectrum/env-stacks.js';
import { stackColumn } from '../spectrum/stack-column.js';

export const FIGURE = { width: 1600, height: 1000, file: 'figure-12-1.png' } as const;
const MARGIN = 60;
const COL_W = 340;
const COL_GAP = 36;
const STACK_TOP = 250;
const GROUND = 735; // top of the Host OS bar
const MIN_LAYER_PX = 66;

/** Width for `n` stacks: 1600 px, wider when the run has more environments than fit. */
export function figureWidth(n: number): number {
  return Math.max(FIGURE.width, 2 * MARGIN + n * COL_W + Math.max(0, n - 1) * COL_GAP);
}

/** What the figure says about its ground when it is not one run's host (a fleet: src/fleet/report). */
export interface FigureGround {
  facts: string;
  hostOs: string;
  hardware: string;
}

export function renderFigure(model: ReportModel, _s: Stacks, head: Headline, ground?: FigureGround): Buffer {
  const cols = envStacks(model).map(stackColumn);
  const width = figureWidth(cols.length);
  const canvas = createCanvas(width, FIGURE.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, width, FIGURE.height);
  const host = model.run.meta.host;
  text(
    ctx,
    'Figure 12.1, measured: every environment of the run, one stack each',
    width / 2,
    42,
    `bold 34px "${FONT}"`,
    '#1b2631',
    'center',
  );
  const facts =
    ground?.facts ??
    `${host.host.cpuModel}, ${host.host.cores} cores · Linux ${host.host.kernel} · cgroup ${host.cgroup.mode} · run ${model.run.meta.runId}${model.run.meta.status === 'complete' ? '' : ` (${model.run.meta.status.toUpperCase()})`}`;
  fitFont(ctx, facts, width - 2 * MARGIN, 18);
  text(ctx, facts, width / 2, 80, ctx.font, '#566573', 'center');
  if (cols.length === 0)
    text(
      ctx,
      'no environment measured in this run',
      width / 2,
      (STACK_TOP + GROUND) / 2,
      `italic 22px "${FONT}"`,
      '#7f8c8d',
      'center',
    );
  const heights = layerHeights(cols, GROUND - STACK_TOP - 8, MIN_LAYER_PX);
  const colW = cols.length
    ? Math.min(COL_W * 1.6, (width - 2 * MARGIN - (cols.length - 1) * COL_GAP) / cols.length)
    : COL_W;
  const left = (width - (cols.length * colW + Math.max(0, cols.length - 1) * COL_GAP)) / 2;
  cols.forEach((col, i) => drawColumn(ctx, col, heights[i]!, left + i * (colW + COL_GAP), colW));
  drawBase(ctx, model, width, ground);
  drawFooter(ctx, head, width);
  return canvas.toBuffer('image/png');
}

function drawColumn(
  ctx: CanvasRenderingContext2D,
  col: Column,
  heights: number[],
  x: number,
  w: number,
): void {
  fitFont(ctx, col.title, w - 8, 25, 'bold');
  text(ctx, col.title, x + w / 2, 128, ctx.font, '#1b2631', 'center');
  fitFont(ctx, col.summary, w - 8, 21, 'bold');
  text(ctx, col.summary, x + w / 2, 166, ctx.font, '#1a5276', 'center');
  if (col.phases) {
    ctx.font = `15px "${FONT}"`;
    const lines = wrap(ctx, col.phases, w).slice(0, 2);
    lines.forEach((l, k) =>
      text(ctx, l, x + w / 2, 200 + k * 20 - (lines.length - 1) * 4, ctx.font, '#566573', 'center'),
    );
  }
  let y = GROUND - 4;
  for (let i = col.layers.length - 1; i >= 0; i--) {
    const layer = col.layers[i]!;
    const h = heights[i]!;
    y -= h;
    box(ctx, x, y, w, h - 4, layer.fill);
    const nameW = Math.min(layer.names.length > 1 ? 128 : 200, w * 0.42);
    layer.names.forEach((name, k) => {
      if (k > 0) {
        ctx.strokeStyle = '#34495e';
        ctx.beginPath();
        ctx.moveTo(x + nameW * k, y + 6);
        ctx.lineTo(x + nameW * k, y + h - 10);
        ctx.stroke();
      }
      fitFont(ctx, name, nameW - 16, 21, 'bold');
      text(ctx, name, x + nameW * k + 10, y + (h - 4) / 2, ctx.font);
    });
    const tx = x + nameW * layer.names.length + 14;
    const lines = layer.lines.slice(0, Math.max(1, Math.floor((h - 8) / 19)));
    lines.forEach((line, k) => {
      fitFont(ctx, line, x + w - tx - 10, 16);
      text(ctx, line, tx, y + (h - 4) / 2 + (k - (lines.length - 1) / 2) * 19, ctx.font, '#1b2631');
    });
  }
  if (col.emptyNote && y - STACK_TOP > 120) {
    ctx.save();
    ctx.setLineDash([8, 6]);
    ctx.strokeStyle = '#aab7b8';
    ctx.strokeRect(x + 0.5, STACK_TOP + 0.5, w - 1, y - STACK_TOP - 8);
    ctx.restore();
    ctx.font = `italic 19px "${FONT}"`;
    const lines = wrap(ctx, col.emptyNote, w - 80);
    lines.forEach((l, k) =>
      text(
        ctx,
        l,
        x + w / 2,
        (STACK_TOP + y) / 2 + (k - (lines.length - 1) / 2) * 26,
        ctx.font,
        '#7f8c8d',
        'center',
      ),
    );
  }
}

function drawBase(
  ctx: CanvasRenderingContext2D,
  model: ReportModel,
  width: number,
  ground?: FigureGround,
): void {
  const host = model.run.meta.host;
  const w = width - 2 * MARGIN;
  box(ctx, MARGIN, GROUND, w, 50, '#d5d8dc');
  const os =
    ground?.hostOs ??
    `Host OS — Linux ${host.host.kernel} (${host.host.os}): one kernel shared by every container; each VM brings its own`;
  fitFont(ctx, os, w - 30, 19, 'bold');
  text(ctx, os, MARGIN + 16, GROUND + 25, ctx.font);
  box(ctx, MARGIN, GROUND + 56, w, 50, '#aab7b8');
  const gib = (host.host.memTotalBytes / 2 ** 30).toFixed(1);
  const hw =
    ground?.hardware ??
    `Hardware — ${host.host.cpuModel}, ${host.host.cores} cores, ${gib} GiB RAM; KVM ${host.kvm.usable ? 'usable' : `not usable (${host.kvm.reason ?? 'no /dev/kvm'})`}`;
  fitFont(ctx, hw, w - 30, 19, 'bold');
  text(ctx, hw, MARGIN + 16, GROUND + 81, ctx.font);
}

function drawFooter(ctx: CanvasRenderingContext2D, head: Headline, width: number): void {
  const w = width - 2 * MARGIN;
  let y = GROUND + 134;
  ctx.font = `bold 19px "${FONT}"`;
  for (const line of wrap(ctx, head.sentence, w).slice(0, 2)) {
    text(ctx, line, MARGIN, y, ctx.font);
    y += 25;
  }
  ctx.font = `14px "${FONT}"`;
  const note = `${head.caveats[0] ?? ''} Layer heights are proportional to host PSS on one scale (layers under ${MIN_LAYER_PX} px are drawn at ${MIN_LAYER_PX} px to stay legible; the numbers are exact).`;
  for (const line of wrap(ctx, note.trim(), w).slice(0, 3)) {
    text(ctx, line, MARGIN, y, ctx.font, '#566573');
    y += 19;
  }
}
