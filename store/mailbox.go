package store

import (
	"database/sql/driver"
	"time"
)

// Mailbox kinds.
const (
	KindMailbox = "Mailbox"
	KindContact = "Contact" // migrated from NHSmail 1; never updated by files
)

// Mailbox is one directory entry. String fields are stored as given;
// LocalID is empty for entries created by hand without one.
type Mailbox struct {
	ID                 int64
	Address            string
	LocalID            string
	Org                string
	Unit               string
	Kind               string
	Title              string
	FirstName          string
	LastName           string
	JobTitle           string
	ClinicalRole       string
	ClinicalSpeciality string
	WorkArea           string
	EmailSize          int
	OfficePhone        string
	MobilePhone        string
	Fax                string
	Pager              string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// Ref is where a directory other than the embedded one keeps the
	// entry (Active Directory: its DN); never stored here.
	Ref string
}

// mailboxColumns is the column list every mailbox query selects, in the
// order scanMailbox expects.
const mailboxColumns = `id, address, coalesce(local_id, ''), org_code, org_unit, kind, title, first_name, last_name,
	job_title, clinical_role, clinical_speciality, work_area, email_size, office_phone, mobile_phone, fax, pager,
	created_at, updated_at`

// matchColumns is mailboxColumns without the times.
const matchColumns = `id, address, coalesce(local_id, ''), org_code, org_unit, kind, title, first_name, last_name,
	job_title, clinical_role, clinical_speciality, work_area, email_size, office_phone, mobile_phone, fax, pager`

func scanMatch(sc scanner, m *Mailbox) error {
	m.CreatedAt, m.UpdatedAt = time.Time{}, time.Time{}
	return sc.Scan(&m.ID, &m.Address, &m.LocalID, &m.Org, &m.Unit, &m.Kind, &m.Title, &m.FirstName, &m.LastName,
		&m.JobTitle, &m.ClinicalRole, &m.ClinicalSpeciality, &m.WorkArea, &m.EmailSize, &m.OfficePhone,
		&m.MobilePhone, &m.Fax, &m.Pager)
}

// fromValues fills m from a driver row of matchColumns.
func (m *Mailbox) fromValues(v []driver.Value) error {
	str := func(i int) string {
		switch x := v[i].(type) {
		case string:
			return x
		case []byte:
			return string(x)
		}
		return ""
	}
	num := func(i int) int64 {
		if x, ok := v[i].(int64); ok {
			return x
		}
		return 0
	}
	*m = Mailbox{ID: num(0), Address: str(1), LocalID: str(2), Org: str(3), Unit: str(4), Kind: str(5),
		Title: str(6), FirstName: str(7), LastName: str(8), JobTitle: str(9), ClinicalRole: str(10),
		ClinicalSpeciality: str(11), WorkArea: str(12), EmailSize: int(num(13)), OfficePhone: str(14),
		MobilePhone: str(15), Fax: str(16), Pager: str(17)}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

func scanMailbox(sc scanner, m *Mailbox) error {
	var created, updated string
	err := sc.Scan(&m.ID, &m.Address, &m.LocalID, &m.Org, &m.Unit, &m.Kind, &m.Title, &m.FirstName, &m.LastName,
		&m.JobTitle, &m.ClinicalRole, &m.ClinicalSpeciality, &m.WorkArea, &m.EmailSize, &m.OfficePhone,
		&m.MobilePhone, &m.Fax, &m.Pager, &created, &updated)
	if err != nil {
		return err
	}
	m.CreatedAt, m.UpdatedAt = parseTime(created), parseTime(updated)
	return nil
}

// nullable stores "" as NULL, so that blank Local IDs do not collide on the
// unique index.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
