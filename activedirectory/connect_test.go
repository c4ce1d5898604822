package activedirectory

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConnect(t *testing.T) {
	dc := dcs.DC(t)
	ou := dc.OU(t)
	otherCA := writeOtherCA(t)
	wrongPass := filepath.Join(t.TempDir(), "wrong.pass")
	if err := os.WriteFile(wrongPass, []byte("not-the-password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // "" = connects
		is   error
	}{
		{"LDAPS", func(c *Config) {}, "", nil},
		{"StartTLS", func(c *Config) { c.URL, c.StartTLS = dc.LDAPURL, true }, "", nil},
		{"UPN bind", func(c *Config) { c.BindDN = "Administrator@nhs.test" }, "", nil},
		{"plain LDAP refused before dialling", func(c *Config) { c.URL = dc.LDAPURL }, "would send the service account's password", nil},
		{"CA that did not sign it", func(c *Config) { c.CAFile = otherCA }, "TLS with", nil},
		{"StartTLS, CA that did not sign it", func(c *Config) { c.URL, c.StartTLS, c.CAFile = dc.LDAPURL, true, otherCA }, "StartTLS with", nil},
		{"wrong password", func(c *Config) { c.PasswordFile = wrongPass }, "bind to", ErrInvalidCredentials},
		{"base_dn missing", func(c *Config) {
			c.BaseDN = "OU=nowhere," + dc.BaseDN
			c.OrganisationDN = "OU={organisation},OU=nowhere," + dc.BaseDN
		}, "directory.ldap.base_dn OU=nowhere", nil},
		{"attribute not in the schema", func(c *Config) {
			c.Attributes = map[string]string{"EmailSize": "extensionAttribute1"}
		}, "the attribute for EmailSize: the directory's schema has no attribute extensionattribute1", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(dc, ou)
			tc.edit(&cfg)
			c, err := Dial(context.Background(), cfg, testLog(t))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				defer c.Close()
				if _, err := c.LookupLocalIDs(context.Background(), []string{"x"}); err != nil {
					t.Errorf("search after connecting: %v", err)
				}
				return
			}
			if err == nil {
				c.Close()
				t.Fatalf("Dial succeeded, want an error with %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("got %v, want an error with %q (%v)", err, tc.want, tc.is)
			}
			if strings.Contains(err.Error(), dc.Password) || strings.Contains(err.Error(), "not-the-password") {
				t.Errorf("the error shows a password: %v", err)
			}
		})
	}
}

// TestStalledServer stops the DC's process: every operation, and dialling,
// must fail within the timeout instead of waiting for ever.
func TestStalledServer(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Timeout = 2 * time.Second })
	resume := f.dc.Stall(t)
	defer resume()
	for _, tc := range []struct {
		name string
		op   func() error
	}{
		{"search", func() error {
			_, err := f.c.LookupLocalIDs(context.Background(), []string{"RR8-1"})
			return err
		}},
		{"dial LDAPS", func() error {
			c, err := Dial(context.Background(), f.cfg, testLog(t))
			if err == nil {
				c.Close()
			}
			return err
		}},
		{"dial StartTLS", func() error {
			cfg := f.cfg
			cfg.URL, cfg.StartTLS = f.dc.LDAPURL, true
			c, err := Dial(context.Background(), cfg, testLog(t))
			if err == nil {
				c.Close()
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			err := tc.op()
			took := time.Since(start)
			if err == nil {
				t.Fatal("succeeded against a stalled server")
			}
			if took > 10*time.Second {
				t.Errorf("took %v to fail (timeout 2 s): %v", took, err)
			}
		})
	}
}

// TestCancelled: a cancelled context ends an operation and closes the connection.
func TestCancelled(t *testing.T) {
	f := newFixture(t, nil)
	resume := f.dc.Stall(t)
	defer resume()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := f.c.LookupLocalIDs(ctx, []string{"RR8-1"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v to notice the cancellation (Timeout is a minute)", took)
	}
	resume()
	if _, err := f.c.LookupLocalIDs(context.Background(), []string{"RR8-1"}); err == nil {
		t.Error("the connection still works after a cancellation closed it")
	}
}

// writeOtherCA writes a CA certificate that did not sign the DC's.
func writeOtherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "another CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "other-ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
