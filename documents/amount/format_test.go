package amount

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		m      int64
		ru, en string
	}{
		{0, "0,00", "0.00"},
		{5, "0,05", "0.05"},
		{-5, "-0,05", "-0.05"},
		{100, "1,00", "1.00"},
		{99999, "999,99", "999.99"},
		{100000, "1 000,00", "1,000.00"},
		{123456789, "1 234 567,89", "1,234,567.89"},
		{305000000, "3 050 000,00", "3,050,000.00"},
		{-305000000, "-3 050 000,00", "-3,050,000.00"},
		{100000000000, "1 000 000 000,00", "1,000,000,000.00"},
		{math.MaxInt64, "92 233 720 368 547 758,07", "92,233,720,368,547,758.07"},
		{math.MinInt64, "-92 233 720 368 547 758,08", "-92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		wantRu := strings.ReplaceAll(tt.ru, " ", "\u00a0")
		if got := Format(tt.m); got != wantRu {
			t.Errorf("Format(%d) = %q, want %q", tt.m, got, wantRu)
		}
		if got := FormatEn(tt.m); got != tt.en {
			t.Errorf("FormatEn(%d) = %q, want %q", tt.m, got, tt.en)
		}
	}
	if strings.Contains(Format(305000000), " ") {
		t.Error("Format uses an ordinary space")
	}
}

// Format's output must read back through workflow.ParseMoney, which accepts
// non-breaking spaces and a decimal comma.
func TestFormatRoundTripsThroughParseMoney(t *testing.T) {
	for _, m := range []int64{0, 1, -1, 99, 100, 100000, 305000000, -123456789, int64(workflow.MaxMoney), -int64(workflow.MaxMoney)} {
		got, err := workflow.ParseMoney(Format(m))
		if err != nil || int64(got) != m {
			t.Errorf("ParseMoney(Format(%d)) = %d, %v", m, got, err)
		}
	}
}

func TestDates(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	tests := []struct {
		t                         time.Time
		numeric, words, contr, en string
	}{
		{time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC), "05.06.2026", "5 июня 2026 г.", "«05» июня 2026 г.", "5 June 2026"},
		{time.Date(2026, 1, 15, 12, 0, 0, 0, msk), "15.01.2026", "15 января 2026 г.", "«15» января 2026 г.", "15 January 2026"},
		{time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC), "28.02.2025", "28 февраля 2025 г.", "«28» февраля 2025 г.", "28 February 2025"},
		{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "01.03.2024", "1 марта 2024 г.", "«01» марта 2024 г.", "1 March 2024"},
		{time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC), "10.04.2026", "10 апреля 2026 г.", "«10» апреля 2026 г.", "10 April 2026"},
		{time.Date(2026, 5, 9, 0, 0, 0, 0, time.UTC), "09.05.2026", "9 мая 2026 г.", "«09» мая 2026 г.", "9 May 2026"},
		{time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC), "31.07.2026", "31 июля 2026 г.", "«31» июля 2026 г.", "31 July 2026"},
		{time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC), "20.08.2026", "20 августа 2026 г.", "«20» августа 2026 г.", "20 August 2026"},
		{time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), "01.09.2026", "1 сентября 2026 г.", "«01» сентября 2026 г.", "1 September 2026"},
		{time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), "02.10.2026", "2 октября 2026 г.", "«02» октября 2026 г.", "2 October 2026"},
		{time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), "30.11.2026", "30 ноября 2026 г.", "«30» ноября 2026 г.", "30 November 2026"},
		{time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), "31.12.2025", "31 декабря 2025 г.", "«31» декабря 2025 г.", "31 December 2025"},
		{time.Date(2016, 6, 5, 0, 0, 0, 0, time.UTC), "05.06.2016", "5 июня 2016 г.", "«05» июня 2016 г.", "5 June 2016"},
	}
	for _, tt := range tests {
		if got := DateNumeric(tt.t); got != tt.numeric {
			t.Errorf("DateNumeric = %q, want %q", got, tt.numeric)
		}
		if got := DateWords(tt.t); got != tt.words {
			t.Errorf("DateWords = %q, want %q", got, tt.words)
		}
		if got := DateContract(tt.t); got != tt.contr {
			t.Errorf("DateContract = %q, want %q", got, tt.contr)
		}
		if got := DateEn(tt.t); got != tt.en {
			t.Errorf("DateEn = %q, want %q", got, tt.en)
		}
	}
}

// Dates print the calendar day in t's own location: the same instant is
// 31 December in UTC and 1 January in Moscow.
func TestDatesUseTheLocationOfT(t *testing.T) {
	instant := time.Date(2025, 12, 31, 22, 30, 0, 0, time.UTC)
	if got := DateNumeric(instant); got != "31.12.2025" {
		t.Errorf("UTC: %s", got)
	}
	msk := time.FixedZone("MSK", 3*3600)
	if got := DateWords(instant.In(msk)); got != "1 января 2026 г." {
		t.Errorf("MSK: %s", got)
	}
}
