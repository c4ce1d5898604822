package activedirectory

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func ldapErr(code uint16, msg string) error {
	return &ldap.Error{ResultCode: code, Err: errors.New(msg)}
}

func TestPasswordError(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string // "" = not a password refusal
	}{
		{"Samba, short", ldapErr(19, "0000052D: Constraint violation - check_password_restrictions: the password is too short. It should be equal or longer than 7 characters!"),
			"it is too short for the domain's password policy"},
		{"Samba, complexity", ldapErr(19, "0000052D: Constraint violation - check_password_restrictions: the password does not meet the complexity criteria!"),
			"it does not meet the domain's complexity rules"},
		{"Windows", ldapErr(53, "0000052D: SvcErr: DSID-031A1248, problem 5003 (WILL_NOT_PERFORM), data 0"),
			"it does not meet the domain's password policy (length, complexity or history)"},
		{"Windows, constraint", ldapErr(19, "0000052D: AtrErr: DSID-03191083, #1:\n\t0: 0000052D: DSID-03191083, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 9005a (unicodePwd)"),
			"password policy"},
		{"unwilling, other reason", ldapErr(53, "0000001F: SvcErr: DSID-031A12D2, problem 5003 (WILL_NOT_PERFORM), data 0"), ""},
		{"entry exists", ldapErr(68, "00002071: samldb: samAccountName 'x' already in use!"), ""},
		{"not LDAP", errors.New("0000052D"), ""},
		{"wrapped", fmt.Errorf("create: %w", ldapErr(19, "0000052D: check_password_restrictions: password is too young")), "it was changed too recently"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pe := asPasswordError(tc.err)
			switch {
			case tc.want == "" && pe != nil:
				t.Errorf("got %v, want no password error", pe)
			case tc.want != "" && pe == nil:
				t.Errorf("got none, want a password error with %q", tc.want)
			case tc.want != "" && !strings.Contains(pe.Reason, tc.want):
				t.Errorf("reason %q, want it to contain %q", pe.Reason, tc.want)
			}
		})
	}
}

func TestBindError(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		want error
	}{
		{"80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 773, v1db1", ErrMustChangePassword},
		{"80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1", ErrInvalidCredentials},
		{"80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563", ErrAccountLocked},
		{"80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 533, v1db1", ErrAccountDisabled},
		{"no data code", ErrInvalidCredentials},
	} {
		err := describeBindError(ldapErr(ldap.LDAPResultInvalidCredentials, tc.msg))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.msg, err, tc.want)
		}
	}
	other := ldapErr(ldap.LDAPResultStrongAuthRequired, "BindSimple: Transport encryption required.")
	if err := describeBindError(other); err != other {
		t.Errorf("strong auth required: got %v, want it unchanged", err)
	}
}
