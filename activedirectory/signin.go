package activedirectory

import (
	"context"
	"fmt"
)

// SignIn checks a user's password the way a mail client's sign-in would: a
// simple bind as name (a DN or a user principal name) over the connection
// cfg describes. It returns nil when the bind succeeds. AD refuses a bind
// for a user who must change the password at first sign-in, but says so
// only when the password is right: that is ErrMustChangePassword. A wrong
// password is ErrInvalidCredentials; the other refusals are the other Err
// values of this package.
func SignIn(ctx context.Context, cfg Config, name, password string) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg = cfg.withDefaults()
	conn, err := dialTLS(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	c := &Client{conn: conn}
	if err := c.do(ctx, func() error { return conn.Bind(name, password) }); err != nil {
		return fmt.Errorf("sign in as %s: %w", name, describeBindError(err))
	}
	return nil
}
