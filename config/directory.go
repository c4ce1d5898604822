package config

import (
	"fmt"
	"time"

	"connectord/activedirectory"
)

// The directory backends.
const (
	BackendSQLite = "sqlite" // connectord's own directory, in the store
	BackendLDAP   = "ldap"   // Active Directory over LDAP
)

// LDAP is directory.ldap: how to reach and use Active Directory when
// directory.backend is ldap. docs/directory.md explains each key.
type LDAP struct {
	URL              string            `yaml:"url"`
	StartTLS         bool              `yaml:"start_tls"`
	CAFile           string            `yaml:"ca_file"`
	BindDN           string            `yaml:"bind_dn"`
	PasswordFile     string            `yaml:"password_file"`
	PasswordEnv      string            `yaml:"password_env"`
	BaseDN           string            `yaml:"base_dn"`
	OrganisationDN   string            `yaml:"organisation_dn"`
	LocalIDAttribute string            `yaml:"local_id_attribute"`
	Attributes       map[string]string `yaml:"attributes"`
	Timeout          time.Duration     `yaml:"timeout"`
	LookupBatch      int               `yaml:"lookup_batch"`
	PageSize         int               `yaml:"page_size"`
	TwoStepCreate    bool              `yaml:"two_step_create"`
}

// AD is the section as the Active Directory client takes it.
func (l LDAP) AD() activedirectory.Config {
	return activedirectory.Config{
		URL: l.URL, StartTLS: l.StartTLS, CAFile: l.CAFile, BindDN: l.BindDN,
		PasswordFile: l.PasswordFile, PasswordEnv: l.PasswordEnv, BaseDN: l.BaseDN,
		OrganisationDN: l.OrganisationDN, LocalIDAttribute: l.LocalIDAttribute, Attributes: l.Attributes,
		Timeout: l.Timeout, LookupBatch: l.LookupBatch, PageSize: l.PageSize, TwoStepCreate: l.TwoStepCreate,
	}
}

// validate checks the backend, and the ldap section when it is used.
func (d Directory) validate() []error {
	switch d.Backend {
	case BackendSQLite:
		return nil
	case BackendLDAP:
		if err := d.LDAP.AD().Validate(); err != nil {
			return []error{err}
		}
		return nil
	}
	return []error{fmt.Errorf("directory.backend: %q is not one of sqlite, ldap", d.Backend)}
}
