import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CpuProfile, summarizeProfile } from '../../bench/cpu-profile-summary.js';
import { median, pairedRatio, quantile, type VariantRuns } from '../../bench/interleaved-load.js';
import { BARE, TESSERA } from '../../bench/throughput.js';
import { throughputChartSvg } from '../../bench/throughput-chart.js';
import type { WrkRun } from '../../bench/wrk.js';

function runs(label: string, rps: readonly number[]): VariantRuns {
  return {
    label,
    runs: rps.map(
      (value): WrkRun => ({
        requests: value,
        seconds: 1,
        rps: value,
        p50Ms: 1,
        p99Ms: 2,
        generatorCpu: 0.5,
        serverCpu: 1,
      }),
    ),
  };
}

describe('benchmark figures', () => {
  test('median and quantiles', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
    assert.equal(quantile([10, 20, 30, 40, 50], 25), 20);
    assert.equal(quantile([10, 20], 50), 15);
  });

  test('ratios pair the runs of one round, not the medians of each side', () => {
    // Round by round tessera gets half of bare; the two medians alone would say 0.4/0.9.
    const tessera = runs(TESSERA, [10, 40, 100]);
    const bare = runs(BARE, [20, 80, 200]);
    const paired = pairedRatio(tessera, bare);
    assert.deepEqual(paired.ratios, [0.5, 0.5, 0.5]);
    assert.equal(paired.median, 0.5);
    assert.equal(paired.min, 0.5);
  });

  test('the chart draws each variant against its bare ceiling and escapes its text', () => {
    const svg = throughputChartSvg(
      [
        {
          id: 'g',
          label: 'Fastify <SQLite> & co',
          variants: [
            {
              label: TESSERA,
              rps: 500,
              p99Ms: 1,
              generatorCpu: 0.5,
              serverCpu: 1,
              runs: [],
              versusBare: 0.5,
            },
            {
              label: BARE,
              rps: 1000,
              p99Ms: 1,
              generatorCpu: 0.5,
              serverCpu: 1,
              runs: [],
              versusBare: 1,
            },
          ],
        },
      ],
      { date: '2026-11-28', machine: '2 cores', method: 'wrk' },
    );
    assert.match(svg, /Fastify &lt;SQLite&gt; &amp; co/);
    assert.match(svg, /500 req\/s · 0\.50× bare/);
    const widths = [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)" height="15"/g)].map(
      (match) => Number(match[1]),
    );
    // tessera's track (the bare ceiling), tessera's bar at half of it, bare's bar at full width.
    assert.deepEqual(widths, [440, 220, 440]);
  });

  test('a CPU profile is summed per function: self samples and samples under it', () => {
    const frame = (functionName: string) => ({
      functionName,
      url: 'file:///x/src/a.js',
      lineNumber: 0,
    });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('root'), children: [2] },
        { id: 2, callFrame: frame('outer'), children: [3] },
        { id: 3, callFrame: frame('inner') },
      ],
      startTime: 0,
      endTime: 4,
      samples: [3, 3, 2, 1],
    };
    const byName = new Map(summarizeProfile(profile).map((row) => [row.name, row]));
    assert.deepEqual(byName.get('src/a.js:1 inner'), {
      name: 'src/a.js:1 inner',
      self: 0.5,
      total: 0.5,
    });
    assert.deepEqual(byName.get('src/a.js:1 outer'), {
      name: 'src/a.js:1 outer',
      self: 0.25,
      total: 0.75,
    });
    assert.equal(byName.get('src/a.js:1 root')?.total, 1);
  });
});
