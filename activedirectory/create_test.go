package activedirectory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// TestCreatedUserSignsIn creates a user with its password in the add, in
// one step and in two, and signs in as it.
func TestCreatedUserSignsIn(t *testing.T) {
	for _, twoStep := range []bool{false, true} {
		t.Run(fmt.Sprintf("two-step=%v", twoStep), func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.TwoStepCreate = twoStep })
			last := "Bloggs" + f.tag // names unique in the domain the tests share
			addr := "jo." + strings.ToLower(last) + "@" + f.domain
			u := newUser("RR8", "RR8-100", "Jo", last, addr, "Initial-Passw0rd")
			u.Values[JobTitle], u.Values[OrganisationUnit], u.Values[EmailSize] = "Nurse", "D123", "4"
			before := f.c.Stats()
			e, err := f.c.CreateUser(context.Background(), u)
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			st := f.c.Stats()
			wantAdds, wantMods := int64(2), int64(0) // the organisation's OU, the user
			if twoStep {
				wantMods = 1
			}
			if got := st.Adds - before.Adds; got != wantAdds {
				t.Errorf("%d adds, want %d", got, wantAdds)
			}
			if got := st.Modifies - before.Modifies; got != wantMods {
				t.Errorf("%d modifies, want %d", got, wantMods)
			}
			if want := "CN=Jo " + last + ",OU=RR8," + f.ou; e.DN != want {
				t.Errorf("DN = %s, want %s", e.DN, want)
			}
			got := f.read(t, e.DN, "userAccountControl", "pwdLastSet", "sAMAccountName", "userPrincipalName", "mail",
				"employeeID", "displayName", "title", "department")
			for attr, want := range map[string]string{"userAccountControl": "512", "pwdLastSet": "0", "sAMAccountName": e.SAMAccountName,
				"userPrincipalName": addr, "mail": addr, "employeeID": "RR8-100", "displayName": "Jo " + last, "title": "Nurse", "department": "D123"} {
				if v := got.GetAttributeValue(attr); v != want {
					t.Errorf("%s = %q, want %q", attr, v, want)
				}
			}
			upn := addr
			// AD refuses the bind of a user who must change the password, but
			// only when the password is right.
			if err := SignIn(context.Background(), f.cfg, upn, "Wrong-Passw0rd"); !errors.Is(err, ErrInvalidCredentials) {
				t.Errorf("sign in with a wrong password: got %v, want ErrInvalidCredentials", err)
			}
			if err := SignIn(context.Background(), f.cfg, upn, u.Password); !errors.Is(err, ErrMustChangePassword) {
				t.Errorf("first sign-in: got %v, want ErrMustChangePassword", err)
			}
			// Once the password counts as chosen, the sign-in succeeds.
			req := ldap.NewModifyRequest(e.DN, nil)
			req.Replace("pwdLastSet", []string{"-1"})
			if err := f.admin.Modify(req); err != nil {
				t.Fatal(err)
			}
			if err := SignIn(context.Background(), f.cfg, upn, u.Password); err != nil {
				t.Errorf("sign in: %v", err)
			}
			if err := SignIn(context.Background(), f.cfg, e.DN, u.Password); err != nil {
				t.Errorf("sign in by DN: %v", err)
			}
		})
	}
}

// TestWeakPasswordRefused: AD's policy refuses the password; the error says
// why, and no account is left, in one step and in two.
func TestWeakPasswordRefused(t *testing.T) {
	for _, tc := range []struct {
		pw, reason string
	}{
		{"Ab1!", "it is too short"},
		{"alllowercase", "complexity rules"},
	} {
		for _, twoStep := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/two-step=%v", tc.pw, twoStep), func(t *testing.T) {
				f := newFixture(t, func(c *Config) { c.TwoStepCreate = twoStep })
				_, err := f.c.CreateUser(context.Background(), newUser("RR8", "RR8-1", "Weak", "Password", "weak.password@"+f.domain, tc.pw))
				var pe *PasswordError
				if !errors.As(err, &pe) {
					t.Fatalf("got %v, want a *PasswordError", err)
				}
				if !strings.Contains(pe.Reason, tc.reason) || !strings.HasPrefix(err.Error(), "Active Directory refused the password: ") {
					t.Errorf("got %q, want the reason %q", err, tc.reason)
				}
				if strings.Contains(err.Error(), tc.pw) {
					t.Errorf("the error shows the password: %v", err)
				}
				if n := f.count(t, "(objectClass=user)"); n != 0 {
					t.Errorf("%d users left after the refusal, want none", n)
				}
				if es, err := f.c.LookupLocalID(context.Background(), "RR8-1"); err != nil || len(es) != 0 {
					t.Errorf("LookupLocalID after the refusal: %v, %v; want nothing", es, err)
				}
			})
		}
	}
}

// TestUniqueNames: cn is unique in its OU and sAMAccountName in the domain.
func TestUniqueNames(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	// Someone else, elsewhere in the domain, already has the logon name
	// (sam.smithNN: the tag keeps the names apart from other tests').
	f.add(t, "CN=Elsewhere,"+f.ou, map[string][]string{"objectClass": {"user"}, "sAMAccountName": {"sam.smith"}})
	last := "Smith" + f.tag
	var got []Entry
	for i, addr := range []string{"sam.smith@" + f.domain, "sam.smith2@" + f.domain, "sam.smith3@" + f.domain} {
		e, err := f.c.CreateUser(ctx, newUser("RR8", fmt.Sprintf("RR8-%d", i), "Sam", last, addr, "Initial-Passw0rd"))
		if err != nil {
			t.Fatalf("create %s: %v", addr, err)
		}
		got = append(got, e)
	}
	wantCN := []string{"Sam " + last, "Sam " + last + " 2", "Sam " + last + " 3"}
	wantSAM := []string{f.sam("sam.smith") + "2", f.sam("sam.smith") + "3", f.sam("sam.smith") + "4"}
	for i, e := range got {
		if !strings.HasPrefix(e.DN, "CN="+wantCN[i]+",") || e.SAMAccountName != wantSAM[i] {
			t.Errorf("user %d: %s, %s; want cn %s, sAMAccountName %s", i, e.DN, e.SAMAccountName, wantCN[i], wantSAM[i])
		}
		if r := f.read(t, e.DN, "sAMAccountName"); r.GetAttributeValue("sAMAccountName") != e.SAMAccountName {
			t.Errorf("user %d: the directory has sAMAccountName %q, Entry says %q", i, r.GetAttributeValue("sAMAccountName"), e.SAMAccountName)
		}
	}
	// A long name is cut to 20 characters (the tag makes it unique here).
	e, err := f.c.CreateUser(ctx, newUser("RR8", "RR8-9", "Alexandrina"+f.tag, "Featherstonehaugh", "alexandrina.featherstonehaugh@"+f.domain, "Initial-Passw0rd"))
	if err != nil {
		t.Fatal(err)
	}
	if want := ("alexandrina" + f.tag + ".featherstonehaugh")[:20]; e.SAMAccountName != want {
		t.Errorf("sAMAccountName = %q, want %s", e.SAMAccountName, want)
	}
}

// TestConcurrentCreates: several adds of one name in flight at once on one
// Client each get their own names.
func TestConcurrentCreates(t *testing.T) {
	f := newFixture(t, nil)
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.c.CreateUser(context.Background(),
				newUser("RR8", fmt.Sprintf("RR8-%d", i), "Pat", "Lee", fmt.Sprintf("pat.lee%d@%s", i+1, f.domain), "Initial-Passw0rd"))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("create %d: %v", i, err)
		}
	}
	if got := f.count(t, "(&(objectClass=user)(cn=Pat Lee*))"); got != n {
		t.Errorf("%d users named Pat Lee, want %d", got, n)
	}
}

// TestAddressTaken: AD keeps userPrincipalName unique in the whole domain,
// beyond base_dn.
func TestAddressTaken(t *testing.T) {
	f := newFixture(t, nil)
	addr := "taken@" + f.domain
	f.add(t, "CN=Taken "+f.tag+",CN=Users,"+f.dc.BaseDN, map[string][]string{"objectClass": {"user"},
		"sAMAccountName": {"taken"}, "userPrincipalName": {addr}})
	for _, twoStep := range []bool{false, true} {
		f.c.cfg.TwoStepCreate = twoStep
		_, err := f.c.CreateUser(context.Background(), newUser("RR8", "RR8-1", "Taken", "Again", addr, "Initial-Passw0rd"))
		if !errors.Is(err, ErrAddressTaken) {
			t.Errorf("two-step=%v: got %v, want ErrAddressTaken", twoStep, err)
		}
		if n := f.count(t, "(objectClass=user)"); n != 0 {
			t.Errorf("two-step=%v: %d users made", twoStep, n)
		}
	}
}

// TestValueTooLong: a value over its attribute's limit in the schema is
// refused before anything is sent.
func TestValueTooLong(t *testing.T) {
	f := newFixture(t, nil)
	if got := f.c.MaxLocalIDLength(); got != 16 {
		t.Errorf("MaxLocalIDLength = %d, want 16 (employeeID)", got)
	}
	if got := f.c.MaxLength(OrganisationUnit); got != 64 {
		t.Errorf("MaxLength(OrganisationUnit) = %d, want 64 (department)", got)
	}
	if got := f.c.MaxLength(EmailSize); got != 0 {
		t.Errorf("MaxLength(EmailSize) = %d, want 0 (unmapped)", got)
	}
	long := newUser("RR8", "RR8-7K3M9Q2X4T", "Jo", "Bloggs", "jo.bloggs@"+f.domain, "Initial-Passw0rd")
	long.LocalID = "RR8-7K3M9Q2X4T-X" + "Y" // 17 characters
	before := f.c.Stats()
	_, err := f.c.CreateUser(context.Background(), long)
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Field != "Local ID" || ve.Max != 16 {
		t.Fatalf("got %v, want a ValueError for the Local ID, at most 16", err)
	}
	if st := f.c.Stats(); st != before {
		t.Errorf("requests were sent: %+v, then %+v", before, st)
	}
}

func newUser(org, id, first, last, addr, pw string) NewUser {
	u := NewUser{Organisation: org, LocalID: id, Address: addr, Password: pw}
	u.Values[FirstName], u.Values[LastName] = first, last
	return u
}
