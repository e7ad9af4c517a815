// Doc -> Markdown (GitHub-flavoured: pipe tables, images as relative links to the PNGs).
import type { Block, Doc } from './doc.js';

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function table(b: Extract<Block, { type: 'table' }>): string {
  const sep = b.head.map((_, i) => (b.align?.[i] === 'r' ? '---:' : '---'));
  return [b.head, sep, ...b.rows].map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n');
}

function block(b: Block): string {
  switch (b.type) {
    case 'h1':
      return `# ${b.text}`;
    case 'h2':
      return `## ${b.text}`;
    case 'h3':
      return `### ${b.text}`;
    case 'p':
      if (b.role === 'headline') return `> **${b.text}**`;
      if (b.role === 'status') return `> [!WARNING]\n> **${b.text}**`;
      if (b.role === 'note') return `_${b.text}_`;
      return b.text;
    case 'list':
      return b.items.map((i) => `- ${b.role === 'caveat' ? `**Caveat:** ${i}` : i}`).join('\n');
    case 'table':
      return table(b);
    case 'image':
      return `![${b.alt}](${encodeURI(b.file)})\n\n_${b.caption}_`;
  }
}

export function exportMarkdown(doc: Doc): string {
  return doc.map(block).join('\n\n') + '\n';
}
