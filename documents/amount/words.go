package amount

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNegative is returned by Words and WordsEn for an amount below zero.
var ErrNegative = errors.New("amount: negative amount cannot be written in words")

// ErrCurrency is returned by Words and WordsEn for a currency code they do not
// know.
var ErrCurrency = errors.New("amount: unsupported currency")

// Gender is the grammatical gender a Russian numeral agrees with: it changes
// «один/одна/одно» and «два/две».
type Gender int

// Genders of Russian nouns counted by Cardinal.
const (
	// Masculine: рубль, доллар, цент, миллион («один», «два»).
	Masculine Gender = iota
	// Feminine: тысяча, копейка («одна», «две»).
	Feminine
	// Neuter: место («одно», «два»).
	Neuter
)

// Options tunes Words.
type Options struct {
	// MinorInWords writes the minor units in words («пятьдесят шесть
	// копеек») instead of two digits («56 копеек»).
	MinorInWords bool
}

// currency describes how one currency is written: declension forms one, few,
// many for the major and the minor unit, their genders, and English names
// (singular, plural).
type currency struct {
	major       [3]string
	majorGender Gender
	minor       [3]string
	minorGender Gender
	majorEn     [2]string
	minorEn     [2]string
}

var currencies = map[string]currency{
	"RUB": {
		major: [3]string{"рубль", "рубля", "рублей"}, majorGender: Masculine,
		minor: [3]string{"копейка", "копейки", "копеек"}, minorGender: Feminine,
		majorEn: [2]string{"rouble", "roubles"}, minorEn: [2]string{"kopeck", "kopecks"},
	},
	"USD": {
		major: [3]string{"доллар США", "доллара США", "долларов США"}, majorGender: Masculine,
		minor: [3]string{"цент", "цента", "центов"}, minorGender: Masculine,
		majorEn: [2]string{"US dollar", "US dollars"}, minorEn: [2]string{"cent", "cents"},
	},
	"EUR": {
		// «евро» does not decline and is masculine («один евро»).
		major: [3]string{"евро", "евро", "евро"}, majorGender: Masculine,
		minor: [3]string{"евроцент", "евроцента", "евроцентов"}, minorGender: Masculine,
		majorEn: [2]string{"euro", "euros"}, minorEn: [2]string{"cent", "cents"},
	},
	"CNY": {
		// «фэнь» does not decline (DOMAIN.md §1.0).
		major: [3]string{"юань", "юаня", "юаней"}, majorGender: Masculine,
		minor: [3]string{"фэнь", "фэнь", "фэнь"}, minorGender: Masculine,
		majorEn: [2]string{"yuan", "yuan"}, minorEn: [2]string{"fen", "fen"},
	},
}

// Currencies returns the ISO 4217 codes accepted by Words and WordsEn, sorted.
func Currencies() []string {
	codes := make([]string, 0, len(currencies))
	for c := range currencies {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

func lookup(code string) (currency, error) {
	c, ok := currencies[strings.ToUpper(strings.TrimSpace(code))]
	if !ok {
		return currency{}, fmt.Errorf("%w %q (supported: %s)", ErrCurrency, code, strings.Join(Currencies(), ", "))
	}
	return c, nil
}

// Plural picks the Russian form of a noun counted by n: one for 1, 21, 101…
// («рубль»), few for 2–4, 22–24… («рубля»), many for 0, 5–20, 25–30, and for
// every n ending in 11–14 («рублей»).
func Plural(n uint64, one, few, many string) string {
	if r := n % 100; r >= 11 && r <= 14 {
		return many
	}
	switch n % 10 {
	case 1:
		return one
	case 2, 3, 4:
		return few
	}
	return many
}

func plural3(n uint64, forms [3]string) string { return Plural(n, forms[0], forms[1], forms[2]) }

var (
	ruUnits    = [10]string{"", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"}
	ruTeens    = [10]string{"десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать"}
	ruTens     = [10]string{"", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"}
	ruHundreds = [10]string{"", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"}
)

// ruScales are the names of 1000^k for k = 1…6 with their forms and gender.
var ruScales = [...]struct {
	forms  [3]string
	gender Gender
}{
	{[3]string{"тысяча", "тысячи", "тысяч"}, Feminine},
	{[3]string{"миллион", "миллиона", "миллионов"}, Masculine},
	{[3]string{"миллиард", "миллиарда", "миллиардов"}, Masculine},
	{[3]string{"триллион", "триллиона", "триллионов"}, Masculine},
	{[3]string{"квадриллион", "квадриллиона", "квадриллионов"}, Masculine},
	{[3]string{"квинтиллион", "квинтиллиона", "квинтиллионов"}, Masculine},
}

// appendTriad appends the words for 1 ≤ n ≤ 999 in gender g.
func appendTriad(words []string, n uint64, g Gender) []string {
	if h := n / 100; h > 0 {
		words = append(words, ruHundreds[h])
	}
	r := n % 100
	switch {
	case r >= 10 && r < 20:
		return append(words, ruTeens[r-10])
	case r >= 20:
		words = append(words, ruTens[r/10])
	}
	switch u := r % 10; {
	case u == 0:
	case u == 1 && g == Feminine:
		words = append(words, "одна")
	case u == 1 && g == Neuter:
		words = append(words, "одно")
	case u == 2 && g == Feminine:
		words = append(words, "две")
	default:
		words = append(words, ruUnits[u])
	}
	return words
}

// Cardinal returns n in Russian words, lower case, agreeing with a noun of
// gender g: Cardinal(2, Feminine) = "две", Cardinal(1001, Masculine) = "одна
// тысяча один", Cardinal(0, g) = "ноль". The caller declines the noun with
// Plural. Every uint64 is supported (up to квинтиллионы).
func Cardinal(n uint64, g Gender) string {
	if n == 0 {
		return "ноль"
	}
	var groups []uint64 // little-endian groups of three digits
	for v := n; v > 0; v /= 1000 {
		groups = append(groups, v%1000)
	}
	var words []string
	for k := len(groups) - 1; k >= 0; k-- {
		t := groups[k]
		if t == 0 {
			continue
		}
		if k == 0 {
			words = appendTriad(words, t, g)
			continue
		}
		s := ruScales[k-1]
		words = appendTriad(words, t, s.gender)
		words = append(words, plural3(t, s.forms))
	}
	return strings.Join(words, " ")
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// Words writes an amount m in minor units in Russian words for the currency
// code (RUB, USD, EUR or CNY, case-insensitive): the integer part in words
// with a capital first letter and the declined currency word, then the minor
// units as two digits and their declined word:
//
//	Words(123456789, "RUB", Options{}) =
//	  "Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек"
//
// With opts.MinorInWords the minor units are written in words too ("…
// восемьдесят девять копеек"). It returns ErrNegative for m < 0 and
// ErrCurrency for an unknown code; every non-negative int64 is supported.
func Words(m int64, currencyCode string, opts Options) (string, error) {
	if m < 0 {
		return "", ErrNegative
	}
	c, err := lookup(currencyCode)
	if err != nil {
		return "", err
	}
	major, minor := uint64(m/100), uint64(m%100)
	var b strings.Builder
	b.WriteString(capitalize(Cardinal(major, c.majorGender)))
	b.WriteByte(' ')
	b.WriteString(plural3(major, c.major))
	b.WriteByte(' ')
	if opts.MinorInWords {
		b.WriteString(Cardinal(minor, c.minorGender))
	} else {
		fmt.Fprintf(&b, "%02d", minor)
	}
	b.WriteByte(' ')
	b.WriteString(plural3(minor, c.minor))
	return b.String(), nil
}
