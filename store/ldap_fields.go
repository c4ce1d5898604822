package store

import (
	"database/sql"
	"errors"
	"fmt"
)

// KeptFields loads the fields connectord keeps beside the Local ID for an
// Active Directory entry (OrganisationUnit, ClinicalRole,
// ClinicalSpeciality, WorkArea, EmailSize) into m, reporting whether any
// are kept. Fields not kept are left as they are.
func (d *DirectoryTx) KeptFields(localID string, m *Mailbox) (bool, error) {
	st, err := d.work.prepared(`SELECT org_unit, clinical_role, clinical_speciality, work_area, email_size
		FROM ldap_fields WHERE local_id = ?`)
	if err != nil {
		return false, fmt.Errorf("read kept fields: %w", err)
	}
	err = st.QueryRowContext(d.ctx, localID).Scan(&m.Unit, &m.ClinicalRole, &m.ClinicalSpeciality, &m.WorkArea, &m.EmailSize)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read kept fields of %q: %w", localID, err)
	}
	return true, nil
}

// KeepFields stores m's OrganisationUnit, ClinicalRole, ClinicalSpeciality,
// WorkArea and EmailSize beside its Local ID.
func (d *DirectoryTx) KeepFields(m *Mailbox) error {
	st, err := d.work.prepared(`INSERT INTO ldap_fields (local_id, org_unit, clinical_role, clinical_speciality, work_area, email_size)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (local_id) DO UPDATE SET org_unit = excluded.org_unit,
		clinical_role = excluded.clinical_role, clinical_speciality = excluded.clinical_speciality,
		work_area = excluded.work_area, email_size = excluded.email_size`)
	if err == nil {
		_, err = st.ExecContext(d.ctx, m.LocalID, m.Unit, m.ClinicalRole, m.ClinicalSpeciality, m.WorkArea, m.EmailSize)
	}
	if err != nil {
		return fmt.Errorf("keep the fields of %s: %w", m.LocalID, err)
	}
	return nil
}
