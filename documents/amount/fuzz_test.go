package amount

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The parser below reads Words output back into a number. It is written from
// the grammar rules, not from the package's tables, so a round trip checks
// the numerals, the agreement in gender and the declension independently.

const (
	gM = 1 << iota // masculine
	gF             // feminine
	gN             // neuter
)

var parseUnits = map[string]struct {
	v       uint64
	genders int
}{
	"один": {1, gM}, "одна": {1, gF}, "одно": {1, gN}, "два": {2, gM | gN}, "две": {2, gF},
	"три": {3, gM | gF | gN}, "четыре": {4, 7}, "пять": {5, 7}, "шесть": {6, 7}, "семь": {7, 7},
	"восемь": {8, 7}, "девять": {9, 7}, "десять": {10, 7}, "одиннадцать": {11, 7},
	"двенадцать": {12, 7}, "тринадцать": {13, 7}, "четырнадцать": {14, 7}, "пятнадцать": {15, 7},
	"шестнадцать": {16, 7}, "семнадцать": {17, 7}, "восемнадцать": {18, 7}, "девятнадцать": {19, 7},
	"двадцать": {20, 7}, "тридцать": {30, 7}, "сорок": {40, 7}, "пятьдесят": {50, 7},
	"шестьдесят": {60, 7}, "семьдесят": {70, 7}, "восемьдесят": {80, 7}, "девяносто": {90, 7},
	"сто": {100, 7}, "двести": {200, 7}, "триста": {300, 7}, "четыреста": {400, 7},
	"пятьсот": {500, 7}, "шестьсот": {600, 7}, "семьсот": {700, 7}, "восемьсот": {800, 7},
	"девятьсот": {900, 7},
}

// parseScales: word → value, gender and the declension slot (0 one, 1 few, 2 many).
var parseScales = map[string]struct {
	v       uint64
	genders int
	slot    int
}{
	"тысяча": {1e3, gF, 0}, "тысячи": {1e3, gF, 1}, "тысяч": {1e3, gF, 2},
	"миллион": {1e6, gM, 0}, "миллиона": {1e6, gM, 1}, "миллионов": {1e6, gM, 2},
	"миллиард": {1e9, gM, 0}, "миллиарда": {1e9, gM, 1}, "миллиардов": {1e9, gM, 2},
	"триллион": {1e12, gM, 0}, "триллиона": {1e12, gM, 1}, "триллионов": {1e12, gM, 2},
	"квадриллион": {1e15, gM, 0}, "квадриллиона": {1e15, gM, 1}, "квадриллионов": {1e15, gM, 2},
}

// slotOf is the declension rule of DOMAIN.md §1.0 restated.
func slotOf(n uint64) int {
	if n%100 >= 11 && n%100 <= 14 {
		return 2
	}
	if n%10 == 1 {
		return 0
	}
	if n%10 >= 2 && n%10 <= 4 {
		return 1
	}
	return 2
}

var refForms = map[string]struct {
	major, minor   [3]string
	majorG, minorG int
}{
	"RUB": {[3]string{"рубль", "рубля", "рублей"}, [3]string{"копейка", "копейки", "копеек"}, gM, gF},
	"USD": {[3]string{"доллар США", "доллара США", "долларов США"}, [3]string{"цент", "цента", "центов"}, gM, gM},
	"EUR": {[3]string{"евро", "евро", "евро"}, [3]string{"евроцент", "евроцента", "евроцентов"}, gM, gM},
	"CNY": {[3]string{"юань", "юаня", "юаней"}, [3]string{"фэнь", "фэнь", "фэнь"}, gM, gM},
}

// parseNumber reads numeral tokens from the front of toks for a noun of
// gender g and returns the value and the remaining tokens.
func parseNumber(toks []string, g int) (uint64, []string, error) {
	if len(toks) > 0 && toks[0] == "ноль" {
		return 0, toks[1:], nil
	}
	var total, group uint64
	lastGenders := 7
	n := 0
	for ; n < len(toks); n++ {
		if u, ok := parseUnits[toks[n]]; ok {
			group += u.v
			lastGenders = u.genders
			continue
		}
		s, ok := parseScales[toks[n]]
		if !ok {
			break
		}
		if group == 0 || group > 999 {
			return 0, nil, fmt.Errorf("scale %q after group %d", toks[n], group)
		}
		if lastGenders&s.genders == 0 {
			return 0, nil, fmt.Errorf("gender disagreement before %q", toks[n])
		}
		if slotOf(group) != s.slot {
			return 0, nil, fmt.Errorf("%d %s: wrong form", group, toks[n])
		}
		total += group * s.v
		group, lastGenders = 0, 7
	}
	if n == 0 {
		return 0, nil, fmt.Errorf("no numeral at %v", toks)
	}
	if group > 0 && lastGenders&g == 0 {
		return 0, nil, fmt.Errorf("gender disagreement with the noun")
	}
	return total + group, toks[n:], nil
}

func parseWords(s, cur string, minorInWords bool) (int64, error) {
	f := refForms[cur]
	first, size := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(first) {
		return 0, fmt.Errorf("does not start with a capital: %q", s)
	}
	toks := strings.Split(string(unicode.ToLower(first))+s[size:], " ")
	major, rest, err := parseNumber(toks, f.majorG)
	if err != nil {
		return 0, err
	}
	word := f.major[slotOf(major)]
	nw := len(strings.Split(word, " "))
	if len(rest) < nw || strings.Join(rest[:nw], " ") != word {
		return 0, fmt.Errorf("%d: want %q at %v", major, word, rest)
	}
	rest = rest[nw:]
	var minor uint64
	if minorInWords {
		minor, rest, err = parseNumber(rest, f.minorG)
		if err != nil {
			return 0, err
		}
	} else {
		if len(rest) == 0 || len(rest[0]) != 2 {
			return 0, fmt.Errorf("want two digits at %v", rest)
		}
		minor, err = strconv.ParseUint(rest[0], 10, 64)
		if err != nil {
			return 0, err
		}
		rest = rest[1:]
	}
	if minor > 99 || len(rest) != 1 || rest[0] != f.minor[slotOf(minor)] {
		return 0, fmt.Errorf("minor %d: want %q, got %v", minor, f.minor[slotOf(minor)], rest)
	}
	if major > math.MaxInt64/100 {
		return 0, fmt.Errorf("major %d too large", major)
	}
	return int64(major*100 + minor), nil
}

func TestParseWordsOnVectors(t *testing.T) {
	// The parser must accept the hand-written vectors and refuse broken ones,
	// or the fuzz round trip proves nothing.
	good := map[string]int64{
		"Одна тысяча рублей 00 копеек":                   100000,
		"Двадцать один рубль 01 копейка":                 2101,
		"Один миллион одна тысяча один рубль 01 копейка": 100100101,
	}
	for s, want := range good {
		if got, err := parseWords(s, "RUB", false); err != nil || got != want {
			t.Errorf("parse %q = %d, %v", s, got, err)
		}
	}
	for _, s := range []string{
		"Один тысяча рублей 00 копеек",    // gender
		"Одна тысяч рублей 00 копеек",     // form of тысяча
		"Двадцать один рублей 01 копейка", // form of рубль
		"Два рубля 02 копеек",             // form of копейка
		"Две рубля 00 копеек",             // gender of рубль
		"один рубль 00 копеек",            // capital
		"Один рубль 0 копеек",             // two digits
	} {
		if _, err := parseWords(s, "RUB", false); err == nil {
			t.Errorf("parser accepted %q", s)
		}
	}
}

func FuzzWords(f *testing.F) {
	for _, m := range []int64{0, 1, 2, 11, 2101, 100000, 100100101, 111000_00, 305000000, math.MaxInt64, -1} {
		f.Add(m, uint8(0), false)
	}
	f.Add(int64(123456), uint8(1), true)
	f.Add(int64(2202), uint8(3), true)
	codes := Currencies()
	f.Fuzz(func(t *testing.T, m int64, c uint8, inWords bool) {
		cur := codes[int(c)%len(codes)]
		s, err := Words(m, cur, Options{MinorInWords: inWords})
		en, errEn := WordsEn(m, cur)
		if m < 0 {
			if !errors.Is(err, ErrNegative) || !errors.Is(errEn, ErrNegative) {
				t.Fatalf("Words(%d) err = %v, %v", m, err, errEn)
			}
			return
		}
		if err != nil || errEn != nil {
			t.Fatalf("Words(%d, %s): %v, %v", m, cur, err, errEn)
		}
		if strings.Contains(s, "  ") || strings.TrimSpace(s) != s {
			t.Fatalf("bad spacing: %q", s)
		}
		minorWord := refForms[cur].minor[slotOf(uint64(m%100))]
		if !strings.HasSuffix(s, " "+minorWord) {
			t.Fatalf("%q does not end with %q", s, minorWord)
		}
		got, perr := parseWords(s, cur, inWords)
		if perr != nil || got != m {
			t.Fatalf("Words(%d, %s) = %q reads back as %d, %v", m, cur, s, got, perr)
		}
		r, _ := utf8.DecodeRuneInString(en)
		if !unicode.IsUpper(r) || !strings.Contains(en, fmt.Sprintf(" and %02d ", m%100)) {
			t.Fatalf("WordsEn(%d) = %q", m, en)
		}
	})
}

func FuzzFormat(f *testing.F) {
	for _, m := range []int64{0, -1, 99, 100000, 305000000, math.MaxInt64, math.MinInt64} {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, m int64) {
		ru, en := Format(m), FormatEn(m)
		if strings.ReplaceAll(strings.ReplaceAll(ru, "\u00a0", ""), ",", ".") !=
			strings.ReplaceAll(en, ",", "") {
			t.Fatalf("Format %q and FormatEn %q disagree", ru, en)
		}
		plain := strings.ReplaceAll(en, ",", "")
		want := fmt.Sprintf("%d.%02d", m/100, abs(m%100))
		if m < 0 && m > -100 {
			want = "-" + want
		}
		if plain != want {
			t.Fatalf("FormatEn(%d) = %q, want %q", m, en, want)
		}
	})
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
