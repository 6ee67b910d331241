// npm run bench: every benchmark, one table, and the same rows as JSON in bench/results/.
// Figures are ratios against a baseline measured in the same run: the machines are shared.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runConvergenceBench } from './convergence-bench.mjs';
import { runCoreBench } from './core-bench.mjs';
import { runHttpBench } from './http-bench.mjs';
import { runReplicasBench } from './replicas-bench.mjs';
import { runShapingBench } from './shaping-bench.mjs';

const here = dirname(fileURLToPath(import.meta.url));

// One after another, never at once: each measures the machine alone. Every row carries its baseline.
const rows = [];
for (const bench of [runHttpBench, runCoreBench, runReplicasBench, runConvergenceBench, runShapingBench]) rows.push(...(await bench()));

const format = (value) => (typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(3)) : String(value ?? '—'));
const table = [
  ['benchmark', 'value', 'unit', 'baseline', 'ratio'],
  ...rows.map((row) => [row.name, format(row.value), row.unit, format(row.baseline), format(row.ratio)]),
];
const widths = table[0].map((_, column) => Math.max(...table.map((line) => line[column].length)));
for (const line of table) console.log(line.map((cell, column) => cell.padEnd(widths[column])).join('  '));

const out = join(here, 'results');
await mkdir(out, { recursive: true });
const file = join(out, 'latest.json');
await writeFile(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, rows }, null, 2) + '\n');
console.log(`\nwritten to ${file}`);
