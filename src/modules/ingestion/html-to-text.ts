import type { parseHTML as ParseHTML } from 'linkedom';
import type { Readability as ReadabilityClass } from '@mozilla/readability';

const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'IFRAME', 'FORM', 'NAV', 'ASIDE', 'FOOTER', 'HEADER', 'BUTTON', 'SELECT', 'FIGURE']);
const BLOCK = new Set([
  'P', 'DIV', 'SECTION', 'ARTICLE', 'MAIN', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'LI', 'BLOCKQUOTE', 'PRE', 'TR',
  'DT', 'DD', 'FIGCAPTION', 'TABLE', 'UL', 'OL', 'DL', 'HR', 'ADDRESS',
]);

interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}

/** Collects paragraphs: each block element ends one; inline text is joined with folded spaces. */
function walk(node: DomNode, paragraphs: string[], current: string[]): void {
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === 3) {
      current.push(child.textContent ?? '');
    } else if (child.nodeType === 1) {
      const name = child.nodeName.toUpperCase();
      if (SKIP.has(name)) continue;
      if (name === 'BR') {
        flush(paragraphs, current);
        continue;
      }
      const block = BLOCK.has(name);
      if (block) flush(paragraphs, current);
      walk(child, paragraphs, current);
      if (block) flush(paragraphs, current);
    }
  }
}

function flush(paragraphs: string[], current: string[]): void {
  const text = current.join('').replace(/[\s\u00a0]+/g, ' ').trim();
  current.length = 0;
  if (text) paragraphs.push(text);
}

export function looksLikeHtml(text: string): boolean {
  return /^\s*(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text) || /<(p|div|article|br)[\s>/]/i.test(text.slice(0, 5000));
}

let libraries: Promise<{ parseHTML: typeof ParseHTML; Readability: typeof ReadabilityClass }> | null = null;

/**
 * The DOM and Readability are loaded on the first HTML import, not when the server starts: they
 * are a large part of a process's memory, and most processes never parse a page.
 */
function loadLibraries(): Promise<{ parseHTML: typeof ParseHTML; Readability: typeof ReadabilityClass }> {
  libraries ??= Promise.all([import('linkedom'), import('@mozilla/readability')]).then(([linkedom, readability]) => ({
    parseHTML: linkedom.parseHTML,
    Readability: readability.Readability,
  }));
  return libraries;
}

/**
 * Reduces an HTML page to its article text, one paragraph per line. Readability (Firefox's
 * reader view) finds the article and drops navigation, ads and comments; when it finds none (a
 * fragment, a short page) the whole body is used, still without scripts, menus and footers.
 */
export async function htmlToText(html: string): Promise<{ text: string; title: string | null }> {
  const { parseHTML, Readability } = await loadLibraries();
  // linkedom needs a whole document; a fragment ("<p>…</p>") gets one around it
  const { document } = parseHTML(/<html[\s>]/i.test(html) ? html : `<!doctype html><html><head></head><body>${html}</body></html>`);
  let root: DomNode | null = null;
  let title: string | null = null;
  try {
    const article = new Readability(document.cloneNode(true) as unknown as Document, { charThreshold: 200 }).parse();
    if (article?.content && (article.textContent ?? '').trim().length >= 200) {
      root = parseHTML(`<!doctype html><html><body>${article.content}</body></html>`).document.body as unknown as DomNode;
      title = article.title?.trim() || null;
    }
  } catch {
    // fall back to the whole body below
  }
  root ??= (document.body ?? document.documentElement) as unknown as DomNode;
  title ??= document.title?.trim() || null;
  const paragraphs: string[] = [];
  const current: string[] = [];
  if (root) walk(root, paragraphs, current);
  flush(paragraphs, current);
  return { text: paragraphs.join('\n'), title };
}
