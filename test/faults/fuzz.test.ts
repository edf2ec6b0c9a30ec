import { fuzzSuite } from '../support/fuzz-suite';

// The quick run (test/hardening-fuzz.test.ts, in npm test), ten times longer.
fuzzSuite({ queries: 1500, mutations: 600, raw: 1200, stringsPerArgument: 20, downloads: 1500 });
