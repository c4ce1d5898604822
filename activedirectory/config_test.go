package activedirectory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func validConfig() Config {
	return Config{
		URL:            "ldaps://dc1.example.nhs.uk:636",
		BindDN:         "CN=connectord,OU=Service Accounts,DC=example,DC=nhs,DC=uk",
		PasswordFile:   "/etc/connectord/ad.pass",
		BaseDN:         "DC=example,DC=nhs,DC=uk",
		OrganisationDN: "OU={organisation},DC=example,DC=nhs,DC=uk",
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // "" = valid; else a part of the message
	}{
		{"ldaps", func(c *Config) {}, ""},
		{"ldap with StartTLS", func(c *Config) { c.URL, c.StartTLS = "ldap://dc1.example.nhs.uk", true }, ""},
		{"plain ldap refused", func(c *Config) { c.URL = "ldap://dc1.example.nhs.uk:389" },
			"directory.ldap.url: \"ldap://dc1.example.nhs.uk:389\" without start_tls would send the service account's password and new users' passwords in clear"},
		{"ldaps with StartTLS", func(c *Config) { c.StartTLS = true }, "start_tls is for ldap://"},
		{"other scheme", func(c *Config) { c.URL = "ldapi:///run/slapd" }, "directory.ldap.url"},
		{"no host", func(c *Config) { c.URL = "ldaps://" }, "directory.ldap.url"},
		{"path", func(c *Config) { c.URL = "ldaps://dc1/DC=x" }, "give only the scheme, host and port"},
		{"UPN bind", func(c *Config) { c.BindDN = "connectord@example.nhs.uk" }, ""},
		{"no bind DN", func(c *Config) { c.BindDN = "" }, "directory.ldap.bind_dn: is required"},
		{"no password", func(c *Config) { c.PasswordFile = "" }, "directory.ldap.password_file: or password_env is required"},
		{"two passwords", func(c *Config) { c.PasswordEnv = "AD_PASS" }, "both set"},
		{"bad base", func(c *Config) { c.BaseDN = "example.nhs.uk" }, "directory.ldap.base_dn"},
		{"no placeholder", func(c *Config) { c.OrganisationDN = "OU=Orgs,DC=example,DC=nhs,DC=uk" }, "exactly once"},
		{"placeholder twice", func(c *Config) { c.OrganisationDN = "OU={organisation},OU={organisation},DC=x" }, "exactly once"},
		{"placeholder in part of a value", func(c *Config) { c.OrganisationDN = "OU=org-{organisation},DC=example,DC=nhs,DC=uk" }, "whole value"},
		{"placeholder in a CN", func(c *Config) { c.OrganisationDN = "CN={organisation},DC=example,DC=nhs,DC=uk" }, "must be OUs"},
		{"CN below the placeholder", func(c *Config) { c.OrganisationDN = "CN=Users,OU={organisation},DC=example,DC=nhs,DC=uk" }, "must be OUs"},
		{"OU below the placeholder", func(c *Config) { c.OrganisationDN = "OU=Users,OU={organisation},DC=example,DC=nhs,DC=uk" }, ""},
		{"organisations outside base_dn", func(c *Config) { c.OrganisationDN = "OU={organisation},DC=other,DC=nhs,DC=uk" }, "not under base_dn"},
		{"base_dn case differs", func(c *Config) { c.BaseDN = "dc=EXAMPLE,dc=nhs,dc=uk" }, ""},
		{"bad local ID attribute", func(c *Config) { c.LocalIDAttribute = "employee id" }, "directory.ldap.local_id_attribute"},
		{"mapped fields", func(c *Config) {
			c.Attributes = map[string]string{"OrganisationUnit": "department", "EmailSize": "extensionAttribute1", "WorkArea": ""}
		}, ""},
		{"map a standard field", func(c *Config) { c.Attributes = map[string]string{"JobTitle": "title"} }, "not a field to map"},
		{"map an unknown field", func(c *Config) { c.Attributes = map[string]string{"Shoe size": "x"} }, "not a field to map"},
		{"map to a bad name", func(c *Config) { c.Attributes = map[string]string{"WorkArea": "1st"} }, "not an attribute name"},
		{"two fields, one attribute", func(c *Config) {
			c.Attributes = map[string]string{"WorkArea": "department", "ClinicalRole": "Department"}
		}, "both map to"},
		{"a field onto a standard one", func(c *Config) { c.Attributes = map[string]string{"WorkArea": "givenname"} }, "both map to"},
		{"a field onto the Local ID", func(c *Config) { c.Attributes = map[string]string{"WorkArea": "employeeID"} }, "manages itself"},
		{"batch too big", func(c *Config) { c.LookupBatch = 5000 }, "directory.ldap.lookup_batch"},
		{"page too big", func(c *Config) { c.PageSize = 5000 }, "directory.ldap.page_size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want valid", err)
			case tc.want != "" && err == nil:
				t.Errorf("got valid, want an error with %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestPassword(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("AD_TEST_PASS", "from-env")
	for _, tc := range []struct {
		name      string
		file, env string
		want      string
		wantErr   string
	}{
		{"first line", write("a", "s3cret\nignored\n"), "", "s3cret", ""},
		{"CRLF", write("b", "s3cret\r\n"), "", "s3cret", ""},
		{"no newline", write("c", "s3cret"), "", "s3cret", ""},
		{"empty", write("d", "\n"), "", "", "the first line is empty"},
		{"missing", filepath.Join(dir, "none"), "", "", "no such file"},
		{"env", "", "AD_TEST_PASS", "from-env", ""},
		{"env unset", "", "AD_TEST_NONE", "", "$AD_TEST_NONE is empty or not set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Config{PasswordFile: tc.file, PasswordEnv: tc.env}.password()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %q, %v; want an error with %q", got, err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
