// API reports of every entry point in package.json "exports" (etc/*.api.md), made with
// API Extractor from the declarations tsc emits for the build.
//   npm run api:check    fails when an entry point's API differs from its committed report
//   npm run api:update   rewrites the reports; commit them once the change is reviewed
// A report lists every exported name with its signature, and warns inline where a declaration
// refers to a type its entry point does not export. Every exported name needs a doc comment:
// a report marking one `(undocumented)` fails both commands. Doc comments are TypeDoc's
// (`npm run docs`), so TSDoc's syntax warnings are off.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const ROOT = resolve(import.meta.dirname, '..');
const CONFIG = join(ROOT, 'api-extractor.json');
const REPORTS = join(ROOT, 'etc');
const DECLARATIONS = join(ROOT, '.tessera-test', 'api', 'dist');
/** Where API Extractor writes each report before comparing it (api-extractor.json). */
const TEMP_REPORTS = join(ROOT, '.tessera-test', 'api', 'reports');
const update = process.argv.includes('--update');

/** The report's file name for an export subpath: `.` → tessera-auth.api.md, `./nest` → tessera-auth-nest.api.md. */
function reportFileName(subpath) {
  return subpath === '.' ? 'tessera-auth.api.md' : `tessera-auth-${subpath.slice(2)}.api.md`;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const entries = Object.entries(manifest.exports)
  .filter(([, target]) => typeof target === 'object' && target.types)
  .map(([subpath, target]) => ({
    subpath,
    declarations: join(DECLARATIONS, target.types.replace(/^\.\/dist\//, '')),
    report: reportFileName(subpath),
  }));

// The declarations as `npm run build` emits them, outside dist/ so a build in progress is untouched.
rmSync(DECLARATIONS, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const build = spawnSync(
  process.execPath,
  [tsc, '-p', 'tsconfig.build.json', '--emitDeclarationOnly', '--outDir', DECLARATIONS],
  { cwd: ROOT, stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const base = ExtractorConfig.loadFile(CONFIG);
const changed = [];
for (const entry of entries) {
  if (!existsSync(entry.declarations)) {
    console.error(`${entry.subpath}: ${entry.declarations} was not emitted`);
    process.exit(1);
  }
  const config = ExtractorConfig.prepare({
    configObject: {
      ...base,
      mainEntryPointFilePath: entry.declarations,
      apiReport: { ...base.apiReport, reportFileName: entry.report },
    },
    configObjectFullPath: CONFIG,
    packageJsonFullPath: join(ROOT, 'package.json'),
  });
  const result = Extractor.invoke(config, {
    localBuild: update,
    showVerboseMessages: false,
    printApiReportDiff: !update,
    messageCallback: (message) => {
      // The analysis's warnings are written into the report itself, where a reviewer sees them;
      // the console still says when and how a report changed. Which TypeScript reads the
      // declarations is no news.
      const fromConsole = message.category === 'console';
      if (!fromConsole && message.logLevel === 'warning') message.handled = true;
      if (message.messageId === 'console-preamble') message.handled = true;
    },
  });
  if (!result.succeeded && result.errorCount > 0) {
    console.error(`${entry.subpath}: API Extractor failed with ${result.errorCount} error(s)`);
    process.exit(1);
  }
  if (result.apiReportChanged) changed.push(entry);
}

// A report whose entry point is gone is stale too.
const expected = new Set(entries.map((entry) => entry.report));
const stale = readdirSync(REPORTS).filter(
  (name) => name.endsWith('.api.md') && !expected.has(name),
);
if (update) {
  for (const name of stale) rmSync(join(REPORTS, name));
  console.log(
    `API reports written to etc/ for ${entries.length} entry points; review and commit them.`,
  );
} else if (changed.length > 0 || stale.length > 0) {
  for (const entry of changed) {
    console.error(
      `${entry.subpath}: its API differs from etc/${entry.report} (diff above); the new report is ` +
        `.tessera-test/api/reports/${entry.report}`,
    );
  }
  for (const name of stale) console.error(`etc/${name} belongs to no entry point in package.json`);
  console.error('Review the change, then run `npm run api:update` and commit etc/.');
  process.exitCode = 1;
} else {
  console.log(`API reports match for ${entries.length} entry points.`);
}

// Every exported name says what it is for, in the report as in an editor's tooltip.
const undocumented = [];
for (const entry of entries) {
  const lines = readFileSync(join(TEMP_REPORTS, entry.report), 'utf8').split('\n');
  lines.forEach((line, index) => {
    if (/^\/\/ @\w+ \(undocumented\)/.test(line)) {
      undocumented.push(`${entry.subpath}: ${lines[index + 1]}`);
    }
  });
}
if (undocumented.length > 0) {
  console.error('These exported names have no doc comment:');
  for (const item of undocumented) console.error(`  ${item}`);
  process.exitCode = 1;
}
