// Canvas drawing helpers for the figure: rounded boxes, wrapped and fitted text.
import type { CanvasRenderingContext2D } from 'canvas';

export const FONT = 'DejaVu Sans';

export function box(
  ctx: CanvasRenderingContext2D,
  x: number,
  y: number,
  w: number,
  h: number,
  fill: string,
  radius = 8,
): void {
  ctx.save();
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, Math.min(radius, h / 2));
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = '#34495e';
  ctx.stroke();
  ctx.restore();
}

/** Sets the largest font (down to `minPx`) at which `text` fits `maxWidth`. */
export function fitFont(
  ctx: CanvasRenderingContext2D,
  text: string,
  maxWidth: number,
  px: number,
  weight = '',
  minPx = 11,
): number {
  let size = px;
  for (; size > minPx; size--) {
    ctx.font = `${weight} ${size}px "${FONT}"`.trim();
    if (ctx.measureText(text).width <= maxWidth) break;
  }
  ctx.font = `${weight} ${size}px "${FONT}"`.trim();
  return size;
}

/** Greedy word wrap at the current font. */
export function wrap(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > maxWidth) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

export function text(
  ctx: CanvasRenderingContext2D,
  s: string,
  x: number,
  y: number,
  font: string,
  color = '#1b2631',
  align: 'left' | 'center' | 'right' = 'left',
): void {
  ctx.font = font;
  ctx.fillStyle = color;
  ctx.textAlign = align;
  ctx.textBaseline = 'middle';
  ctx.fillText(s, x, y);
}
