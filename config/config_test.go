package config

import (
	"strings"
	"testing"
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
