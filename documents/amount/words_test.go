package amount

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

// rub converts whole roubles and kopecks to minor units, for readable vectors.
func rub(whole, kop int64) int64 { return whole*100 + kop }

func TestWordsDomainVectors(t *testing.T) {
	// DOMAIN.md §1.0, verbatim.
	tests := []struct {
		m    int64
		want string
	}{
		{rub(1, 0), "Один рубль 00 копеек"},
		{rub(2, 0), "Два рубля 00 копеек"},
		{rub(11, 0), "Одиннадцать рублей 00 копеек"},
		{rub(21, 1), "Двадцать один рубль 01 копейка"},
		{rub(1000, 0), "Одна тысяча рублей 00 копеек"},
		{rub(2_000_000, 0), "Два миллиона рублей 00 копеек"},
		{rub(0, 2), "Ноль рублей 02 копейки"},
		{rub(1_234_567, 89), "Один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек"},
		{rub(3_050_000, 0), "Три миллиона пятьдесят тысяч рублей 00 копеек"},
	}
	for _, tt := range tests {
		got, err := Words(tt.m, "RUB", Options{})
		if err != nil || got != tt.want {
			t.Errorf("Words(%d) = %q, %v\n want %q", tt.m, got, err, tt.want)
		}
	}
}

func TestWordsRUB(t *testing.T) {
	tests := []struct {
		m    int64
		want string
	}{
		{0, "Ноль рублей 00 копеек"},
		{rub(3, 0), "Три рубля 00 копеек"},
		{rub(4, 0), "Четыре рубля 00 копеек"},
		{rub(5, 0), "Пять рублей 00 копеек"},
		{rub(10, 0), "Десять рублей 00 копеек"},
		// 11–14 at the units.
		{rub(12, 0), "Двенадцать рублей 00 копеек"},
		{rub(13, 0), "Тринадцать рублей 00 копеек"},
		{rub(14, 0), "Четырнадцать рублей 00 копеек"},
		{rub(15, 0), "Пятнадцать рублей 00 копеек"},
		{rub(17, 0), "Семнадцать рублей 00 копеек"},
		{rub(18, 0), "Восемнадцать рублей 00 копеек"},
		{rub(19, 0), "Девятнадцать рублей 00 копеек"},
		{rub(20, 0), "Двадцать рублей 00 копеек"},
		{rub(22, 0), "Двадцать два рубля 00 копеек"},
		{rub(25, 0), "Двадцать пять рублей 00 копеек"},
		{rub(40, 0), "Сорок рублей 00 копеек"},
		{rub(70, 0), "Семьдесят рублей 00 копеек"},
		{rub(80, 0), "Восемьдесят рублей 00 копеек"},
		{rub(90, 0), "Девяносто рублей 00 копеек"},
		{rub(99, 0), "Девяносто девять рублей 00 копеек"},
		{rub(100, 0), "Сто рублей 00 копеек"},
		{rub(101, 0), "Сто один рубль 00 копеек"},
		{rub(102, 0), "Сто два рубля 00 копеек"},
		{rub(111, 0), "Сто одиннадцать рублей 00 копеек"},
		{rub(112, 0), "Сто двенадцать рублей 00 копеек"},
		{rub(114, 0), "Сто четырнадцать рублей 00 копеек"},
		{rub(121, 0), "Сто двадцать один рубль 00 копеек"},
		{rub(200, 0), "Двести рублей 00 копеек"},
		{rub(300, 0), "Триста рублей 00 копеек"},
		{rub(400, 0), "Четыреста рублей 00 копеек"},
		{rub(500, 0), "Пятьсот рублей 00 копеек"},
		{rub(600, 0), "Шестьсот рублей 00 копеек"},
		{rub(700, 0), "Семьсот рублей 00 копеек"},
		{rub(800, 0), "Восемьсот рублей 00 копеек"},
		{rub(911, 0), "Девятьсот одиннадцать рублей 00 копеек"},
		// Thousands: feminine, 11–14.
		{rub(1001, 0), "Одна тысяча один рубль 00 копеек"},
		{rub(2000, 0), "Две тысячи рублей 00 копеек"},
		{rub(4000, 0), "Четыре тысячи рублей 00 копеек"},
		{rub(5000, 0), "Пять тысяч рублей 00 копеек"},
		{rub(11_000, 0), "Одиннадцать тысяч рублей 00 копеек"},
		{rub(12_000, 0), "Двенадцать тысяч рублей 00 копеек"},
		{rub(13_000, 0), "Тринадцать тысяч рублей 00 копеек"},
		{rub(14_000, 0), "Четырнадцать тысяч рублей 00 копеек"},
		{rub(21_000, 0), "Двадцать одна тысяча рублей 00 копеек"},
		{rub(22_000, 0), "Двадцать две тысячи рублей 00 копеек"},
		{rub(111_000, 0), "Сто одиннадцать тысяч рублей 00 копеек"},
		{rub(112_012, 0), "Сто двенадцать тысяч двенадцать рублей 00 копеек"},
		{rub(101_000, 0), "Сто одна тысяча рублей 00 копеек"},
		{rub(999_999, 99), "Девятьсот девяносто девять тысяч девятьсот девяносто девять рублей 99 копеек"},
		// Millions.
		{rub(1_000_000, 0), "Один миллион рублей 00 копеек"},
		{rub(1_001_001, 1), "Один миллион одна тысяча один рубль 01 копейка"},
		{rub(1_000_001, 0), "Один миллион один рубль 00 копеек"},
		{rub(3_000_000, 0), "Три миллиона рублей 00 копеек"},
		{rub(11_000_000, 0), "Одиннадцать миллионов рублей 00 копеек"},
		{rub(14_000_000, 0), "Четырнадцать миллионов рублей 00 копеек"},
		{rub(21_000_000, 0), "Двадцать один миллион рублей 00 копеек"},
		{rub(112_000_000, 0), "Сто двенадцать миллионов рублей 00 копеек"},
		{rub(45_000_000, 0), "Сорок пять миллионов рублей 00 копеек"},
		// Milliards, trillions.
		{rub(1_000_000_000, 0), "Один миллиард рублей 00 копеек"},
		{rub(2_000_000_000, 0), "Два миллиарда рублей 00 копеек"},
		{rub(13_000_000_000, 0), "Тринадцать миллиардов рублей 00 копеек"},
		{rub(1_000_000_000_000, 0), "Один триллион рублей 00 копеек"},
		{rub(11_000_000_000_000, 0), "Одиннадцать триллионов рублей 00 копеек"},
		{rub(1_001_001_001_001, 1), "Один триллион один миллиард один миллион одна тысяча один рубль 01 копейка"},
		{rub(999_999_999_999_999, 99), "Девятьсот девяносто девять триллионов девятьсот девяносто девять миллиардов девятьсот девяносто девять миллионов девятьсот девяносто девять тысяч девятьсот девяносто девять рублей 99 копеек"},
		{math.MaxInt64, "Девяносто два квадриллиона двести тридцать три триллиона семьсот двадцать миллиардов триста шестьдесят восемь миллионов пятьсот сорок семь тысяч семьсот пятьдесят восемь рублей 07 копеек"},
		// Kopecks 01–99 with 11–14.
		{rub(0, 1), "Ноль рублей 01 копейка"},
		{rub(0, 4), "Ноль рублей 04 копейки"},
		{rub(0, 5), "Ноль рублей 05 копеек"},
		{rub(0, 11), "Ноль рублей 11 копеек"},
		{rub(0, 12), "Ноль рублей 12 копеек"},
		{rub(0, 14), "Ноль рублей 14 копеек"},
		{rub(0, 21), "Ноль рублей 21 копейка"},
		{rub(0, 22), "Ноль рублей 22 копейки"},
		{rub(0, 25), "Ноль рублей 25 копеек"},
		{rub(0, 99), "Ноль рублей 99 копеек"},
	}
	for _, tt := range tests {
		got, err := Words(tt.m, "RUB", Options{})
		if err != nil || got != tt.want {
			t.Errorf("Words(%d) = %q, %v\n want %q", tt.m, got, err, tt.want)
		}
	}
}

func TestWordsMinorInWords(t *testing.T) {
	tests := []struct {
		m         int64
		cur, want string
	}{
		{rub(1234, 56), "RUB", "Одна тысяча двести тридцать четыре рубля пятьдесят шесть копеек"},
		{rub(0, 0), "RUB", "Ноль рублей ноль копеек"},
		{rub(21, 1), "RUB", "Двадцать один рубль одна копейка"},
		{rub(2, 2), "RUB", "Два рубля две копейки"},
		{rub(5, 12), "RUB", "Пять рублей двенадцать копеек"},
		{rub(1, 2), "USD", "Один доллар США два цента"},
		{rub(1, 21), "EUR", "Один евро двадцать один евроцент"},
		{rub(2, 2), "CNY", "Два юаня два фэнь"},
	}
	for _, tt := range tests {
		got, err := Words(tt.m, tt.cur, Options{MinorInWords: true})
		if err != nil || got != tt.want {
			t.Errorf("Words(%d, %s) = %q, %v\n want %q", tt.m, tt.cur, got, err, tt.want)
		}
	}
}

func TestWordsOtherCurrencies(t *testing.T) {
	tests := []struct {
		m         int64
		cur, want string
	}{
		{rub(1, 1), "USD", "Один доллар США 01 цент"},
		{rub(2, 2), "USD", "Два доллара США 02 цента"},
		{rub(5, 11), "USD", "Пять долларов США 11 центов"},
		{rub(21_000, 21), "USD", "Двадцать одна тысяча долларов США 21 цент"},
		{rub(1, 1), "EUR", "Один евро 01 евроцент"},
		{rub(3, 3), "EUR", "Три евро 03 евроцента"},
		{rub(12, 14), "EUR", "Двенадцать евро 14 евроцентов"},
		{rub(1_000_000, 50), "EUR", "Один миллион евро 50 евроцентов"},
		{rub(1, 1), "CNY", "Один юань 01 фэнь"},
		{rub(2, 2), "CNY", "Два юаня 02 фэнь"},
		{rub(5, 5), "CNY", "Пять юаней 05 фэнь"},
		{rub(11, 0), "CNY", "Одиннадцать юаней 00 фэнь"},
		{rub(1, 0), "rub", "Один рубль 00 копеек"},
		{rub(1, 0), " usd ", "Один доллар США 00 центов"},
	}
	for _, tt := range tests {
		got, err := Words(tt.m, tt.cur, Options{})
		if err != nil || got != tt.want {
			t.Errorf("Words(%d, %s) = %q, %v\n want %q", tt.m, tt.cur, got, err, tt.want)
		}
	}
}

func TestWordsErrors(t *testing.T) {
	if _, err := Words(-1, "RUB", Options{}); !errors.Is(err, ErrNegative) {
		t.Errorf("negative: %v", err)
	}
	if _, err := Words(math.MinInt64, "RUB", Options{}); !errors.Is(err, ErrNegative) {
		t.Errorf("MinInt64: %v", err)
	}
	for _, c := range []string{"", "GBP", "RUR", "руб"} {
		if _, err := Words(100, c, Options{}); !errors.Is(err, ErrCurrency) {
			t.Errorf("currency %q: %v", c, err)
		}
		if _, err := WordsEn(100, c); !errors.Is(err, ErrCurrency) {
			t.Errorf("WordsEn currency %q: %v", c, err)
		}
	}
	if _, err := WordsEn(-5, "RUB"); !errors.Is(err, ErrNegative) {
		t.Errorf("WordsEn negative: %v", err)
	}
}

func TestCurrencies(t *testing.T) {
	if got := Currencies(); !reflect.DeepEqual(got, []string{"CNY", "EUR", "RUB", "USD"}) {
		t.Errorf("Currencies() = %v", got)
	}
}

func TestCardinal(t *testing.T) {
	tests := []struct {
		n    uint64
		g    Gender
		want string
	}{
		{0, Feminine, "ноль"},
		{1, Masculine, "один"},
		{1, Feminine, "одна"},
		{1, Neuter, "одно"},
		{2, Masculine, "два"},
		{2, Feminine, "две"},
		{2, Neuter, "два"},
		{32, Feminine, "тридцать две"},
		{2002, Masculine, "две тысячи два"},
		{1_000_000, Feminine, "один миллион"},
		{math.MaxUint64, Masculine, "восемнадцать квинтиллионов четыреста сорок шесть квадриллионов семьсот сорок четыре триллиона семьдесят три миллиарда семьсот девять миллионов пятьсот пятьдесят одна тысяча шестьсот пятнадцать"},
	}
	for _, tt := range tests {
		if got := Cardinal(tt.n, tt.g); got != tt.want {
			t.Errorf("Cardinal(%d, %d) = %q, want %q", tt.n, tt.g, got, tt.want)
		}
	}
}

func TestPlural(t *testing.T) {
	forms := [3]string{"one", "few", "many"}
	want := map[uint64]string{
		0: "many", 1: "one", 2: "few", 4: "few", 5: "many", 10: "many", 11: "many", 12: "many",
		14: "many", 15: "many", 20: "many", 21: "one", 22: "few", 101: "one", 111: "many",
		112: "many", 1011: "many", 1021: "one", 1_000_000_004: "few", math.MaxUint64: "many",
	}
	for n, w := range want {
		if got := Plural(n, forms[0], forms[1], forms[2]); got != w {
			t.Errorf("Plural(%d) = %s, want %s", n, got, w)
		}
	}
}

func TestWordsEn(t *testing.T) {
	tests := []struct {
		m         int64
		cur, want string
	}{
		{rub(1234, 56), "RUB", "One thousand two hundred thirty-four roubles and 56 kopecks"},
		{rub(1, 1), "RUB", "One rouble and 01 kopeck"},
		{0, "RUB", "Zero roubles and 00 kopecks"},
		{rub(3_050_000, 0), "RUB", "Three million fifty thousand roubles and 00 kopecks"},
		{rub(1_001_001, 1), "RUB", "One million one thousand one roubles and 01 kopeck"},
		{rub(115, 11), "RUB", "One hundred fifteen roubles and 11 kopecks"},
		{rub(90, 0), "RUB", "Ninety roubles and 00 kopecks"},
		{rub(99, 99), "RUB", "Ninety-nine roubles and 99 kopecks"},
		{rub(1_000_000_000, 0), "RUB", "One billion roubles and 00 kopecks"},
		{rub(2_000_000_000_000, 0), "RUB", "Two trillion roubles and 00 kopecks"},
		{rub(2, 0), "USD", "Two US dollars and 00 cents"},
		{rub(1, 1), "USD", "One US dollar and 01 cent"},
		{rub(1, 0), "EUR", "One euro and 00 cents"},
		{rub(7, 50), "EUR", "Seven euros and 50 cents"},
		{rub(5, 1), "CNY", "Five yuan and 01 fen"},
		{rub(1, 2), "CNY", "One yuan and 02 fen"},
		{math.MaxInt64, "RUB", "Ninety-two quadrillion two hundred thirty-three trillion seven hundred twenty billion three hundred sixty-eight million five hundred forty-seven thousand seven hundred fifty-eight roubles and 07 kopecks"},
	}
	for _, tt := range tests {
		got, err := WordsEn(tt.m, tt.cur)
		if err != nil || got != tt.want {
			t.Errorf("WordsEn(%d, %s) = %q, %v\n want %q", tt.m, tt.cur, got, err, tt.want)
		}
	}
}
