package activedirectory

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// Sign-in outcomes that AD reports in the "data" code of an invalid
// credentials (49) result.
var (
	ErrInvalidCredentials = errors.New("the account name or password is wrong")
	ErrMustChangePassword = errors.New("the password is right, and must be changed at first sign-in")
	ErrPasswordExpired    = errors.New("the password has expired")
	ErrAccountDisabled    = errors.New("the account is disabled")
	ErrAccountExpired     = errors.New("the account has expired")
	ErrAccountLocked      = errors.New("the account is locked out")
)

var bindCodes = map[string]error{
	"525": ErrInvalidCredentials, // no such user
	"52e": ErrInvalidCredentials,
	"773": ErrMustChangePassword,
	"532": ErrPasswordExpired,
	"533": ErrAccountDisabled,
	"701": ErrAccountExpired,
	"775": ErrAccountLocked,
}

var dataCode = regexp.MustCompile(`\bdata ([0-9a-fA-F]+)\b`)

// describeBindError turns AD's bind result into one of the errors above
// (wrapping the LDAP error), where it says which.
func describeBindError(err error) error {
	var le *ldap.Error
	if !errors.As(err, &le) || le.ResultCode != ldap.LDAPResultInvalidCredentials {
		return err
	}
	if m := dataCode.FindStringSubmatch(le.Err.Error()); m != nil {
		if known, ok := bindCodes[strings.ToLower(m[1])]; ok {
			return fmt.Errorf("%w (%w)", known, err)
		}
	}
	return fmt.Errorf("%w (%w)", ErrInvalidCredentials, err)
}

// PasswordError is a password the directory's policy refused. Reason says
// why in words a connector admin understands.
type PasswordError struct {
	Reason string
	Err    error // the directory's own answer
}

func (e *PasswordError) Error() string {
	return "Active Directory refused the password: " + e.Reason
}

func (e *PasswordError) Unwrap() error { return e.Err }

// policyCode is the Windows error AD puts first in the diagnostic message
// of a refused password: ERROR_PASSWORD_RESTRICTION.
const policyCode = "0000052D"

// passwordReasons turn Samba's own texts into plain words; Windows says
// only policyCode, for any reason.
var passwordReasons = []struct{ has, reason string }{
	{"too short", "it is too short for the domain's password policy"},
	{"complexity", "it does not meet the domain's complexity rules (characters from three of: upper case, lower case, digits, symbols; not containing the account or display name)"},
	{"history", "it was used before"},
	{"too young", "it was changed too recently"},
	{"too long", "it is too long"},
}

// asPasswordError recognises a password refusal and describes it, or
// returns nil.
func asPasswordError(err error) *PasswordError {
	var le *ldap.Error
	if !errors.As(err, &le) {
		return nil
	}
	msg := le.Err.Error()
	if !strings.Contains(strings.ToUpper(msg), policyCode) {
		return nil
	}
	if le.ResultCode != ldap.LDAPResultConstraintViolation && le.ResultCode != ldap.LDAPResultUnwillingToPerform {
		return nil
	}
	for _, r := range passwordReasons {
		if strings.Contains(msg, r.has) {
			return &PasswordError{Reason: r.reason, Err: err}
		}
	}
	return &PasswordError{Reason: "it does not meet the domain's password policy (length, complexity or history)", Err: err}
}

// ErrAddressTaken is an address another entry in the domain already has as
// its userPrincipalName, which AD keeps unique domain-wide (also outside
// base_dn, where AddressesTaken does not look).
var ErrAddressTaken = errors.New("the address is another account's user principal name")

// asAddressTaken recognises AD's refusal of a duplicate userPrincipalName
// (Samba: 0000202F ... userPrincipalName '…' is already in use; Windows:
// 000021C8 ... Att 90290 (userPrincipalName)).
func asAddressTaken(err error) bool {
	var le *ldap.Error
	return errors.As(err, &le) && le.ResultCode == ldap.LDAPResultConstraintViolation &&
		strings.Contains(strings.ToLower(le.Err.Error()), "userprincipalname")
}

// ValueError is a value longer than the directory's schema allows for its
// attribute; nothing was sent.
type ValueError struct {
	Field     string // the push-file name, or "Local ID"
	Attribute string
	Max       int // characters
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("%s: at most %d characters in this directory (attribute %s)", e.Field, e.Max, e.Attribute)
}
