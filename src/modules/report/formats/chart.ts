/** Inline SVG charts for the HTML report: no script, no font or image to fetch, legible in grey on paper. */

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export interface Bar {
  label: string;
  value: number;
  color: string;
}

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12"';

function truncate(text: string, max: number): string {
  const characters = [...text];
  return characters.length > max ? `${characters.slice(0, max - 1).join('')}…` : text;
}

/** A horizontal bar chart; every bar carries its number, so the chart reads without colour. */
export function barChart(id: string, title: string, bars: Bar[]): string {
  const labelWidth = 130;
  const barArea = 400;
  const rowHeight = 24;
  const width = labelWidth + barArea + 60;
  const height = bars.length * rowHeight + 8;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const rows = bars.map((bar, index) => {
    const y = 4 + index * rowHeight;
    const length = bar.value === 0 ? 0 : Math.max(2, Math.round((bar.value / max) * barArea));
    return (
      `<g class="bar" data-label="${escapeHtml(bar.label)}" data-value="${bar.value}">` +
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${length}" height="${rowHeight - 6}" fill="${bar.color}" stroke="#333" stroke-width="0.5"><title>${escapeHtml(bar.label)}: ${bar.value}</title></rect>` +
      `<text x="${labelWidth + length + 6}" y="${y + 16}">${bar.value}</text></g>`
    );
  });
  return (
    `<svg id="${id}" class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${FONT}>` +
    `<title id="${id}-title">${escapeHtml(title)}</title>${rows.join('')}</svg>`
  );
}

export interface StackedBar {
  label: string;
  segments: { name: string; value: number; color: string }[];
}

/** Horizontal stacked bars with a legend; each bar ends with its segment counts ("3 / 1 / 0"). */
export function stackedBarChart(id: string, title: string, bars: StackedBar[], legend: { name: string; color: string }[]): string {
  const labelWidth = 230;
  const barArea = 320;
  const rowHeight = 22;
  const legendHeight = 24;
  const width = labelWidth + barArea + 90;
  const height = legendHeight + Math.max(1, bars.length) * rowHeight + 8;
  const max = Math.max(1, ...bars.map((bar) => bar.segments.reduce((sum, segment) => sum + segment.value, 0)));
  const legendItems = legend.map((item, index) => {
    const x = labelWidth + index * 110;
    return `<rect x="${x}" y="4" width="12" height="12" fill="${item.color}" stroke="#333" stroke-width="0.5"/><text x="${x + 16}" y="14">${escapeHtml(item.name)}</text>`;
  });
  const rows = bars.map((bar, index) => {
    const y = legendHeight + index * rowHeight;
    let x = labelWidth;
    const segments = bar.segments.map((segment) => {
      const length = (segment.value / max) * barArea;
      const rect =
        segment.value === 0
          ? ''
          : `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${Math.max(1, length).toFixed(1)}" height="${rowHeight - 6}" fill="${segment.color}" stroke="#333" stroke-width="0.5"><title>${escapeHtml(segment.name)}: ${segment.value}</title></rect>`;
      x += length;
      return rect;
    });
    const counts = bar.segments.map((segment) => segment.value).join(' / ');
    return (
      `<g class="bar" data-label="${escapeHtml(bar.label)}">` +
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end"><title>${escapeHtml(bar.label)}</title>${escapeHtml(truncate(bar.label, 36))}</text>` +
      `${segments.join('')}<text x="${x + 6}" y="${y + 15}">${counts}</text></g>`
    );
  });
  return (
    `<svg id="${id}" class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${FONT}>` +
    `<title id="${id}-title">${escapeHtml(title)}</title>${legendItems.join('')}${rows.join('')}</svg>`
  );
}
