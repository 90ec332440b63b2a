"""The monorepo example's API: prices, orders and stock."""
