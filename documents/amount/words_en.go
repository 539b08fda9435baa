package amount

import (
	"fmt"
	"strings"
)

var (
	enSmall = [20]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	enTens   = [10]string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	enScales = [...]string{"thousand", "million", "billion", "trillion", "quadrillion", "quintillion"}
)

func appendTriadEn(words []string, n uint64) []string {
	if h := n / 100; h > 0 {
		words = append(words, enSmall[h], "hundred")
	}
	switch r := n % 100; {
	case r == 0:
	case r < 20:
		words = append(words, enSmall[r])
	case r%10 == 0:
		words = append(words, enTens[r/10])
	default:
		words = append(words, enTens[r/10]+"-"+enSmall[r%10])
	}
	return words
}

// CardinalEn returns n in English words, lower case, short scale, without
// "and": CardinalEn(1234) = "one thousand two hundred thirty-four".
func CardinalEn(n uint64) string {
	if n == 0 {
		return "zero"
	}
	var groups []uint64
	for v := n; v > 0; v /= 1000 {
		groups = append(groups, v%1000)
	}
	var words []string
	for k := len(groups) - 1; k >= 0; k-- {
		if groups[k] == 0 {
			continue
		}
		words = appendTriadEn(words, groups[k])
		if k > 0 {
			words = append(words, enScales[k-1])
		}
	}
	return strings.Join(words, " ")
}

// WordsEn writes an amount m in minor units in English for the currency code
// (RUB, USD, EUR or CNY): "One thousand two hundred thirty-four roubles and 56
// kopecks". Units are roubles/kopecks, US dollars/cents, euros/cents and
// yuan/fen; the singular is used for exactly one unit ("One rouble and 01
// kopeck"). It returns ErrNegative for m < 0 and ErrCurrency for an unknown
// code.
func WordsEn(m int64, currencyCode string) (string, error) {
	if m < 0 {
		return "", ErrNegative
	}
	c, err := lookup(currencyCode)
	if err != nil {
		return "", err
	}
	major, minor := uint64(m/100), uint64(m%100)
	unit, sub := c.majorEn[1], c.minorEn[1]
	if major == 1 {
		unit = c.majorEn[0]
	}
	if minor == 1 {
		sub = c.minorEn[0]
	}
	return fmt.Sprintf("%s %s and %02d %s", capitalize(CardinalEn(major)), unit, minor, sub), nil
}
