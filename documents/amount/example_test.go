package amount_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/dealgate/dealgate/documents/amount"
	"github.com/dealgate/dealgate/workflow"
)

func ExampleWords() {
	total, _ := workflow.ParseMoney("3050000.00")
	s, _ := amount.Words(total.Minor(), "RUB", amount.Options{})
	fmt.Println(s)
	s, _ = amount.Words(123456, "RUB", amount.Options{MinorInWords: true})
	fmt.Println(s)
	s, _ = amount.Words(2101, "USD", amount.Options{})
	fmt.Println(s)
	_, err := amount.Words(-100, "RUB", amount.Options{})
	fmt.Println(err)
	// Output:
	// Три миллиона пятьдесят тысяч рублей 00 копеек
	// Одна тысяча двести тридцать четыре рубля пятьдесят шесть копеек
	// Двадцать один доллар США 01 цент
	// amount: negative amount cannot be written in words
}

func ExampleWordsEn() {
	s, _ := amount.WordsEn(123456, "RUB")
	fmt.Println(s)
	// Output:
	// One thousand two hundred thirty-four roubles and 56 kopecks
}

func ExampleFormat() {
	// The thousands separator is U+00A0; shown here as "_" for visibility.
	fmt.Println(strings.ReplaceAll(amount.Format(305000000), amount.NBSP, "_"))
	fmt.Println(amount.FormatEn(305000000))
	// Output:
	// 3_050_000,00
	// 3,050,000.00
}

func ExampleCardinal() {
	// ТОРГ-12 writes counts in words: «Всего мест: две», «одно место».
	fmt.Println(amount.Cardinal(2, amount.Feminine), amount.Cardinal(21, amount.Neuter),
		amount.Plural(21, "место", "места", "мест"))
	// Output:
	// две двадцать одно место
}

func ExampleDateWords() {
	d := time.Date(2026, time.June, 5, 0, 0, 0, 0, time.UTC)
	fmt.Println(amount.DateNumeric(d))
	fmt.Println(amount.DateWords(d))
	fmt.Println(amount.DateContract(d))
	fmt.Println(amount.DateEn(d))
	// Output:
	// 05.06.2026
	// 5 июня 2026 г.
	// «05» июня 2026 г.
	// 5 June 2026
}
