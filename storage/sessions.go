package storage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/dealgate/dealgate/workflow"
)

// Session is a signed-in browser.
type Session struct {
	UserID    int64
	CSRFToken string
	Lang      string
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
}

type sessionRow struct {
	IDHash    string `gorm:"primaryKey;column:id_hash"`
	UserID    int64
	CSRFToken string `gorm:"column:csrf_token"`
	Lang      string
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
}

func (sessionRow) TableName() string { return "sessions" }

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// CreateSession starts a new session for the user and returns its secret id (for the cookie;
// stored only hashed) and the session. A new id is issued at every sign-in, so a session id
// planted before sign-in is worthless (no fixation).
func (s *Store) CreateSession(ctx context.Context, userID int64, lang string, ttl time.Duration) (string, Session, error) {
	id, err := randomToken(32)
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := randomToken(32)
	if err != nil {
		return "", Session{}, err
	}
	now := s.now()
	row := sessionRow{IDHash: HashToken(id), UserID: userID, CSRFToken: csrf, Lang: lang, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(ttl)}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return "", Session{}, translate(err)
	}
	return id, Session{UserID: userID, CSRFToken: csrf, Lang: lang, CreatedAt: now, LastSeen: now, ExpiresAt: row.ExpiresAt}, nil
}

// FindSession returns the live session and its user for a cookie value, or EUNAUTHORIZED.
func (s *Store) FindSession(ctx context.Context, id string) (Session, User, error) {
	if id == "" || len(id) > 100 {
		return Session{}, User{}, workflow.ErrUnauthorized
	}
	var rows []sessionRow
	if err := s.conn(ctx).Where("id_hash = ? AND expires_at > ?", HashToken(id), s.now()).Limit(1).Find(&rows).Error; err != nil {
		return Session{}, User{}, translate(err)
	}
	if len(rows) == 0 {
		return Session{}, User{}, workflow.ErrUnauthorized
	}
	r := rows[0]
	u, err := s.FindUserByID(ctx, r.UserID)
	if err != nil || u.Disabled {
		return Session{}, User{}, workflow.ErrUnauthorized
	}
	return Session{UserID: r.UserID, CSRFToken: r.CSRFToken, Lang: r.Lang, CreatedAt: r.CreatedAt, LastSeen: r.LastSeen, ExpiresAt: r.ExpiresAt}, u, nil
}

// SetSessionLang changes the interface language of a session.
func (s *Store) SetSessionLang(ctx context.Context, id, lang string) error {
	return translate(s.conn(ctx).Model(&sessionRow{}).Where("id_hash = ?", HashToken(id)).Update("lang", lang).Error)
}

// DeleteSession ends a session (sign-out).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return translate(s.conn(ctx).Where("id_hash = ?", HashToken(id)).Delete(&sessionRow{}).Error)
}

// DeleteUserSessions ends every session of a user (password reset, role change, disabling).
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	return translate(s.conn(ctx).Where("user_id = ?", userID).Delete(&sessionRow{}).Error)
}

type loginFailureRow struct {
	ID    int64 `gorm:"primaryKey"`
	Email string
	IP    string `gorm:"column:ip"`
	At    time.Time
}

func (loginFailureRow) TableName() string { return "login_failures" }

// RecordLoginFailure notes a failed sign-in.
func (s *Store) RecordLoginFailure(ctx context.Context, email, ip string) error {
	return translate(s.conn(ctx).Create(&loginFailureRow{Email: email, IP: ip, At: s.now()}).Error)
}

// LoginFailures counts failed sign-ins for the e-mail and for the address since a moment
// (failed bearer tokens are counted apart, by TokenFailures).
func (s *Store) LoginFailures(ctx context.Context, email, ip string, since time.Time) (byEmail, byIP int64, err error) {
	db := s.conn(ctx)
	if err = db.Model(&loginFailureRow{}).Where("email = ? AND at > ?", email, since).Count(&byEmail).Error; err != nil {
		return 0, 0, translate(err)
	}
	err = db.Model(&loginFailureRow{}).Where("ip = ? AND at > ? AND email <> ?", ip, since, tokenFailureEmail).Count(&byIP).Error
	return byEmail, byIP, translate(err)
}

// tokenFailureEmail marks the failed bearer tokens among the sign-in failures: the sign-in
// form lower-cases e-mails, so no failed sign-in is ever recorded with it.
const tokenFailureEmail = "Bearer token"

// RecordTokenFailure notes an unknown or revoked bearer token sent from an address.
func (s *Store) RecordTokenFailure(ctx context.Context, ip string) error {
	return translate(s.conn(ctx).Create(&loginFailureRow{Email: tokenFailureEmail, IP: ip, At: s.now()}).Error)
}

// TokenFailures returns when the failed bearer tokens from an address since a moment were
// recorded, oldest first (at most limit of them).
func (s *Store) TokenFailures(ctx context.Context, ip string, since time.Time, limit int) ([]time.Time, error) {
	var at []time.Time
	err := s.conn(ctx).Model(&loginFailureRow{}).Where("ip = ? AND email = ? AND at > ?", ip, tokenFailureEmail, since).
		Order("at").Limit(limit).Pluck("at", &at).Error
	return at, translate(err)
}

// ClearLoginFailures forgets the failures of an e-mail after a successful sign-in.
func (s *Store) ClearLoginFailures(ctx context.Context, email string) error {
	return translate(s.conn(ctx).Where("email = ?", email).Delete(&loginFailureRow{}).Error)
}
