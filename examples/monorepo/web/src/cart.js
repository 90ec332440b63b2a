'use strict';

// The cart shown in the browser: prices in cents, like the API's.
function cartTotal(lines) {
  return lines.reduce((sum, line) => sum + line.cents * line.quantity, 0);
}

function formatCents(cents) {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

module.exports = { cartTotal, formatCents };
