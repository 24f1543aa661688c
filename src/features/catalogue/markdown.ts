import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/** Markdown without raw HTML; links become clickable; no typographic replacements of Turkish quotes. */
const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });

const policy = (shift: number): sanitizeHtml.IOptions => ({
  allowedTags: ['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'], th: ['scope'] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowProtocolRelative: false,
  transformTags: {
    ...Object.fromEntries([1, 2, 3, 4, 5, 6].map((level) => [`h${level}`, `h${Math.min(6, level + shift)}`])),
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }),
    th: sanitizeHtml.simpleTransform('th', { scope: 'col' }), // markdown-it only makes header cells in <thead>
  },
});

/**
 * Markdown → safe HTML: markdown-it with raw HTML off, then sanitize-html as a second wall.
 * The description sits under the page's second-level headings, so its highest heading (whether
 * the author wrote # or ##) becomes h3 and the page keeps one h1 and an unbroken heading order.
 */
export function renderMarkdown(text: string | null | undefined): string {
  if (!text) return '';
  const html = md.render(text);
  const levels = [...html.matchAll(/<h([1-6])>/g)].map((m) => Number(m[1]));
  const shift = levels.length ? 3 - Math.min(...levels) : 0;
  return sanitizeHtml(html, policy(shift));
}
