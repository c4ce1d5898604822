package activedirectory

import (
	"context"
	"encoding/binary"
	"unicode/utf16"

	"github.com/go-ldap/ldap/v3"
)

// unicodePwd is the value AD takes for a password: the password in double
// quotes, in UTF-16LE. It can only be written over an encrypted connection.
func unicodePwd(password string) string {
	units := utf16.Encode([]rune(`"` + password + `"`))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(b[2*i:], u)
	}
	return string(b)
}

// ResetPassword sets a user's password (an administrator's reset: the old
// one is not needed), enables the account and makes the user change the
// password at first sign-in. A password the domain's policy refuses comes
// back as a *PasswordError, and nothing is changed.
func (c *Client) ResetPassword(ctx context.Context, dn, password string) error {
	req := ldap.NewModifyRequest(dn, nil)
	req.Replace("unicodePwd", []string{unicodePwd(password)})
	req.Replace("userAccountControl", []string{uacString(uacNormalAccount)})
	req.Replace("pwdLastSet", []string{"0"})
	err := c.modify(ctx, req)
	if pe := asPasswordError(err); pe != nil {
		return pe
	}
	return wrapf(err, "set the password of %s", dn)
}
