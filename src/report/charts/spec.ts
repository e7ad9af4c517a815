// A chart the report includes: a Chart.js configuration plus its file name, title and caption,
// or the reason it was left out (no data in this run).
import type { ChartConfiguration } from 'chart.js';

export interface ChartSpec {
  file: string;
  title: string;
  caption: string;
  config: ChartConfiguration;
  width: number;
  height: number;
}

export interface ChartSkip {
  file: string;
  title: string;
  skipped: string;
}

export type ChartEntry = ChartSpec | ChartSkip;

export const isSkip = (c: ChartEntry): c is ChartSkip => 'skipped' in c;

export const SLIDE = { width: 1280, height: 720 } as const;

/** Common title/axis options for a slide-sized chart. */
export function titleOptions(title: string, subtitle: string) {
  return {
    title: {
      display: true,
      text: title,
      font: { size: 24, weight: 'bold' as const },
      padding: { top: 8, bottom: 4 },
    },
    subtitle: { display: true, text: subtitle, font: { size: 15 }, color: '#555', padding: { bottom: 14 } },
  };
}
