package config

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The shipped example must always load: it documents every key.
func TestExampleLoads(t *testing.T) {
	cfg, err := Load("../config.example.yaml")
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	if cfg.Directory.Domain != "nhs.net" {
		t.Errorf("domain: got %q, want nhs.net", cfg.Directory.Domain)
	}
}

// ldapYAML is a complete directory.ldap section.
const ldapYAML = `    url: ldaps://dc1.example:636
    bind_dn: CN=svc,DC=example,DC=nhs,DC=uk
    password_file: /etc/connectord/ad.pass
    base_dn: DC=example,DC=nhs,DC=uk
    organisation_dn: "OU={organisation},DC=example,DC=nhs,DC=uk"
`

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{name: "empty is defaults", yaml: ""},
		{name: "unknown key", yaml: "data_dri: x\n", wantErr: "field data_dri not found"},
		{name: "unknown nested key", yaml: "directory:\n  domian: x\n", wantErr: "field domian not found"},
		{name: "bad domain", yaml: "directory:\n  domain: nhs\n", wantErr: "directory.domain"},
		{name: "bad level", yaml: "log:\n  level: loud\n", wantErr: "log.level"},
		{name: "wrong type", yaml: "directory: 3\n", wantErr: "cannot unmarshal"},
		{name: "message limit below the attachment limit", yaml: "ingest:\n  max_message_bytes: 1000000\n",
			wantErr: "ingest.max_message_bytes: 1000000 is smaller than max_attachment_bytes (20971520)"},
		{name: "negative message limit", yaml: "ingest:\n  max_message_bytes: -1\n", wantErr: "ingest.max_message_bytes"},
		{name: "message limit set", yaml: "ingest:\n  max_message_bytes: 52428800\n"},
		{name: "look-alike allowed domain", yaml: "ingest:\n  allowed_domains: [\"nh\u017f.net\"]\n",
			wantErr: `ingest.allowed_domains: "nh\u017f.net" is not ASCII`},
		{name: "look-alike authserv-id", yaml: "ingest:\n  trusted_authserv_ids: [\"mx.nh\u017f.net\"]\n",
			wantErr: `ingest.trusted_authserv_ids: "mx.nh\u017f.net" is not ASCII`},
		{name: "trusted proxies", yaml: "console:\n  trusted_proxies: [10.0.0.9, 10.1.0.0/16, \"2001:db8::/48\"]\n"},
		{name: "a trusted proxy that is a name", yaml: "console:\n  trusted_proxies: [proxy.example]\n", wantErr: "console.trusted_proxies"},
		{name: "a trusted proxy with a zone", yaml: "console:\n  trusted_proxies: [\"fe80::1%eth0\"]\n", wantErr: "console.trusted_proxies"},
		{name: "plain HTTP behind a proxy nobody named", yaml: "console:\n  listen: 0.0.0.0:8080\n  allow_plain_http_behind_proxy: true\n", wantErr: "set console.trusted_proxies"},
		{name: "public URL", yaml: "console:\n  public_url: https://connector.example.nhs.uk/console/\n"},
		{name: "public URL on loopback over http", yaml: "console:\n  public_url: http://127.0.0.1:8080/\n"},
		{name: "public URL over http", yaml: "console:\n  public_url: http://connector.example.nhs.uk/\n", wantErr: "console.public_url: \"http://connector.example.nhs.uk/\" must use https"},
		{name: "public URL without a scheme", yaml: "console:\n  public_url: connector.example.nhs.uk\n", wantErr: "must start with https://"},
		{name: "public URL with a user", yaml: "console:\n  public_url: https://me:pw@connector.example.nhs.uk/\n", wantErr: "user name or password"},
		{name: "public URL with a query", yaml: "console:\n  public_url: https://connector.example.nhs.uk/?x=1\n", wantErr: "query or a fragment"},
		{name: "public URL with a fragment", yaml: "console:\n  public_url: https://connector.example.nhs.uk/#x\n", wantErr: "query or a fragment"},
		{name: "public URL with a look-alike host", yaml: "console:\n  public_url: \"https://connector.nh\u017f.uk/\"\n", wantErr: "must be ASCII"},
		{name: "public URL with no host", yaml: "console:\n  public_url: \"https:///review\"\n", wantErr: "has no host"},
		{name: "public URL, javascript", yaml: "console:\n  public_url: \"javascript:alert(1)\"\n", wantErr: "must start with https://"},
		{name: "unknown backend", yaml: "directory:\n  backend: openldap\n", wantErr: `directory.backend: "openldap" is not one of sqlite, ldap`},
		{name: "ldap backend", yaml: "directory:\n  backend: ldap\n  ldap:\n" + ldapYAML},
		{name: "ldap in clear", yaml: "directory:\n  backend: ldap\n  ldap:\n" + strings.Replace(ldapYAML, "ldaps://dc1.example:636", "ldap://dc1.example:389", 1),
			wantErr: "directory.ldap.url: \"ldap://dc1.example:389\" without start_tls would send"},
		{name: "ldap unknown key", yaml: "directory:\n  backend: ldap\n  ldap:\n    bind_password: x\n", wantErr: "field bind_password not found"},
		{name: "ldap unknown field mapped", yaml: "directory:\n  backend: ldap\n  ldap:\n" + ldapYAML + "    attributes: {JobRole: extensionAttribute1}\n",
			wantErr: `directory.ldap.attributes: "JobRole" is not a field to map`},
		{name: "ldap section unused under sqlite", yaml: "directory:\n  ldap:\n    url: ldap://dc1.example\n"},
		{name: "plain HTTP behind a named proxy", yaml: "console:\n  listen: 0.0.0.0:8080\n  allow_plain_http_behind_proxy: true\n  trusted_proxies: [10.0.0.9]\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

// Every key of the configuration is in config.example.yaml, so the
// example can never fall behind the code.
func TestExampleHasEveryKey(t *testing.T) {
	data, err := os.ReadFile("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range yamlKeys(reflect.TypeOf(Config{}), "") {
		if !hasKey(doc, strings.Split(key, ".")) {
			t.Errorf("config.example.yaml lacks %s", key)
		}
	}
}

func hasKey(node map[string]any, path []string) bool {
	v, ok := node[path[0]]
	if !ok || len(path) == 1 {
		return ok
	}
	m, isMap := v.(map[string]any)
	return isMap && hasKey(m, path[1:])
}

// yamlKeys lists the dotted yaml keys of a struct type's leaves.
func yamlKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		key := prefix + name
		if f.Type.Kind() == reflect.Struct && f.Type.String() != "time.Duration" {
			out = append(out, yamlKeys(f.Type, key+".")...)
			continue
		}
		out = append(out, key)
	}
	return out
}

// Every key is in the operators' guide too, so docs/operations.md can
// never fall behind the code either.
func TestOperationsGuideHasEveryKey(t *testing.T) {
	data, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	guide := string(data)
	for _, key := range yamlKeys(reflect.TypeOf(Config{}), "") {
		if !strings.Contains(guide, "`"+key+"`") && !mentionedInGroup(guide, key) {
			t.Errorf("docs/operations.md does not document %s", key)
		}
	}
}

// mentionedInGroup reports whether the guide names key the short way, in
// a row that starts with its section ("`batch.timezone`, `batch.cutoff`"
// is both; "`imap.password_file` / `password_env`" names the second by its
// last part).
func mentionedInGroup(guide, key string) bool {
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return false
	}
	section, last := key[:i+1], key[i+1:]
	for _, line := range strings.Split(guide, "\n") {
		if strings.Contains(line, "`"+section) && strings.Contains(line, "`"+last+"`") {
			return true
		}
	}
	return false
}

func TestTrustedProxyPrefixes(t *testing.T) {
	got, err := Console{TrustedProxies: []string{"10.0.0.9", "10.1.2.3/16", "::ffff:192.0.2.1", "2001:db8::1"}}.TrustedProxyPrefixes()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.9/32", "10.1.0.0/16", "192.0.2.1/32", "2001:db8::1/128"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("entry %d: got %s, want %s", i, got[i], want[i])
		}
	}
}
