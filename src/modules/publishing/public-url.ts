import type express from 'express';

/** The public page of one fact-check, `{id}` standing for the Claim ID. */
export const FACT_CHECK_PATH = '/fact-checks/{id}';

/**
 * Where a team's fact-check pages live: under its public base URL when it has one (the site a
 * reader reaches, perhaps a CDN in front of this server), else under the origin the request came
 * in on.
 */
export function factCheckUrlTemplate(publicBaseUrl: string | null, origin: string): string {
  return `${publicBaseUrl ?? origin}${FACT_CHECK_PATH}`;
}

/** The origin a request reached this server on (behind a proxy, as TRUST_PROXY lets Express see it). */
export function requestOrigin(request: express.Request): string {
  return `${request.protocol}://${request.get('host') ?? 'localhost'}`;
}
