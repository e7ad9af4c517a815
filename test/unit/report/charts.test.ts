// Charts decode as PNGs of the expected size and are not blank; charts without data are left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadImage, createCanvas } from 'canvas';
import { loadReportRun as loadRun } from '../../../src/report/index.js';
import { buildModel } from '../../../src/report/model.js';
import { stacks } from '../../../src/report/stacks.js';
import { headline } from '../../../src/report/headline.js';
import { allCharts, isSkip, renderChartPng, type ChartSpec } from '../../../src/report/charts/index.js';
import { FIGURE, figureWidth, renderFigure } from '../../../src/report/figure/figure-12-1.js';
import { summarize } from '../../../src/stats/index.js';
import { QUICK } from './fixtures.js';

/** Width/height from the IHDR chunk (bytes 16..23 of a PNG). */
function ihdr(png: Buffer): { width: number; height: number } {
  assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Variance of the luminance over all pixels: 0 for a blank (single-colour) image. */
async function luminanceVariance(png: Buffer): Promise<number> {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data;
  let sum = 0;
  let sq = 0;
  const n = px.length / 4;
  for (let i = 0; i < px.length; i += 4) {
    const y = 0.299 * px[i]! + 0.587 * px[i + 1]! + 0.114 * px[i + 2]!;
    sum += y;
    sq += y * y;
  }
  return sq / n - (sum / n) ** 2;
}

const model = buildModel(loadRun(QUICK));

test('every chart of the fixture renders to a PNG of its declared size that is not blank', async () => {
  const charts = allCharts(model);
  // The fixture predates #15: its density samples have no marginal-cost or creation metrics.
  assert.deepEqual(
    charts.filter(isSkip).map((c) => c.file),
    ['density-marginal.png', 'density-creation.png'],
    'the fixture has data for every other chart',
  );
  for (const c of charts.filter((x): x is ChartSpec => !isSkip(x))) {
    const png = await renderChartPng(c.config, c.width, c.height);
    assert.deepEqual(ihdr(png), { width: c.width, height: c.height }, c.file);
    assert.ok((await luminanceVariance(png)) > 100, `${c.file} looks blank`);
  }
});

test('Figure 12.1 renders one stack per environment (1600 px wide up to 4) and is not blank', async () => {
  const s = stacks(model);
  const png = renderFigure(model, s, headline(model, s));
  assert.equal(model.envs.length, 4);
  assert.deepEqual(ihdr(png), { width: FIGURE.width, height: FIGURE.height });
  assert.equal(figureWidth(12), 2 * 60 + 12 * 340 + 11 * 36, 'a 12-environment run gets a wider figure');
  assert.ok((await luminanceVariance(png)) > 100);
});

test('a run without density or work samples omits those charts with a reason', () => {
  const run = loadRun(QUICK);
  const only = { ...run, samples: run.samples.filter((s) => s.kind === 'start' || s.kind === 'idle') };
  const m = buildModel({ ...only, summary: summarize(run.meta.runId, only.samples) });
  const skipped = allCharts(m).filter(isSkip);
  assert.deepEqual(skipped.map((c) => c.file).sort(), [
    'cpu-overhead.png',
    'density-creation.png',
    'density-marginal.png',
    'density.png',
    'relative-to-native.png',
  ]);
  assert.match(skipped.find((c) => c.file === 'density.png')!.skipped, /no density samples/);
});

test('headline names the accelerator, the ratios and the host; TCG caveat beside it', () => {
  const s = stacks(model);
  const h = headline(model, s);
  assert.match(
    h.sentence,
    /366x faster than a TCG guest .* 324x \(TCG\) less memory .* on AMD EPYC \(2 cores, Linux 6\.18/,
  );
  assert.match(h.caveats[0]!, /TCG, QEMU's software emulation/);
});

test('idle CPU that read 0 everywhere is left out with a reason, not drawn as an empty chart', () => {
  const run = loadRun(QUICK);
  const samples = run.samples.map((s) =>
    s.kind === 'idle' ? { ...s, metrics: { ...s.metrics, idleCpuPerSec: 0 } } : s,
  );
  const m = buildModel({ ...run, samples, summary: summarize(run.meta.runId, samples) });
  const idle = allCharts(m).find((c) => c.file === 'idle-cpu.png')!;
  assert.ok(isSkip(idle));
  assert.match(idle.skipped, /every idle CPU sample read 0/);
});
