import type { parseHTML as ParseHTML } from 'linkedom';
import type { Readability as ReadabilityClass } from '@mozilla/readability';

const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'IFRAME', 'FORM', 'NAV', 'ASIDE', 'FOOTER', 'HEADER', 'BUTTON', 'SELECT', 'FIGURE']);
const BLOCK = new Set([
  'P',
  'DIV',
  'SECTION',
  'ARTICLE',
  'MAIN',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'LI',
  'BLOCKQUOTE',
  'PRE',
  'TR',
  'DT',
  'DD',
  'FIGCAPTION',
  'TABLE',
  'UL',
  'OL',
  'DL',
  'HR',
  'ADDRESS',
]);

interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  firstChild: DomNode | null;
  nextSibling: DomNode | null;
  parentNode: DomNode | null;
}

/**
 * Readability's scoring walks ancestors and descendants of every candidate, so its cost grows with
 * nesting times size: 800 nested divs took 11 s, 20,000 nested spans overflowed its recursion.
 * Articles nest a few dozen levels; deeper documents, or ones with more elements than a news page
 * has, skip Readability and are read whole by the walk below, which costs one step per node.
 */
const MAX_READABILITY_DEPTH = 64;
/** Elements times depth: a typical article page (3,000 elements, 30 deep) is well inside. */
const MAX_READABILITY_WORK = 500_000;

/**
 * Collects paragraphs: each block element ends one; inline text is joined with folded spaces.
 * Iterative (first child, next sibling, back up through parents), so no nesting depth can
 * overflow the stack.
 */
function walk(root: DomNode, paragraphs: string[], current: string[]): void {
  let node: DomNode | null = root.firstChild;
  while (node && node !== root) {
    let descend = false;
    if (node.nodeType === 3) {
      current.push(node.textContent ?? '');
    } else if (node.nodeType === 1) {
      const name = node.nodeName.toUpperCase();
      if (name === 'BR') flush(paragraphs, current);
      else if (!SKIP.has(name)) {
        if (BLOCK.has(name)) flush(paragraphs, current);
        descend = node.firstChild !== null;
        if (!descend && BLOCK.has(name)) flush(paragraphs, current);
      }
    }
    if (descend) {
      node = node.firstChild;
      continue;
    }
    // done with this node: on to its next sibling, closing the blocks we climb out of
    while (node && node !== root && !node.nextSibling) {
      node = node.parentNode;
      if (node && node !== root && BLOCK.has(node.nodeName.toUpperCase())) flush(paragraphs, current);
    }
    node = node && node !== root ? node.nextSibling : null;
  }
}

/** Deepest element nesting under `root` and the number of elements, counted without recursion. */
function shape(root: DomNode): { depth: number; elements: number } {
  let depth = 0;
  let deepest = 0;
  let elements = 0;
  let node: DomNode | null = root.firstChild;
  while (node && node !== root) {
    if (node.nodeType === 1) elements++;
    if (node.firstChild) {
      depth++;
      if (depth > deepest) deepest = depth;
      node = node.firstChild;
      continue;
    }
    while (node && node !== root && !node.nextSibling) {
      node = node.parentNode;
      depth--;
    }
    node = node && node !== root ? node.nextSibling : null;
  }
  return { depth: deepest, elements };
}

function flush(paragraphs: string[], current: string[]): void {
  const text = current
    .join('')
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
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
 * fragment, a short page), or the page is too deep or large for it, the whole body is used, still
 * without scripts, menus and footers. Runs in a worker thread (src/cpu/cpu-pool.ts).
 */
export async function htmlToText(html: string): Promise<{ text: string; title: string | null }> {
  const { parseHTML, Readability } = await loadLibraries();
  // linkedom needs a whole document; a fragment ("<p>…</p>") gets one around it
  const { document } = parseHTML(/<html[\s>]/i.test(html) ? html : `<!doctype html><html><head></head><body>${html}</body></html>`);
  let root: DomNode | null = null;
  let title: string | null = null;
  const { depth, elements } = shape(document as unknown as DomNode);
  if (depth <= MAX_READABILITY_DEPTH && elements * depth <= MAX_READABILITY_WORK) {
    try {
      const article = new Readability(document.cloneNode(true) as unknown as Document, { charThreshold: 200 }).parse();
      if (article?.content && (article.textContent ?? '').trim().length >= 200) {
        root = parseHTML(`<!doctype html><html><body>${article.content}</body></html>`).document.body as unknown as DomNode;
        title = article.title?.trim() || null;
      }
    } catch {
      // fall back to the whole body below
    }
  }
  root ??= (document.body ?? document.documentElement) as unknown as DomNode;
  title ??= document.title?.trim() || null;
  const paragraphs: string[] = [];
  const current: string[] = [];
  if (root) walk(root, paragraphs, current);
  flush(paragraphs, current);
  return { text: paragraphs.join('\n'), title };
}
