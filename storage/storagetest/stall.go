package storagetest

import (
	"net"
	"net/url"
	"sync"
	"testing"
)

// StallProxy is a TCP proxy in front of a PostgreSQL server that can be told to stop
// forwarding without closing anything, the way a frozen database host (or a network path that
// drops packets) looks to a client: connections stay open, and nothing comes back.
type StallProxy struct {
	ln       net.Listener
	upstream string

	mu      sync.Mutex
	cond    *sync.Cond
	stalled bool
	closed  bool
	conns   []net.Conn
}

// NewStallProxy starts a proxy to the server of the PostgreSQL URL dbURL and returns it with
// the URL to use instead (the same, with the proxy's address). It stops when the test ends.
func NewStallProxy(tb testing.TB, dbURL string) (*StallProxy, string) {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatalf("storagetest: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("storagetest: proxy: %v", err)
	}
	p := &StallProxy{ln: ln, upstream: u.Host}
	p.cond = sync.NewCond(&p.mu)
	go p.accept()
	tb.Cleanup(p.Close)
	u.Host = ln.Addr().String()
	return p, u.String()
}

// Stall stops forwarding in both directions; connections stay open and new ones are accepted
// (and connected upstream) but hear nothing.
func (p *StallProxy) Stall() { p.set(true) }

// Resume forwards again, including what was held while stalled.
func (p *StallProxy) Resume() { p.set(false) }

func (p *StallProxy) set(stalled bool) {
	p.mu.Lock()
	p.stalled = stalled
	p.mu.Unlock()
	p.cond.Broadcast()
}

// Close stops the proxy and closes every connection.
func (p *StallProxy) Close() {
	p.mu.Lock()
	p.closed = true
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	p.cond.Broadcast()
	p.ln.Close()
	for _, c := range conns {
		c.Close()
	}
}

func (p *StallProxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.upstream)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			client.Close()
			server.Close()
			return
		}
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		go p.pipe(server, client)
		go p.pipe(client, server)
	}
}

// pipe copies from src to dst, holding each chunk while the proxy is stalled. When either side
// closes, both are closed.
func (p *StallProxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.stalled && !p.closed {
				p.cond.Wait()
			}
			closed := p.closed
			p.mu.Unlock()
			if closed {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
