import { DomainError } from '../shared/errors';
import { htmlToText as convertHtml } from '../modules/ingestion/html-to-text';
import { extractStatements, type ExtractedStatement } from '../modules/extraction';
import { anchorByPosition, CodePointText, reanchor, type Anchor, type ReanchorResult } from '../modules/anchoring/anchoring';

/**
 * The CPU-heavy steps of imports and revisions, run in the worker threads of cpu-pool.ts (never on
 * the event loop). Arguments and results cross threads by structured clone, so they are plain data;
 * a DomainError (a bad anchor, say) comes back as data and is thrown again on the main thread.
 */
export type TaskOutcome<T> = { ok: T } | { domainError: { code: string; message: string; details: Record<string, unknown> } };

function outcome<T>(work: () => T): TaskOutcome<T> {
  try {
    return { ok: work() };
  } catch (error) {
    if (error instanceof DomainError) return { domainError: { code: error.code, message: error.message, details: error.details } };
    throw error;
  }
}

export interface ExtractedCandidate {
  statement: ExtractedStatement;
  anchor: Anchor;
}

export async function htmlToText(html: string): Promise<TaskOutcome<{ text: string; title: string | null }>> {
  try {
    return { ok: await convertHtml(html) };
  } catch (error) {
    return outcome(() => {
      throw error;
    });
  }
}

/** Candidate claims of a revision's body, each anchored on it (the body indexed once, not per claim). */
export function extractCandidates(body: string): TaskOutcome<ExtractedCandidate[]> {
  return outcome(() => {
    const text = new CodePointText(body);
    return extractStatements(body).map((statement) => ({ statement, anchor: anchorByPosition(text, statement.start, statement.end) }));
  });
}

export interface ReanchorTask {
  anchors: Anchor[];
  text: string;
  previousTextLength: number;
}

/** Each anchor placed on the new text, in order. */
export function reanchorAll(task: ReanchorTask): TaskOutcome<ReanchorResult[]> {
  return outcome(() => {
    const text = new CodePointText(task.text);
    return task.anchors.map((anchor) => reanchor(anchor, text, { previousTextLength: task.previousTextLength }));
  });
}

/** A job that does nothing: CpuPool.ready waits for a thread to have loaded this file. */
export function ping(): TaskOutcome<null> {
  return { ok: null };
}
