// Package requisites validates the requisites of a Russian company or
// individual entrepreneur: ИНН, КПП, ОГРН/ОГРНИП, БИК, settlement account
// (р/с) and correspondent account (к/с).
//
// Every check works on plain ASCII digit strings. Input is never trimmed or
// normalised: "7707 083893" is a format error, not a valid INN, so that the
// value stored is exactly the value checked. The format is checked before any
// checksum, and each failing check is reported as a *FieldError naming the
// field by its JSON name ("inn", "kpp", …) with a Russian and an English
// message.
//
// The algorithms (DOMAIN.md §2):
//
//   - ИНН, 10 digits: check digit = (Σ d_i·[2,4,10,3,5,9,4,6,8]_i mod 11) mod 10;
//     region code "00" is refused.
//   - ИНН, 12 digits: two check digits with weights [7,2,4,10,3,5,9,4,6,8] and
//     [3,7,2,4,10,3,5,9,4,6,8]; region code "00" is refused as well.
//   - КПП: ^\d{4}[\dA-Z]{2}\d{3}$, required with a 10-digit ИНН and forbidden
//     with a 12-digit one.
//   - ОГРН (13 digits, first digit 1 or 5): (first 12 digits as a number mod 11)
//     mod 10; ОГРНИП (15 digits, first digit 3): (first 14 mod 13) mod 10.
//   - БИК: ^04\d{7}$, format only (no checksum exists).
//   - Account key (CBR 08.09.1997 № 515): a 23-digit string of a 3-digit bank
//     part and the 20-digit account, weighted 7,1,3 repeated, must sum to a
//     multiple of 10. The bank part is the last three BIK digits for an account
//     opened in a bank, and "0" + BIK digits 5–6 for an account opened in a CBR
//     division: every correspondent account 30101…, and any account at a BIK
//     ending in 000, 001 or 002.
//
// The Synthetic… helpers build valid numbers from a seeded generator for demo
// data. Synthetic numbers can coincide with real ones, so demo documents must
// be marked as such.
package requisites
