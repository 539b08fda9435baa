package training

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalidPolicy is returned for a policy with a negative or inconsistent setting.
var ErrInvalidPolicy = errors.New("training: invalid test policy")

// Default policy values: 80 % to pass (the article's «хорошим результатом считается 80 %»),
// ten questions per test, a day between attempts.
const (
	DefaultPassNumerator    = 4
	DefaultPassDenominator  = 5
	DefaultQuestionsPerTest = 10
	DefaultCooldown         = 24 * time.Hour
)

// maxPassDenominator keeps num·n well inside int even for a bank of millions of questions.
const maxPassDenominator = 10000

// Policy sets the rules of a test. Zero values have a meaning, so Policy{} is usable:
// PassNumerator/PassDenominator both zero → 4/5; QuestionsPerTest zero → 10; TimeLimit zero →
// no limit; Cooldown zero → no cool-down; MaxAttempts zero → unlimited. [DefaultPolicy] is the
// recommended policy (it has the 24 h cool-down).
type Policy struct {
	// PassNumerator/PassDenominator is the share of correct answers needed to pass.
	PassNumerator   int `json:"pass_numerator"`
	PassDenominator int `json:"pass_denominator"`
	// QuestionsPerTest is how many questions an attempt draws (fewer if the pool is smaller).
	QuestionsPerTest int `json:"questions_per_test"`
	// TimeLimit is the time from the start of an attempt to its deadline.
	TimeLimit time.Duration `json:"time_limit"`
	// Cooldown is the wait between the end of one attempt and the start of the next.
	Cooldown time.Duration `json:"cooldown"`
	// MaxAttempts is the number of attempts allowed in total.
	MaxAttempts int `json:"max_attempts"`
}

// DefaultPolicy returns 80 % to pass, 10 questions, no time limit, a 24 h cool-down and
// unlimited attempts.
func DefaultPolicy() Policy {
	return Policy{
		PassNumerator:    DefaultPassNumerator,
		PassDenominator:  DefaultPassDenominator,
		QuestionsPerTest: DefaultQuestionsPerTest,
		Cooldown:         DefaultCooldown,
	}
}

// withDefaults fills the zero values that stand for a default.
func (p Policy) withDefaults() Policy {
	if p.PassNumerator == 0 && p.PassDenominator == 0 {
		p.PassNumerator, p.PassDenominator = DefaultPassNumerator, DefaultPassDenominator
	}
	if p.QuestionsPerTest == 0 {
		p.QuestionsPerTest = DefaultQuestionsPerTest
	}
	return p
}

// Validate reports a negative setting or a pass share outside (0, 1]. Zero values are
// accepted and stand for their defaults.
func (p Policy) Validate() error {
	p = p.withDefaults()
	switch {
	case p.PassDenominator <= 0 || p.PassDenominator > maxPassDenominator:
		return fmt.Errorf("%w: pass denominator %d must be between 1 and %d", ErrInvalidPolicy, p.PassDenominator, maxPassDenominator)
	case p.PassNumerator <= 0 || p.PassNumerator > p.PassDenominator:
		return fmt.Errorf("%w: pass share %d/%d must be above 0 and at most 1", ErrInvalidPolicy, p.PassNumerator, p.PassDenominator)
	case p.QuestionsPerTest < 0:
		return fmt.Errorf("%w: questions per test %d is negative", ErrInvalidPolicy, p.QuestionsPerTest)
	case p.TimeLimit < 0:
		return fmt.Errorf("%w: time limit %s is negative", ErrInvalidPolicy, p.TimeLimit)
	case p.Cooldown < 0:
		return fmt.Errorf("%w: cool-down %s is negative", ErrInvalidPolicy, p.Cooldown)
	case p.MaxAttempts < 0:
		return fmt.Errorf("%w: max attempts %d is negative", ErrInvalidPolicy, p.MaxAttempts)
	}
	return nil
}

// PassMark returns the number of correct answers needed to pass a test of n questions:
// ⌈num·n/den⌉, computed in integers so that 80 % of 10 is exactly 8 (6 → 5, 15 → 12).
// It returns 0 for n ≤ 0.
func (p Policy) PassMark(n int) int {
	if n <= 0 {
		return 0
	}
	p = p.withDefaults()
	num, den := p.PassNumerator, p.PassDenominator
	if den <= 0 {
		den = 1 // invalid policy; Validate reports it, this only avoids a division by zero
	}
	return (num*n + den - 1) / den
}

// Passed reports whether correct answers out of n pass: correct ≥ PassMark(n).
func (p Policy) Passed(correct, n int) bool {
	return n > 0 && correct >= p.PassMark(n)
}
