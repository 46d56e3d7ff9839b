/** report.md: the content model rendered as Markdown (tables, chart images linked from charts/). */
import { assertNever } from '../lib/assert.js';
import type { Block, Facts, Inline } from './content.js';

/** The Markdown document of a report. */
export function toMarkdown(title: string, facts: Facts, blocks: readonly Block[]): string {
  const out: string[] = [`# ${mdText(title)}`, ''];
  if (facts.length > 0) {
    out.push(facts.map(([k, v]) => `**${mdText(k)}:** ${mdText(v)}`).join(' · '), '');
  }
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`${'#'.repeat(b.level)} ${mdText(b.text)}`, '');
        break;
      case 'paragraph':
        out.push(mdInline(b.inline), '');
        break;
      case 'note':
        out.push(`_${mdInline(b.inline)}_`, '');
        break;
      case 'tags':
        out.push(
          b.groups
            .map((g) => `**${mdText(g.label)}:** ${g.ids.map((id) => `\`${id.replace(/`/g, '')}\``).join(' ')}`)
            .join(' · '),
          '',
        );
        break;
      case 'list':
        for (const item of b.items) out.push(`- ${mdInline(item)}`);
        out.push('');
        break;
      case 'table': {
        out.push(`*${mdText(b.caption)}*`, '');
        out.push(`| ${b.head.map(mdCell).join(' | ')} |`);
        out.push(`|${b.numeric.map((n) => (n ? '---:' : '---')).join('|')}|`);
        for (const row of b.rows) {
          out.push(`| ${row.map((c) => mdCell(c.sub === undefined ? c.text : `${c.text} ${c.sub}`)).join(' | ')} |`);
        }
        out.push('');
        break;
      }
      case 'charts':
        for (const c of b.charts)
          out.push(`**${mdText(c.title)}.** ${mdText(c.caption)}`, '', `![${mdText(c.title)}](charts/${c.file})`, '');
        break;
      default:
        assertNever(b);
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function mdInline(parts: readonly Inline[]): string {
  return parts
    .map((p) => {
      switch (p.kind) {
        case 'text':
          return mdText(p.text);
        case 'strong':
          return `**${mdText(p.text)}**`;
        case 'code':
          return `\`${p.text.replace(/`/g, '')}\``;
        case 'link':
          return `<${p.href.replace(/[<>\s]/g, encodeURIComponent)}>`;
        default:
          return assertNever(p);
      }
    })
    .join('');
}

/** Escapes Markdown syntax characters (and raw HTML) in plain text. */
function mdText(value: string): string {
  return value.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function mdCell(value: string): string {
  return mdText(value);
}
