/**
 * Write a generated N-step pipeline (the one the unit tests check) to a file: used by bench/editor.py.
 *   node --import tsx labextension/test/pipeline/generate-cli.ts 300 out.cwl
 */
import { writeFileSync } from 'node:fs';

import { generatedPipeline } from '../../src/pipeline/model/generate';

const [n, out] = process.argv.slice(2);
if (!n || !out || !/^\d+$/.test(n)) {
  console.error('usage: generate-cli.ts STEPS OUTFILE');
  process.exit(2);
}
writeFileSync(out, generatedPipeline(parseInt(n, 10)));
