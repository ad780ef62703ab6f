import { machineLine, writeResultsSection } from './lib/results.js';
import { corpusDir, pct, scoreCorpus } from './lib/bouncemail-score.js';

/**
 * Accuracy of the bounce-mail parser on the development corpus, against Sisimai's expectations.
 * Run: npx tsx bench/bouncemail.ts (BOUNCER_CORPUS_DIR overrides the corpus location).
 */
const dir = corpusDir();
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
  `| recipients found | ${s.found}/${s.rows} = ${pct(s.found, s.rows)} | ≥ 98 % |`,
  `| severity agreement | ${s.severity}/${s.rows} = ${pct(s.severity, s.rows)} | ≥ 97 % |`,
  `| fine-reason agreement | ${s.reason}/${s.rows} = ${pct(s.reason, s.rows)} | ≥ 90 % |`,
  `| status agreement (non-pseudo rows) | ${s.status}/${s.statusRows} = ${pct(s.status, s.statusRows)} | |`,
  `| extra recipients (not in expectations) | ${s.extraRecipients} | |`,
  `| dos/ and mac/ copies identical to bsd/ | ${s.lineEndingFiles - s.lineEndingMismatches}/${s.lineEndingFiles} | all |`,
  `| not/ messages yielding nothing | ${s.notFiles - s.notFalsePositives}/${s.notFiles} | all |`,
  `| mbox-0 split / messages with a result | ${s.mboxMessages} / ${s.mboxParsed} | 37 |`,
  `| parse time | ${s.msPerMessage.toFixed(2)} ms per message | |`,
  '',
  'Rows are matched by `recipient_hint` when present, else by position; severity: hard = `hardbounce` 1,',
  'complaint = `feedback`, none = delivered/vacation, else soft; reason accepts `reason` or `reason_2026`.',
  'Files are read as mailboxes, as Sisimai does (one corpus file holds two reports). The script prints',
  'every disagreement; most that remain are Sisimai provider tables (rhost) keyed on remote host names.',
].join('\n');
console.log(`\n${table}`);
writeResultsSection('bouncemail', table);
