import { describe, expect, it } from 'vitest';
import { htmlToText } from '../src/modules/ingestion/html-to-text';

const nested = (tag: string, levels: number, inner: string) =>
  `<html><body><p>Intro text.</p>${`<${tag}>`.repeat(levels)}${inner}${`</${tag}>`.repeat(levels)}<p>Outro text.</p></body></html>`;

describe(htmlToText.name, () => {
  it('keeps one paragraph per block, joins inline text and drops scripts, menus and footers', async () => {
    const html =
      '<html><body><nav>Home | News</nav><div>First <b>bold</b> words<p>A paragraph</p>tail of the div</div>' +
      '<span>inline</span> text<br>after a break<ul><li>one</li><li>two <i>items</i></li></ul><script>x()</script><footer>©</footer></body></html>';
    expect((await htmlToText(html)).text).toBe(
      ['First bold words', 'A paragraph', 'tail of the div', 'inline text', 'after a break', 'one', 'two items'].join('\n'),
    );
  });

  it('reads 20,000 nested spans without overflowing the stack', async () => {
    expect((await htmlToText(nested('span', 20_000, 'deep <em>inline</em> text'))).text).toBe('Intro text.\ndeep inline text\nOutro text.');
  });

  it('reads 5,000 nested divs in linear time', async () => {
    // Readability over this took minutes (quadratic in the nesting); the walk takes milliseconds
    const started = performance.now();
    expect((await htmlToText(nested('div', 5_000, '<p>deep paragraph</p>tail'))).text).toBe('Intro text.\ndeep paragraph\ntail\nOutro text.');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('still finds the article with Readability on an ordinary page', async () => {
    const article = Array.from(
      { length: 6 },
      (_, index) => `<p>Paragraph ${index} of the story has enough words to count as the article, the mayor said on Monday.</p>`,
    ).join('');
    const html = `<html><head><title>Story</title></head><body><div class="menu"><a href="/">Home</a></div><div><div><article>${article}</article></div></div><div class="comments">Reader comment</div></body></html>`;
    const { text, title } = await htmlToText(html);
    expect(title).toBe('Story');
    expect(text.split('\n')).toHaveLength(6);
    expect(text).not.toContain('Reader comment');
  });
});
