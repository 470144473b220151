// Reads vitest's JSON report and prints the one closing line CI reads: "N passed, N failed, N skipped".
// Exits 1 when anything failed or no test ran at all (a suite that ran nothing is not a green suite).
import fs from 'node:fs';

const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const tests = report.testResults.flatMap((file) => file.assertionResults);
const passed = tests.filter((t) => t.status === 'passed').length;
const failed = tests.filter((t) => t.status === 'failed').length;
const skipped = tests.filter((t) => ['skipped', 'pending', 'todo', 'disabled'].includes(t.status)).length;
// A file that failed to load (syntax error, failed beforeAll) has no assertions but counts as a failure.
const brokenFiles = report.testResults.filter((file) => file.status === 'failed' && file.assertionResults.every((t) => t.status !== 'failed'));
for (const file of brokenFiles) console.error(`failed to run: ${file.name}: ${(file.message ?? '').split('\n')[0]}`);
const failures = failed + brokenFiles.length;
const line = `${passed} passed, ${failures} failed, ${skipped} skipped`;
console.log(line);
if (process.argv[3]) fs.writeFileSync(process.argv[3], `${line}\n`);
process.exit(failures > 0 || passed === 0 ? 1 : 0);
