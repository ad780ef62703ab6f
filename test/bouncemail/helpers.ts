import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '../../bench/lib/bouncemail-score.js';

/** Raw bytes of a corpus file, e.g. `bsd/rfc3464-01.eml`. */
export function corpusFile(path: string): Buffer {
  return readFileSync(join(corpusDir(), path));
}
