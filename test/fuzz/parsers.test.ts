import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzTargets, runCase } from './targets.js';

// A bounded number of cases per parser keeps `npm test` fast; `npm run fuzz` runs many more and
// measures time against input size (bench/fuzz.ts).
const CASES = 100;

describe.each(fuzzTargets())('$name under random input', (target) => {
  it('throws nothing but its typed error, and answers the same bytes the same way', () => {
    fc.assert(
      fc.property(target.input, (input) => {
        expect(runCase(target, input)).toBe(runCase(target, input));
      }),
      { numRuns: CASES, seed: 16 },
    );
  });
});
