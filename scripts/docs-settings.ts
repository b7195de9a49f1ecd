// Writes docs/settings.md's table of settings from SETTING_DEFINITIONS, between its
// `<!-- settings-table:start -->` and `<!-- settings-table:end -->` markers:
// `npm run docs:settings`. test/docs/settings-table.test.ts fails while the page differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  SETTING_DEFINITIONS,
  type SettingDefinition,
  type SettingOwner,
} from '../src/core/config/setting-definitions.js';

/** The page the table lives in. */
export const SETTINGS_PAGE = join(import.meta.dirname, '../docs/settings.md');

const START = '<!-- settings-table:start -->';
const END = '<!-- settings-table:end -->';

const READ_BY: Readonly<Record<SettingOwner, string>> = {
  library: '`createTessera`',
  store: '`openStore`',
  server: 'the server',
};

function shownDefault(value: SettingDefinition['default']): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) return `\`${value.join(',')}\``;
  return `\`${String(value)}\``;
}

/** The Markdown table: one row per setting, in the table's order. */
export function settingsTable(): string {
  const rows = Object.entries(SETTING_DEFINITIONS).map(
    ([key, definition]: [string, SettingDefinition]) =>
      `| \`${definition.env}\` | \`${key}\` | ${READ_BY[definition.owner]} | ${shownDefault(definition.default)} | ${definition.doc} |`,
  );
  return [
    '| Variable | Setting | Read by | Default | Meaning |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** `page` with the generated table between its markers. */
export function withSettingsTable(page: string): string {
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`docs/settings.md must hold ${START} and then ${END}`);
  }
  return `${page.slice(0, start + START.length)}\n${settingsTable()}\n${page.slice(end)}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const page = readFileSync(SETTINGS_PAGE, 'utf8');
  const written = withSettingsTable(page);
  if (written !== page) writeFileSync(SETTINGS_PAGE, written);
  console.log(written === page ? 'docs/settings.md is up to date' : 'docs/settings.md written');
}
