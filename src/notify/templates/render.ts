/**
 * A notice as a list of blocks, rendered once as HTML and once as plain text, so both parts
 * carry the same content. Every piece of text is escaped here and nowhere else: templates pass raw
 * strings, including values from the roster such as names in warnings.
 */
export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; head: string[]; rows: string[][] }
  | { kind: 'facts'; rows: [label: string, value: string][] }
  | { kind: 'link'; label: string; url: string };

export interface Notice {
  /** One line, already free of line breaks. */
  subject: string;
  blocks: Block[];
}

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

/** Renders the notice's blocks into a plain-text part and an HTML part. */
export function renderNotice(notice: Notice): RenderedNotice {
  return { subject: notice.subject, text: renderText(notice.blocks), html: renderHtml(notice) };
}

/** Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Replaces line breaks and other control characters with a space, for one-line values. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
  return value.replace(controlCharacters, ' ').replace(/ {2,}/g, ' ').trim();
}

function renderText(blocks: Block[]): string {
  const parts = blocks.map((block) => {
    switch (block.kind) {
      case 'heading':
        return `${oneLine(block.text)}\n${'-'.repeat(Math.min(oneLine(block.text).length, 72))}`;
      case 'paragraph':
        return block.text;
      case 'list':
        return block.items.map((item) => `- ${oneLine(item)}`).join('\n');
      case 'table':
        return textTable(block.head, block.rows);
      case 'facts':
        return textFacts(block.rows);
      case 'link':
        return `${block.label}:\n${block.url}`;
    }
  });
  return `${parts.join('\n\n')}\n`;
}

function textTable(head: string[], rows: string[][]): string {
  const all = [head, ...rows].map((row) => row.map(oneLine));
  const widths = head.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function textFacts(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => oneLine(label).length)) + 1;
  return rows.map(([label, value]) => `${`${oneLine(label)}:`.padEnd(width)} ${oneLine(value)}`).join('\n');
}

const cellStyle = 'padding:4px 12px 4px 0;text-align:right;border-bottom:1px solid #ddd';
const firstCellStyle = 'padding:4px 12px 4px 0;text-align:left;border-bottom:1px solid #ddd';

function renderHtml(notice: Notice): string {
  const body = notice.blocks.map(htmlBlock).join('\n');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8">',
    `<title>${escapeHtml(notice.subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222;max-width:640px">',
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function htmlBlock(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `<h2 style="font-size:17px;margin:20px 0 8px">${escapeHtml(oneLine(block.text))}</h2>`;
    case 'paragraph':
      return `<p>${escapeHtml(block.text).replace(/\n/g, '<br>')}</p>`;
    case 'list':
      return `<ul>${block.items.map((item) => `<li>${escapeHtml(oneLine(item))}</li>`).join('')}</ul>`;
    case 'table':
      return htmlTable(block.head, block.rows);
    case 'facts':
      return htmlFacts(block.rows);
    case 'link':
      return `<p><a href="${escapeHtml(block.url)}">${escapeHtml(block.label)}</a></p>`;
  }
}

function htmlTable(head: string[], rows: string[][]): string {
  const cells = (row: string[], tag: 'th' | 'td') =>
    row
      .map(
        (cell, column) =>
          `<${tag} style="${column === 0 ? firstCellStyle : cellStyle}">${escapeHtml(oneLine(cell))}</${tag}>`,
      )
      .join('');
  const header = `<tr>${cells(head, 'th')}</tr>`;
  const body = rows.map((row) => `<tr>${cells(row, 'td')}</tr>`).join('');
  return `<table style="border-collapse:collapse">${header}${body}</table>`;
}

function htmlFacts(rows: [string, string][]): string {
  const body = rows
    .map(
      ([label, value]) =>
        `<tr><th style="${firstCellStyle};font-weight:normal;color:#555">${escapeHtml(oneLine(label))}</th><td style="${firstCellStyle}">${escapeHtml(oneLine(value))}</td></tr>`,
    )
    .join('');
  return `<table style="border-collapse:collapse">${body}</table>`;
}
