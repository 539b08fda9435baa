// Package amount writes money and dates the way Russian sales documents print
// them: amounts in figures ("3 050 000,00"), amounts in words («Три миллиона
// пятьдесят тысяч рублей 00 копеек») and dates per ГОСТ Р 7.0.97-2016 p. 5.10,
// with English equivalents for bilingual documents.
//
// Amounts are exact integers in minor units (kopecks, cents, fen), the same
// representation as workflow.Money; pass m.Minor() for a workflow.Money.
//
// Words rules (DOMAIN.md §1.0): the integer part agrees with the currency word
// (n mod 100 in 11..14 → many; n mod 10 = 1 → one; 2..4 → few; otherwise
// many), the same rule declines тысяча, миллион and the minor unit; тысяча and
// копейка are feminine («одна», «две»); the number always starts with a
// capital letter and a thousand is «Одна тысяча», never «Тысяча». The minor
// units are two digits followed by the declined word («00 копеек») unless
// Options.MinorInWords asks for words.
//
// Negative amounts are refused with ErrNegative: Russian documents never
// spell a negative sum; a correction document states a decrease as a positive
// amount under its own heading.
package amount
