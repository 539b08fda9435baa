package amount

import (
	"strconv"
	"strings"
)

// NBSP is the non-breaking space (U+00A0) that Format puts between groups of
// thousands, so a renderer never wraps an amount across lines.
const NBSP = "\u00a0"

// Format prints an amount in minor units the Russian way: groups of three
// digits separated by NBSP and a decimal comma, always two decimals:
// Format(305000000) = "3 050 000,00" (with U+00A0 between groups). A negative
// amount gets a leading ASCII "-", which workflow.ParseMoney reads back.
func Format(m int64) string { return format(m, NBSP, ",") }

// FormatEn prints an amount in minor units the English way: comma thousands
// separators and a decimal point, FormatEn(305000000) = "3,050,000.00".
func FormatEn(m int64) string { return format(m, ",", ".") }

func format(m int64, sep, point string) string {
	u := uint64(m)
	sign := ""
	if m < 0 {
		sign = "-"
		u = -u // two's complement: exact even for math.MinInt64
	}
	digits := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	b.WriteString(sign)
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteByte(digits[i])
	}
	b.WriteString(point)
	minor := u % 100
	b.WriteByte(byte('0' + minor/10))
	b.WriteByte(byte('0' + minor%10))
	return b.String()
}
