package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/workflow"
)

// TestDealMoneyIsExact: amounts go in and come out as the same decimal strings, are stored as
// whole kopecks, and the profit is their exact difference.
func TestDealMoneyIsExact(t *testing.T) {
	t.Parallel()
	forEachEnv(t, func(t *testing.T, e *env) {
		for _, tc := range []struct {
			amount, cost, wantAmount, wantCost, profit string
		}{
			{"0.07", "0.03", "0.07", "0.03", "0.04"},
			{"1 500 000,5", "1100000", "1500000.50", "1100000.00", "400000.50"},
			{"9999999999999.99", "9999999999999.98", "9999999999999.99", "9999999999999.98", "0.01"},
			{"100.00", "250.10", "100.00", "250.10", "-150.10"},
		} {
			var d api.DealJSON
			body := fmt.Sprintf(`{"company_id":%d,"title":"деньги","amount":%q,"cost":%q}`, e.f.Company.ID, tc.amount, tc.cost)
			e.do(t, "POST", "/api/v1/deals", e.f.Rep1.Token, body).want(t, http.StatusCreated).decode(t, &d)
			var got api.DealJSON
			e.do(t, "GET", fmt.Sprintf("/api/v1/deals/%d", d.ID), e.f.Rep1.Token, nil).want(t, 200).decode(t, &got)
			for _, x := range []api.DealJSON{d, got} {
				if x.Amount != tc.wantAmount || x.Cost != tc.wantCost || x.Profit != tc.profit || x.Currency != "RUB" {
					t.Errorf("%s/%s: amount %s cost %s profit %s %s; want %s %s %s RUB", tc.amount, tc.cost, x.Amount, x.Cost, x.Profit, x.Currency, tc.wantAmount, tc.wantCost, tc.profit)
				}
			}
			want, _ := workflow.ParseMoney(tc.wantAmount)
			if stored := e.deal(t, d.ID); stored.Amount != want {
				t.Errorf("%s stored as %d kopecks, want %d", tc.amount, int64(stored.Amount), int64(want))
			}
		}
	})
}
