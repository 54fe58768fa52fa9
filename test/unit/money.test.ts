import { expect } from 'chai';
import { Rupees } from '../../schemas/common.js';
import { parsePaise, percentOf, toNumeric, toPaise, toRupees } from '../../src/money.js';

describe('money: integer paise, exact decimal conversions', () => {
  it('reads NUMERIC strings and JSON numbers of rupees as paise', () => {
    expect(toPaise('1350.50')).to.equal(135050);
    expect(toPaise(1350.5)).to.equal(135050);
    expect(toPaise('0.07')).to.equal(7);
    expect(toPaise(0.1)).to.equal(10);
    expect(toPaise('-3.2')).to.equal(-320);
    expect(parsePaise('1.005')).to.equal(undefined);
    expect(parsePaise('1e3')).to.equal(undefined);
  });

  it('writes paise as NUMERIC literals and JSON rupees without drift', () => {
    expect(toNumeric(135050)).to.equal('1350.50');
    expect(toNumeric(7)).to.equal('0.07');
    expect(toNumeric(-320)).to.equal('-3.20');
    expect(toRupees(135050)).to.equal(1350.5);
    // 0.1 + 0.2 in paise is exactly 0.3 rupees
    expect(toRupees(toPaise(0.1) + toPaise(0.2))).to.equal(0.3);
    expect(() => toNumeric(1.5)).to.throw(RangeError);
  });

  it('takes percentages rounded half up to the paisa', () => {
    expect(percentOf(100000, 10)).to.equal(10000);
    expect(percentOf(333, '12.5')).to.equal(42); // 41.625 -> 42
    expect(percentOf(5, 10)).to.equal(1); // 0.5 -> 1
    expect(percentOf(4, 10)).to.equal(0); // 0.4 -> 0
    expect(percentOf(-5, 10)).to.equal(-1);
  });

  it('accepts rupee amounts with at most two decimals and refuses the rest', () => {
    for (const ok of [0, 1, 1350.5, 1350.05, 999999999999.99]) expect(Rupees.safeParse(ok).success, String(ok)).to.equal(true);
    // 10^12 and up do not fit NUMERIC(14, 2), the type of every money column.
    for (const bad of [-1, 1.005, 0.1 + 0.2, 1e12, 9999999999999.99, 1e13, Number.NaN, Infinity, '10']) {
      expect(Rupees.safeParse(bad).success, String(bad)).to.equal(false);
    }
  });
});
