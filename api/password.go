package api

import (
	"github.com/alexedwards/argon2id"
)

// passwordParams are argon2id parameters sized for a small server: 19 MiB, 2 passes, 1 lane
// (the OWASP Password Storage Cheat Sheet's minimum configuration for argon2id).
var passwordParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// HashPassword returns an argon2id hash of password in the standard encoded form.
func HashPassword(password string) (string, error) {
	return argon2id.CreateHash(password, passwordParams)
}

// CheckPassword reports whether password matches the encoded hash (false for an empty hash).
func CheckPassword(password, hash string) bool {
	if hash == "" {
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

func init() {
	if PasswordHasher == nil {
		PasswordHasher = HashPassword
	}
}
