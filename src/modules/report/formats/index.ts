export type ExportFormat = 'csv' | 'jsonl' | 'claimreview' | 'html';

export interface ExportFormatInfo {
  /** The download's path under /exports/. */
  fileName: string;
  /** What the saved file is called after the team and date. */
  extension: string;
  contentType: string;
  /** Shown in the browser (HTML) or saved (everything else). */
  disposition: 'inline' | 'attachment';
}

export const EXPORT_FORMATS: Record<ExportFormat, ExportFormatInfo> = {
  csv: { fileName: 'verdicts.csv', extension: 'csv', contentType: 'text/csv; charset=utf-8; header=present', disposition: 'attachment' },
  jsonl: { fileName: 'verdicts.jsonl', extension: 'jsonl', contentType: 'application/jsonl; charset=utf-8', disposition: 'attachment' },
  claimreview: {
    fileName: 'verdicts.claimreview.jsonld',
    extension: 'claimreview.jsonld',
    contentType: 'application/ld+json; charset=utf-8',
    disposition: 'attachment',
  },
  html: { fileName: 'verdicts.html', extension: 'html', contentType: 'text/html; charset=utf-8', disposition: 'inline' },
};

export function isExportFormat(value: string): value is ExportFormat {
  return Object.hasOwn(EXPORT_FORMATS, value);
}

export function formatForFileName(fileName: string): ExportFormat | null {
  const entry = Object.entries(EXPORT_FORMATS).find(([, info]) => info.fileName === fileName);
  return entry ? (entry[0] as ExportFormat) : null;
}
