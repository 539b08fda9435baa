package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealgate/dealgate/api"
	"github.com/dealgate/dealgate/storage"
	"github.com/dealgate/dealgate/storage/storagetest"
	"github.com/dealgate/dealgate/workflow"
)

const clients = 32

// together runs fn(i) for i in [0, n) in goroutines released at once.
func together(n int, fn func(i int)) {
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			fn(i)
		}()
	}
	close(gate)
	wg.Wait()
}

// TestIdempotentTransitions: 32 identical POST /transitions with one Idempotency-Key, at once,
// all get the same 200 body and the deal moves once; the key with another body is a 422; a
// refused request is not recorded, so its retry can succeed.
func TestIdempotentTransitions(t *testing.T) {
	t.Parallel()
	forEachEnv(t, func(t *testing.T, e *env) {
		rep := e.f.Rep1.Token
		d := e.createDeal(t, rep, e.f.Company.ID)
		path := fmt.Sprintf("/api/v1/deals/%d/transitions", d.ID)
		body := `{"action":"advance","expected_version":1}`

		answers := make([]response, clients)
		together(clients, func(i int) {
			req := request(t, "POST", path, rep, body)
			req.Header.Set(api.HeaderIdempotencyKey, "advance-1")
			answers[i] = e.serve(req)
		})
		replayed := 0
		for i, a := range answers {
			if a.Status != http.StatusOK {
				t.Fatalf("client %d: status %d %s", i, a.Status, a.Body)
			}
			if !bytes.Equal(a.Body, answers[0].Body) {
				t.Fatalf("client %d got another body:\n%s\nvs\n%s", i, a.Body, answers[0].Body)
			}
			if a.Header.Get("Idempotent-Replayed") == "true" {
				replayed++
			}
		}
		if replayed != clients-1 {
			t.Fatalf("%d answers marked Idempotent-Replayed, want %d", replayed, clients-1)
		}
		var moved api.DealJSON
		answers[0].decode(t, &moved)
		if moved.Stage != "cold_call" || moved.Version != 2 {
			t.Fatalf("answer %+v, want cold_call v2", moved)
		}
		if n := e.countEvents(t, d.ID); n != 2 {
			t.Fatalf("%d events, want 2: the transition took effect more than once", n)
		}

		// A later retry gets the same answer and still moves nothing.
		req := request(t, "POST", path, rep, body)
		req.Header.Set(api.HeaderIdempotencyKey, "advance-1")
		if r := e.serve(req); r.Status != 200 || !bytes.Equal(r.Body, answers[0].Body) {
			t.Fatalf("retry: %d %s", r.Status, r.Body)
		}
		// The same key with another request is refused.
		req = request(t, "POST", path, rep, `{"action":"skip","reason":"x","expected_version":2}`)
		req.Header.Set(api.HeaderIdempotencyKey, "advance-1")
		if p := e.serve(req).problem(t, 422, api.ProblemInvalid); p.Field != api.HeaderIdempotencyKey {
			t.Fatalf("key reuse problem %+v, want field %s", p, api.HeaderIdempotencyKey)
		}
		// Another user's identical key is separate: it is that user's request.
		req = request(t, "POST", path, e.f.Manager.Token, `{"action":"skip","reason":"менеджер решил","expected_version":2}`)
		req.Header.Set(api.HeaderIdempotencyKey, "advance-1")
		e.serve(req).want(t, 200)

		// A refused request (missing evidence) is not recorded: with the evidence in place the
		// same request and key succeed.
		next := `{"action":"advance","expected_version":3}`
		req = request(t, "POST", path, rep, next)
		req.Header.Set(api.HeaderIdempotencyKey, "advance-meeting")
		e.serve(req).problem(t, 422, api.ProblemMissingEvidence)
		storagetest.InsertFinalDocument(t, e.st, d.ID, workflow.DocMeetingReport, e.f.Rep1.ID)
		req = request(t, "POST", path, rep, next)
		req.Header.Set(api.HeaderIdempotencyKey, "advance-meeting")
		e.serve(req).want(t, 200).decode(t, &moved)
		if moved.Stage != "needs" || moved.Version != 4 {
			t.Fatalf("after the retry: %+v, want needs v4", moved)
		}
		if n := e.countEvents(t, d.ID); n != 4 {
			t.Fatalf("%d events, want 4", n)
		}
	})
}

// TestIdempotentCreate: a retried POST /companies with the same key creates one company.
func TestIdempotentCreate(t *testing.T) {
	t.Parallel()
	forEachEnv(t, func(t *testing.T, e *env) {
		answers := make([]response, 8)
		together(len(answers), func(i int) {
			req := request(t, "POST", "/api/v1/companies", e.f.Rep2.Token, companyBody())
			req.Header.Set(api.HeaderIdempotencyKey, "company-1")
			answers[i] = e.serve(req)
		})
		for i, a := range answers {
			if a.Status != http.StatusCreated || !bytes.Equal(a.Body, answers[0].Body) {
				t.Fatalf("client %d: %d %s", i, a.Status, a.Body)
			}
		}
		_, total, err := e.st.FindCompanies(t.Context(), storage.CompanyFilter{OwnerID: &e.f.Rep2.ID})
		if err != nil || total != 1 {
			t.Fatalf("rep2 has %d companies (%v), want 1", total, err)
		}
	})
}

// TestRacingTransitionsOverHTTP: 32 clients send the same transition with the same
// expected_version to a real HTTP server at once: one 200, 31 × 409, one new event.
func TestRacingTransitionsOverHTTP(t *testing.T) {
	t.Parallel()
	forEachEnv(t, func(t *testing.T, e *env) {
		ts := httptest.NewServer(e.h)
		defer ts.Close()
		rep := e.f.Rep1.Token
		d := e.createDeal(t, rep, e.f.Company.ID)
		client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxConnsPerHost: clients, MaxIdleConnsPerHost: clients}}
		defer client.CloseIdleConnections()

		statuses := make([]int, clients)
		bodies := make([]string, clients)
		together(clients, func(i int) {
			body := fmt.Sprintf(`{"action":"lose","reason":"гонка %d","expected_version":1}`, i)
			req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/deals/%d/transitions", ts.URL, d.ID), strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+rep)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				t.Errorf("client %d: %v", i, err)
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			statuses[i], bodies[i] = resp.StatusCode, string(b)
		})
		count := map[int]int{}
		winner := -1
		for i, s := range statuses {
			count[s]++
			if s == http.StatusOK {
				winner = i
			} else if s == http.StatusConflict && !strings.Contains(bodies[i], api.ProblemConflict) {
				t.Errorf("client %d: 409 without the conflict problem type: %s", i, bodies[i])
			}
		}
		if count[200] != 1 || count[409] != clients-1 {
			t.Fatalf("statuses %v, want one 200 and %d × 409", count, clients-1)
		}
		if n := e.countEvents(t, d.ID); n != 2 {
			t.Fatalf("%d events, want 2 (created + one lose)", n)
		}
		if got := e.deal(t, d.ID); got.Status != workflow.StatusLost || got.LostReason != fmt.Sprintf("гонка %d", winner) || got.Version != 2 {
			t.Fatalf("deal after the race: %+v; want lost with the winner's reason (гонка %d)", got, winner)
		}
	})
}
