import { machineLine, writeResultsSection } from './lib/results.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FLOORS, corpusDir, floorFailures, pct, scoreCorpus } from './lib/bouncemail-score.js';

/**
 * Accuracy of the bounce-mail parser on the development corpus, against Sisimai's expectations.
 * Run: npm run bench:bouncemail (BOUNCER_CORPUS_DIR or BOUNCER_SHARED_DIR locate the corpus).
 * Exits 1 below the accuracy floors (FLOORS in lib/bouncemail-score.ts) and 2 without a corpus;
 * .ci/run runs it, so accuracy is checked there rather than by the unit tests.
 */
const dir = corpusDir();
if (!existsSync(join(dir, 'expected.tsv'))) {
  console.error(
    `No bounce-mail corpus at ${dir} (expected.tsv missing): set BOUNCER_CORPUS_DIR, or BOUNCER_SHARED_DIR to the directory holding corpus/bounce-mail/.`,
  );
  process.exit(2);
}
const s = scoreCorpus(dir);
for (const d of s.disagreements)
  console.log(`${d.file}\t${d.what}\texpected=${d.expected}\tgot=${d.got}`);

const table = [
  `### Bounce-mail parser accuracy (\`npm run bench:bouncemail\`)`,
  '',
  machineLine(),
  '',
  `Corpus: \`${dir.replace(/.*\/(shared\/)/, '../$1')}\` (${s.rows} expected recipient rows; expectations are Sisimai's outputs).`,
  '',
  '| measure | result | target |',
  '|---|---|---|',
  `| recipients found | ${s.found}/${s.rows} = ${pct(s.found, s.rows)} | ≥ ${FLOORS.found * 100} % |`,
  `| severity agreement | ${s.severity}/${s.rows} = ${pct(s.severity, s.rows)} | ≥ ${FLOORS.severity * 100} % |`,
  `| fine-reason agreement | ${s.reason}/${s.rows} = ${pct(s.reason, s.rows)} | ≥ ${FLOORS.reason * 100} % |`,
  `| status agreement (non-pseudo rows) | ${s.status}/${s.statusRows} = ${pct(s.status, s.statusRows)} | |`,
  `| extra recipients (not in expectations) | ${s.extraRecipients} | |`,
  `| soft (or no) failure read as hard | ${s.softAsHard} | 0 |`,
  `| hard failure read as soft | ${s.hardAsSoft} | |`,
  `| sender address reported as a recipient | ${s.senderAsRecipient} | 0 |`,
  `| dos/ and mac/ copies identical to bsd/ | ${s.lineEndingFiles - s.lineEndingMismatches}/${s.lineEndingFiles} | all |`,
  `| not/ messages yielding nothing | ${s.notFiles - s.notFalsePositives}/${s.notFiles} | all |`,
  `| mbox-0 split / messages with a result | ${s.mboxMessages} / ${s.mboxParsed} | ${FLOORS.mboxMessages} |`,
  `| parse time | ${s.msPerMessage.toFixed(2)} ms per message | |`,
  '',
  'Rows are matched by `recipient_hint` when present, else by position; severity: hard = `hardbounce` 1,',
  'complaint = `feedback`, none = delivered/vacation, else soft; reason accepts `reason` or `reason_2026`.',
  'Files are read as mailboxes, as Sisimai does (one corpus file holds two reports). The script prints',
  'every disagreement; most that remain are Sisimai provider tables (rhost) keyed on remote host names.',
].join('\n');
console.log(`\n${table}`);
writeResultsSection('bouncemail', table);

const failures = floorFailures(s);
if (failures.length > 0) {
  console.error(`\nBelow the accuracy floors:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exitCode = 1;
} else {
  console.log('\nAll accuracy floors met.');
}
