// Units of the network metrics (#14) in tables: sub-millisecond times in µs, bit/s in Gbit/s or
// Mbit/s; the report's fmtUnit and compare's formatValue agree on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtUnit } from '../../../src/report/format.js';
import { formatValue } from '../../../src/regress/format.js';

test('round trips in µs, longer times in ms, throughput in Gbit/s or Mbit/s', () => {
  assert.equal(fmtUnit(17_543, 'ns'), '17.5 µs');
  assert.equal(fmtUnit(139_900, 'ns'), '140 µs');
  assert.equal(fmtUnit(2_500_000, 'ns'), '2.50 ms');
  assert.equal(fmtUnit(0, 'ns'), '0 ms');
  assert.equal(fmtUnit(9_624_950_124, 'bit/s'), '9.62 Gbit/s');
  assert.equal(fmtUnit(850_000_000, 'bit/s'), '850 Mbit/s');
  assert.equal(formatValue(17_543, 'ns'), '17.5 µs');
  assert.equal(formatValue(9_624_950_124, 'bit/s'), '9.62 Gbit/s');
  assert.equal(formatValue(850_000_000, 'bit/s'), '850.0 Mbit/s');
});
