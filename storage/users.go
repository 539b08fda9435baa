package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// User is a person who signs in.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         workflow.Role
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
}

// Actor returns the user as a workflow actor.
func (u User) Actor() workflow.Actor { return workflow.Actor{ID: u.ID, Role: u.Role} }

type userRow struct {
	ID           int64 `gorm:"primaryKey"`
	Email        string
	Name         string
	Role         string
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) toUser() User {
	return User{ID: r.ID, Email: r.Email, Name: r.Name, Role: workflow.Role(r.Role), PasswordHash: r.PasswordHash, Disabled: r.Disabled, CreatedAt: r.CreatedAt}
}

// CreateUser stores a new user. A duplicate e-mail is ECONFLICT naming the email field.
func (s *Store) CreateUser(ctx context.Context, u User) (User, error) {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if u.Email == "" || !strings.Contains(u.Email, "@") || len(u.Email) > 254 {
		return User{}, workflow.Invalid("email", "a valid e-mail address is required")
	}
	if !u.Role.Valid() {
		return User{}, workflow.Invalid("role", "unknown role %q (admin, manager, rep, backoffice, auditor)", u.Role)
	}
	row := userRow{Email: u.Email, Name: u.Name, Role: string(u.Role), PasswordHash: u.PasswordHash, CreatedAt: s.now()}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		err = translate(err)
		if workflow.Code(err) == workflow.ECONFLICT {
			return User{}, &workflow.Error{Code: workflow.ECONFLICT, Field: "email", Message: "a user with this e-mail exists"}
		}
		return User{}, err
	}
	return row.toUser(), nil
}

// FindUserByID returns the user or ENOTFOUND.
func (s *Store) FindUserByID(ctx context.Context, id int64) (User, error) {
	var row userRow
	if err := s.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return User{}, translate(err)
	}
	return row.toUser(), nil
}

// FindUserByEmail returns the user or ENOTFOUND.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (User, error) {
	var row userRow
	if err := s.conn(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&row).Error; err != nil {
		return User{}, translate(err)
	}
	return row.toUser(), nil
}

// FindUsers lists users ordered by id.
func (s *Store) FindUsers(ctx context.Context) ([]User, error) {
	var rows []userRow
	if err := s.conn(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.toUser()
	}
	return out, nil
}

// CountUsers returns the number of users.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&userRow{}).Count(&n).Error
	return n, translate(err)
}

// UpdateUser changes role, name, password hash or the disabled flag (nil leaves a field).
func (s *Store) UpdateUser(ctx context.Context, id int64, role *workflow.Role, name, passwordHash *string, disabled *bool) error {
	upd := map[string]any{}
	if role != nil {
		if !role.Valid() {
			return workflow.Invalid("role", "unknown role %q", *role)
		}
		upd["role"] = string(*role)
	}
	if name != nil {
		upd["name"] = *name
	}
	if passwordHash != nil {
		upd["password_hash"] = *passwordHash
	}
	if disabled != nil {
		upd["disabled"] = *disabled
	}
	if len(upd) == 0 {
		return nil
	}
	res := s.conn(ctx).Model(&userRow{}).Where("id = ?", id).Updates(upd)
	s.tokens.clear() // a role, a name or the disabled flag may have changed
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return workflow.ErrNotFound
	}
	return nil
}

type tokenRow struct {
	ID        int64 `gorm:"primaryKey"`
	UserID    int64
	TokenHash string
	Name      string
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (tokenRow) TableName() string { return "api_tokens" }

// Token describes an API token without its secret.
type Token struct {
	ID        int64
	UserID    int64
	Name      string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// TokenPrefix starts every API token, so that leaked tokens are easy to find and redact.
const TokenPrefix = "dg_"

// HashToken returns the stored form of a token: tokens carry 256 random bits, so a plain
// SHA-256 is enough (no password stretching needed) and lookups stay one index probe.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateToken issues a new API token for the user and returns its secret, which is shown once
// and stored only hashed.
func (s *Store) CreateToken(ctx context.Context, userID int64, name string) (string, Token, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Token{}, err
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	row := tokenRow{UserID: userID, TokenHash: HashToken(secret), Name: name, CreatedAt: s.now()}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return "", Token{}, translate(err)
	}
	return secret, Token{ID: row.ID, UserID: userID, Name: name, CreatedAt: row.CreatedAt}, nil
}

// UserByToken returns the active user owning the token, or EUNAUTHORIZED.
func (s *Store) UserByToken(ctx context.Context, token string) (User, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 200 {
		return User{}, workflow.ErrUnauthorized
	}
	hash := HashToken(token)
	cached := s.tokens.ttl > 0 && !InTransaction(ctx)
	var gen uint64
	if cached {
		var u User
		var ok bool
		if u, ok, gen = s.tokens.get(hash); ok {
			return u, nil
		}
	}
	var row userRow
	err := s.conn(ctx).Raw(`SELECT u.* FROM users u JOIN api_tokens t ON t.user_id = u.id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND NOT u.disabled`, hash).Scan(&row).Error
	if err != nil {
		return User{}, translate(err)
	}
	if row.ID == 0 {
		return User{}, workflow.ErrUnauthorized
	}
	u := row.toUser()
	if cached {
		s.tokens.put(hash, u, gen)
	}
	return u, nil
}

// FindTokens lists a user's tokens.
func (s *Store) FindTokens(ctx context.Context, userID int64) ([]Token, error) {
	var rows []tokenRow
	if err := s.conn(ctx).Where("user_id = ?", userID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]Token, len(rows))
	for i, r := range rows {
		out[i] = Token{ID: r.ID, UserID: r.UserID, Name: r.Name, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt}
	}
	return out, nil
}

// RevokeToken revokes a token; revoking twice is not an error.
func (s *Store) RevokeToken(ctx context.Context, tokenID int64) error {
	now := s.now()
	res := s.conn(ctx).Model(&tokenRow{}).Where("id = ? AND revoked_at IS NULL", tokenID).Update("revoked_at", now)
	s.tokens.clear()
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		var n int64
		s.conn(ctx).Model(&tokenRow{}).Where("id = ?", tokenID).Count(&n)
		if n == 0 {
			return workflow.ErrNotFound
		}
	}
	return nil
}
