package storage

import (
	"sync"
	"time"
)

// maxCachedTokens bounds the token cache; past it the cache starts again empty.
const maxCachedTokens = 10000

// tokenCache remembers which user an API token belonged to, by the token's hash, for ttl
// (Config.TokenCacheTTL). Any change to users or tokens made through this store empties it.
type tokenCache struct {
	ttl   time.Duration
	mu    sync.Mutex
	gen   uint64 // bumped by every clear, so that a lookup begun before it is not stored after it
	users map[string]cachedUser
}

type cachedUser struct {
	u     User
	until time.Time
}

// get returns the cached user of a token hash, and the generation to pass to put after a
// database lookup.
func (c *tokenCache) get(hash string) (User, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.users[hash]
	if ok && time.Now().Before(e.until) {
		return e.u, true, c.gen
	}
	return User{}, false, c.gen
}

// put stores a resolved token unless the cache was cleared since gen was read.
func (c *tokenCache) put(hash string, u User, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.users == nil || len(c.users) >= maxCachedTokens {
		c.users = map[string]cachedUser{}
	}
	c.users[hash] = cachedUser{u: u, until: time.Now().Add(c.ttl)}
}

// clear forgets every token (a user or a token changed).
func (c *tokenCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.users = nil
}
