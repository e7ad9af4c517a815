// A neutral document (headings, paragraphs, tables, images) that the Markdown and HTML exporters
// both render, so the two formats can never say different things.
export type Block =
  | { type: 'h1' | 'h2' | 'h3'; text: string }
  | { type: 'p'; text: string; role?: 'headline' | 'caveat' | 'warning' | 'note' | 'status' }
  | { type: 'list'; items: string[]; role?: 'caveat' | 'warning' }
  | { type: 'table'; head: string[]; rows: string[][]; align?: ('l' | 'r')[] }
  | { type: 'image'; file: string; alt: string; caption: string };

export type Doc = Block[];
