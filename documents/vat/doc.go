// Package vat computes Russian VAT (НДС) for sales documents on exact
// integers: amounts are int64 minor units (kopecks), quantities decimal
// strings with at most three fractional digits, and every rounding is
// half-up to a whole kopeck. Results that do not fit in an int64 are refused
// with ErrOverflow; nothing wraps around.
//
// The rate follows the shipment date (DOMAIN.md §0): 18 % before 2019-01-01,
// 20 % from 2019-01-01 to 2025-12-31 and 22 % from 2026-01-01 (Federal Law
// 28.11.2025 № 425-ФЗ). Reduced 10 %, 0 % (export) and exemption («Без НДС»)
// are product categories, see RateFor. Advances use the estimated rate r/(100+r)
// of the date the advance was received: 22/122, or 20/120 in 2025.
//
// Invoice arithmetic (счёт-фактура columns 5, 8 and 9): per line, amount excl.
// VAT = qty × unit price rounded; VAT = amount × rate rounded; total = amount +
// VAT. Document totals are sums of the rounded line values, which may differ
// by a kopeck or so from the VAT of the summed amount; that is how Russian
// invoices are filled in.
package vat
