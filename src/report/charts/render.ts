// Renders a Chart.js configuration to PNG bytes (chartjs-node-canvas on node-canvas); no file I/O.
import type { ChartConfiguration } from 'chart.js';
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';

export const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';

const canvases = new Map<string, ChartJSNodeCanvas>();

function canvasFor(width: number, height: number): ChartJSNodeCanvas {
  const key = `${width}x${height}`;
  let c = canvases.get(key);
  if (!c) {
    c = new ChartJSNodeCanvas({
      width,
      height,
      backgroundColour: 'white',
      chartCallback: (ChartJS) => {
        ChartJS.defaults.font.family = FONT_FAMILY;
        ChartJS.defaults.font.size = 15;
        ChartJS.defaults.color = '#222';
        ChartJS.defaults.animation = false;
      },
    });
    canvases.set(key, c);
  }
  return c;
}

export function renderChartPng(config: ChartConfiguration, width: number, height: number): Promise<Buffer> {
  return canvasFor(width, height).renderToBuffer(config as never, 'image/png');
}
