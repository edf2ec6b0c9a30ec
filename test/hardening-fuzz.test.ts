import { fuzzSuite } from './support/fuzz-suite';

// A few hundred runs here; test/faults/fuzz.test.ts runs the same properties ten times longer.
fuzzSuite({ queries: 150, mutations: 60, raw: 120, stringsPerArgument: 1, downloads: 150 });
