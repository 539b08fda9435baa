package amount

import (
	"fmt"
	"time"
)

// All date functions print the calendar date of t in t's own location. Convert
// instants to the document's time zone first (usually Europe/Moscow): 22:30
// UTC on 31 December is already 1 January in Moscow.

var monthsGenitive = [12]string{"января", "февраля", "марта", "апреля", "мая", "июня",
	"июля", "августа", "сентября", "октября", "ноября", "декабря"}

// DateNumeric prints t as DD.MM.YYYY with leading zeros and no «г.»
// (ГОСТ Р 7.0.97-2016 p. 5.10): "05.06.2026".
func DateNumeric(t time.Time) string {
	y, m, d := t.Date()
	return fmt.Sprintf("%02d.%02d.%04d", d, int(m), y)
}

// DateWords prints t with the month in words in the genitive, the day without
// a leading zero, and «г.» after the year (ГОСТ Р 7.0.97-2016 p. 5.10):
// "5 июня 2026 г.".
func DateWords(t time.Time) string {
	y, m, d := t.Date()
	return fmt.Sprintf("%d %s %d г.", d, monthsGenitive[m-1], y)
}

// DateContract prints t as contracts date their preamble: the two-digit day in
// guillemets, the month in the genitive and the year with «г.»:
// "«05» июня 2026 г.".
func DateContract(t time.Time) string {
	y, m, d := t.Date()
	return fmt.Sprintf("«%02d» %s %d г.", d, monthsGenitive[m-1], y)
}

// DateEn prints t in British day-month-year order: "5 June 2026".
func DateEn(t time.Time) string {
	y, m, d := t.Date()
	return fmt.Sprintf("%d %s %d", d, m, y)
}
