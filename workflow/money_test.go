package workflow_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/dealgate/dealgate/workflow"
)

func TestParseMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    workflow.Money
		wantErr string // substring of the error; "" when the input is valid
	}{
		{in: "0", want: 0},
		{in: "0.00", want: 0},
		{in: "1234.56", want: 123456},
		{in: "1234.5", want: 123450},
		{in: "1234", want: 123400},
		{in: "0.01", want: 1},
		{in: "007.5", want: 750},
		{in: "-7.01", want: -701},
		{in: "+7.01", want: 701},
		{in: "-0", want: 0},
		{in: "-0.00", want: 0},
		{in: "1234,56", want: 123456},
		{in: "-1234,5", want: -123450},
		{in: "1 234 567,89", want: 123456789},
		{in: "1\u00a0234\u00a0567.89", want: 123456789},
		{in: "1\u202f234,50", want: 123450},
		{in: "  12.30\t\n", want: 1230},
		{in: "10000000000000", want: workflow.MaxMoney},
		{in: "10 000 000 000 000,00", want: workflow.MaxMoney},
		{in: "-10000000000000.00", want: -workflow.MaxMoney},

		{in: "", wantErr: "empty"},
		{in: "   ", wantErr: "empty"},
		{in: "\u00a0", wantErr: "empty"},
		{in: "abc", wantErr: "not a decimal number"},
		{in: "12a", wantErr: "not a decimal number"},
		{in: "1_000", wantErr: "not a decimal number"},
		{in: "1e5", wantErr: "not a decimal number"},
		{in: "0x10", wantErr: "not a decimal number"},
		{in: "NaN", wantErr: "not a decimal number"},
		{in: "Inf", wantErr: "not a decimal number"},
		{in: "١٢٣", wantErr: "not a decimal number"},
		{in: "１２３", wantErr: "not a decimal number"},
		{in: ".5", wantErr: "not a decimal number"},
		{in: ",5", wantErr: "not a decimal number"},
		{in: "5.", wantErr: "not a decimal number"},
		{in: "5,", wantErr: "not a decimal number"},
		{in: "-", wantErr: "not a decimal number"},
		{in: "+", wantErr: "not a decimal number"},
		{in: "--5", wantErr: "not a decimal number"},
		{in: "+-5", wantErr: "not a decimal number"},
		{in: "-+5", wantErr: "not a decimal number"},
		{in: "5-", wantErr: "not a decimal number"},
		{in: "1-2", wantErr: "not a decimal number"},
		{in: "1\t000", wantErr: "not a decimal number"},
		{in: "0.001", wantErr: "more than two fractional digits"},
		{in: "1.234", wantErr: "more than two fractional digits"},
		{in: "1,234.56", wantErr: "more than two fractional digits"},
		{in: "1.2.3", wantErr: `amount "1.2.3"`},
		{in: "1.2,3", wantErr: `amount "1.2,3"`},
		{in: "10000000000000.01", wantErr: "too large"},
		{in: "-10000000000000.01", wantErr: "too large"},
		{in: "9999999999999999", wantErr: "too large"},
		{in: "99999999999999999", wantErr: "too large"},
		{in: "9223372036854775807", wantErr: "too large"},
		{in: "92233720368547758.08", wantErr: "too large"},
		{in: strings.Repeat("9", 1000), wantErr: "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := workflow.ParseMoney(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseMoney(%q) = %v, want an error containing %q", tt.in, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("ParseMoney(%q) error = %q, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMoney(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseMoney(%q) = %d, want %d", tt.in, got, tt.want)
			}
			back, err := workflow.ParseMoney(got.String())
			if err != nil || back != got {
				t.Errorf("ParseMoney(%q.String() = %q) = %d, %v; want %d", tt.in, got.String(), back, err, got)
			}
		})
	}
}

func TestMoneyString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   workflow.Money
		want string
	}{
		{0, "0.00"},
		{1, "0.01"},
		{5, "0.05"},
		{-5, "-0.05"},
		{10, "0.10"},
		{100, "1.00"},
		{-100, "-1.00"},
		{123456, "1234.56"},
		{-123450, "-1234.50"},
		{workflow.MaxMoney, "10000000000000.00"},
		{-workflow.MaxMoney, "-10000000000000.00"},
		{math.MaxInt64, "92233720368547758.07"},
		{math.MinInt64 + 1, "-92233720368547758.07"},
		{math.MinInt64, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Money(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
		if got := tt.in.Minor(); got != int64(tt.in) {
			t.Errorf("Money(%d).Minor() = %d", int64(tt.in), got)
		}
	}
}

func TestMoneyJSON(t *testing.T) {
	t.Parallel()
	type deal struct {
		Amount workflow.Money `json:"amount"`
	}
	for _, tt := range []struct {
		in   workflow.Money
		want string
	}{
		{123456, `{"amount":"1234.56"}`},
		{-1, `{"amount":"-0.01"}`},
		{0, `{"amount":"0.00"}`},
	} {
		b, err := json.Marshal(deal{tt.in})
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("Marshal(%d) = %s, want %s", tt.in, b, tt.want)
		}
		var back deal
		if err := json.Unmarshal(b, &back); err != nil || back.Amount != tt.in {
			t.Errorf("Unmarshal(%s) = %d, %v; want %d", b, back.Amount, err, tt.in)
		}
	}

	tests := []struct {
		name    string
		in      string
		want    workflow.Money
		wantErr string
	}{
		{name: "string", in: `{"amount":"1234.56"}`, want: 123456},
		{name: "string with separators", in: `{"amount":"1 234,5"}`, want: 123450},
		{name: "escaped string", in: `{"amount":"\u0031\u0032"}`, want: 1200},
		{name: "null leaves the value", in: `{"amount":null}`, want: 777},
		{name: "absent leaves the value", in: `{}`, want: 777},
		{name: "float number", in: `{"amount":1234.56}`, wantErr: "not a JSON number"},
		{name: "integer number", in: `{"amount":1234}`, wantErr: "not a JSON number"},
		{name: "negative number", in: `{"amount":-1}`, wantErr: "not a JSON number"},
		{name: "boolean", in: `{"amount":true}`, wantErr: "decimal string"},
		{name: "object", in: `{"amount":{"value":"1"}}`, wantErr: "decimal string"},
		{name: "array", in: `{"amount":["1"]}`, wantErr: "decimal string"},
		{name: "garbage string", in: `{"amount":"ten"}`, wantErr: "not a decimal number"},
		{name: "too precise", in: `{"amount":"0.005"}`, wantErr: "more than two fractional digits"},
		{name: "too large", in: `{"amount":"1e20"}`, wantErr: "not a decimal number"},
		{name: "empty string", in: `{"amount":""}`, wantErr: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := deal{Amount: 777}
			err := json.Unmarshal([]byte(tt.in), &d)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Unmarshal(%s) = %d, want an error containing %q", tt.in, d.Amount, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Unmarshal(%s) error = %q, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Unmarshal(%s): %v", tt.in, err)
			}
			if d.Amount != tt.want {
				t.Errorf("Unmarshal(%s) = %d, want %d", tt.in, d.Amount, tt.want)
			}
		})
	}
	// A direct call with a quoted value that is not valid JSON.
	var m workflow.Money
	if err := m.UnmarshalJSON([]byte(`"12`)); err == nil {
		t.Error(`UnmarshalJSON("12) succeeded`)
	}
}
