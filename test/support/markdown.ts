// Reading the docs' Markdown as GitHub renders it: fenced blocks, headings' anchors, relative links.

/** A fenced code block: its info string's first word, its text (indentation of a nested fence removed), its line. */
export type FencedBlock = {
  readonly lang: string;
  readonly body: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The reason given by a `<!-- not run: … -->` line right above the fence, if any. */
  readonly notRun: string | undefined;
  /** False when the page ends before the fence closes (the rest of the page would render as code). */
  readonly closed: boolean;
};

const FENCE = /^( *)(`{3,}|~{3,})\s*([^`\s]*)/;
const NOT_RUN = /^\s*<!-- not run: (.+?) -->\s*$/;

/** Every fenced block of a page, in order. */
export function fencedBlocks(text: string): FencedBlock[] {
  const lines = text.split('\n');
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent = '', fence = '', lang = ''] = open;
    const close = new RegExp(`^ *${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]!); j++) body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!.trimStart());
    const above = i > 0 ? NOT_RUN.exec(lines[i - 1]!) : null;
    blocks.push({ lang, body: `${body.join('\n')}\n`, line: i + 1, notRun: above?.[1], closed: j < lines.length });
    i = j;
  }
  return blocks;
}

/** The page without its fenced blocks and inline code spans (where a link or a heading is only text). */
export function prose(text: string): string {
  const lines = text.split('\n');
  const kept: string[] = [];
  let fence: RegExp | undefined;
  for (const line of lines) {
    if (fence) {
      if (fence.test(line)) fence = undefined;
      kept.push('');
      continue;
    }
    const open = FENCE.exec(line);
    if (open) {
      fence = new RegExp(`^ *${open[2]![0] === '`' ? '`' : '~'}{${open[2]!.length},}\\s*$`);
      kept.push('');
      continue;
    }
    kept.push(line.replace(/(`+)[\s\S]*?\1/g, ''));
  }
  return kept.join('\n');
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: RegExp | undefined;
  for (const line of text.split('\n')) {
    if (fence) {
      if (fence.test(line)) fence = undefined;
      continue;
    }
    const open = FENCE.exec(line);
    if (open) {
      fence = new RegExp(`^ *${open[2]![0] === '`' ? '`' : '~'}{${open[2]!.length},}\\s*$`);
      continue;
    }
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** GitHub's slug of a heading's text (github-slugger's rule over the rendered text). */
export function slug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`/g, '');
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** A link or image in a page's prose: its target as written, and the line it is on. */
export type Link = { readonly target: string; readonly line: number };

/** Every inline link and image target outside code. */
export function links(text: string): Link[] {
  const found: Link[] = [];
  prose(text)
    .split('\n')
    .forEach((line, index) => {
      for (const match of line.matchAll(/!?\[(?:[^\]]|\][^(])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push({ target: match[1]!, line: index + 1 });
    });
  return found;
}
