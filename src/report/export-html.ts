// Doc -> one self-contained HTML page: CSS inline, every image a data: URI, no scripts, no
// external requests, so it opens offline and can be mailed as a single file.
import type { Block, Doc } from './doc.js';

export interface HtmlOptions {
  title: string;
  /** file name -> PNG bytes, inlined as data URIs. */
  images: ReadonlyMap<string, Buffer>;
}

const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;max-width:1320px;margin:2rem auto;padding:0 1.2rem;color:#1b2631;line-height:1.45}
h1{font-size:1.9rem;margin-bottom:.4rem}h2{margin-top:2.2rem;border-bottom:2px solid #d5d8dc;padding-bottom:.2rem}
.headline{font-size:1.3rem;font-weight:600;background:#eaf2f8;border-left:6px solid #2471a3;padding:.8rem 1rem}
.status{font-weight:700;background:#fdedec;border-left:6px solid #c0392b;padding:.6rem 1rem}
ul.caveat li,ul.warning li{margin:.3rem 0}ul.caveat{color:#6e2c00}ul.warning{color:#922b21}
.note{color:#566573;font-style:italic}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #e5e8e8}figcaption{color:#566573;font-size:.92rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.92rem}th,td{border:1px solid #d5d8dc;padding:.3rem .6rem;vertical-align:top}
th{background:#f4f6f6;text-align:left}td.r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
`;

function block(b: Block, images: ReadonlyMap<string, Buffer>): string {
  switch (b.type) {
    case 'h1':
    case 'h2':
    case 'h3':
      return `<${b.type}>${esc(b.text)}</${b.type}>`;
    case 'p':
      return `<p${b.role ? ` class="${b.role}"` : ''}>${esc(b.text)}</p>`;
    case 'list':
      return `<ul${b.role ? ` class="${b.role}"` : ''}>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
    case 'table': {
      const head = `<tr>${b.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
      const rows = b.rows.map(
        (r) =>
          `<tr>${r.map((c, i) => `<td${b.align?.[i] === 'r' ? ' class="r"' : ''}>${esc(c)}</td>`).join('')}</tr>`,
      );
      return `<table>${head}${rows.join('\n')}</table>`;
    }
    case 'image': {
      const png = images.get(b.file);
      if (!png) return `<p class="note">(${esc(b.alt)}: image ${esc(b.file)} missing)</p>`;
      return `<figure><img src="data:image/png;base64,${png.toString('base64')}" alt="${esc(b.alt)}"><figcaption>${esc(b.caption)}</figcaption></figure>`;
    }
  }
}

export function exportHtml(doc: Doc, opts: HtmlOptions): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${esc(opts.title)}</title><style>${CSS}</style></head>
<body>
${doc.map((b) => block(b, opts.images)).join('\n')}
</body></html>
`;
}
