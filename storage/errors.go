package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/dealgate/dealgate/workflow"
)

// translate maps database errors to domain errors: missing rows → ENOTFOUND, duplicates →
// ECONFLICT, an unreachable database → EUNAVAILABLE. Domain errors pass through unchanged.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var we *workflow.Error
	var me *workflow.MissingEvidenceError
	if errors.As(err, &we) || errors.As(err, &me) {
		return err
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return &workflow.Error{Code: workflow.ENOTFOUND, Message: "not found"}
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return &workflow.Error{Code: workflow.ECONFLICT, Message: "a record with the same unique value exists", Err: err}
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return &workflow.Error{Code: workflow.EINVALID, Message: "a referenced record does not exist", Err: err}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &workflow.Error{Code: workflow.EUNAVAILABLE, Message: "the request took too long or was cancelled", Err: err}
	case isUnavailable(err):
		return &workflow.Error{Code: workflow.EUNAVAILABLE, Message: "the database is unavailable; try again shortly", Err: err}
	}
	return err
}

func isUnavailable(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 08: connection exception; 57P01..03: admin shutdown, crash shutdown, cannot connect now;
		// 40001/40P01 serialization failure / deadlock are retryable conflicts.
		if strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") {
			return true
		}
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "broken pipe") ||
		strings.Contains(msg, "conn closed") || strings.Contains(msg, "database is locked") ||
		strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "connection reset")
}
