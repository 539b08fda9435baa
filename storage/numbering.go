package storage

import (
	"context"
	"sync"
	"time"
)

// Numbering numbers a new document inside its finalising transaction (FinaliseRequest.Prepare
// receives one). Next allocates the number: the sequence's counter row stays locked from then
// until the transaction ends, so numbers are gap-free across processes. Guess lets the caller do
// its slow work — rendering the files, which print the number — before that lock is taken: on
// PostgreSQL it returns the number Next will most likely return, and Next then waits until this
// process's earlier guesses of the same sequence have taken theirs, so that the guesses come
// true in order. A wrong guess costs only a second render; the number itself always comes from
// the counter row.
type Numbering struct {
	s    *Store
	ctx  context.Context
	kind string
	// the one ticket this finalisation holds, if it guessed
	held    *seqState
	key     seqKey
	ticket  uint64
	shifts  uint64 // the sequence's shifts when the ticket was handed out
	guessed int64
	// after Next: the sequence and the number allocated, for rolledBack
	took  *seqState
	taken int64
}

// maxTurnWait bounds how long Next waits for an earlier finalisation of this process to take its
// number; after it Next allocates anyway (its guess is then likely wrong, the number still right).
const maxTurnWait = 2 * time.Second

// Guess returns the number the (scope, year) sequence of this document kind will most likely
// give this finalisation, or false when it offers no guess (on SQLite, where writers are one at a
// time anyway; for a correction; after repeated wrong guesses, as when another server process
// takes numbers from the same sequence). Call it at most once, before Next.
func (n *Numbering) Guess(scope string, year int) (int64, bool) {
	if n.s.dialect != Postgres || n.held != nil {
		return 0, false
	}
	key := seqKey{scope: scope, kind: n.kind, year: year}
	st := n.s.seqs.state(key)
	st.mu.Lock()
	defer st.mu.Unlock()
	now := time.Now()
	if now.Before(st.coolUntil) {
		return 0, false
	}
	if !st.known {
		// The committed value (read in this transaction: a plain read, no lock). Numbers
		// this process has allocated and not yet committed would be missing from it, so it
		// is read only when none are in flight.
		if st.pending > 0 {
			return 0, false
		}
		v, err := n.s.CurrentNumber(n.ctx, scope, n.kind, year)
		if err != nil {
			return 0, false
		}
		st.last, st.known = v, true
	}
	n.held, n.key, n.ticket, n.shifts = st, key, st.nextTicket, st.shifts
	st.nextTicket++
	st.pending++
	n.guessed = st.last + st.pending
	return n.guessed, true
}

// Next allocates the next number of the (scope, year) sequence of this document kind. After a
// Guess it first waits (bounded by maxTurnWait and ctx) until this process's earlier guesses of
// the sequence have allocated or given up.
func (n *Numbering) Next(scope string, year int) (int64, error) {
	if n.held != nil && n.key != (seqKey{scope: scope, kind: n.kind, year: year}) {
		n.release() // guessed for another sequence: give the ticket up
	}
	if n.held != nil {
		n.held.waitTurn(n.ctx, n.ticket)
	}
	v, err := n.s.NextNumber(n.ctx, scope, n.kind, year)
	if n.held != nil {
		n.held.allocated(n.ticket, n.shifts, v, err == nil, v == n.guessed)
		if err == nil {
			n.took, n.taken = n.held, v
		}
		n.held = nil
	}
	return v, err
}

// release gives up an unused ticket (Prepare failed before Next); Finalise calls it.
func (n *Numbering) release() {
	if n.held != nil {
		n.held.allocated(n.ticket, n.shifts, 0, false, false)
		n.held = nil
	}
}

// rolledBack tells the sequence that the transaction which allocated a number after a guess did
// not commit: the number is free again, and the guesses made after it are one too high.
func (n *Numbering) rolledBack() {
	if st := n.took; st != nil {
		st.mu.Lock()
		st.shifts++
		if st.last == n.taken {
			st.last--
		}
		st.mu.Unlock()
		n.took = nil
	}
}

type seqKey struct {
	scope, kind string
	year        int
}

// sequencer keeps, per number sequence, what this process knows of it for Numbering.Guess.
type sequencer struct {
	mu   sync.Mutex
	seqs map[seqKey]*seqState
}

func (q *sequencer) state(k seqKey) *seqState {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.seqs == nil {
		q.seqs = map[seqKey]*seqState{}
	}
	st := q.seqs[k]
	if st == nil {
		st = &seqState{wake: make(chan struct{}), released: map[uint64]bool{}}
		q.seqs[k] = st
	}
	return st
}

type seqState struct {
	mu         sync.Mutex
	known      bool   // last holds a value read from or allocated by the database
	last       int64  // the last number allocated (or the committed value first read)
	pending    int64  // tickets handed out and not yet allocated or given up
	nextTicket uint64 // the next ticket to hand out
	turn       uint64 // the oldest ticket not yet allocated or given up
	released   map[uint64]bool
	wake       chan struct{} // closed (and replaced) whenever turn moves
	misses     int           // wrong guesses in a row not explained by shifts
	shifts     uint64        // finalisations that gave up a guess or a number (later guesses are off by one)
	coolUntil  time.Time     // no guesses before this (after misses in a row)
}

// waitTurn waits until every earlier ticket has allocated or given up, ctx ends, or maxTurnWait
// passes.
func (st *seqState) waitTurn(ctx context.Context, ticket uint64) {
	timer := time.NewTimer(maxTurnWait)
	defer timer.Stop()
	for {
		st.mu.Lock()
		if st.turn >= ticket {
			st.mu.Unlock()
			return
		}
		wake := st.wake
		st.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return
		case <-timer.C:
			return
		}
	}
}

// allocated records that ticket (handed out when the sequence had shifted shifts times) has
// allocated v (ok) or given up (!ok), and whether its guess came true, and lets the next ticket
// take its turn.
func (st *seqState) allocated(ticket, shifts uint64, v int64, ok, hit bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.pending--
	if ok {
		// Allocations of this process come in ticket order, so the latest one is the
		// sequence's current value (unless another process took numbers too: then the
		// next guesses miss and correct themselves from the next allocation).
		st.last = v
	}
	switch {
	case hit:
		st.misses = 0
	case ok && shifts == st.shifts:
		// A miss that no local give-up explains.
		st.misses++
		if st.misses >= 3 {
			// Another process is most likely numbering the same sequence: stop guessing a
			// moment (documents are then rendered after the number, as without a guess).
			st.coolUntil, st.misses = time.Now().Add(time.Second), 0
		}
	}
	if !ok {
		st.shifts++
	}
	if !ok && st.pending == 0 {
		// A failed allocation may leave last unknown (a rolled-back transaction returns
		// its number); read it again when nothing is in flight.
		st.known = false
	}
	st.released[ticket] = true
	moved := false
	for st.released[st.turn] {
		delete(st.released, st.turn)
		st.turn++
		moved = true
	}
	if moved {
		close(st.wake)
		st.wake = make(chan struct{})
	}
}
