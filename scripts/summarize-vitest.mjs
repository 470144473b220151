// Reads vitest's JSON report, names the skipped tests (a skipped tier should be seen, not just counted),
// and prints the one closing line CI reads: "N passed, N failed, N skipped".
// Exits 1 when anything failed or no test ran at all (a suite that ran nothing is not a green suite).
import fs from 'node:fs';
import path from 'node:path';

const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const tests = report.testResults.flatMap((file) => file.assertionResults);
const passed = tests.filter((t) => t.status === 'passed').length;
const failed = tests.filter((t) => t.status === 'failed').length;
const skipped = tests.filter((t) => ['skipped', 'pending', 'todo', 'disabled'].includes(t.status)).length;
// A file that failed to load (syntax error, failed beforeAll) has no assertions but counts as a failure.
const brokenFiles = report.testResults.filter((file) => file.status === 'failed' && file.assertionResults.every((t) => t.status !== 'failed'));
for (const file of brokenFiles) console.error(`failed to run: ${file.name}: ${(file.message ?? '').split('\n')[0]}`);
// The static checks of scripts/static-checks.sh (boundaries, astro check, tsc) count as one test each.
const checksPassed = Number(process.env.STATIC_CHECKS_PASSED ?? 0);
const checksFailed = Number(process.env.STATIC_CHECKS_FAILED ?? 0);
const failures = failed + brokenFiles.length + checksFailed;
const skippedByFile = report.testResults
  .map((file) => ({ file: path.relative(process.cwd(), file.name), tests: file.assertionResults.filter((t) => ['skipped', 'pending', 'todo', 'disabled'].includes(t.status)) }))
  .filter((entry) => entry.tests.length > 0);
if (skippedByFile.length > 0) {
  console.log(`skipped (${skipped}):`);
  for (const { file, tests: list } of skippedByFile) {
    console.log(`  ${file}`);
    for (const test of list) console.log(`    - ${test.fullName}`);
  }
}
const line = `${passed + checksPassed} passed, ${failures} failed, ${skipped} skipped`;
console.log(line);
if (process.argv[3]) fs.writeFileSync(process.argv[3], `${line}\n`);
process.exit(failures > 0 || passed === 0 ? 1 : 0);
