// Figure 12.1, quantified: the container stack and the VM stack side by side over one host OS
// and the hardware, each layer annotated with this run's numbers, heights proportional to memory.
import { createCanvas, type CanvasRenderingContext2D } from 'canvas';
import type { ReportModel } from '../model.js';
import type { Stacks } from '../stacks.js';
import type { Headline } from '../headline.js';
import { fmtTimes, tcgMark } from '../format.js';
import { box, fitFont, FONT, text, wrap } from './draw.js';
import { containerColumn, layerHeights, vmColumn, type Column } from './layers.js';

export const FIGURE = { width: 1600, height: 1000, file: 'figure-12-1.png' } as const;
const MARGIN = 60;
const GAP = 190;
const STACK_TOP = 250;
const GROUND = 735; // top of the Host OS bar
const MIN_LAYER_PX = 66;

/** What the figure says about its ground when it is not one run's host (a fleet: src/fleet/report). */
export interface FigureGround {
  facts: string;
  hostOs: string;
  hardware: string;
}

export function renderFigure(model: ReportModel, s: Stacks, head: Headline, ground?: FigureGround): Buffer {
  const canvas = createCanvas(FIGURE.width, FIGURE.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, FIGURE.width, FIGURE.height);
  const host = model.run.meta.host;
  text(
    ctx,
    'Figure 12.1, measured: containers vs virtual machines',
    FIGURE.width / 2,
    42,
    `bold 34px "${FONT}"`,
    '#1b2631',
    'center',
  );
  const facts =
    ground?.facts ??
    `${host.host.cpuModel}, ${host.host.cores} cores · Linux ${host.host.kernel} · cgroup ${host.cgroup.mode} · run ${model.run.meta.runId}${model.run.meta.status === 'complete' ? '' : ` (${model.run.meta.status.toUpperCase()})`}`;
  fitFont(ctx, facts, FIGURE.width - 2 * MARGIN, 18);
  text(ctx, facts, FIGURE.width / 2, 80, ctx.font, '#566573', 'center');
  const colW = (FIGURE.width - 2 * MARGIN - GAP) / 2;
  const cols = [containerColumn(model, s), vmColumn(model, s)];
  const present = cols.filter((c): c is Column => c !== undefined);
  const heights = layerHeights(present, GROUND - STACK_TOP - 8, MIN_LAYER_PX);
  cols.forEach((col, i) => {
    const x = MARGIN + i * (colW + GAP);
    if (col) drawColumn(ctx, col, heights[present.indexOf(col)]!, x, colW);
    else
      text(
        ctx,
        i === 0 ? 'no container measured in this run' : 'no VM measured in this run',
        x + colW / 2,
        (STACK_TOP + GROUND) / 2,
        `italic 22px "${FONT}"`,
        '#7f8c8d',
        'center',
      );
  });
  drawRatios(ctx, s, MARGIN + colW + GAP / 2);
  drawBase(ctx, model, ground);
  drawFooter(ctx, head);
  return canvas.toBuffer('image/png');
}

function drawColumn(
  ctx: CanvasRenderingContext2D,
  col: Column,
  heights: number[],
  x: number,
  w: number,
): void {
  text(ctx, col.title, x + w / 2, 128, `bold 27px "${FONT}"`, '#1b2631', 'center');
  text(ctx, col.summary, x + w / 2, 166, `bold 23px "${FONT}"`, '#1a5276', 'center');
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
    const nameW = layer.names.length > 1 ? 128 : 200;
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

function drawRatios(ctx: CanvasRenderingContext2D, s: Stacks, cx: number): void {
  const c = s.container;
  const v = s.vm;
  if (!c || !v) return;
  const lines: string[] = [];
  // "(TCG)" beside each ratio: an emulated guest's ratio is not a KVM guest's.
  const tcg = (r: number) => tcgMark(r, v.env.accel);
  if (c.startNs && v.startNs)
    lines.push(`${fmtTimes(v.startNs / c.startNs)}`, `slower start${tcg(v.startNs / c.startNs)}`);
  if (c.pssBytes && v.pssBytes)
    lines.push(`${fmtTimes(v.pssBytes / c.pssBytes)}`, `more memory${tcg(v.pssBytes / c.pssBytes)}`);
  const top = (STACK_TOP + GROUND) / 2 - (lines.length / 2) * 40;
  text(ctx, 'the VM, vs the container:', cx, top - 20, `14px "${FONT}"`, '#566573', 'center');
  lines.forEach((l, i) => {
    const big = i % 2 === 0;
    const y = top + 24 + Math.floor(i / 2) * 100 + (big ? 0 : 34);
    text(
      ctx,
      l,
      cx,
      y,
      big ? `bold 38px "${FONT}"` : `16px "${FONT}"`,
      big ? '#a04000' : '#566573',
      'center',
    );
  });
}

function drawBase(ctx: CanvasRenderingContext2D, model: ReportModel, ground?: FigureGround): void {
  const host = model.run.meta.host;
  const w = FIGURE.width - 2 * MARGIN;
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

function drawFooter(ctx: CanvasRenderingContext2D, head: Headline): void {
  const w = FIGURE.width - 2 * MARGIN;
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
