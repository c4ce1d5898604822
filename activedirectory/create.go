package activedirectory

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// NewUser is an account to create.
type NewUser struct {
	Organisation string
	LocalID      string
	Address      string // its mail and userPrincipalName
	Password     string // the initial password; never logged
	// Values needs FirstName and LastName; DisplayName defaults to
	// "FirstName LastName". Fields without an attribute are ignored.
	Values Values
}

// maxNameTries bounds the search for a free cn and sAMAccountName.
const maxNameTries = 1000

// CreateUser creates an enabled user (userAccountControl 512) in the
// organisation's container, made when missing, with its initial password,
// which the user must change at first sign-in (pwdLastSet 0). Its cn is
// the display name, made unique in the container ("Jo Bloggs 2"); its
// sAMAccountName is first.last in ASCII (at most 20 characters), made
// unique in the domain (jo.bloggs2).
//
// The password goes in the add itself, so AD applies it and the account
// in one step; where the server refuses that (or Config.TwoStepCreate is
// set), the user is added disabled and then given its password, and if
// that fails the user is deleted again. Either way a password the domain's
// policy refuses returns a *PasswordError and leaves no account, an
// address that is already some account's userPrincipalName returns
// ErrAddressTaken, and a value too long for its attribute returns a
// *ValueError before anything is sent.
func (c *Client) CreateUser(ctx context.Context, u NewUser) (Entry, error) {
	if u.Values[FirstName] == "" || u.Values[LastName] == "" || u.Address == "" || u.LocalID == "" || u.Password == "" {
		return Entry{}, errors.New("create user: the first and last name, address, Local ID and password are all needed")
	}
	if u.Values[DisplayName] == "" {
		u.Values[DisplayName] = u.Values[FirstName] + " " + u.Values[LastName]
	}
	if err := c.checkNewUser(&u); err != nil {
		return Entry{}, err
	}
	parent, err := c.EnsureOrganisation(ctx, u.Organisation)
	if err != nil {
		return Entry{}, err
	}
	n := newNames(u.Values[FirstName], u.Values[LastName], u.Values[DisplayName])
	for try := 0; try < maxNameTries; try++ {
		dn := "CN=" + ldap.EscapeDN(n.cn()) + "," + parent
		err := c.addUser(ctx, dn, &u, n.sam())
		if err == nil {
			return c.created(dn, &u, n.sam()), nil
		}
		if !ldap.IsErrorWithCode(err, ldap.LDAPResultEntryAlreadyExists) {
			return Entry{}, err
		}
		// The cn or the sAMAccountName is taken (AD says which only in
		// words that differ between versions): find the next free ones.
		if err := c.nextFreeNames(ctx, parent, &n); err != nil {
			return Entry{}, err
		}
	}
	return Entry{}, fmt.Errorf("create user %s: no free cn or sAMAccountName after %d tries", u.Address, maxNameTries)
}

// checkNewUser refuses values too long for their attributes.
func (c *Client) checkNewUser(u *NewUser) error {
	if err := c.checkLength("Local ID", c.cfg.LocalIDAttribute, u.LocalID); err != nil {
		return err
	}
	for _, attr := range []string{"mail", "userPrincipalName"} {
		if err := c.checkLength("EmailAddress", attr, u.Address); err != nil {
			return err
		}
	}
	for f, v := range u.Values {
		if a := c.attrs[f]; a != "" {
			if err := c.checkLength(Field(f).String(), a, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// addUser adds one user, with its password in the add or in two steps.
func (c *Client) addUser(ctx context.Context, dn string, u *NewUser, sam string) error {
	c.mu.Lock()
	twoStep := c.twoStep || c.cfg.TwoStepCreate
	c.mu.Unlock()
	if twoStep {
		return c.addTwoStep(ctx, dn, u, sam)
	}
	req := c.userAdd(dn, u, sam)
	req.Attribute("unicodePwd", []string{unicodePwd(u.Password)})
	req.Attribute("userAccountControl", []string{uacString(uacNormalAccount)})
	req.Attribute("pwdLastSet", []string{"0"})
	err := c.add(ctx, req)
	if pe := asPasswordError(err); pe != nil {
		return pe
	}
	if asAddressTaken(err) {
		return fmt.Errorf("create user %s: %w (%w)", u.Address, ErrAddressTaken, err)
	}
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultUnwillingToPerform) {
		return wrapf(err, "create user %s", dn)
	}
	// This server does not take a password in an add: two steps, and if
	// that works, two steps from now on.
	if err := c.addTwoStep(ctx, dn, u, sam); err != nil {
		return err
	}
	c.mu.Lock()
	c.twoStep = true
	c.mu.Unlock()
	c.log.Warn("the directory refused a password in the add; new users are now added disabled and then given their password (two round trips each)", "first_error", err)
	return nil
}

// addTwoStep adds the user disabled, then sets its password and enables
// it; if that fails, it deletes the user again.
func (c *Client) addTwoStep(ctx context.Context, dn string, u *NewUser, sam string) error {
	req := c.userAdd(dn, u, sam)
	req.Attribute("userAccountControl", []string{uacString(uacNormalAccount | uacAccountDisable)})
	if err := c.add(ctx, req); err != nil {
		if asAddressTaken(err) {
			return fmt.Errorf("create user %s: %w (%w)", u.Address, ErrAddressTaken, err)
		}
		return wrapf(err, "create user %s", dn)
	}
	c.mu.Lock()
	after := c.afterAdd
	c.mu.Unlock()
	if after != nil {
		after(dn)
	}
	err := c.ResetPassword(ctx, dn, u.Password)
	if err == nil {
		return nil
	}
	// Not cancellable: a half-made account must not stay behind because
	// the caller gave up.
	del := c.del(context.WithoutCancel(ctx), dn)
	if del != nil {
		return fmt.Errorf("%w; and the disabled account %s could not be removed again (%v): it carries the Local ID, so the next run finds it", err, dn, del)
	}
	return err
}

// userAdd is the add request without the password and account control.
func (c *Client) userAdd(dn string, u *NewUser, sam string) *ldap.AddRequest {
	req := ldap.NewAddRequest(dn, nil)
	req.Attribute("objectClass", []string{"top", "person", "organizationalPerson", "user"})
	req.Attribute("sAMAccountName", []string{sam})
	req.Attribute("userPrincipalName", []string{u.Address})
	req.Attribute("mail", []string{u.Address})
	req.Attribute(c.cfg.LocalIDAttribute, []string{u.LocalID})
	for f, v := range u.Values {
		if a := c.attrs[f]; a != "" && v != "" {
			req.Attribute(a, []string{v})
		}
	}
	return req
}

// created is the entry CreateUser made, as a lookup would return it.
func (c *Client) created(dn string, u *NewUser, sam string) Entry {
	e := Entry{DN: dn, Class: User, Organisation: u.Organisation, LocalID: u.LocalID, Address: u.Address,
		UserPrincipalName: u.Address, SAMAccountName: sam, MustChangePassword: true}
	for f, v := range u.Values {
		if c.attrs[f] != "" {
			e.Values[f] = v
		}
	}
	return e
}

func uacString(v int) string { return strconv.Itoa(v) }

// names is where the search for a free cn and sAMAccountName stands.
type names struct {
	samBase, cnBase string
	samN, cnN       int
}

func newNames(first, last, display string) names {
	return names{samBase: samBase(first, last), cnBase: cnBase(display), samN: 1, cnN: 1}
}

func (n *names) sam() string { return samCandidate(n.samBase, n.samN) }
func (n *names) cn() string  { return cnCandidate(n.cnBase, n.cnN) }

// nameProbe is how many candidates one search looks at.
const nameProbe = 20

// nextFreeNames moves n to the first cn free in parent and the first
// sAMAccountName free in the domain, from where they stand.
// If both are free by this search, yet the add said one was taken (AD
// compares names in ways this client may not), both move on one, so the
// loop always progresses.
func (c *Client) nextFreeNames(ctx context.Context, parent string, n *names) error {
	before := *n
	var err error
	if n.samN, err = c.firstFree(ctx, c.domainDN, ldap.ScopeWholeSubtree, "sAMAccountName", n.samN, samCandidate, n.samBase); err != nil {
		return err
	}
	if n.cnN, err = c.firstFree(ctx, parent, ldap.ScopeSingleLevel, "cn", n.cnN, cnCandidate, n.cnBase); err != nil {
		return err
	}
	if *n == before {
		n.samN++
		n.cnN++
	}
	return nil
}

// firstFree returns the first number from start whose candidate no entry
// in base has as attr.
// Names compare ignoring case (Unicode's, as AD does): wrongly thinking a
// name taken costs only a number.
func (c *Client) firstFree(ctx context.Context, base string, scope int, attr string, start int,
	candidate func(string, int) string, stem string) (int, error) {
	for from := start; from < start+maxNameTries; from += nameProbe {
		cands := make([]string, nameProbe)
		for i := range cands {
			cands[i] = candidate(stem, from+i)
		}
		req := ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, 0, 0, false, orFilter(attr, cands), []string{attr}, nil)
		taken := map[string]bool{}
		err := c.paged(ctx, req, func(e *ldap.Entry) error {
			for _, v := range e.GetEqualFoldAttributeValues(attr) {
				taken[strings.ToLower(v)] = true
			}
			return nil
		})
		if err != nil {
			return 0, wrapf(err, "look for a free %s", attr)
		}
		for i, cand := range cands {
			if !taken[strings.ToLower(cand)] {
				return from + i, nil
			}
		}
	}
	return 0, fmt.Errorf("no free %s for %s", attr, stem)
}
