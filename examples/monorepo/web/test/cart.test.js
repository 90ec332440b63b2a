'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { cartTotal, formatCents } = require('../src/cart.js');

test('the total sums every line', () => {
  assert.strictEqual(cartTotal([{ cents: 50, quantity: 2 }, { cents: 80, quantity: 1 }]), 180);
});

test('cents are shown with two digits', () => {
  assert.strictEqual(formatCents(1805), '18.05');
});
